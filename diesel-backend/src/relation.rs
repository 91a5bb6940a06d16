//! Generic relations: the reverse side of a generic foreign key (Django's
//! `GenericRelation`).
//!
//! A model declares `tags: GenericRelation<TaggedItem>` and `#[derive(GenericRelation)]`
//! generates:
//! - `article.tags()`: a [`RelatedManager`] over the rows of `TaggedItem` pointing at this
//!   article (`all`, `filter`, `count`, `exists`, `add`, `remove`, `clear`, `set`, `create`,
//!   `get_or_create`, `update_or_create`);
//! - `Article::TAGS`: a [`GenericRelationDescriptor`] to filter articles by their related rows
//!   (`EXISTS`), count them per article (`LEFT JOIN`), and prefetch them;
//! - with `related_query_name = "article"`, `TaggedItem::ARTICLE`: a
//!   [`ReverseGenericRelation`] to filter tagged items by the article they point at.
//!
//! The content type is always part of the join condition, so a row of another model with the
//! same key never matches.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};

use contenttypes_core::content_type as ct_table;
use contenttypes_core::ddl::Dialect;
use contenttypes_core::ir::{ColumnDef, GenericForeignKeyDef, ModelDef, SqlType};
use contenttypes_core::keys::{join_needs_text_cast, Key, ObjectIdFor, PkValue};
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::{QueryResult, RunQueryDsl};

use crate::backend::{Binds, SupportedBackend};
use crate::columns::RowRef;
use crate::content_type::ContentType;
use crate::db::{self, Db};
use crate::delete;
use crate::error::{Error, Result};
use crate::field::{FieldType, RowReader, Scalar, Value};
use crate::filter::{Correlation, RelationFilter};
use crate::gfk::GenericForeignKeyField;
use crate::model::{Loaded, Model};
use crate::objects::Objects;
use crate::query::{chunks, Col, Cond, Count, Delete, NoFilter, Select, SelectColumn, Update};

/// A generic relation field's prefetch cache, reached without knowing the through model's
/// type (nested prefetches across models).
pub trait ErasedRelationCache: Send + Sync {
    /// Stores prefetched rows; each must be a freshly loaded row of the through model.
    #[doc(hidden)]
    fn __set_erased(&self, rows: Vec<Arc<dyn Any + Send + Sync>>) -> Result<()>;
    /// Drops prefetched rows.
    fn clear(&self);
    /// Whether rows are prefetched.
    fn is_prefetched(&self) -> bool;
}

/// A generic relation field: the cache of its prefetched rows. Declare it on the model the
/// relation belongs to and derive `GenericRelation`:
///
/// ```text
/// #[generic_relation(related_query_name = "article")]
/// pub tags: GenericRelation<TaggedItem>,
/// ```
///
/// It compares equal to every other one (it is a cache, not data) and starts empty when a
/// row is loaded.
pub struct GenericRelation<C> {
    cache: RwLock<Option<Arc<Vec<C>>>>,
}

impl<C> Default for GenericRelation<C> {
    fn default() -> Self {
        GenericRelation {
            cache: RwLock::new(None),
        }
    }
}

impl<C> Clone for GenericRelation<C> {
    fn clone(&self) -> Self {
        GenericRelation {
            cache: RwLock::new(self.prefetched()),
        }
    }
}

impl<C> PartialEq for GenericRelation<C> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<C> Eq for GenericRelation<C> {}

impl<C> std::hash::Hash for GenericRelation<C> {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl<C> fmt::Debug for GenericRelation<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefetched() {
            Some(rows) => write!(f, "GenericRelation({} prefetched)", rows.len()),
            None => f.write_str("GenericRelation(not prefetched)"),
        }
    }
}

impl<C> GenericRelation<C> {
    /// The prefetched rows, if any.
    pub fn prefetched(&self) -> Option<Arc<Vec<C>>> {
        self.cache.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn set_prefetched(&self, rows: Vec<C>) {
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(rows));
    }

    /// Drops the prefetched rows; the next read queries the database.
    pub fn clear_prefetched(&self) {
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl<C: Send + Sync + 'static> ErasedRelationCache for GenericRelation<C> {
    fn __set_erased(&self, rows: Vec<Arc<dyn Any + Send + Sync>>) -> Result<()> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let row = row.downcast::<C>().map_err(|_| Error::WrongType {
                expected: std::any::type_name::<C>().to_string(),
                found: "another model".to_string(),
            })?;
            match Arc::try_unwrap(row) {
                Ok(row) => out.push(row),
                Err(_) => {
                    return Err(Error::InvalidArgument(
                        "a prefetched row is shared; this is a contenttypes bug".into(),
                    ))
                }
            }
        }
        self.set_prefetched(out);
        Ok(())
    }

    fn clear(&self) {
        self.clear_prefetched();
    }

    fn is_prefetched(&self) -> bool {
        self.prefetched().is_some()
    }
}

/// Implemented by `#[derive(GenericRelation)]`. A model with `GenericRelation` fields
/// needs it for their accessors.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has generic relation fields but no `#[derive(GenericRelation)]`",
    label = "the relation accessors are missing",
    note = "add `GenericRelation` to the derives of `{Self}`: `#[derive(Model, GenericRelation)]`"
)]
pub trait HasGenericRelations {}

/// What a relation needs to know about its generic foreign key, resolved once.
#[derive(Clone, Copy)]
pub(crate) struct Link {
    pub(crate) through: &'static ModelDef,
    pub(crate) gfk: &'static GenericForeignKeyDef,
    pub(crate) object_id: &'static ColumnDef,
    pub(crate) parent_pk: &'static ColumnDef,
}

impl Link {
    pub(crate) fn of<P: Model, C: GenericForeignKeyField<K>, const K: u64>() -> Result<Link> {
        let gfk = C::gfk_def()?;
        let object_id = C::DEF
            .column(&gfk.fk_column)
            .ok_or_else(|| missing(C::DEF, &gfk.fk_column))?;
        let parent_pk = P::DEF.primary_key().ok_or_else(|| Error::NotRegistered {
            model: P::DEF.label(),
        })?;
        Ok(Link {
            through: C::DEF,
            gfk,
            object_id,
            parent_pk,
        })
    }

    fn ct_col(&self) -> Col {
        Col::of(self.through, self.gfk.ct_column.as_ref())
    }

    fn oid_col(&self) -> Col {
        Col::of(self.through, self.gfk.fk_column.as_ref())
    }

    fn pk_col(&self) -> Result<Col> {
        let pk = self
            .through
            .primary_key()
            .ok_or_else(|| Error::NotRegistered {
                model: self.through.label(),
            })?;
        Ok(Col::of(self.through, pk.name.as_ref()))
    }

    /// `content_type_id = ? AND object_id IN (...)`.
    pub(crate) fn cond(&self, ct: i32, object_ids: Vec<Value>) -> Cond {
        let oid = if object_ids.len() == 1 {
            Cond::Eq(
                self.oid_col(),
                object_ids.into_iter().next().unwrap_or(Value::Null),
            )
        } else {
            Cond::In(self.oid_col(), object_ids)
        };
        Cond::And(vec![Cond::Eq(self.ct_col(), Value::Integer(ct)), oid])
    }
}

fn missing(model: &ModelDef, column: &str) -> Error {
    Error::InvalidArgument(format!(
        "`{}` has no column `{column}`; this is a contenttypes bug",
        model.type_name
    ))
}

/// The rows of the through model `C` that point at one object of `P`: `article.tags()`.
///
/// Reads use the prefetched rows when [`GenericRelationDescriptor::prefetch`] filled them;
/// every change drops them.
pub struct RelatedManager<'a, P, C, const K: u64> {
    parent: &'a P,
    cache: &'a GenericRelation<C>,
    name: &'static str,
}

impl<P, C, const K: u64> fmt::Debug for RelatedManager<'_, P, C, K>
where
    P: Model,
    C: GenericForeignKeyField<K>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RelatedManager({}.{} of {})",
            P::DEF.type_name,
            self.name,
            self.parent.pk().to_pk_value()
        )
    }
}

impl<'a, P, C, const K: u64> RelatedManager<'a, P, C, K> {
    /// Used by the generated accessor. Unbounded, so a misdeclared relation is reported once,
    /// by the derive's own checks.
    pub fn new(parent: &'a P, cache: &'a GenericRelation<C>, name: &'static str) -> Self {
        RelatedManager {
            parent,
            cache,
            name,
        }
    }
}

impl<'a, P, C, const K: u64> RelatedManager<'a, P, C, K>
where
    P: Model,
    C: GenericForeignKeyField<K> + Clone,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
{
    fn object_id(&self) -> C::ObjectId {
        <C::ObjectId as ObjectIdFor<P, P::Pk>>::from_key(self.parent.pk())
    }

    /// `content_type_id = <P's> AND object_id = <this parent>`.
    fn core<D: Db>(&self, db: &mut D) -> Result<(Link, Cond, i32)> {
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::for_model::<P>(db)?.id;
        let cond = link.cond(ct, vec![self.object_id().to_value()]);
        Ok((link, cond, ct))
    }

    /// The related rows, ordered by key. 1 query, or 0 when prefetched.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// article.tags().create(&mut conn, NewTaggedItem { tag_id: rust.id, ..Default::default() })?;
    /// let tags = article.tags().all(&mut conn)?;
    /// assert_eq!(tags.len(), 1);
    /// assert_eq!(tags[0].tag_id, rust.id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn all<D: Db>(&self, db: &mut D) -> Result<Vec<C>> {
        if let Some(rows) = self.cache.prefetched() {
            return Ok(rows.as_ref().clone());
        }
        crate::prefetch::check_lazy_load(P::DEF, self.name)?;
        self.filter(NoFilter).load(db)
    }

    /// The related rows matching a Diesel expression on the through model's table.
    pub fn filter<E>(&self, expression: E) -> RelatedQuery<'a, P, C, K, E>
    where
        E: Expression + AppearsOnTable<C::Table>,
    {
        RelatedQuery {
            parent: self.parent,
            cache: self.cache,
            name: self.name,
            extra: expression,
            _through: PhantomData,
        }
    }

    /// How many related rows there are. 1 query, or 0 when prefetched.
    pub fn count<D: Db>(&self, db: &mut D) -> Result<i64> {
        match self.cache.prefetched() {
            Some(rows) => Ok(rows.len() as i64),
            None => self.filter(NoFilter).count(db),
        }
    }

    /// Whether there is any related row. 1 query, or 0 when prefetched.
    pub fn exists<D: Db>(&self, db: &mut D) -> Result<bool> {
        Ok(self.count(db)? > 0)
    }

    /// Points saved rows at this parent, in one `UPDATE`, and updates them in memory
    /// (Django's `add(bulk=True)`). An unsaved row is an error and nothing is changed.
    pub fn add<'r, D: Db>(
        &self,
        db: &mut D,
        rows: impl IntoIterator<Item = &'r mut C>,
    ) -> Result<()>
    where
        C: 'r,
    {
        let mut rows: Vec<&mut C> = rows.into_iter().collect();
        if rows.is_empty() {
            return Ok(());
        }
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::for_model::<P>(db)?.id;
        let object_id = self.object_id();
        let mut seen = std::collections::HashSet::new();
        let keys: Vec<Value> = rows
            .iter()
            .filter(|r| seen.insert(r.pk().to_pk_value()))
            .map(|r| r.pk().to_value())
            .collect();
        // A row that is not in the database (built by hand, or deleted since) is refused,
        // and nothing changes: the updated-row count must cover every key.
        db::transaction(db, |db| {
            let conn = db.connection();
            let mut updated = 0;
            for chunk in chunks(&keys) {
                updated += Update {
                    table: C::DEF.table.name.as_ref(),
                    set: vec![
                        (link.gfk.ct_column.as_ref(), Value::Integer(ct)),
                        (link.gfk.fk_column.as_ref(), object_id.to_value()),
                    ],
                    cond: Cond::In(link.pk_col()?, chunk.to_vec()),
                    extra: NoFilter,
                }
                .execute(conn)?;
            }
            if updated < keys.len() {
                return Err(Error::Unsaved {
                    model: C::DEF.type_name.to_string(),
                    operation:
                        "add(): a row is not in the database (insert it first, or use create())",
                });
            }
            Ok(())
        })?;
        for row in rows.iter_mut() {
            row.__set(ct, object_id.clone());
        }
        self.cache.clear_prefetched();
        Ok(())
    }

    /// Deletes these related rows (Django's `remove`: the rows go, they are not unlinked).
    /// Rows that belong to another parent are left alone. One `DELETE` (plus the generic
    /// cascade when the through model has generic relations of its own). Returns how many
    /// rows were deleted.
    pub fn remove<'r, D: Db>(
        &self,
        db: &mut D,
        rows: impl IntoIterator<Item = &'r C>,
    ) -> Result<usize>
    where
        C: 'r,
    {
        let keys: Vec<Value> = rows.into_iter().map(|r| r.pk().to_value()).collect();
        if keys.is_empty() {
            return Ok(0);
        }
        let (link, cond, _) = self.core(db)?;
        let cond = cond.and(Cond::In(link.pk_col()?, keys));
        let deleted = delete_related(db, &link, cond)?;
        self.cache.clear_prefetched();
        Ok(deleted)
    }

    /// Deletes every related row. One `DELETE`. Returns how many rows were deleted.
    pub fn clear<D: Db>(&self, db: &mut D) -> Result<usize> {
        let (link, cond, _) = self.core(db)?;
        let deleted = delete_related(db, &link, cond)?;
        self.cache.clear_prefetched();
        Ok(deleted)
    }

    /// Makes `rows` the related rows: deletes the current ones not among them and points
    /// the others here, in one transaction (Django's `set`): a `SELECT` of the current keys,
    /// then at most one `DELETE` and one `UPDATE`.
    pub fn set<'r, D: Db>(
        &self,
        db: &mut D,
        rows: impl IntoIterator<Item = &'r mut C>,
    ) -> Result<()>
    where
        C: 'r,
    {
        let mut rows: Vec<&mut C> = rows.into_iter().collect();
        db::transaction(db, |db| {
            let (link, cond, _) = self.core(db)?;
            let pk = C::DEF.primary_key().ok_or_else(|| Error::NotRegistered {
                model: C::DEF.label(),
            })?;
            let query = SelectColumn {
                table: C::DEF.table.name.as_ref(),
                column: pk.name.as_ref(),
                cond,
                extra: NoFilter,
            };
            let current = delete::load_keys(db.connection(), query, pk.sql_type)?;
            let wanted: Vec<PkValue> = rows.iter().map(|r| r.pk().to_pk_value()).collect();
            let stale: Vec<Value> = current
                .iter()
                .filter(|k| !wanted.contains(k))
                .filter_map(|k| Value::from_key(pk.sql_type, k))
                .collect();
            if !stale.is_empty() {
                let (_, cond, _) = self.core(db)?;
                delete_related(db, &link, cond.and(Cond::In(link.pk_col()?, stale)))?;
            }
            let new: Vec<&mut C> = rows
                .iter_mut()
                .filter(|r| !current.contains(&r.pk().to_pk_value()))
                .map(|r| &mut **r)
                .collect();
            self.add(db, new)
        })?;
        self.cache.clear_prefetched();
        Ok(())
    }

    /// Inserts a related row: `new` with its content type and object id set to this parent.
    /// 1 statement (2 on MySQL).
    pub fn create<D: Db>(&self, db: &mut D, mut new: C::New) -> Result<C> {
        let ct = ContentType::for_model::<P>(db)?.id;
        C::__set_new(&mut new, ct, self.object_id());
        let row = C::insert(db, new)?;
        self.cache.clear_prefetched();
        Ok(row)
    }

    /// The related row matching `lookup`, or a new one inserted from `new` (Django's
    /// `get_or_create`): `(row, created)`. A `SELECT`, then an `INSERT` when nothing matched;
    /// a concurrent insert of the same row (a unique violation) is read back instead.
    pub fn get_or_create<D, E>(&self, db: &mut D, lookup: E, new: C::New) -> Result<(C, bool)>
    where
        D: Db,
        E: Expression + AppearsOnTable<C::Table> + QueryFragment<D::Backend> + Clone,
    {
        if let Some(row) = self.filter(lookup.clone()).first(db)? {
            return Ok((row, false));
        }
        match db::transaction(db, |db| self.create(db, new)) {
            Ok(row) => Ok((row, true)),
            Err(e) if e.is_unique_violation() => match self.filter(lookup).first(db)? {
                Some(row) => Ok((row, false)),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Updates the related row matching `lookup` with `update` and saves it, or inserts
    /// `new` when none matches (Django's `update_or_create`, with `update` as `defaults` and
    /// `new` as `create_defaults`): `(row, created)`. In one transaction.
    pub fn update_or_create<D, E>(
        &self,
        db: &mut D,
        lookup: E,
        update: impl FnOnce(&mut C),
        new: C::New,
    ) -> Result<(C, bool)>
    where
        D: Db,
        E: Expression + AppearsOnTable<C::Table> + QueryFragment<D::Backend>,
    {
        db::transaction(db, |db| match self.filter(lookup).first(db)? {
            Some(mut row) => {
                update(&mut row);
                row.save(db)?;
                self.cache.clear_prefetched();
                Ok((row, false))
            }
            None => Ok((self.create(db, new)?, true)),
        })
    }
}

/// Deletes related rows matching `cond`, cascading first when the through model has
/// generic relations of its own.
fn delete_related<D: Db>(db: &mut D, link: &Link, cond: Cond) -> Result<usize> {
    let through = link.through;
    if through.generic_relations.is_empty() {
        return Ok(Delete {
            table: through.table.name.as_ref(),
            cond,
            extra: NoFilter,
        }
        .execute(db.connection())?);
    }
    let pk = through.primary_key().ok_or_else(|| Error::NotRegistered {
        model: through.label(),
    })?;
    let query = SelectColumn {
        table: through.table.name.as_ref(),
        column: pk.name.as_ref(),
        cond,
        extra: NoFilter,
    };
    let keys = delete::load_keys(db.connection(), query, pk.sql_type)?;
    delete::delete_by_keys(db, through, &keys)
}

/// Related rows narrowed by a Diesel expression: `article.tags().filter(...)`.
pub struct RelatedQuery<'a, P, C, const K: u64, E> {
    parent: &'a P,
    cache: &'a GenericRelation<C>,
    name: &'static str,
    extra: E,
    _through: PhantomData<fn() -> C>,
}

impl<P, C, const K: u64, E> RelatedQuery<'_, P, C, K, E>
where
    P: Model,
    C: GenericForeignKeyField<K> + Clone,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
{
    fn manager(&self) -> RelatedManager<'_, P, C, K> {
        RelatedManager {
            parent: self.parent,
            cache: self.cache,
            name: self.name,
        }
    }

    /// The matching rows, ordered by key. 1 query.
    pub fn load<D: Db>(self, db: &mut D) -> Result<Vec<C>>
    where
        E: QueryFragment<D::Backend>,
    {
        let (_, cond, _) = self.manager().core(db)?;
        let query = Select::new(C::DEF, cond).with_extra(self.extra);
        let rows: Vec<Loaded<C>> = query.load(db.connection())?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The first matching row by key. 1 query.
    pub fn first<D: Db>(self, db: &mut D) -> Result<Option<C>>
    where
        E: QueryFragment<D::Backend>,
    {
        let (_, cond, _) = self.manager().core(db)?;
        let mut query = Select::new(C::DEF, cond).with_extra(self.extra);
        query.limit = Some(1);
        let mut rows: Vec<Loaded<C>> = query.load(db.connection())?;
        Ok(rows.pop().map(|r| r.0))
    }

    /// How many rows match. 1 query.
    pub fn count<D: Db>(self, db: &mut D) -> Result<i64>
    where
        E: QueryFragment<D::Backend>,
    {
        let (_, cond, _) = self.manager().core(db)?;
        let query = Count {
            table: C::DEF.table.name.as_ref(),
            cond,
            extra: self.extra,
        };
        Ok(query.get_result::<Scalar<i64>>(db.connection())?.0)
    }

    /// Whether any row matches. 1 query.
    pub fn exists<D: Db>(self, db: &mut D) -> Result<bool>
    where
        E: QueryFragment<D::Backend>,
    {
        Ok(self.first(db)?.is_some())
    }

    /// Deletes the matching rows (only this parent's). 1 statement. Returns how many.
    pub fn delete<D: Db>(self, db: &mut D) -> Result<usize>
    where
        E: QueryFragment<D::Backend>,
    {
        let (link, cond, _) = self.manager().core(db)?;
        let deleted = if link.through.generic_relations.is_empty() {
            Delete {
                table: C::DEF.table.name.as_ref(),
                cond,
                extra: self.extra,
            }
            .execute(db.connection())?
        } else {
            let pk = link.pk_col()?;
            let sql_type = C::DEF
                .primary_key()
                .map(|c| c.sql_type)
                .unwrap_or(SqlType::BigInt);
            let query = SelectColumn {
                table: C::DEF.table.name.as_ref(),
                column: pk.column,
                cond,
                extra: self.extra,
            };
            let keys = delete::load_keys(db.connection(), query, sql_type)?;
            delete::delete_by_keys(db, C::DEF, &keys)?
        };
        self.cache.clear_prefetched();
        Ok(deleted)
    }
}

/// The content type of a model inside a query, by natural key:
/// `(SELECT id FROM django_content_type WHERE app_label = ? AND model = ?)`. Relation
/// expressions are built without a connection, so they cannot use the cached id; the
/// subquery reads one row by its unique key and is evaluated once per statement.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CtOf(&'static ModelDef);

impl CtOf {
    fn walk<'b, DB: SupportedBackend>(&'b self, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("(SELECT ");
        out.push_identifier("id")?;
        out.push_sql(" FROM ");
        out.push_identifier(ct_table::TABLE)?;
        out.push_sql(" WHERE ");
        out.push_identifier("app_label")?;
        out.push_sql(" = ");
        <DB as Binds<str>>::bind(out, self.0.app_label.as_ref())?;
        out.push_sql(" AND ");
        out.push_identifier("model")?;
        out.push_sql(" = ");
        <DB as Binds<str>>::bind(out, self.0.model_name.as_ref())?;
        out.push_sql(")");
        Ok(())
    }
}

/// The content type in a join: a bound id when it is known, else [`CtOf`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum CtRef {
    Id(i32),
    Of(CtOf),
}

impl CtRef {
    fn walk<'b, DB: SupportedBackend>(&'b self, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()> {
        match self {
            CtRef::Id(id) => <DB as Binds<i32>>::bind(out, id),
            CtRef::Of(of) => of.walk(out),
        }
    }
}

/// `<through>.content_type_id = <ct> AND <through>.object_id = <parent>.<pk>`, casting the
/// key to text when the object id is text and the key is not (PostgreSQL compares no text
/// with numbers or UUIDs).
pub(crate) fn walk_join<'b, DB: SupportedBackend>(
    out: &mut AstPass<'_, 'b, DB>,
    link: &'b Link,
    parent: &'static ModelDef,
    ct: &'b CtRef,
) -> QueryResult<()> {
    link.ct_col().walk(out)?;
    out.push_sql(" = ");
    ct.walk(out)?;
    out.push_sql(" AND ");
    link.oid_col().walk(out)?;
    out.push_sql(" = ");
    let pk = Col::of(parent, link.parent_pk.name.as_ref());
    if join_needs_text_cast(link.object_id.sql_type, link.parent_pk.sql_type) {
        walk_key_as_text(out, pk, link.parent_pk.sql_type)
    } else {
        pk.walk(out)
    }
}

/// A key column as the text a text object id stores for it: the key's `CAST` to text, and
/// for a UUID stored as 32 hex digits (SQLite, MySQL) its hyphenated form, as Django writes
/// `str(uuid)` into a text object id.
fn walk_key_as_text<DB: SupportedBackend>(
    out: &mut AstPass<'_, '_, DB>,
    pk: Col,
    key: SqlType,
) -> QueryResult<()> {
    if key == SqlType::Uuid && DB::DIALECT != Dialect::Postgres {
        let (open, sep, close) = match DB::DIALECT {
            Dialect::Mysql => ("CONCAT_WS('-', ", ", ", ")"),
            _ => ("(", " || '-' || ", ")"),
        };
        out.push_sql(open);
        for (i, (from, len)) in [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]
            .iter()
            .enumerate()
        {
            if i > 0 {
                out.push_sql(sep);
            }
            out.push_sql("SUBSTR(");
            pk.walk(out)?;
            out.push_sql(&format!(", {from}, {len})"));
        }
        out.push_sql(close);
        return Ok(());
    }
    out.push_sql("CAST(");
    pk.walk(out)?;
    out.push_sql(" AS ");
    out.push_sql(DB::DIALECT.text_cast_type());
    out.push_sql(")");
    Ok(())
}

/// The generic relation from `P` to its through model `C`: `Article::TAGS`.
pub struct GenericRelationDescriptor<P, C, const K: u64> {
    name: &'static str,
    field: fn(&P) -> &GenericRelation<C>,
}

impl<P, C, const K: u64> Clone for GenericRelationDescriptor<P, C, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, C, const K: u64> Copy for GenericRelationDescriptor<P, C, K> {}

impl<P: Model, C: Model, const K: u64> fmt::Debug for GenericRelationDescriptor<P, C, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GenericRelation({}.{} -> {})",
            P::DEF.type_name,
            self.name,
            C::DEF.type_name
        )
    }
}

impl<P, C, const K: u64> GenericRelationDescriptor<P, C, K> {
    /// Used by the generated constant: the relation's name and how to reach its field.
    pub const fn new(name: &'static str, field: fn(&P) -> &GenericRelation<C>) -> Self {
        GenericRelationDescriptor { name, field }
    }

    /// The relation's field name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<P, C, const K: u64> GenericRelationDescriptor<P, C, K>
where
    P: Model,
    C: GenericForeignKeyField<K> + Clone,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
{
    /// A filter on `P`'s table: the object has a related row matching `condition` (a Diesel
    /// expression on the through model's table). Renders `EXISTS (SELECT 1 FROM <through>
    /// WHERE <content type and object id match> AND <condition>)`.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// # let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// # let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// # article.tags().create(&mut conn, NewTaggedItem { tag_id: rust.id, ..Default::default() })?;
    /// use diesel::prelude::*;
    /// let tagged: Vec<Article> = blog_article::table
    ///     .filter(Article::TAGS.any(tagging_taggeditem::tag_id.eq(rust.id)))
    ///     .load(&mut conn)?;
    /// assert_eq!(tagged, vec![article]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn any<E>(self, condition: E) -> RelationFilter<P, C, E>
    where
        E: Expression + AppearsOnTable<C::Table>,
    {
        RelationFilter::new(generic_correlation::<P, C, K>(), condition, false)
    }

    /// A filter on `P`'s table: the object has at least one related row.
    pub fn exists(self) -> RelationFilter<P, C, NoFilter> {
        RelationFilter::new(generic_correlation::<P, C, K>(), NoFilter, false)
    }

    /// A filter on `P`'s table: no related row matches `condition` (a correlated
    /// `NOT EXISTS`, Django's `exclude`).
    pub fn none<E>(self, condition: E) -> RelationFilter<P, C, E>
    where
        E: Expression + AppearsOnTable<C::Table>,
    {
        RelationFilter::new(generic_correlation::<P, C, K>(), condition, true)
    }

    /// Every object of `P` with an aggregate of its related rows, by a `LEFT JOIN` with the
    /// content type in the `ON` clause (objects with no related row are kept). See
    /// [`Annotate`].
    pub fn annotate(self, aggregate: Aggregate) -> Annotate<P, C, K, NoFilter> {
        Annotate {
            aggregate,
            filter: NoFilter,
            having: None,
            _types: PhantomData,
        }
    }

    /// The total number of related rows of all `P` objects (Django's
    /// `aggregate(Count("tags"))`). 1 query.
    pub fn total_count<D: Db>(self, db: &mut D) -> Result<i64> {
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::for_model::<P>(db)?.id;
        let query = AggregateAll {
            link: &link,
            parent: P::DEF,
            ct: CtRef::Id(ct),
        };
        Ok(query.get_result::<Scalar<i64>>(db.connection())?.0)
    }

    /// Loads the related rows of all `parents` in one query and stores them on each parent;
    /// their managers then read them with no query. Parents that are not saved get none.
    pub fn prefetch<D: Db>(self, db: &mut D, parents: &[P]) -> Result<()> {
        self.prefetch_filtered(db, parents, NoFilter)
    }

    /// [`GenericRelationDescriptor::prefetch`] with only the related rows matching
    /// `condition` (Django's `Prefetch("tags", queryset=...)`).
    pub fn prefetch_filtered<D: Db, E>(self, db: &mut D, parents: &[P], condition: E) -> Result<()>
    where
        E: Expression + AppearsOnTable<C::Table> + QueryFragment<D::Backend>,
    {
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::for_model::<P>(db)?.id;
        let object_ids: Vec<Value> = parents
            .iter()
            .map(|p| <C::ObjectId as ObjectIdFor<P, P::Pk>>::from_key(p.pk()).to_value())
            .collect();
        let mut by_object: HashMap<PkValue, Vec<C>> = HashMap::new();
        if !object_ids.is_empty() {
            let conn = db.connection();
            let mut rows: Vec<Loaded<C>> = Vec::new();
            let extra = &condition;
            for chunk in chunks(&object_ids) {
                let query = Select::new(C::DEF, link.cond(ct, chunk.to_vec())).with_extra(extra);
                rows.extend(query.load::<Loaded<C>>(conn)?);
            }
            for row in rows {
                if let Some(oid) = row.0.__object_id() {
                    by_object.entry(oid.to_pk_value()).or_default().push(row.0);
                }
            }
        }
        for parent in parents {
            let oid = <C::ObjectId as ObjectIdFor<P, P::Pk>>::from_key(parent.pk()).to_pk_value();
            let rows = by_object.remove(&oid).unwrap_or_default();
            (self.field)(parent).set_prefetched(rows);
        }
        Ok(())
    }
}

/// The correlation of a generic relation between `P` and its through model `C`.
fn generic_correlation<P, C, const K: u64>() -> Correlation
where
    P: Model,
    C: GenericForeignKeyField<K>,
{
    match Link::of::<P, C, K>() {
        Ok(link) => Correlation::Generic {
            link,
            parent: P::DEF,
            ct: CtRef::Of(CtOf(P::DEF)),
        },
        Err(_) => Correlation::Invalid(
            "a generic foreign key is missing from its model's IR; this is a contenttypes bug",
        ),
    }
}

/// The reverse of a generic relation, from the through model `C` to `P`:
/// `TaggedItem::ARTICLE` for `related_query_name = "article"` on `Article.tags`.
pub struct ReverseGenericRelation<C, P, const K: u64> {
    name: &'static str,
    _types: PhantomData<fn() -> (C, P)>,
}

impl<C, P, const K: u64> Clone for ReverseGenericRelation<C, P, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C, P, const K: u64> Copy for ReverseGenericRelation<C, P, K> {}

impl<C: Model, P: Model, const K: u64> fmt::Debug for ReverseGenericRelation<C, P, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ReverseGenericRelation({} -> {}.{})",
            C::DEF.type_name,
            P::DEF.type_name,
            self.name
        )
    }
}

impl<C, P, const K: u64> ReverseGenericRelation<C, P, K> {
    /// Used by the generated constant.
    pub const fn new(name: &'static str) -> Self {
        ReverseGenericRelation {
            name,
            _types: PhantomData,
        }
    }
}

impl<C, P, const K: u64> ReverseGenericRelation<C, P, K>
where
    P: Model,
    C: GenericForeignKeyField<K> + Clone,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
{
    /// A filter on `C`'s table: the row points at a `P` matching `condition` (a Diesel
    /// expression on `P`'s table).
    pub fn any<E>(self, condition: E) -> RelationFilter<C, P, E>
    where
        E: Expression + AppearsOnTable<P::Table>,
    {
        RelationFilter::new(generic_correlation::<P, C, K>(), condition, false)
    }

    /// A filter on `C`'s table: the row points at an existing `P` (Django's
    /// `article__isnull=False`).
    pub fn exists(self) -> RelationFilter<C, P, NoFilter> {
        RelationFilter::new(generic_correlation::<P, C, K>(), NoFilter, false)
    }

    /// The `P` a row points at, typed; `None` when it points at another model or at nothing.
    /// Uses the row's generic foreign key cache: 1 query, 0 once cached or prefetched.
    pub fn get<D: Db>(self, db: &mut D, row: &C) -> Result<Option<Arc<P>>> {
        let ct = ContentType::for_model::<P>(db)?.id;
        if row.__content_type_id() != Some(ct) {
            return Ok(None);
        }
        match crate::gfk::get::<C, K, D>(row, db)? {
            Some(object) => Ok(Some(object.downcast::<P>()?)),
            None => Ok(None),
        }
    }

    /// Loads, in one query, the `P` every row pointing at a `P` points at, into the rows'
    /// generic foreign key caches (Django's prefetch of a `related_query_name`).
    pub fn prefetch<D: Db>(self, db: &mut D, rows: &[C]) -> Result<()> {
        crate::prefetch::prefetch_one_type::<C, K, P, D>(db, rows)
    }
}

/// An aggregate of related rows per object, for [`GenericRelationDescriptor::annotate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// `COUNT(<through key>)`: 0 for objects with no related row.
    Count,
    /// `SUM(<through column>)` of an integer column: `None` for objects with no related row.
    Sum(&'static str),
    /// `MAX(<through column>)` of an integer column.
    Max(&'static str),
    /// `MIN(<through column>)` of an integer column.
    Min(&'static str),
}

/// A condition on the aggregate (`HAVING`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Having {
    IsNull,
    IsNotNull,
    Eq(i64),
    Gt(i64),
    Lt(i64),
}

/// `SELECT <parent>.*, <aggregate> FROM <parent> LEFT JOIN <through> ON (<content type and
/// object id match>) WHERE <filter> GROUP BY <parent columns> [HAVING ...] ORDER BY
/// <parent key>`: made by [`GenericRelationDescriptor::annotate`].
pub struct Annotate<P, C, const K: u64, F> {
    aggregate: Aggregate,
    filter: F,
    having: Option<Having>,
    _types: PhantomData<fn() -> (P, C)>,
}

impl<P, C, const K: u64, F> Annotate<P, C, K, F>
where
    P: Model,
    C: GenericForeignKeyField<K> + Clone,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
{
    /// Only objects matching a Diesel expression on `P`'s table.
    pub fn filter<E>(self, filter: E) -> Annotate<P, C, K, E>
    where
        E: Expression + AppearsOnTable<P::Table>,
    {
        Annotate {
            aggregate: self.aggregate,
            filter,
            having: self.having,
            _types: PhantomData,
        }
    }

    /// Only objects whose aggregate matches.
    pub fn having(mut self, having: Having) -> Self {
        self.having = Some(having);
        self
    }

    /// The objects with their aggregate, ordered by key. 1 query.
    pub fn load<D: Db>(self, db: &mut D) -> Result<Vec<(P, Option<i64>)>>
    where
        F: QueryFragment<D::Backend>,
    {
        let link = Link::of::<P, C, K>()?;
        if let Aggregate::Sum(c) | Aggregate::Max(c) | Aggregate::Min(c) = self.aggregate {
            if C::DEF.column(c).is_none() {
                return Err(Error::InvalidArgument(format!(
                    "`{}` has no column `{c}`",
                    C::DEF.type_name
                )));
            }
        }
        let ct = ContentType::for_model::<P>(db)?.id;
        let query = AnnotateQuery {
            link: &link,
            parent: P::DEF,
            ct: CtRef::Id(ct),
            aggregate: self.aggregate,
            filter: &self.filter,
            having: self.having,
        };
        let rows: Vec<Annotated<P>> = query.load(db.connection())?;
        Ok(rows.into_iter().map(|r| (r.0, r.1)).collect())
    }
}

/// A parent row followed by one aggregate column.
struct Annotated<P>(P, Option<i64>);

impl<DB: SupportedBackend, P: Model> diesel::deserialize::QueryableByName<DB> for Annotated<P> {
    fn build<'a>(row: &impl diesel::row::NamedRow<'a, DB>) -> diesel::deserialize::Result<Self> {
        let reader = RowRef::<_, DB>::new(row);
        let object = P::__read(&reader)?;
        let aggregate =
            i64::__read_nullable(&reader as &dyn RowReader, P::DEF.table.columns.len())?;
        Ok(Annotated(object, aggregate))
    }
}

struct AnnotateQuery<'a, F> {
    link: &'a Link,
    parent: &'static ModelDef,
    ct: CtRef,
    aggregate: Aggregate,
    filter: &'a F,
    having: Option<Having>,
}

crate::query::statement_node!(impl<'a, F> for AnnotateQuery<'a, F>);

fn walk_aggregate<'b, DB: SupportedBackend>(
    out: &mut AstPass<'_, 'b, DB>,
    link: &'b Link,
    aggregate: Aggregate,
) -> QueryResult<()> {
    let through = link.through;
    let (function, column) = match aggregate {
        Aggregate::Count => ("COUNT(", through.table.primary_key.as_ref()),
        Aggregate::Sum(c) => ("SUM(", c),
        Aggregate::Max(c) => ("MAX(", c),
        Aggregate::Min(c) => ("MIN(", c),
    };
    // SUM returns NUMERIC on PostgreSQL and DECIMAL on MySQL; cast back to a 64-bit integer.
    let cast = !matches!(aggregate, Aggregate::Count);
    if cast {
        out.push_sql("CAST(");
    }
    out.push_sql(function);
    Col::of(through, column).walk(out)?;
    out.push_sql(")");
    if cast {
        out.push_sql(match DB::DIALECT {
            Dialect::Mysql => " AS SIGNED)",
            _ => " AS BIGINT)",
        });
    }
    Ok(())
}

impl<DB: SupportedBackend, F: QueryFragment<DB>> QueryFragment<DB> for AnnotateQuery<'_, F> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let parent = self.parent;
        let table = parent.table.name.as_ref();
        out.push_sql("SELECT ");
        for c in parent.table.columns.iter() {
            Col::new(table, c.name.as_ref()).walk(&mut out)?;
            out.push_sql(", ");
        }
        walk_aggregate(&mut out, self.link, self.aggregate)?;
        out.push_sql(" FROM ");
        out.push_identifier(table)?;
        out.push_sql(" LEFT OUTER JOIN ");
        out.push_identifier(self.link.through.table.name.as_ref())?;
        out.push_sql(" ON (");
        walk_join(&mut out, self.link, parent, &self.ct)?;
        out.push_sql(") WHERE (");
        self.filter.walk_ast(out.reborrow())?;
        out.push_sql(") GROUP BY ");
        for (i, c) in parent.table.columns.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            Col::new(table, c.name.as_ref()).walk(&mut out)?;
        }
        if let Some(having) = &self.having {
            out.push_sql(" HAVING ");
            walk_aggregate(&mut out, self.link, self.aggregate)?;
            match having {
                Having::IsNull => out.push_sql(" IS NULL"),
                Having::IsNotNull => out.push_sql(" IS NOT NULL"),
                Having::Eq(v) | Having::Gt(v) | Having::Lt(v) => {
                    out.push_sql(match having {
                        Having::Eq(_) => " = ",
                        Having::Gt(_) => " > ",
                        _ => " < ",
                    });
                    <DB as Binds<i64>>::bind(&mut out, v)?;
                }
            }
        }
        out.push_sql(" ORDER BY ");
        Col::new(table, parent.table.primary_key.as_ref()).walk(&mut out)?;
        Ok(())
    }
}

/// `SELECT COUNT(<through key>) FROM <parent> LEFT OUTER JOIN <through> ON (...)`.
struct AggregateAll<'a> {
    link: &'a Link,
    parent: &'static ModelDef,
    ct: CtRef,
}

crate::query::statement_node!(impl<'a> for AggregateAll<'a>);

impl<DB: SupportedBackend> QueryFragment<DB> for AggregateAll<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT ");
        walk_aggregate(&mut out, self.link, Aggregate::Count)?;
        out.push_sql(" FROM ");
        out.push_identifier(self.parent.table.name.as_ref())?;
        out.push_sql(" LEFT OUTER JOIN ");
        out.push_identifier(self.link.through.table.name.as_ref())?;
        out.push_sql(" ON (");
        walk_join(&mut out, self.link, self.parent, &self.ct)?;
        out.push_sql(")");
        Ok(())
    }
}
