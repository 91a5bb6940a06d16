//! The descriptors: `Article::TAGS` (filter, count and prefetch parents by their related
//! rows) and its reverse, `TaggedItem::ARTICLE`.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use contenttypes_core::keys::ObjectIdFor;
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;

use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::error::Result;
use crate::field::{FieldType, Scalar, Value};
use crate::filter::RelationFilter;
use crate::fxhash::FxHashMap;
use crate::gfk::GenericForeignKeyField;
use crate::model::{Loaded, Model};
use crate::query::{key_chunks, JoinForeignKey, KeyOrder, NoFilter, Select, FRAMEWORK_BINDS};

use super::*;

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

    /// How to reach the relation's field on a parent.
    pub(super) fn field(&self) -> fn(&P) -> &GenericRelation<C> {
        self.field
    }
}

impl<P, C, const K: u64> GenericRelationDescriptor<P, C, K>
where
    P: Model,
    C: GenericForeignKeyField<K> + Clone,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
{
    /// A filter on `P`'s table: the object has a related row matching `condition` (a Diesel
    /// expression on the through model's table). Renders `<key> IN (SELECT <object id> FROM
    /// <through> WHERE <content type> = <P's> AND <condition>)`, the key cast to text for a
    /// text object id (see [`RelationFilter`] for each backend's shape).
    ///
    /// ```
    /// # include!("../../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// # let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// # let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// # article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
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

    /// A filter on `P`'s table: no related row matches `condition` (Django's `exclude`): a
    /// correlated `NOT EXISTS`, on SQLite a `NOT IN` that skips NULL object ids.
    pub fn none<E>(self, condition: E) -> RelationFilter<P, C, E>
    where
        E: Expression + AppearsOnTable<C::Table>,
    {
        RelationFilter::new(generic_correlation::<P, C, K>(), condition, true)
    }

    /// Every object of `P` with an aggregate of its related rows (typed: [`Count`] gives
    /// `i64`, [`Sum`]`(<through column>)` `Option<i64>`), by a `LEFT JOIN` with the content
    /// type in the `ON` clause (objects with no related row are kept). See [`Annotate`].
    ///
    /// ```
    /// # include!("../../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// use contenttypes::{Count, Max};
    /// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// let item = article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
    /// assert_eq!(Article::TAGS.annotate(Count).load(&mut conn)?, [(article.clone(), 1)]);
    /// let max = Article::TAGS.annotate(Max(tagging_taggeditem::id)).load(&mut conn)?;
    /// assert_eq!(max, [(article, Some(item.id))]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn annotate<A: AggregateKind<C::Table>>(self, aggregate: A) -> Annotate<P, C, A> {
        Annotate::generic(Link::of::<P, C, K>, aggregate)
    }

    /// The total number of related rows of all `P` objects (Django's
    /// `aggregate(Count("tags"))`). 1 query.
    pub fn total_count<'f, D: Db>(self, db: &'f mut D) -> crate::Output<'f, D, Result<i64>> {
        D::drive(self.total_count_op(db))
    }

    pub(crate) async fn total_count_op<D: Db>(self, db: &mut D) -> Result<i64> {
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::id_for_model_op::<P, _>(db).await?;
        let query = AggregateAll {
            link: &link,
            parent: P::DEF,
            ct: CtRef::Id(ct),
        };
        Ok(crate::conn::first(
            db.connection_for_read()
                .load_rows::<_, Scalar<i64>>(query)
                .await,
        )?
        .0)
    }

    /// Loads the related rows of all `parents` in one query and stores them on each parent;
    /// their managers then read them with no query. Parents that are not saved get none.
    pub fn prefetch<'f, D: Db>(
        self,
        db: &'f mut D,
        parents: &'f [P],
    ) -> crate::Output<'f, D, Result<()>> {
        D::drive(self.prefetch_op(db, parents))
    }

    pub(crate) async fn prefetch_op<D: Db>(self, db: &mut D, parents: &[P]) -> Result<()> {
        self.prefetch_filtered_op(db, parents, NoFilter).await
    }

    /// [`GenericRelationDescriptor::prefetch`] with only the related rows matching
    /// `condition`: they become what the relation's managers read (Django's
    /// `Prefetch("tags", queryset=...)`). To keep the relation's own cache and get the subset
    /// apart (Django's `to_attr`), use [`GenericRelationDescriptor::load_for_filtered`].
    pub fn prefetch_filtered<'f, D: Db, E>(
        self,
        db: &'f mut D,
        parents: &'f [P],
        condition: E,
    ) -> crate::Output<'f, D, Result<()>>
    where
        E: Expression + AppearsOnTable<C::Table> + QueryFragment<D::Backend> + Send + Sync + 'f,
    {
        D::drive(self.prefetch_filtered_op(db, parents, condition))
    }

    pub(crate) async fn prefetch_filtered_op<D: Db, E>(
        self,
        db: &mut D,
        parents: &[P],
        condition: E,
    ) -> Result<()>
    where
        E: Expression + AppearsOnTable<C::Table> + QueryFragment<D::Backend> + Sync,
    {
        let per_parent = self.load_for_filtered_op(db, parents, condition).await?;
        for (parent, rows) in parents.iter().zip(per_parent) {
            (self.field)(parent).set_prefetched(rows);
        }
        Ok(())
    }

    /// The related rows of each of `parents`, in the order of `parents`, loaded in one query
    /// (per [`max_keys`](crate::query::max_keys) parents except on PostgreSQL, which
    /// takes any number as one array parameter) and stored nowhere: the parents'
    /// caches stay as they are.
    pub fn load_for<'f, D: Db>(
        self,
        db: &'f mut D,
        parents: &'f [P],
    ) -> crate::Output<'f, D, Result<Vec<Vec<C>>>> {
        D::drive(self.load_for_op(db, parents))
    }

    pub(crate) async fn load_for_op<D: Db>(self, db: &mut D, parents: &[P]) -> Result<Vec<Vec<C>>> {
        self.load_for_filtered_op(db, parents, NoFilter).await
    }

    /// [`GenericRelationDescriptor::load_for`] with only the related rows matching
    /// `condition` (Django's `Prefetch("tags", queryset=..., to_attr="...")`: a filtered
    /// subset next to the relation, which keeps its own cache).
    ///
    /// ```
    /// # include!("../../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// # let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// # let (rust, go) = (Tag::insert(&mut conn, NewTag { name: "rust".into() })?, Tag::insert(&mut conn, NewTag { name: "go".into() })?);
    /// # article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
    /// # article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: go.id, content_object })?;
    /// use diesel::prelude::*;
    /// let articles = Article::all(&mut conn)?;
    /// Article::TAGS.prefetch(&mut conn, &articles)?;
    /// let rusty = Article::TAGS.load_for_filtered(&mut conn, &articles, tagging_taggeditem::tag_id.eq(rust.id))?;
    /// assert_eq!(rusty[0].len(), 1);
    /// assert_eq!(articles[0].tags().count(&mut conn)?, 2); // the relation's own cache is intact
    /// # Ok(())
    /// # }
    /// ```
    pub fn load_for_filtered<'f, D: Db, E>(
        self,
        db: &'f mut D,
        parents: &'f [P],
        condition: E,
    ) -> crate::Output<'f, D, Result<Vec<Vec<C>>>>
    where
        E: Expression + AppearsOnTable<C::Table> + QueryFragment<D::Backend> + Send + Sync + 'f,
    {
        D::drive(self.load_for_filtered_op(db, parents, condition))
    }

    pub(crate) async fn load_for_filtered_op<D: Db, E>(
        self,
        db: &mut D,
        parents: &[P],
        condition: E,
    ) -> Result<Vec<Vec<C>>>
    where
        E: Expression + AppearsOnTable<C::Table> + QueryFragment<D::Backend> + Sync,
    {
        related_rows_of::<P, C, K, D, _, Loaded<C>, C>(
            db,
            parents,
            &condition,
            None,
            |r| Some(r.0),
            |r| r,
        )
        .await
    }
}

/// The related rows of each of `parents` (in their order), read as `R` from one `SELECT` of
/// the through model per chunk of parents, with `extra` in its `WHERE` and `join` after its
/// columns, and made into `X` by `map` as they are read (`None` drops a row); `through`
/// reaches the through row in an `X`. The one loop every per-parent read of a relation
/// shares.
pub(super) async fn related_rows_of<P, C, const K: u64, D, E, R, X>(
    db: &mut D,
    parents: &[P],
    extra: &E,
    join: Option<JoinForeignKey>,
    map: impl Fn(R) -> Option<X> + Sync,
    through: impl Fn(&X) -> &C,
) -> Result<Vec<Vec<X>>>
where
    X: Send,
    P: Model,
    C: GenericForeignKeyField<K>,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
    D: Db,
    E: QueryFragment<D::Backend> + Sync,
    R: diesel::deserialize::QueryableByName<D::Backend> + Send + 'static,
{
    let link = Link::of::<P, C, K>()?;
    let ct = ContentType::id_for_model_op::<P, _>(db).await?;
    let object_id = |p: &P| <C::ObjectId as ObjectIdFor<P, P::Pk>>::from_key(p.pk());
    let object_ids: Vec<Value> = parents.iter().map(|p| object_id(p).to_value()).collect();
    // Each parent's place by its object id, typed (a parent listed twice gets its rows once,
    // at its first place): one hash per row read, no conversion.
    let mut places: FxHashMap<C::ObjectId, usize> = FxHashMap::default();
    for (place, parent) in parents.iter().enumerate() {
        places.entry(object_id(parent)).or_insert(place);
    }
    let mut read: Vec<X> = Vec::new();
    if !object_ids.is_empty() {
        let others = FRAMEWORK_BINDS + <D::Backend as crate::SupportedBackend>::binds_in(extra);
        let conn = db.connection_for_read();
        for chunk in key_chunks::<D::Backend>(&object_ids, others) {
            let mut query = Select::new(C::DEF, link.cond(ct, chunk.to_vec())).with_extra(extra);
            query.join = join;
            query.order_by_pk = KeyOrder::WhenNeeded;
            conn.load_each(query, |row: R| read.extend(map(row)))
                .await?;
        }
    }
    // Each row's parent once the statements are done (the lookups do not interleave with
    // the database's reads), then each parent's rows in a vector of their exact size, in
    // the order read.
    let mut counts = vec![0usize; parents.len()];
    let placed: Vec<Option<usize>> = read
        .iter()
        .map(|row| {
            let place = *places.get(through(row).__object_id()?)?;
            counts[place] += 1;
            Some(place)
        })
        .collect();
    let mut out: Vec<Vec<X>> = counts.into_iter().map(Vec::with_capacity).collect();
    for (row, place) in read.into_iter().zip(placed) {
        if let Some(place) = place {
            out[place].push(row);
        }
    }
    for rows in &mut out {
        super::in_key_order(rows, &through);
    }
    Ok(out)
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
        RelationFilter::new(
            generic_correlation::<P, C, K>().reversed(),
            condition,
            false,
        )
    }

    /// A filter on `C`'s table: the row points at an existing `P` (Django's
    /// `article__isnull=False`).
    pub fn exists(self) -> RelationFilter<C, P, NoFilter> {
        RelationFilter::new(generic_correlation::<P, C, K>().reversed(), NoFilter, false)
    }

    /// The `P` a row points at, typed; `None` when it points at another model or at nothing.
    /// Uses the row's generic foreign key cache: 1 query, 0 once cached or prefetched.
    pub fn get<'f, D: Db>(
        self,
        db: &'f mut D,
        row: &'f C,
    ) -> crate::Output<'f, D, Result<Option<Arc<P>>>> {
        D::drive(self.get_op(db, row))
    }

    pub(crate) async fn get_op<D: Db>(self, db: &mut D, row: &C) -> Result<Option<Arc<P>>> {
        let ct = ContentType::id_for_model_op::<P, _>(db).await?;
        if row.__content_type_id() != Some(ct) {
            return Ok(None);
        }
        match crate::gfk::get_object::<C, K, D>(row, db).await? {
            Some(object) => Ok(Some(object.downcast::<P>()?)),
            None => Ok(None),
        }
    }

    /// Loads, in one query, the `P` every row pointing at a `P` points at, into the rows'
    /// generic foreign key caches (Django's prefetch of a `related_query_name`).
    pub fn prefetch<'f, D: Db>(
        self,
        db: &'f mut D,
        rows: &'f [C],
    ) -> crate::Output<'f, D, Result<()>> {
        D::drive(self.prefetch_op(db, rows))
    }

    pub(crate) async fn prefetch_op<D: Db>(self, db: &mut D, rows: &[C]) -> Result<()> {
        crate::prefetch::prefetch_one_type::<C, K, P, D>(db, rows).await
    }
}
