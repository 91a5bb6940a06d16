//! The related manager, `article.tags()`: the rows of the through model that point at one
//! parent, and every read and write on them.

use std::fmt;
use std::marker::PhantomData;

use contenttypes_core::ir::SqlType;
use contenttypes_core::keys::{Key, ObjectIdFor, PkValue};
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;
use diesel::RunQueryDsl;

use crate::content_type::ContentType;
use crate::db::{self, Db};
use crate::delete;
use crate::error::{Error, Result};
use crate::field::{FieldType, Scalar, Value};
use crate::gfk::GenericForeignKeyField;
use crate::model::{Loaded, Model};
use crate::objects::Objects;
use crate::query::{chunks, Cond, Count, Delete, NoFilter, Select, SelectColumn, Update};

use super::*;

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
    /// # include!("../../../src/doctest_setup.rs");
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
pub(super) fn delete_related<D: Db>(db: &mut D, link: &Link, cond: Cond) -> Result<usize> {
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
