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
//! than deadlock).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, RwLock};

use contenttypes_core::content_type as ct_table;
use contenttypes_core::ir::ModelDef;
use contenttypes_core::registry::{Registration, Registry};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::{Connection, QueryResult, RunQueryDsl};

use crate::backend::{Binds, SupportedBackend};
use crate::content_type::ContentType;
use crate::db::{Db, Routed, Using};
use crate::error::{Error, Result};
use crate::field::Value;
use crate::fxhash::FxHashMap;
use crate::model::Loaded;
use crate::query::{Col, Cond, KeyOrder, Lock, OnConflict, Select};
use crate::route::Connections;

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
    /// [`Db`].
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

    /// Binds a connection to this manager: pass the result where a [`Db`] is expected.
    pub fn using<'a, C>(&'a self, conn: &'a mut C) -> Using<'a, C> {
        Using {
            conn,
            content_types: self,
        }
    }

    /// Binds a primary connection and a replica of it (a read-only copy, which may lag) to
    /// this manager: pass the result where a [`Db`] is expected. Reads go to the replica,
    /// writes and transactions to the primary ([`crate::route`]); a content type the
    /// replica does not have yet is looked up, or created, on the primary.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
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

    pub(crate) fn for_def<C>(
        &self,
        conns: &mut Connections<'_, C>,
        def: &'static ModelDef,
    ) -> Result<ContentType>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        if let Some(ct) = self.cached(def) {
            return Ok(ct);
        }
        self.load_def(conns, def)
    }

    /// The id of [`Self::for_def`]'s content type, copying nothing when cached.
    #[inline]
    pub(crate) fn id_for_def<C>(
        &self,
        conns: &mut Connections<'_, C>,
        def: &'static ModelDef,
    ) -> Result<i32>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        match self.cached_id_of(def) {
            Some(id) => Ok(id),
            None => Ok(self.load_def(conns, def)?.id),
        }
    }

    /// The id of `def`'s content type if its row exists (read, never created: nothing can
    /// point at a content type that is not there, so a delete need not create one).
    pub(crate) fn existing_id_for_def<C>(
        &self,
        conns: &mut Connections<'_, C>,
        def: &'static ModelDef,
    ) -> Result<Option<i32>>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        if let Some(id) = self.cached_id_of(def) {
            return Ok(Some(id));
        }
        self.registration_of(def)?;
        match self.read_keys(conns, &[def.natural_key()])?.pop() {
            Some(ct) => Ok(Some(self.remember(ct)?.id)),
            None => Ok(None),
        }
    }

    /// A cache miss of [`Self::for_def`]: read, or create (on the primary), the row.
    #[cold]
    fn load_def<C>(
        &self,
        conns: &mut Connections<'_, C>,
        def: &'static ModelDef,
    ) -> Result<ContentType>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        self.registration_of(def)?;
        if let Some(ct) = self.read_keys(conns, &[def.natural_key()])?.pop() {
            return self.remember(ct);
        }
        let primary = conns.primary();
        self.insert_every_missing(primary)?;
        match self
            .select_keys_locked(primary, &[def.natural_key()])?
            .pop()
        {
            Some(ct) => self.remember(ct),
            None => Err(Error::UnknownContentType {
                app_label: def.app_label.to_string(),
                model: def.model_name.to_string(),
            }),
        }
    }

    pub(crate) fn for_defs<C>(
        &self,
        conns: &mut Connections<'_, C>,
        defs: &[&'static ModelDef],
    ) -> Result<Vec<ContentType>>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        let mut missing: Vec<(&str, &str)> = Vec::new();
        for def in defs {
            if self.cached_id_of(def).is_none() {
                self.registration_of(def)?;
                if !missing.contains(&def.natural_key()) {
                    missing.push(def.natural_key());
                }
            }
        }
        if !missing.is_empty() {
            let found = self.read_keys(conns, &missing)?;
            for ct in found {
                let ct = self.remember(ct)?;
                missing.retain(|k| *k != ct.natural_key());
            }
        }
        if !missing.is_empty() {
            let primary = conns.primary();
            self.insert_every_missing(primary)?;
            for ct in self.select_keys_locked(primary, &missing)? {
                self.remember(ct)?;
            }
        }
        defs.iter()
            .map(|def| {
                self.cached(def).ok_or_else(|| Error::UnknownContentType {
                    app_label: def.app_label.to_string(),
                    model: def.model_name.to_string(),
                })
            })
            .collect()
    }

    /// On a miss, the rows of every registered model are inserted, not only the one asked
    /// for (Django creates them all after migrating): one statement, in one global order, so
    /// concurrent first uses inside long transactions take the unique index's locks in the
    /// same order and wait for each other instead of deadlocking, and a transaction inserts
    /// content types at most once.
    fn insert_every_missing<C>(&self, conn: &mut C) -> Result<usize>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        let keys: Vec<(&str, &str)> = self
            .registry()?
            .models()
            .map(|r| r.def.natural_key())
            .collect();
        insert_missing(conn, &keys)
    }

    pub(crate) fn for_id<C>(&self, conns: &mut Connections<'_, C>, id: i32) -> Result<ContentType>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        if let Some(ct) = self.cached_id(id) {
            return Ok(ct);
        }
        match self.read_ids(conns, vec![Value::Integer(id)])?.pop() {
            Some(ct) => self.remember(ct),
            None => Err(Error::UnknownContentTypeId { id }),
        }
    }

    /// The content types with these ids, with at most one query (per connection) for the
    /// uncached ones; ids with no row are left out.
    pub(crate) fn for_ids<C>(
        &self,
        conns: &mut Connections<'_, C>,
        ids: &[i32],
    ) -> Result<HashMap<i32, ContentType>>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        let mut out = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for &id in ids {
            match self.cached_id(id) {
                Some(ct) => {
                    out.insert(id, ct);
                }
                None if !missing.contains(&Value::Integer(id)) => missing.push(Value::Integer(id)),
                None => {}
            }
        }
        if !missing.is_empty() {
            for row in self.read_ids(conns, missing)? {
                let ct = self.remember(row)?;
                out.insert(ct.id, ct);
            }
        }
        Ok(out)
    }

    pub(crate) fn by_natural_key<C>(
        &self,
        conns: &mut Connections<'_, C>,
        app_label: &str,
        model: &str,
    ) -> Result<ContentType>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        {
            let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
            if let Some(ct) = cache.by_key.get(app_label).and_then(|m| m.get(model)) {
                return Ok(ct.clone());
            }
        }
        match self.read_keys(conns, &[(app_label, model)])?.pop() {
            Some(ct) => self.remember(ct),
            None => Err(Error::UnknownContentType {
                app_label: app_label.to_string(),
                model: model.to_string(),
            }),
        }
    }

    /// The rows with these natural keys, read where reads go; when that is a replica, the
    /// keys it lacks (it lags) are read again on the primary. 1 `SELECT`, or 2 then.
    fn read_keys<C>(
        &self,
        conns: &mut Connections<'_, C>,
        keys: &[(&str, &str)],
    ) -> Result<Vec<ContentType>>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        let replica = conns.reads_replica();
        let mut found = self.select_keys(conns.for_read(), keys)?;
        if replica && found.len() < keys.len() {
            let lagging: Vec<(&str, &str)> = keys
                .iter()
                .filter(|k| !found.iter().any(|ct| ct.natural_key() == **k))
                .copied()
                .collect();
            found.extend(self.select_keys(conns.primary(), &lagging)?);
        }
        Ok(found)
    }

    /// The rows with these ids (each `Value::Integer`), read as [`Self::read_keys`] reads.
    fn read_ids<C>(
        &self,
        conns: &mut Connections<'_, C>,
        ids: Vec<Value>,
    ) -> Result<Vec<ContentType>>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        let replica = conns.reads_replica();
        let wanted = ids.len();
        let mut found = select_ids(conns.for_read(), ids.clone())?;
        if replica && found.len() < wanted {
            let lagging: Vec<Value> = ids
                .into_iter()
                .filter(|id| !found.iter().any(|ct| *id == Value::Integer(ct.id)))
                .collect();
            found.extend(select_ids(conns.primary(), lagging)?);
        }
        Ok(found)
    }

    /// `SELECT ... WHERE (app_label = ? AND model IN (...)) OR (...)`.
    fn select_keys<C>(&self, conn: &mut C, keys: &[(&str, &str)]) -> Result<Vec<ContentType>>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        self.select_keys_with(conn, keys, None)
    }

    /// [`Self::select_keys`] after inserting the missing rows: a locking read, which sees the
    /// rows a concurrent transaction committed even inside a transaction whose snapshot
    /// predates them (MySQL's default `REPEATABLE READ`), where the `INSERT IGNORE` skipped
    /// them.
    fn select_keys_locked<C>(&self, conn: &mut C, keys: &[(&str, &str)]) -> Result<Vec<ContentType>>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        self.select_keys_with(conn, keys, Some(Lock::Share))
    }

    fn select_keys_with<C>(
        &self,
        conn: &mut C,
        keys: &[(&str, &str)],
        lock: Option<Lock>,
    ) -> Result<Vec<ContentType>>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        let def = ct_table::DEF;
        let mut by_app: Vec<(&str, Vec<Value>)> = Vec::new();
        for (app, model) in keys {
            let model = Value::Text(model.to_string());
            match by_app.iter_mut().find(|(a, _)| a == app) {
                Some((_, models)) => models.push(model),
                None => by_app.push((app, vec![model])),
            }
        }
        let groups: Vec<Cond> = by_app
            .into_iter()
            .map(|(app, mut models)| {
                let model_cond = if models.len() == 1 {
                    Cond::Eq(Col::of(def, "model"), models.remove(0))
                } else {
                    Cond::In(Col::of(def, "model"), models)
                };
                Cond::And(vec![
                    Cond::Eq(Col::of(def, "app_label"), Value::Text(app.to_string())),
                    model_cond,
                ])
            })
            .collect();
        let cond = if groups.len() == 1 {
            groups.into_iter().next().unwrap_or(Cond::True)
        } else {
            Cond::Or(groups)
        };
        let mut query = Select::new(def, cond);
        query.order_by_pk = KeyOrder::Never;
        query.lock = lock;
        let rows: Vec<Loaded<ContentType>> = query.load(conn)?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

/// `SELECT ... WHERE id IN (...)`.
fn select_ids<C>(conn: &mut C, ids: Vec<Value>) -> Result<Vec<ContentType>>
where
    C: Connection + diesel::connection::LoadConnection,
    C::Backend: SupportedBackend,
{
    let def = ct_table::DEF;
    let cond = match <[Value; 1]>::try_from(ids) {
        Ok([id]) => Cond::Eq(Col::of(def, "id"), id),
        Err(ids) => Cond::In(Col::of(def, "id"), ids),
    };
    let rows: Vec<Loaded<ContentType>> = Select::new(def, cond).load(conn)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

fn def_key(def: &'static ModelDef) -> usize {
    def as *const ModelDef as usize
}

/// `INSERT INTO django_content_type (app_label, model) VALUES ...` ignoring rows that exist
/// (`ON CONFLICT DO NOTHING`, or MySQL's `INSERT IGNORE`).
struct InsertContentTypes<'a> {
    keys: &'a [(&'a str, &'a str)],
}

crate::query::statement_node!(impl<'a> for InsertContentTypes<'a>);

impl<DB: SupportedBackend> QueryFragment<DB> for InsertContentTypes<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if self.keys.len() != 1 {
            out.unsafe_to_cache_prepared();
        }
        out.push_sql(OnConflict::insert_into(DB::DIALECT, true));
        out.push_identifier(ct_table::TABLE)?;
        out.push_sql(" (");
        out.push_identifier("app_label")?;
        out.push_sql(", ");
        out.push_identifier("model")?;
        out.push_sql(") VALUES ");
        for (i, (app_label, model)) in self.keys.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_sql("(");
            <DB as Binds<str>>::bind(&mut out, app_label)?;
            out.push_sql(", ");
            <DB as Binds<str>>::bind(&mut out, model)?;
            out.push_sql(")");
        }
        out.push_sql(OnConflict::suffix(DB::DIALECT, true));
        Ok(())
    }
}

fn insert_missing<C>(conn: &mut C, keys: &[(&str, &str)]) -> Result<usize>
where
    C: Connection + diesel::connection::LoadConnection,
    C::Backend: SupportedBackend,
{
    // One order for every caller, so concurrent inserts of overlapping sets take their
    // unique-index locks in the same order (MySQL deadlocks otherwise).
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    let mut inserted = 0;
    for chunk in keys.chunks(crate::query::MAX_BINDS / 2) {
        inserted += InsertContentTypes { keys: chunk }.execute(conn)?;
    }
    Ok(inserted)
}

/// Creates the content-type rows of every registered model that lacks one, in one
/// `SELECT` and one `INSERT` (Django's `create_contenttypes`, run after migrating). Returns the
/// natural keys it created. Never deletes or renames anything. Clears the cache.
pub fn create_content_types(db: &mut impl Db) -> Result<Vec<(String, String)>> {
    let (conn, cts) = db.parts();
    cts.clear_cache();
    let registry = cts.registry()?;
    let def = ct_table::DEF;
    let apps: Vec<Value> = {
        let mut apps: Vec<&str> = registry
            .models()
            .map(|r| r.def.app_label.as_ref())
            .collect();
        apps.dedup();
        apps.into_iter()
            .map(|a| Value::Text(a.to_string()))
            .collect()
    };
    let mut query = Select::new(def, Cond::In(Col::of(def, "app_label"), apps));
    query.order_by_pk = KeyOrder::Never;
    let existing: Vec<Loaded<ContentType>> = query.load(conn)?;
    let missing: Vec<(&str, &str)> = registry
        .models()
        .map(|r| r.def.natural_key())
        .filter(|key| !existing.iter().any(|e| e.0.natural_key() == *key))
        .collect();
    if !missing.is_empty() {
        insert_missing(conn, &missing)?;
    }
    Ok(missing
        .into_iter()
        .map(|(a, m)| (a.to_string(), m.to_string()))
        .collect())
}
