//! The rows behind the cache: read where reads go, with what a lagging replica lacks read
//! again on the primary, and created on the primary only; [`create_content_types`].

use std::collections::HashMap;

use contenttypes_core::content_type as ct_table;
use contenttypes_core::ir::ModelDef;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::QueryResult;

use super::ContentTypes;
use crate::backend::{Binds, SupportedBackend};
use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::field::Value;
use crate::model::Loaded;
use crate::query::{Col, Cond, KeyOrder, Lock, OnConflict, Select};
use crate::route::Connections;

impl ContentTypes {
    pub(crate) async fn for_def<C>(
        &self,
        conns: &mut Connections<'_, C>,
        def: &'static ModelDef,
    ) -> Result<ContentType>
    where
        C: Conn,
    {
        if let Some(ct) = self.cached(def) {
            return Ok(ct);
        }
        self.load_def(conns, def).await
    }

    /// The id of [`Self::for_def`]'s content type, copying nothing when cached.
    #[inline]
    pub(crate) async fn id_for_def<C>(
        &self,
        conns: &mut Connections<'_, C>,
        def: &'static ModelDef,
    ) -> Result<i32>
    where
        C: Conn,
    {
        match self.cached_id_of(def) {
            Some(id) => Ok(id),
            None => Ok(self.load_def(conns, def).await?.id),
        }
    }

    /// The id of `def`'s content type if its row exists (read, never created: nothing can
    /// point at a content type that is not there, so a delete need not create one).
    pub(crate) async fn existing_id_for_def<C>(
        &self,
        conns: &mut Connections<'_, C>,
        def: &'static ModelDef,
    ) -> Result<Option<i32>>
    where
        C: Conn,
    {
        if let Some(id) = self.cached_id_of(def) {
            return Ok(Some(id));
        }
        self.registration_of(def)?;
        match self.read_keys(conns, &[def.natural_key()]).await?.pop() {
            Some(ct) => Ok(Some(self.remember(ct)?.id)),
            None => Ok(None),
        }
    }

    /// A cache miss of [`Self::for_def`]: read, or create (on the primary), the row.
    #[cold]
    async fn load_def<C>(
        &self,
        conns: &mut Connections<'_, C>,
        def: &'static ModelDef,
    ) -> Result<ContentType>
    where
        C: Conn,
    {
        self.registration_of(def)?;
        if let Some(ct) = self.read_keys(conns, &[def.natural_key()]).await?.pop() {
            return self.remember(ct);
        }
        let primary = conns.primary();
        self.insert_every_missing(primary).await?;
        match self
            .select_keys_locked(primary, &[def.natural_key()])
            .await?
            .pop()
        {
            Some(ct) => self.remember(ct),
            None => Err(Error::UnknownContentType {
                app_label: def.app_label.to_string(),
                model: def.model_name.to_string(),
            }),
        }
    }

    pub(crate) async fn for_defs<C>(
        &self,
        conns: &mut Connections<'_, C>,
        defs: &[&'static ModelDef],
    ) -> Result<Vec<ContentType>>
    where
        C: Conn,
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
            let found = self.read_keys(conns, &missing).await?;
            for ct in found {
                let ct = self.remember(ct)?;
                missing.retain(|k| *k != ct.natural_key());
            }
        }
        if !missing.is_empty() {
            let primary = conns.primary();
            self.insert_every_missing(primary).await?;
            for ct in self.select_keys_locked(primary, &missing).await? {
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
    async fn insert_every_missing<C>(&self, conn: &mut C) -> Result<usize>
    where
        C: Conn,
    {
        let keys: Vec<(&str, &str)> = self
            .registry()?
            .models()
            .map(|r| r.def.natural_key())
            .collect();
        insert_missing(conn, &keys).await
    }

    pub(crate) async fn for_id<C>(
        &self,
        conns: &mut Connections<'_, C>,
        id: i32,
    ) -> Result<ContentType>
    where
        C: Conn,
    {
        if let Some(ct) = self.cached_id(id) {
            return Ok(ct);
        }
        match self.read_ids(conns, &[id]).await?.pop() {
            Some(ct) => self.remember(ct),
            None => Err(Error::UnknownContentTypeId { id }),
        }
    }

    /// The content types with these ids, with at most one query (per connection) for the
    /// uncached ones; ids with no row are left out.
    pub(crate) async fn for_ids<C>(
        &self,
        conns: &mut Connections<'_, C>,
        ids: &[i32],
    ) -> Result<HashMap<i32, ContentType>>
    where
        C: Conn,
    {
        let mut out = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for &id in ids {
            match self.cached_id(id) {
                Some(ct) => {
                    out.insert(id, ct);
                }
                None if !missing.contains(&id) => missing.push(id),
                None => {}
            }
        }
        if !missing.is_empty() {
            for row in self.read_ids(conns, &missing).await? {
                let ct = self.remember(row)?;
                out.insert(ct.id, ct);
            }
        }
        Ok(out)
    }

    pub(crate) async fn by_natural_key<C>(
        &self,
        conns: &mut Connections<'_, C>,
        app_label: &str,
        model: &str,
    ) -> Result<ContentType>
    where
        C: Conn,
    {
        {
            let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
            if let Some(ct) = cache.by_key.get(app_label).and_then(|m| m.get(model)) {
                return Ok(ct.clone());
            }
        }
        match self.read_keys(conns, &[(app_label, model)]).await?.pop() {
            Some(ct) => self.remember(ct),
            None => Err(Error::UnknownContentType {
                app_label: app_label.to_string(),
                model: model.to_string(),
            }),
        }
    }

    /// The rows with these natural keys, read as [`read_lagging`] reads.
    async fn read_keys<C>(
        &self,
        conns: &mut Connections<'_, C>,
        keys: &[(&str, &str)],
    ) -> Result<Vec<ContentType>>
    where
        C: Conn,
    {
        read_lagging(self, conns, Wanted::Keys(keys)).await
    }

    /// The rows with these ids, read as [`read_lagging`] reads.
    async fn read_ids<C>(
        &self,
        conns: &mut Connections<'_, C>,
        ids: &[i32],
    ) -> Result<Vec<ContentType>>
    where
        C: Conn,
    {
        read_lagging(self, conns, Wanted::Ids(ids)).await
    }

    /// `SELECT ... WHERE (app_label = ? AND model IN (...)) OR (...)`.
    async fn select_keys<C>(&self, conn: &mut C, keys: &[(&str, &str)]) -> Result<Vec<ContentType>>
    where
        C: Conn,
    {
        self.select_keys_with(conn, keys, None).await
    }

    /// [`Self::select_keys`] after inserting the missing rows: a locking read, which sees the
    /// rows a concurrent transaction committed even inside a transaction whose snapshot
    /// predates them (MySQL's default `REPEATABLE READ`), where the `INSERT IGNORE` skipped
    /// them.
    async fn select_keys_locked<C>(
        &self,
        conn: &mut C,
        keys: &[(&str, &str)],
    ) -> Result<Vec<ContentType>>
    where
        C: Conn,
    {
        self.select_keys_with(conn, keys, Some(Lock::Share)).await
    }

    async fn select_keys_with<C>(
        &self,
        conn: &mut C,
        keys: &[(&str, &str)],
        lock: Option<Lock>,
    ) -> Result<Vec<ContentType>>
    where
        C: Conn,
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
        let rows: Vec<Loaded<ContentType>> = conn.load_rows(query).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

/// Content-type rows wanted by natural key or by id.
#[derive(Clone, Copy)]
enum Wanted<'a> {
    Keys(&'a [(&'a str, &'a str)]),
    Ids(&'a [i32]),
}

impl Wanted<'_> {
    fn len(self) -> usize {
        match self {
            Wanted::Keys(keys) => keys.len(),
            Wanted::Ids(ids) => ids.len(),
        }
    }

    async fn select<C: Conn>(self, cts: &ContentTypes, conn: &mut C) -> Result<Vec<ContentType>> {
        match self {
            Wanted::Keys(keys) => cts.select_keys(conn, keys).await,
            Wanted::Ids(ids) => select_ids(conn, ids).await,
        }
    }
}

/// The rows found for `wanted` (each distinct), read where reads go
/// ([`Connections::for_read`]); when that is a replica, what it lacks (it lags) is read again
/// on the primary, so a row the primary has is never created twice: 1 `SELECT`, or 2 then.
async fn read_lagging<C: Conn>(
    cts: &ContentTypes,
    conns: &mut Connections<'_, C>,
    wanted: Wanted<'_>,
) -> Result<Vec<ContentType>> {
    let replica = conns.reads_replica();
    let mut found = wanted.select(cts, conns.for_read()).await?;
    if replica && found.len() < wanted.len() {
        let missing = match wanted {
            Wanted::Keys(keys) => Either::Keys(
                keys.iter()
                    .filter(|k| !found.iter().any(|ct| ct.natural_key() == **k))
                    .copied()
                    .collect(),
            ),
            Wanted::Ids(ids) => Either::Ids(
                ids.iter()
                    .filter(|id| !found.iter().any(|ct| ct.id == **id))
                    .copied()
                    .collect(),
            ),
        };
        let lagging = match &missing {
            Either::Keys(keys) => Wanted::Keys(keys),
            Either::Ids(ids) => Wanted::Ids(ids),
        };
        found.extend(lagging.select(cts, conns.primary()).await?);
    }
    Ok(found)
}

/// What a lagging replica lacked, owned.
enum Either<'a> {
    Keys(Vec<(&'a str, &'a str)>),
    Ids(Vec<i32>),
}

/// `SELECT ... WHERE id = ?` (`IN (...)` for several).
async fn select_ids<C>(conn: &mut C, ids: &[i32]) -> Result<Vec<ContentType>>
where
    C: Conn,
{
    let def = ct_table::DEF;
    let cond = match ids {
        [id] => Cond::Eq(Col::of(def, "id"), Value::Integer(*id)),
        ids => Cond::In(
            Col::of(def, "id"),
            ids.iter().map(|id| Value::Integer(*id)).collect(),
        ),
    };
    let rows: Vec<Loaded<ContentType>> = conn.load_rows(Select::new(def, cond)).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
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

async fn insert_missing<C>(conn: &mut C, keys: &[(&str, &str)]) -> Result<usize>
where
    C: Conn,
{
    // One order for every caller, so concurrent inserts of overlapping sets take their
    // unique-index locks in the same order (MySQL deadlocks otherwise).
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    let mut inserted = 0;
    for chunk in keys.chunks(crate::query::MAX_BINDS / 2) {
        inserted += conn
            .execute_statement(InsertContentTypes { keys: chunk })
            .await?;
    }
    Ok(inserted)
}

/// Creates the content-type rows of every registered model that lacks one, in one
/// `SELECT` and one `INSERT` (Django's `create_contenttypes`, run after migrating). Returns the
/// natural keys it created. Never deletes or renames anything. Clears the cache.
pub fn create_content_types<D: Db>(
    db: &mut D,
) -> crate::Output<'_, D, Result<Vec<(String, String)>>> {
    D::drive(create_content_types_op(db))
}

/// [`create_content_types`]'s operation.
pub(crate) async fn create_content_types_op<D: Db>(db: &mut D) -> Result<Vec<(String, String)>> {
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
    let existing: Vec<Loaded<ContentType>> = conn.load_rows(query).await?;
    let missing: Vec<(&str, &str)> = registry
        .models()
        .map(|r| r.def.natural_key())
        .filter(|key| !existing.iter().any(|e| e.0.natural_key() == *key))
        .collect();
    if !missing.is_empty() {
        insert_missing(conn, &missing).await?;
    }
    Ok(missing
        .into_iter()
        .map(|(a, m)| (a.to_string(), m.to_string()))
        .collect())
}
