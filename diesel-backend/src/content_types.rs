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
//! Creating a row is race-safe: the insert ignores a conflict on the unique
//! `(app_label, model)` constraint and the row is read back with a locking read, so
//! concurrent first uses create one row and all see its id, also inside transactions (every
//! first use inserts the same rows in the same order, so they wait for each other rather
//! than deadlock).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{LazyLock, RwLock};

use contenttypes_core::content_type as ct_table;
use contenttypes_core::ir::ModelDef;
use contenttypes_core::registry::{Registration, Registry};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::{Connection, QueryResult, RunQueryDsl};

use crate::backend::{Binds, SupportedBackend};
use crate::content_type::ContentType;
use crate::db::{Db, Using};
use crate::error::{Error, Result};
use crate::field::Value;
use crate::model::Loaded;
use crate::query::{Col, Cond, Lock, OnConflict, Select};

/// Where a manager finds its models.
enum RegistrySource {
    Global,
    Explicit(&'static Registry),
}

#[derive(Default)]
struct Cache {
    /// By the address of a registered model's def: the hot path of `for_model`.
    by_def: HashMap<usize, ContentType>,
    /// By natural key, `app_label` then `model`: nested so a `&str` pair looks up without
    /// allocating.
    by_key: HashMap<Cow<'static, str>, HashMap<Cow<'static, str>, ContentType>>,
    by_id: HashMap<i32, ContentType>,
}

/// The content-type manager of one database: Django's `ContentType.objects`, with its cache.
///
/// Content-type ids differ between databases, so each database needs its own manager.
/// [`ContentTypes::global`] serves plain connections (the default database); make a
/// manager per other database and pass [`ContentTypes::using`]`(conn)` where a `Db` is
/// expected.
pub struct ContentTypes {
    registry: RegistrySource,
    cache: RwLock<Cache>,
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
        ContentTypes {
            registry: RegistrySource::Global,
            cache: RwLock::new(Cache::default()),
        }
    }

    /// A manager with an empty cache, over an explicit registry.
    pub fn with_registry(registry: &'static Registry) -> Self {
        ContentTypes {
            registry: RegistrySource::Explicit(registry),
            cache: RwLock::new(Cache::default()),
        }
    }

    /// Binds a connection to this manager: pass the result where a [`Db`] is expected.
    pub fn using<'a, C>(&'a self, conn: &'a mut C) -> Using<'a, C> {
        Using {
            conn,
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
    }

    /// The cached content type of a model, without touching the database.
    pub fn cached(&self, def: &'static ModelDef) -> Option<ContentType> {
        let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
        cache.by_def.get(&def_key(def)).cloned()
    }

    /// The cached content type with this id, without touching the database.
    pub fn cached_id(&self, id: i32) -> Option<ContentType> {
        let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
        cache.by_id.get(&id).cloned()
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

    pub(crate) fn for_def<C>(&self, conn: &mut C, def: &'static ModelDef) -> Result<ContentType>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        if let Some(ct) = self.cached(def) {
            return Ok(ct);
        }
        self.registration_of(def)?;
        if let Some(ct) = self.select_keys(conn, &[def.natural_key()])?.pop() {
            return self.remember(ct);
        }
        self.insert_every_missing(conn)?;
        match self.select_keys_locked(conn, &[def.natural_key()])?.pop() {
            Some(ct) => self.remember(ct),
            None => Err(Error::UnknownContentType {
                app_label: def.app_label.to_string(),
                model: def.model_name.to_string(),
            }),
        }
    }

    pub(crate) fn for_defs<C>(
        &self,
        conn: &mut C,
        defs: &[&'static ModelDef],
    ) -> Result<Vec<ContentType>>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        let mut missing: Vec<(&str, &str)> = Vec::new();
        for def in defs {
            if self.cached(def).is_none() {
                self.registration_of(def)?;
                if !missing.contains(&def.natural_key()) {
                    missing.push(def.natural_key());
                }
            }
        }
        if !missing.is_empty() {
            let found = self.select_keys(conn, &missing)?;
            for ct in found {
                let ct = self.remember(ct)?;
                missing.retain(|k| *k != ct.natural_key());
            }
        }
        if !missing.is_empty() {
            self.insert_every_missing(conn)?;
            for ct in self.select_keys_locked(conn, &missing)? {
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

    pub(crate) fn for_id<C>(&self, conn: &mut C, id: i32) -> Result<ContentType>
    where
        C: Connection + diesel::connection::LoadConnection,
        C::Backend: SupportedBackend,
    {
        if let Some(ct) = self.cached_id(id) {
            return Ok(ct);
        }
        let def = ct_table::DEF;
        let query = Select::new(def, Cond::Eq(Col::of(def, "id"), Value::Integer(id)));
        let mut rows: Vec<Loaded<ContentType>> = query.load(conn)?;
        match rows.pop() {
            Some(row) => self.remember(row.0),
            None => Err(Error::UnknownContentTypeId { id }),
        }
    }

    /// The content types with these ids, with at most one query for the uncached ones;
    /// ids with no row are left out.
    pub(crate) fn for_ids<C>(&self, conn: &mut C, ids: &[i32]) -> Result<HashMap<i32, ContentType>>
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
            let def = ct_table::DEF;
            let query = Select::new(def, Cond::In(Col::of(def, "id"), missing));
            let rows: Vec<Loaded<ContentType>> = query.load(conn)?;
            for row in rows {
                let ct = self.remember(row.0)?;
                out.insert(ct.id, ct);
            }
        }
        Ok(out)
    }

    pub(crate) fn by_natural_key<C>(
        &self,
        conn: &mut C,
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
        match self.select_keys(conn, &[(app_label, model)])?.pop() {
            Some(ct) => self.remember(ct),
            None => Err(Error::UnknownContentType {
                app_label: app_label.to_string(),
                model: model.to_string(),
            }),
        }
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
        query.order_by_pk = false;
        query.lock = lock;
        let rows: Vec<Loaded<ContentType>> = query.load(conn)?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
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
    query.order_by_pk = false;
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
