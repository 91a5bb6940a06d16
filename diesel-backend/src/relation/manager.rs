//! The related manager, `article.tags()`: the rows of the through model that point at one
//! parent, and every read and write on them.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use contenttypes_core::keys::{Key, ObjectIdFor, PkValue};
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;

use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::delete::{self, Deleted};
use crate::error::{Error, Result};
use crate::field::{FieldType, Scalar, Value};
use crate::gfk::GenericForeignKeyField;
use crate::model::{Loaded, Model};
use crate::query::{
    key_chunks, Cond, Count, InsertRows, KeyOrder, LockRow, NoFilter, Select, Slice, Update,
    FRAMEWORK_BINDS, MAX_BINDS,
};
use crate::transaction;

use super::*;

/// The rows of the through model `C` that point at one object of `P`: `article.tags()`.
///
/// Reads use the prefetched rows when [`GenericRelationDescriptor::prefetch`] filled them;
/// every change drops them.
pub struct RelatedManager<'a, P, C, const K: u64> {
    pub(super) parent: &'a P,
    pub(super) cache: &'a GenericRelation<C>,
    pub(super) name: &'static str,
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
    async fn core<D: Db>(&self, db: &mut D) -> Result<(Link, Cond, i32)> {
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::id_for_model_op::<P, _>(db).await?;
        let cond = link.cond(ct, vec![self.object_id().to_value()]);
        Ok((link, cond, ct))
    }

    /// The related rows, ordered by key (put in order in memory: the query has no `ORDER
    /// BY`, as Django's related manager has none). 1 query, or 0 when prefetched, then a
    /// copy of the prefetched rows: [`RelatedManager::all_shared`] reads them without
    /// copying.
    ///
    /// ```
    /// # include!("../../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
    /// let tags = article.tags().all(&mut conn)?;
    /// assert_eq!(tags.len(), 1);
    /// assert_eq!(tags[0].tag_id, rust.id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn all<'f, D: Db>(&'f self, db: &'f mut D) -> crate::Output<'f, D, Result<Vec<C>>> {
        D::drive(self.all_op(db))
    }

    pub(crate) async fn all_op<D: Db>(&self, db: &mut D) -> Result<Vec<C>> {
        if let Some(rows) = self.cache.prefetched() {
            return Ok(rows.as_ref().clone());
        }
        crate::prefetch::check_lazy_load(P::DEF, self.name)?;
        let mut rows = self.filter(NoFilter).load_op(db).await?;
        super::in_key_order(&mut rows, |r| r);
        Ok(rows)
    }

    /// The related rows, shared: when prefetched, the prefetched rows themselves (no copy,
    /// 0 queries); otherwise 1 query, as [`RelatedManager::all`].
    ///
    /// ```
    /// # include!("../../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
    /// let articles = vec![article];
    /// Article::TAGS.prefetch(&mut conn, &articles)?;
    /// let first = articles[0].tags().all_shared(&mut conn)?;
    /// let again = articles[0].tags().all_shared(&mut conn)?;
    /// assert!(std::sync::Arc::ptr_eq(&first, &again));
    /// assert_eq!(first[0].tag_id, rust.id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn all_shared<'f, D: Db>(
        &'f self,
        db: &'f mut D,
    ) -> crate::Output<'f, D, Result<Arc<Vec<C>>>> {
        D::drive(self.all_shared_op(db))
    }

    pub(crate) async fn all_shared_op<D: Db>(&self, db: &mut D) -> Result<Arc<Vec<C>>> {
        if let Some(rows) = self.cache.prefetched() {
            return Ok(rows);
        }
        Ok(Arc::new(self.all_op(db).await?))
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
            order: (),
            slice: Slice::default(),
            _through: PhantomData,
        }
    }

    /// How many related rows there are. 1 query, or 0 when prefetched.
    pub fn count<'f, D: Db>(&'f self, db: &'f mut D) -> crate::Output<'f, D, Result<i64>> {
        D::drive(self.count_op(db))
    }

    pub(crate) async fn count_op<D: Db>(&self, db: &mut D) -> Result<i64> {
        let prefetched = self.cache.prefetched().map(|rows| rows.len() as i64);
        match prefetched {
            Some(count) => Ok(count),
            None => self.filter(NoFilter).count_op(db).await,
        }
    }

    /// Whether there is any related row. 1 query, or 0 when prefetched.
    pub fn exists<'f, D: Db>(&'f self, db: &'f mut D) -> crate::Output<'f, D, Result<bool>> {
        D::drive(self.exists_op(db))
    }

    pub(crate) async fn exists_op<D: Db>(&self, db: &mut D) -> Result<bool> {
        Ok(self.count_op(db).await? > 0)
    }

    /// Points saved rows at this parent, in one `UPDATE` per [`max_keys`](crate::query::max_keys) keys, and updates
    /// them in memory (Django's `add(bulk=True)`). An unsaved row is an error and nothing is
    /// changed.
    pub fn add<'r, 'f, D: Db>(
        &'f self,
        db: &'f mut D,
        rows: impl IntoIterator<Item = &'r mut C>,
    ) -> crate::Output<'f, D, Result<()>>
    where
        C: 'r,
        'r: 'f,
    {
        let rows: Vec<&'r mut C> = rows.into_iter().collect();
        D::drive(self.add_op(db, rows))
    }

    pub(crate) async fn add_op<D: Db>(&self, db: &mut D, mut rows: Vec<&mut C>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::id_for_model_op::<P, _>(db).await?;
        let keys = distinct_keys(rows.iter().map(|r| r.pk().to_pk_value()));
        let keys = &keys[..];
        transaction::atomic(db, |db| {
            Box::pin(async move { self.link_rows(db, &link, ct, keys).await })
        })
        .await?;
        self.point_here(&mut rows, ct);
        Ok(())
    }

    /// `UPDATE <through> SET ct = ?, object_id = ? WHERE pk IN (...)`, chunked; every key
    /// must match a row.
    async fn link_rows<D: Db>(
        &self,
        db: &mut D,
        link: &Link,
        ct: i32,
        keys: &[PkValue],
    ) -> Result<()> {
        let pk = link.pk_def()?;
        let values: Vec<Value> = keys
            .iter()
            .filter_map(|k| Value::from_key(pk.sql_type, k))
            .collect();
        let conn = db.connection();
        let mut updated = 0;
        for chunk in key_chunks::<D::Backend>(&values, FRAMEWORK_BINDS) {
            let update = Update {
                table: C::DEF.table.name.as_ref(),
                set: vec![
                    (link.gfk.ct_column.as_ref(), Value::Integer(ct)),
                    (link.gfk.fk_column.as_ref(), self.object_id().to_value()),
                ],
                cond: Cond::In(link.pk_col()?, chunk.to_vec()),
                extra: NoFilter,
            };
            updated += conn.execute_statement(update).await?;
        }
        // A row that is not in the database (built by hand, or deleted since) is refused,
        // and the caller's transaction undoes the rest.
        if updated < keys.len() {
            return Err(Error::Unsaved {
                model: C::DEF.type_name.to_string(),
                operation: "add(): a row is not in the database (insert it first, or use create())",
            });
        }
        Ok(())
    }

    /// After a committed write: the rows point here in memory too, and the cache is stale.
    fn point_here(&self, rows: &mut [&mut C], ct: i32) {
        let object_id = self.object_id();
        for row in rows.iter_mut() {
            row.__set(ct, object_id.clone());
        }
        self.cache.clear_prefetched();
    }

    /// Locks this parent's row until the transaction ends (`SELECT ... FOR UPDATE`; SQLite's
    /// framework transactions already hold the write lock), so concurrent writers of this
    /// parent's relation run one after the other. A parent with no row is [`Error::Unsaved`].
    async fn lock_parent<D: Db>(&self, db: &mut D, operation: &'static str) -> Result<()> {
        lock_row(db, self.parent, operation).await
    }

    /// Deletes these related rows (Django's `remove`: the rows go, they are not unlinked).
    /// Rows that belong to another parent are left alone. One `DELETE` per [`max_keys`](crate::query::max_keys) keys
    /// (plus the generic cascade when the through model has generic relations of its own), in
    /// one transaction. Returns how many rows were deleted.
    pub fn remove<'r, 'f, D: Db>(
        &'f self,
        db: &'f mut D,
        rows: impl IntoIterator<Item = &'r C>,
    ) -> crate::Output<'f, D, Result<usize>>
    where
        C: 'r,
        'r: 'f,
    {
        let rows: Vec<&'r C> = rows.into_iter().collect();
        D::drive(self.remove_op(db, rows))
    }

    pub(crate) async fn remove_op<D: Db>(&self, db: &mut D, rows: Vec<&C>) -> Result<usize> {
        let keys = distinct_keys(rows.into_iter().map(|r| r.pk().to_pk_value()));
        if keys.is_empty() {
            return Ok(0);
        }
        let (link, _, ct) = self.core(db).await?;
        let keys = &keys[..];
        let deleted = transaction::atomic_retry(db, |db| {
            Box::pin(async move { self.delete_keys(db, &link, ct, keys).await })
        })
        .await?;
        self.cache.clear_prefetched();
        Ok(deleted)
    }

    /// Deletes this parent's related rows with these keys, chunked.
    async fn delete_keys<D: Db>(
        &self,
        db: &mut D,
        link: &Link,
        ct: i32,
        keys: &[PkValue],
    ) -> Result<usize> {
        let pk = link.pk_def()?;
        let values: Vec<Value> = keys
            .iter()
            .filter_map(|k| Value::from_key(pk.sql_type, k))
            .collect();
        let mut deleted = 0;
        for chunk in key_chunks::<D::Backend>(&values, FRAMEWORK_BINDS) {
            let cond = link
                .cond(ct, vec![self.object_id().to_value()])
                .and(Cond::In(link.pk_col()?, chunk.to_vec()));
            deleted += delete_related(db, link, cond).await?;
        }
        Ok(deleted)
    }

    /// Deletes every related row. One `DELETE`. Returns how many rows were deleted.
    pub fn clear<'f, D: Db>(&'f self, db: &'f mut D) -> crate::Output<'f, D, Result<usize>> {
        D::drive(self.clear_op(db))
    }

    pub(crate) async fn clear_op<D: Db>(&self, db: &mut D) -> Result<usize> {
        let (link, cond, _) = self.core(db).await?;
        let cond = &cond;
        let deleted = transaction::atomic_retry(db, |db| {
            Box::pin(async move { delete_related(db, &link, cond.clone()).await })
        })
        .await?;
        self.cache.clear_prefetched();
        Ok(deleted)
    }

    /// Makes `rows` the related rows: deletes the current ones not among them and points
    /// the others here, in one transaction (Django's `set`): a locking read of the parent's
    /// row, a `SELECT` of the current keys, then at most one `DELETE` and one `UPDATE` (per
    /// [`max_keys`](crate::query::max_keys) keys). Concurrent `set`s of one parent run one after the other, so the
    /// result is one caller's set. A parent with no row is [`Error::Unsaved`].
    pub fn set<'r, 'f, D: Db>(
        &'f self,
        db: &'f mut D,
        rows: impl IntoIterator<Item = &'r mut C>,
    ) -> crate::Output<'f, D, Result<()>>
    where
        C: 'r,
        'r: 'f,
    {
        let rows: Vec<&'r mut C> = rows.into_iter().collect();
        D::drive(self.set_op(db, rows))
    }

    pub(crate) async fn set_op<D: Db>(&self, db: &mut D, mut rows: Vec<&mut C>) -> Result<()> {
        let wanted = distinct_keys(rows.iter().map(|r| r.pk().to_pk_value()));
        let (link, cond, ct) = self.core(db).await?;
        let (wanted, cond) = (&wanted, &cond);
        transaction::atomic_retry(db, |db| {
            Box::pin(async move {
                self.lock_parent(db, "set()").await?;
                let current: HashSet<PkValue> =
                    delete::keys_matching(db.connection(), C::DEF, cond.clone(), NoFilter)
                        .await?
                        .into_iter()
                        .collect();
                let wanted_set: HashSet<&PkValue> = wanted.iter().collect();
                let stale: Vec<PkValue> = current
                    .iter()
                    .filter(|k| !wanted_set.contains(k))
                    .cloned()
                    .collect();
                if !stale.is_empty() {
                    self.delete_keys(db, &link, ct, &stale).await?;
                }
                let new: Vec<PkValue> = wanted
                    .iter()
                    .filter(|k| !current.contains(*k))
                    .cloned()
                    .collect();
                if !new.is_empty() {
                    self.link_rows(db, &link, ct, &new).await?;
                }
                Ok(())
            })
        })
        .await?;
        self.point_here(&mut rows, ct);
        Ok(())
    }

    /// Makes `rows` the related rows by clearing first (Django's `set(rows, clear=True)`): in
    /// one transaction, every current related row is deleted, with what cascades from it, and
    /// then `rows` are related: those that were related are written again with the keys they
    /// had (as Django's `bulk=False` saves them), the others are pointed here. Unlike
    /// [`RelatedManager::set`], a row that stays loses what referenced it. A locking read of
    /// the parent, a `SELECT` of the current keys, a `DELETE`, then at most one `INSERT` and
    /// one `UPDATE` (per [`MAX_BINDS`](crate::query::MAX_BINDS) values).
    pub fn set_clearing<'r, 'f, D: Db>(
        &'f self,
        db: &'f mut D,
        rows: impl IntoIterator<Item = &'r mut C>,
    ) -> crate::Output<'f, D, Result<()>>
    where
        C: 'r,
        'r: 'f,
    {
        let rows: Vec<&'r mut C> = rows.into_iter().collect();
        D::drive(self.set_clearing_op(db, rows))
    }

    pub(crate) async fn set_clearing_op<D: Db>(
        &self,
        db: &mut D,
        mut rows: Vec<&mut C>,
    ) -> Result<()> {
        let (link, cond, ct) = self.core(db).await?;
        let object_id = self.object_id();
        let (given, cond, object_id) = (&rows[..], &cond, &object_id);
        transaction::atomic_retry(db, |db| {
            Box::pin(async move {
                self.lock_parent(db, "set_clearing()").await?;
                let current: HashSet<PkValue> =
                    delete::keys_matching(db.connection(), C::DEF, cond.clone(), NoFilter)
                        .await?
                        .into_iter()
                        .collect();
                delete_related(db, &link, cond.clone()).await?;
                let mut seen = HashSet::new();
                let mut again: Vec<C> = Vec::new();
                let mut elsewhere: Vec<PkValue> = Vec::new();
                for row in given {
                    let key = row.pk().to_pk_value();
                    if !seen.insert(key.clone()) {
                        continue;
                    }
                    if current.contains(&key) {
                        let mut row = C::clone(row);
                        row.__set(ct, object_id.clone());
                        again.push(row);
                    } else {
                        elsewhere.push(key);
                    }
                }
                let per_statement = (MAX_BINDS / C::DEF.table.columns.len().max(1)).max(1);
                for chunk in again.chunks(per_statement) {
                    let refs: Vec<&C> = chunk.iter().collect();
                    db.connection()
                        .execute_statement(InsertRows { rows: &refs })
                        .await?;
                }
                if !elsewhere.is_empty() {
                    self.link_rows(db, &link, ct, &elsewhere).await?;
                }
                Ok(())
            })
        })
        .await?;
        self.point_here(&mut rows, ct);
        Ok(())
    }
}

/// The keys, each once, in their first order.
fn distinct_keys(keys: impl Iterator<Item = PkValue>) -> Vec<PkValue> {
    let mut seen = HashSet::new();
    keys.filter(|k| seen.insert(k.clone())).collect()
}

/// Deletes related rows matching `cond`, with what cascades from them. Returns how many
/// through rows were deleted.
pub(super) async fn delete_related<D: Db>(db: &mut D, link: &Link, cond: Cond) -> Result<usize> {
    Ok(delete::delete_matching(db, link.through, cond, NoFilter)
        .await?
        .of_def(link.through))
}

/// Related rows narrowed by a Diesel expression: `article.tags().filter(...)`; in no
/// particular order unless [`RelatedQuery::order_by`] gives one (ties, and a limit or an
/// offset without one, are ordered by key, so pages are deterministic), and sliced by
/// [`RelatedQuery::limit`] and [`RelatedQuery::offset`], as [`crate::Filtered`] is.
pub struct RelatedQuery<'a, P, C, const K: u64, E, O = ()> {
    parent: &'a P,
    cache: &'a GenericRelation<C>,
    name: &'static str,
    extra: E,
    order: O,
    slice: Slice,
    _through: PhantomData<fn() -> C>,
}

impl<'a, P, C, const K: u64, E, O> RelatedQuery<'a, P, C, K, E, O>
where
    P: Model,
    C: GenericForeignKeyField<K> + Clone,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
{
    /// Orders the rows by Diesel ordering expressions on the through model's table (Django's
    /// `order_by`); the key comes last.
    ///
    /// ```
    /// # include!("../../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// use diesel::prelude::*;
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// for name in ["rust", "go"] {
    ///     let tag = Tag::insert(&mut conn, NewTag { name: name.into() })?;
    ///     article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: tag.id, content_object })?;
    /// }
    /// let newest = article
    ///     .tags()
    ///     .filter(contenttypes::NoFilter)
    ///     .order_by(tagging_taggeditem::id.desc())
    ///     .limit(1)
    ///     .load(&mut conn)?;
    /// assert_eq!(newest.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn order_by<Q>(self, order: Q) -> RelatedQuery<'a, P, C, K, E, Q>
    where
        Q: Expression + AppearsOnTable<C::Table>,
    {
        RelatedQuery {
            parent: self.parent,
            cache: self.cache,
            name: self.name,
            extra: self.extra,
            order,
            slice: self.slice,
            _through: PhantomData,
        }
    }

    /// At most `n` rows (Django's slicing, `[:n]`).
    pub fn limit(mut self, n: i64) -> Self {
        self.slice.limit = Some(n);
        self
    }

    /// Skips the first `n` rows (Django's slicing, `[n:]`).
    pub fn offset(mut self, n: i64) -> Self {
        self.slice.offset = Some(n);
        self
    }

    async fn select<D: Db>(self, db: &mut D) -> Result<Select<E, O>> {
        let (_, cond, _) = self.manager().core(db).await?;
        let mut query = Select::new(C::DEF, cond)
            .with_extra(self.extra)
            .with_order(self.order);
        query.order_by_pk = KeyOrder::WhenNeeded;
        self.slice.apply(&mut query);
        Ok(query)
    }

    fn manager(&self) -> RelatedManager<'_, P, C, K> {
        RelatedManager {
            parent: self.parent,
            cache: self.cache,
            name: self.name,
        }
    }

    /// The matching rows, in order. 1 query.
    pub fn load<'f, D: Db>(self, db: &'f mut D) -> crate::Output<'f, D, Result<Vec<C>>>
    where
        'a: 'f,
        E: QueryFragment<D::Backend> + Send + 'f,
        O: QueryFragment<D::Backend> + Send + 'f,
    {
        D::drive(self.load_op(db))
    }

    pub(crate) async fn load_op<D: Db>(self, db: &mut D) -> Result<Vec<C>>
    where
        E: QueryFragment<D::Backend> + Send,
        O: QueryFragment<D::Backend> + Send,
    {
        let query = self.select(db).await?;
        let rows: Vec<Loaded<C>> = db.connection_for_read().load_rows(query).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The first matching row, in order. 1 query.
    pub fn first<'f, D: Db>(self, db: &'f mut D) -> crate::Output<'f, D, Result<Option<C>>>
    where
        'a: 'f,
        E: QueryFragment<D::Backend> + Send + 'f,
        O: QueryFragment<D::Backend> + Send + 'f,
    {
        D::drive(self.first_op(db))
    }

    pub(crate) async fn first_op<D: Db>(self, db: &mut D) -> Result<Option<C>>
    where
        E: QueryFragment<D::Backend> + Send,
        O: QueryFragment<D::Backend> + Send,
    {
        self.first_with(db).await
    }

    async fn first_with<D: Db>(mut self, db: &mut D) -> Result<Option<C>>
    where
        E: QueryFragment<D::Backend> + Send,
        O: QueryFragment<D::Backend> + Send,
    {
        self.slice = self.slice.first();
        let query = self.select(db).await?;
        let mut rows: Vec<Loaded<C>> = db.connection_for_read().load_rows(query).await?;
        Ok(rows.pop().map(|r| r.0))
    }

    /// How many rows match, within the limit and offset. 1 query.
    pub fn count<'f, D: Db>(self, db: &'f mut D) -> crate::Output<'f, D, Result<i64>>
    where
        'a: 'f,
        E: QueryFragment<D::Backend> + Send + 'f,
        O: Send + 'f,
    {
        D::drive(self.count_op(db))
    }

    pub(crate) async fn count_op<D: Db>(self, db: &mut D) -> Result<i64>
    where
        E: QueryFragment<D::Backend> + Send,
    {
        let (_, cond, _) = self.manager().core(db).await?;
        let query = Count {
            table: C::DEF.table.name.as_ref(),
            cond,
            extra: self.extra,
        };
        let all = crate::conn::first(
            db.connection_for_read()
                .load_rows::<_, Scalar<i64>>(query)
                .await,
        )?
        .0;
        Ok(self.slice.count_within(all))
    }

    /// Whether any row matches. 1 query.
    pub fn exists<'f, D: Db>(self, db: &'f mut D) -> crate::Output<'f, D, Result<bool>>
    where
        'a: 'f,
        E: QueryFragment<D::Backend> + Send + 'f,
        O: QueryFragment<D::Backend> + Send + 'f,
    {
        D::drive(self.exists_op(db))
    }

    pub(crate) async fn exists_op<D: Db>(self, db: &mut D) -> Result<bool>
    where
        E: QueryFragment<D::Backend> + Send,
        O: QueryFragment<D::Backend> + Send,
    {
        Ok(self.first_op(db).await?.is_some())
    }

    /// Deletes the matching rows (only this parent's) and what cascades from them: 1
    /// statement when nothing does. Django's `QuerySet.delete()`. A sliced query cannot be
    /// deleted, as in Django.
    pub fn delete<'f, D: Db>(self, db: &'f mut D) -> crate::Output<'f, D, Result<Deleted>>
    where
        'a: 'f,
        E: QueryFragment<D::Backend> + Send + Sync + 'f,
        O: Send + 'f,
    {
        D::drive(self.delete_op(db))
    }

    pub(crate) async fn delete_op<D: Db>(self, db: &mut D) -> Result<Deleted>
    where
        E: QueryFragment<D::Backend> + Send + Sync,
    {
        self.slice.refuse_delete(C::DEF)?;
        let (_, cond, _) = self.manager().core(db).await?;
        let deleted = delete::delete_matching(db, C::DEF, cond, self.extra).await?;
        self.cache.clear_prefetched();
        Ok(deleted)
    }
}

/// Locks `row`'s row until the transaction ends (`SELECT 1 ... FOR UPDATE`; SQLite's
/// framework transactions hold the write lock already): concurrent `set`s of one object
/// run one after the other. A row that is not in the database is [`Error::Unsaved`].
pub(crate) async fn lock_row<P: Model, D: Db>(
    db: &mut D,
    row: &P,
    operation: &'static str,
) -> Result<()> {
    let pk = P::DEF.primary_key().ok_or_else(|| Error::NotRegistered {
        model: P::DEF.label(),
    })?;
    let query = LockRow::new(
        P::DEF.table.name.as_ref(),
        pk.name.as_ref(),
        row.pk().to_value(),
    );
    let rows: Vec<Scalar<i32>> = db.connection().load_rows(query).await?;
    if rows.is_empty() {
        return Err(Error::Unsaved {
            model: P::DEF.type_name.to_string(),
            operation,
        });
    }
    Ok(())
}
