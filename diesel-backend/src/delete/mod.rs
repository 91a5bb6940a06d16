//! Deleting rows through the framework, with the cascades done by the framework itself,
//! set-based, in the delete's one transaction (Django's deletion collector), so they hold on
//! a schema whose foreign keys have no `ON DELETE` action (Django's own schema) as well as on
//! the framework's.
//!
//! Before a model's rows go:
//! - **refusals first**: every generic foreign key and foreign key that is `restrict` for
//!   the model is checked (one `SELECT` each), and the delete is refused with
//!   [`Error::Protected`], listing every such field with its rows, before anything is deleted;
//! - **generic foreign keys**: every generic foreign key of a registered model that can point
//!   at the model, whether or not the model declares a generic relation over it (Django
//!   follows only generic relations and orphans the rest), as its policy for the model says
//!   ([`contenttypes_core::generic_on_delete`]: the relation's `on_delete`, else the generic
//!   foreign key's, cascade by default): the rows pointing at them go (`cascade`: one
//!   `DELETE FROM <through> WHERE content_type_id = ? AND object_id IN (...)`, Django's
//!   `bulk_related_objects`), or their generic foreign key is set to NULL (`set_null`), or
//!   they are left (`no_action`);
//! - **ordinary foreign keys** declared `on_delete = cascade`: the referencing rows go, one
//!   `DELETE ... WHERE <fk> IN (...)`; `set_null`: one `UPDATE ... SET <fk> = NULL`;
//!   `restrict`: one `SELECT` that refuses the delete with [`Error::Protected`] when a row
//!   still refers to them; `no_action` is left to the database.
//!
//! A related model whose own rows have something to cascade to (generic foreign keys that can
//! point at it, which is most models with an integer or text key, or foreign keys pointing at
//! it) is collected first: one `SELECT` of its keys, then the same steps for those keys. Key lists go in chunks under the bind limit (one
//! array parameter on PostgreSQL). Deleting a row
//! that holds a generic foreign key never touches its target.

use std::collections::{BTreeMap, HashMap, HashSet};

use contenttypes_core::generic_on_delete::{generic_dependents, GenericDependent};
use contenttypes_core::ir::{ColumnDef, ModelDef, OnDelete, SqlType};
use contenttypes_core::keys::PkValue;
use contenttypes_core::registry::Registry;

use crate::conn::{BoxFuture, Conn};
use crate::content_types::ContentTypes;
use crate::db::Db;
use crate::error::{Error, ProtectedRows, Result};
use crate::field::{Scalar, Value};
use crate::model::Model;
use crate::query::{
    key_chunks, Col, Cond, Delete, NoFilter, SelectColumns, Update, FRAMEWORK_BINDS,
};
use crate::route::Connections;
use crate::transaction;
use diesel::query_builder::{Query, QueryFragment, QueryId};
use diesel::sql_types::Untyped;

mod probe;

use probe::Removed;

/// What a delete removed, in all and per model: Django's `(total, {"app.Model": n})`.
/// Models with no row deleted are not listed.
///
/// ```
/// # include!("../../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
/// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
/// article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
/// let deleted = article.delete(&mut conn)?;
/// assert_eq!(deleted.total, 2);
/// assert_eq!(deleted.of::<TaggedItem>(), 1);
/// assert_eq!(deleted.per_model["blog.Article"], 1);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deleted {
    /// Rows deleted, of every model.
    pub total: usize,
    /// Rows deleted per model, by Django's model label (`app_label.ModelName`).
    pub per_model: BTreeMap<String, usize>,
}

impl Deleted {
    /// How many rows of `M` were deleted.
    pub fn of<M: Model>(&self) -> usize {
        self.per_model
            .get(&django_label(M::DEF))
            .copied()
            .unwrap_or(0)
    }

    /// `rows` of one model.
    pub(crate) fn single(model: &ModelDef, rows: usize) -> Deleted {
        let mut deleted = Deleted::default();
        deleted.add(model, rows);
        deleted
    }

    pub(crate) fn of_def(&self, model: &ModelDef) -> usize {
        self.per_model
            .get(&django_label(model))
            .copied()
            .unwrap_or(0)
    }

    /// Adds the counts of `other`.
    pub(crate) fn merge(&mut self, other: Deleted) {
        self.total += other.total;
        for (label, rows) in other.per_model {
            *self.per_model.entry(label).or_default() += rows;
        }
    }

    fn add(&mut self, model: &ModelDef, rows: usize) {
        if rows > 0 {
            self.total += rows;
            *self.per_model.entry(django_label(model)).or_default() += rows;
        }
    }
}

/// Django's `Model._meta.label`: `app_label.ModelName`.
fn django_label(model: &ModelDef) -> String {
    format!("{}.{}", model.app_label, model.type_name)
}

/// Deletes the rows of `model` with these keys, and everything that cascades from them, in
/// one transaction.
pub(crate) async fn delete_by_keys<D: Db + ?Sized>(
    db: &mut D,
    model: &'static ModelDef,
    keys: &[PkValue],
) -> Result<Deleted> {
    if keys.is_empty() {
        return Ok(Deleted::default());
    }
    transaction::atomic_retry(db, |db| {
        let keys = keys.to_vec();
        Box::pin(async move { collect(db, model, keys).await })
    })
    .await
}

/// Deletes the rows of `model` with these keys, and everything that cascades from them, in
/// the caller's transaction (the caller opens one: [`delete_by_keys`] does).
pub(crate) async fn collect<D: Db + ?Sized>(
    db: &mut D,
    model: &'static ModelDef,
    keys: Vec<PkValue>,
) -> Result<Deleted> {
    let (conn, cts) = db.parts();
    let mut collector = Collector {
        cts,
        registry: cts.registry()?,
        seen: HashMap::new(),
        deleted: Deleted::default(),
    };
    collector.delete(conn, model, keys, 0).await?;
    Ok(collector.deleted)
}

/// Whether deleting the rows of `model` matching `cond` and `extra` needs more than one
/// `DELETE` of them: foreign keys from other models that the framework acts on, or generic
/// foreign keys with rows pointing at them (one probe, without reading their keys).
async fn collects<C, E>(
    conn: &mut C,
    cts: &ContentTypes,
    registry: &'static Registry,
    model: &'static ModelDef,
    cond: &Cond,
    extra: &E,
) -> Result<bool>
where
    C: Conn,
    E: QueryFragment<C::Backend> + Sync,
{
    if incoming(registry, model).next().is_some() {
        return Ok(true);
    }
    let removed = Removed::Matching { model, cond, extra };
    Ok(!generic_with_rows(conn, cts, registry, model, removed)
        .await?
        .is_empty())
}

/// The generic foreign keys that can point at `model` and have rows pointing at the removed
/// rows: none when `model` has no content-type row (nothing can point at it), else those the
/// probe finds.
async fn generic_with_rows<C, E>(
    conn: &mut C,
    cts: &ContentTypes,
    registry: &'static Registry,
    model: &'static ModelDef,
    removed: Removed<'_, E>,
) -> Result<Vec<GenericDependent<'static>>>
where
    C: Conn,
    E: QueryFragment<C::Backend> + Sync,
{
    let generic = generic_dependents_of(registry, model);
    if generic.is_empty() {
        return Ok(generic);
    }
    // Deletes run on the primary: the content type is read there.
    let Some(ct) = cts
        .existing_id_for_def(&mut Connections::new(conn, cts), model)
        .await?
    else {
        return Ok(Vec::new());
    };
    let found = probe::with_rows(conn, ct, &generic, removed).await?;
    Ok(generic
        .into_iter()
        .zip(found)
        .filter_map(|(d, has)| has.then_some(d))
        .collect())
}

/// The generic foreign keys of registered models that can point at `model`, with their
/// policy for it (`no_action` ones left out): [`generic_dependents`].
fn generic_dependents_of(
    registry: &'static Registry,
    model: &'static ModelDef,
) -> Vec<GenericDependent<'static>> {
    let mut found = generic_dependents(registry.models().map(|r| r.def), model);
    found.retain(|d| d.on_delete != OnDelete::NoAction);
    found
}

fn protected_rows(model: &ModelDef, field: &str, keys: Vec<PkValue>) -> ProtectedRows {
    ProtectedRows {
        model: django_label(model),
        field: field.to_string(),
        keys,
    }
}

/// Deletes the rows of `model` matching `cond` and `extra`, with what cascades from them: one
/// `DELETE` when nothing does, else a `SELECT` of their keys and the cascade.
pub(crate) async fn delete_matching<D, E>(
    db: &mut D,
    model: &'static ModelDef,
    cond: Cond,
    extra: E,
) -> Result<Deleted>
where
    D: Db + ?Sized,
    E: QueryFragment<D::Backend> + Send + Sync,
{
    let (conn, cts) = db.parts();
    if !collects(conn, cts, cts.registry()?, model, &cond, &extra).await? {
        let rows = conn
            .execute_statement(Delete {
                table: model.table.name.as_ref(),
                cond,
                extra,
            })
            .await?;
        return Ok(Deleted::single(model, rows));
    }
    let keys = keys_matching(conn, model, cond, extra).await?;
    delete_by_keys(db, model, &keys).await
}

/// The primary keys of the rows of `model` matching `cond` and `extra`.
pub(crate) async fn keys_matching<C, E>(
    conn: &mut C,
    model: &'static ModelDef,
    cond: Cond,
    extra: E,
) -> Result<Vec<PkValue>>
where
    C: Conn,
    E: QueryFragment<C::Backend> + Send,
{
    let pk = primary_key(model)?;
    let query = SelectColumns {
        table: model.table.name.as_ref(),
        columns: vec![pk.name.as_ref()],
        cond,
        extra,
        ordered: true,
    };
    load_keys(conn, query, pk.sql_type).await
}

/// The foreign keys of registered models that point at `model`'s primary key and that the
/// framework acts on (all but `no_action`).
fn incoming<'r>(
    registry: &'r Registry,
    model: &'r ModelDef,
) -> impl Iterator<Item = (&'static ModelDef, &'static ColumnDef, OnDelete)> + 'r {
    registry.models().flat_map(move |r| {
        r.def.table.columns.iter().filter_map(move |c| {
            let fk = c.foreign_key.as_ref()?;
            (fk.table == model.table.name
                && fk.column == model.table.primary_key
                && fk.on_delete != OnDelete::NoAction)
                .then_some((r.def, c, fk.on_delete))
        })
    })
}

/// The cascade chain is bounded: this caps pathological declarations (rows already collected
/// are never collected twice, so cycles in the data end on their own).
const MAX_DEPTH: usize = 32;

struct Collector<'a> {
    cts: &'a ContentTypes,
    registry: &'static Registry,
    /// Keys already being deleted, per table.
    seen: HashMap<&'static str, HashSet<PkValue>>,
    deleted: Deleted,
}

impl Collector<'_> {
    async fn delete<C>(
        &mut self,
        conn: &mut C,
        model: &'static ModelDef,
        keys: Vec<PkValue>,
        depth: usize,
    ) -> Result<()>
    where
        C: Conn,
    {
        let seen = self.seen.entry(model.table.name.as_ref()).or_default();
        let keys: Vec<PkValue> = keys
            .into_iter()
            .filter(|k| seen.insert(k.clone()))
            .collect();
        if keys.is_empty() {
            return Ok(());
        }
        if depth > MAX_DEPTH {
            return Err(Error::InvalidArgument(format!(
                "deletes cascade more than {MAX_DEPTH} levels deep from `{}`",
                model.type_name
            )));
        }
        // Only the generic foreign keys that have rows pointing at these: one probe for all.
        let generic = generic_with_rows(
            conn,
            self.cts,
            self.registry,
            model,
            Removed::<NoFilter>::Keys(&keys),
        )
        .await?;
        self.refuse_protected(conn, model, &keys, &generic).await?;
        self.generic_foreign_keys(conn, model, &keys, &generic, depth)
            .await?;
        self.foreign_keys(conn, model, &keys, depth).await?;
        let pk = primary_key(model)?;
        let values = values_of(pk, &keys);
        let mut rows = 0;
        for chunk in key_chunks::<C::Backend>(&values, FRAMEWORK_BINDS) {
            rows += conn
                .execute_statement(Delete {
                    table: model.table.name.as_ref(),
                    cond: Cond::In(Col::of(model, pk.name.as_ref()), chunk.to_vec()),
                    extra: NoFilter,
                })
                .await?;
        }
        self.deleted.add(model, rows);
        Ok(())
    }

    /// Refuses the delete, before anything is deleted, when rows of other models refer to
    /// `keys` through a generic foreign key or a foreign key that is `on_delete = restrict`
    /// for `model`: every such field, with the keys of its rows.
    async fn refuse_protected<C>(
        &mut self,
        conn: &mut C,
        model: &'static ModelDef,
        keys: &[PkValue],
        generic: &[GenericDependent<'static>],
    ) -> Result<()>
    where
        C: Conn,
    {
        let mut dependents = Vec::new();
        for d in generic.iter().filter(|d| d.on_delete == OnDelete::Restrict) {
            let mut rows = Vec::new();
            for cond in self.generic_conds::<C>(conn, model, keys, d).await? {
                rows.extend(keys_matching(conn, d.through, cond, NoFilter).await?);
            }
            if !rows.is_empty() {
                dependents.push(protected_rows(d.through, &d.gfk.name, rows));
            }
        }
        for (from, column, on_delete) in incoming(self.registry, model) {
            if on_delete != OnDelete::Restrict {
                continue;
            }
            let mut rows = Vec::new();
            let values = values_of(column, keys);
            for chunk in key_chunks::<C::Backend>(&values, FRAMEWORK_BINDS) {
                let cond = Cond::In(Col::of(from, column.name.as_ref()), chunk.to_vec());
                rows.extend(keys_matching(conn, from, cond, NoFilter).await?);
            }
            if !rows.is_empty() {
                dependents.push(protected_rows(from, &column.field, rows));
            }
        }
        if dependents.is_empty() {
            return Ok(());
        }
        Err(Error::Protected {
            model: django_label(model),
            dependents,
        })
    }

    /// The conditions, one per chunk of keys, selecting the rows of `d` that point at
    /// `keys` of `model`.
    async fn generic_conds<C>(
        &self,
        conn: &mut C,
        model: &'static ModelDef,
        keys: &[PkValue],
        d: &GenericDependent<'static>,
    ) -> Result<Vec<Cond>>
    where
        C: Conn,
    {
        let ct = self
            .cts
            .id_for_def(&mut Connections::new(conn, self.cts), model)
            .await?;
        let oid = column(d.through, &d.gfk.fk_column)?;
        let object_ids = values_of(oid, keys);
        Ok(key_chunks::<C::Backend>(&object_ids, FRAMEWORK_BINDS)
            .map(|chunk| {
                Cond::And(vec![
                    Cond::Eq(
                        Col::of(d.through, d.gfk.ct_column.as_ref()),
                        Value::Integer(ct),
                    ),
                    Cond::In(Col::of(d.through, d.gfk.fk_column.as_ref()), chunk.to_vec()),
                ])
            })
            .collect())
    }

    /// The rows of every generic foreign key that points at `keys` of `model`, as its policy
    /// for `model` says: deleted (`cascade`) or their generic foreign key set to NULL
    /// (`set_null`); `restrict` was checked before.
    async fn generic_foreign_keys<C>(
        &mut self,
        conn: &mut C,
        model: &'static ModelDef,
        keys: &[PkValue],
        generic: &[GenericDependent<'static>],
        depth: usize,
    ) -> Result<()>
    where
        C: Conn,
    {
        for d in generic {
            if !matches!(d.on_delete, OnDelete::Cascade | OnDelete::SetNull) {
                continue;
            }
            if d.on_delete == OnDelete::SetNull {
                let ct_col = column(d.through, &d.gfk.ct_column)?;
                let oid = column(d.through, &d.gfk.fk_column)?;
                if !(ct_col.nullable && oid.nullable) {
                    return Err(Error::InvalidArgument(format!(
                        "`{}` rows are deleted with `on_delete = set_null` for `{}`, but it is not nullable",
                        model.type_name,
                        d.label()
                    )));
                }
            }
            for cond in self.generic_conds::<C>(conn, model, keys, d).await? {
                match d.on_delete {
                    OnDelete::Cascade => self.related(conn, d.through, cond, depth).await?,
                    _ => {
                        conn.execute_statement(Update {
                            table: d.through.table.name.as_ref(),
                            set: vec![
                                (d.gfk.ct_column.as_ref(), Value::Null),
                                (d.gfk.fk_column.as_ref(), Value::Null),
                            ],
                            cond,
                            extra: NoFilter,
                        })
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The rows of other models whose foreign keys point at `keys`.
    async fn foreign_keys<C>(
        &mut self,
        conn: &mut C,
        model: &'static ModelDef,
        keys: &[PkValue],
        depth: usize,
    ) -> Result<()>
    where
        C: Conn,
    {
        let referencing: Vec<_> = incoming(self.registry, model).collect();
        for (from, column, on_delete) in referencing {
            let values = values_of(column, keys);
            for chunk in key_chunks::<C::Backend>(&values, FRAMEWORK_BINDS) {
                let cond = Cond::In(Col::of(from, column.name.as_ref()), chunk.to_vec());
                match on_delete {
                    OnDelete::Cascade => self.related(conn, from, cond, depth).await?,
                    OnDelete::SetNull => {
                        conn.execute_statement(Update {
                            table: from.table.name.as_ref(),
                            set: vec![(column.name.as_ref(), Value::Null)],
                            cond,
                            extra: NoFilter,
                        })
                        .await?;
                    }
                    // Checked before anything was deleted.
                    OnDelete::Restrict | OnDelete::NoAction => {}
                }
            }
        }
        Ok(())
    }

    /// Deletes the rows of `related` matching `cond`: at once when nothing cascades from
    /// them, else collected by key first.
    async fn related<C>(
        &mut self,
        conn: &mut C,
        related: &'static ModelDef,
        cond: Cond,
        depth: usize,
    ) -> Result<()>
    where
        C: Conn,
    {
        if !collects(conn, self.cts, self.registry, related, &cond, &NoFilter).await? {
            let rows = conn
                .execute_statement(Delete {
                    table: related.table.name.as_ref(),
                    cond,
                    extra: NoFilter,
                })
                .await?;
            self.deleted.add(related, rows);
            return Ok(());
        }
        let keys = keys_matching(conn, related, cond, NoFilter).await?;
        self.delete_boxed(conn, related, keys, depth + 1).await
    }

    /// [`Collector::delete`] one cascade level down, boxed: the cascade recurses, and a
    /// recursive `async fn` needs the indirection (one allocation per level, no statement).
    fn delete_boxed<'s, C: Conn>(
        &'s mut self,
        conn: &'s mut C,
        model: &'static ModelDef,
        keys: Vec<PkValue>,
        depth: usize,
    ) -> BoxFuture<'s, Result<()>> {
        Box::pin(self.delete(conn, model, keys, depth))
    }
}

fn primary_key(model: &'static ModelDef) -> Result<&'static ColumnDef> {
    model.primary_key().ok_or_else(|| Error::NotRegistered {
        model: model.label(),
    })
}

fn column(model: &'static ModelDef, name: &str) -> Result<&'static ColumnDef> {
    model
        .column(name)
        .ok_or_else(|| Error::Internal(format!("`{}` has no column `{name}`", model.type_name)))
}

/// The keys as values of `column`'s type (keys that cannot be are left out: no row has them).
fn values_of(column: &ColumnDef, keys: &[PkValue]) -> Vec<Value> {
    keys.iter()
        .filter_map(|k| Value::from_key(column.sql_type, k))
        .collect()
}

/// Loads one key column of type `sql_type`.
pub(crate) async fn load_keys<C, Q>(
    conn: &mut C,
    query: Q,
    sql_type: SqlType,
) -> Result<Vec<PkValue>>
where
    C: Conn,
    Q: QueryFragment<C::Backend> + QueryId + Query<SqlType = Untyped> + Send,
{
    fn keys<K: contenttypes_core::keys::Key>(rows: Vec<Scalar<K>>) -> Vec<PkValue> {
        rows.into_iter().map(|r| r.0.to_pk_value()).collect()
    }
    Ok(match sql_type {
        SqlType::SmallInt => keys::<i16>(conn.load_rows(query).await?),
        SqlType::Integer => keys::<i32>(conn.load_rows(query).await?),
        SqlType::BigInt => keys::<i64>(conn.load_rows(query).await?),
        SqlType::Text | SqlType::Varchar(_) => keys::<String>(conn.load_rows(query).await?),
        #[cfg(feature = "uuid")]
        SqlType::Uuid => keys::<uuid::Uuid>(conn.load_rows(query).await?),
        other => {
            return Err(Error::InvalidArgument(format!(
                "a `{}` column cannot hold keys",
                other.name()
            )));
        }
    })
}
