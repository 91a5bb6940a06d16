//! [`ContentTypes`]: the content-type manager of one database (Django's
//! `ContentType.objects`), with its cache.
//!
//! Query counts (Django's, or fewer):
//! - a cached `for_model`, `for_id` or `by_natural_key`: 0 queries;
//! - `for_model` on a cold cache: 1 `SELECT`; 3 statements when the row must be created
//!   (then the rows of every registered model are created at once, as Django creates them
//!   all after migrating);
//! - `for_models` on a cold cache: 1 `SELECT` for all of them, plus one `INSERT` and one
//!   `SELECT` when some rows are missing;
//! - [`create_content_types`]: 1 `SELECT`, plus 1 `INSERT` of everything missing.
//!
//! On a database with a replica ([`ContentTypes::routed`], `Databases::get`), a lookup that
//! misses the cache reads the replica, unless the primary is inside a transaction
//! ([`crate::route`]), and what the replica does not have yet (it lags) is looked up, and
//! created if need be, on the primary, never on the replica, never twice:
//! - a cached lookup: 0 queries;
//! - the row on the replica: 1 `SELECT` on the replica, none on the primary;
//! - the row on the primary only (replication lag): 1 `SELECT` on the replica, 1 `SELECT`
//!   on the primary (Django's `get_for_model` reads the replica, then `get_or_create`s on the
//!   primary: the same `SELECT`s);
//! - no row anywhere: 1 `SELECT` on the replica, then the 3 statements above on the
//!   primary;
//! - `for_models`, `for_id`, `by_natural_key`: the same, with one `SELECT` per connection
//!   for all their uncached keys.
//!
//! The hot path, a cached `for_model` (every generic relation read starts with one), reads a
//! per-thread copy of the cache: no lock, no shared write, no allocation, one probe of a
//! map keyed by the model's address with a multiply-and-rotate hash. The shared cache,
//! behind a lock, fills it on a thread's first lookup of a model; `clear_cache` bumps the
//! manager's generation, which empties every thread's copy at its next lookup.
//!
//! Creating a row is race-safe: the insert ignores a conflict on the unique
//! `(app_label, model)` constraint and the row is read back with a locking read, so
//! concurrent first uses create one row and all see its id, also inside transactions (every
//! first use inserts the same rows in the same order, so they wait for each other rather
//! than deadlock). Reading and creating the rows is `rows.rs`; the cache is here.

pub(crate) mod rows;

pub use rows::create_content_types;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, RwLock};

use contenttypes_core::ir::ModelDef;
use contenttypes_core::registry::{Registration, Registry};

use crate::content_type::ContentType;
use crate::db::{Routed, Using};
use crate::error::{Error, Result};
use crate::fxhash::FxHashMap;

/// Where a manager finds its models.
enum RegistrySource {
    Global,
    Explicit(&'static Registry),
}

#[derive(Default)]
struct Cache {
    /// By the address of a registered model's def: the hot path of `for_model`.
    by_def: FxHashMap<usize, ContentType>,
    /// By natural key, `app_label` then `model`: nested so a `&str` pair looks up without
    /// allocating. SipHash: measured faster than the Fx hasher on these short strings.
    by_key: HashMap<Cow<'static, str>, HashMap<Cow<'static, str>, ContentType>>,
    by_id: FxHashMap<i32, ContentType>,
}

/// A thread's copy of the entries of one manager's cache it has read, valid for one
/// generation of that manager.
struct Local {
    manager: u64,
    generation: u64,
    by_def: FxHashMap<usize, ContentType>,
    by_id: FxHashMap<i32, ContentType>,
}

/// How many managers a thread keeps copies for; past it the oldest copy is dropped (a
/// dropped manager's copy lingers until then).
const LOCAL_MANAGERS: usize = 8;

thread_local! {
    static LOCAL: RefCell<Vec<Local>> = const { RefCell::new(Vec::new()) };
}

/// Manager ids, never reused (a manager's address may be).
static MANAGER_IDS: AtomicU64 = AtomicU64::new(1);

/// The content-type manager of one database: Django's `ContentType.objects`, with its cache.
///
/// Content-type ids differ between databases, so each database needs its own manager.
/// [`ContentTypes::global`] serves plain connections (the default database); make a
/// manager per other database and pass [`ContentTypes::using`]`(conn)` where a `Db` is
/// expected.
pub struct ContentTypes {
    registry: RegistrySource,
    cache: RwLock<Cache>,
    /// This manager's id, for the threads' copies of its cache.
    id: u64,
    /// Bumped by `clear_cache`: a thread's copy of another generation is emptied.
    generation: AtomicU64,
}

impl fmt::Debug for ContentTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.cache.read().map(|c| c.by_id.len()).unwrap_or(0);
        f.debug_struct("ContentTypes")
            .field("cached", &cached)
            .finish_non_exhaustive()
    }
}

impl Default for ContentTypes {
    fn default() -> Self {
        ContentTypes::new()
    }
}

static GLOBAL: LazyLock<ContentTypes> = LazyLock::new(ContentTypes::new);

impl ContentTypes {
    /// The manager of the default database, used when a plain connection is passed as a
    /// [`Db`](crate::Db).
    pub fn global() -> &'static ContentTypes {
        &GLOBAL
    }

    /// A manager with an empty cache, over the global registry.
    pub fn new() -> Self {
        ContentTypes::over(RegistrySource::Global)
    }

    /// A manager with an empty cache, over an explicit registry.
    pub fn with_registry(registry: &'static Registry) -> Self {
        ContentTypes::over(RegistrySource::Explicit(registry))
    }

    fn over(registry: RegistrySource) -> Self {
        ContentTypes {
            registry,
            cache: RwLock::new(Cache::default()),
            id: MANAGER_IDS.fetch_add(1, Ordering::Relaxed),
            generation: AtomicU64::new(0),
        }
    }

    /// Binds a connection to this manager: pass the result where a [`Db`](crate::Db) is
    /// expected.
    pub fn using<'a, C>(&'a self, conn: &'a mut C) -> Using<'a, C> {
        Using {
            conn,
            content_types: self,
        }
    }

    /// Binds a primary connection and a replica of it (a read-only copy, which may lag) to
    /// this manager: pass the result where a [`Db`](crate::Db) is expected. Reads go to the
    /// replica, writes and transactions to the primary ([`crate::route`]); a content type
    /// the replica does not have yet is looked up, or created, on the primary.
    ///
    /// ```
    /// # include!("../../../src/doctest_setup.rs");
    /// use contenttypes::testing::QueryLog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let content_types = ContentTypes::new();
    /// let (mut primary, mut replica) = (connection(), connection());
    /// let (primary_log, replica_log) = (QueryLog::attach(&mut primary), QueryLog::attach(&mut replica));
    /// let mut db = content_types.routed(&mut primary, &mut replica);
    ///
    /// // The replica has no content-type row yet (it lags): read there, then created on
    /// // the primary.
    /// let ct = ContentType::for_model::<Article>(&mut db)?;
    /// assert_eq!((replica_log.count(), primary_log.count()), (1, 3));
    /// assert_eq!(ContentType::for_model::<Article>(&mut db)?, ct); // cached: no query
    /// assert_eq!((replica_log.count(), primary_log.count()), (1, 3));
    /// # Ok(())
    /// # }
    /// ```
    pub fn routed<'a, C>(&'a self, primary: &'a mut C, replica: &'a mut C) -> Routed<'a, C> {
        Routed {
            primary,
            replica,
            content_types: self,
        }
    }

    /// The registry this manager resolves models with.
    pub fn registry(&self) -> Result<&'static Registry> {
        match self.registry {
            RegistrySource::Global => Ok(Registry::global()?),
            RegistrySource::Explicit(r) => Ok(r),
        }
    }

    /// Empties the cache (Django's `clear_cache`).
    pub fn clear_cache(&self) {
        let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
        *cache = Cache::default();
        // Under the lock, so no thread copies an entry of the old cache into the new
        // generation.
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// The cached content type of a model, without touching the database.
    pub fn cached(&self, def: &'static ModelDef) -> Option<ContentType> {
        self.read_cached(
            def_key(def),
            |l| &mut l.by_def,
            |c| &c.by_def,
            ContentType::clone,
        )
    }

    /// The id of a model's cached content type, without touching the database: the
    /// relation code's hot path (no `ContentType` is copied).
    pub fn cached_id_of(&self, def: &'static ModelDef) -> Option<i32> {
        self.read_cached(def_key(def), |l| &mut l.by_def, |c| &c.by_def, |ct| ct.id)
    }

    /// The cached content type with this id, without touching the database.
    pub fn cached_id(&self, id: i32) -> Option<ContentType> {
        self.read_cached(id, |l| &mut l.by_id, |c| &c.by_id, ContentType::clone)
    }

    /// Reads `key` in this thread's copy of the cache (`local` picks the map), filling the
    /// copy from the shared cache (`shared` picks the map) on a miss.
    #[inline]
    fn read_cached<K, R>(
        &self,
        key: K,
        local: impl Fn(&mut Local) -> &mut FxHashMap<K, ContentType>,
        shared: impl Fn(&Cache) -> &FxHashMap<K, ContentType>,
        read: impl Fn(&ContentType) -> R,
    ) -> Option<R>
    where
        K: std::hash::Hash + Eq + Copy,
    {
        let generation = self.generation.load(Ordering::Acquire);
        let from_shared = || {
            let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
            shared(&cache).get(&key).cloned()
        };
        let hit = LOCAL.try_with(|locals| {
            let mut locals = locals.borrow_mut();
            let index = match locals.iter().position(|l| l.manager == self.id) {
                Some(i) => {
                    let copy = &mut locals[i];
                    if copy.generation != generation {
                        copy.generation = generation;
                        copy.by_def.clear();
                        copy.by_id.clear();
                    } else if let Some(ct) = local(copy).get(&key) {
                        return Some(read(ct));
                    }
                    i
                }
                None => {
                    if locals.len() >= LOCAL_MANAGERS {
                        locals.remove(0);
                    }
                    locals.push(Local {
                        manager: self.id,
                        generation,
                        by_def: FxHashMap::default(),
                        by_id: FxHashMap::default(),
                    });
                    locals.len() - 1
                }
            };
            let ct = from_shared()?;
            let out = read(&ct);
            local(&mut locals[index]).insert(key, ct);
            Some(out)
        });
        // Without thread-local storage (a thread being torn down): the shared cache.
        hit.unwrap_or_else(|_| from_shared().as_ref().map(read))
    }

    fn registration_of(&self, def: &'static ModelDef) -> Result<&'static Registration> {
        let registry = self.registry()?;
        registry
            .get_by_natural_key(&def.app_label, &def.model_name)
            .filter(|r| std::ptr::eq(r.def, def) || r.def == def)
            .ok_or_else(|| Error::NotRegistered {
                model: def.type_name.to_string(),
            })
    }

    /// Fills in the registration and `'static` names of a loaded row, and caches it.
    fn remember(&self, mut ct: ContentType) -> Result<ContentType> {
        let registry = self.registry()?;
        if let Some(r) = registry.get_by_natural_key(&ct.app_label, &ct.model) {
            ct.registration = Some(r);
            ct.app_label = Cow::Borrowed(r.def.app_label.as_ref());
            ct.model = Cow::Borrowed(r.def.model_name.as_ref());
        }
        let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = ct.registration {
            cache.by_def.insert(def_key(r.def), ct.clone());
        }
        cache
            .by_key
            .entry(ct.app_label.clone())
            .or_default()
            .insert(ct.model.clone(), ct.clone());
        cache.by_id.insert(ct.id, ct.clone());
        Ok(ct)
    }
}

fn def_key(def: &'static ModelDef) -> usize {
    def as *const ModelDef as usize
}
