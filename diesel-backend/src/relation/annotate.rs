//! [`Annotate`]: parents with an aggregate of their related rows (Django's `annotate`), over a
//! generic relation (`Article::TAGS.annotate(Count)`) or a reverse foreign key
//! (`TaggedItem::TAG.annotate(Count)`: tags with the number of items pointing at each).

use std::marker::PhantomData;

use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;

use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::error::Result;
use crate::model::Model;
use crate::query::{NoFilter, Slice};

use super::aggregate::{AnnotateQuery, Annotated, Join};
use super::*;

/// How the parent reaches its related rows, resolved when the query runs.
#[derive(Clone, Copy)]
enum Source {
    /// A generic relation: its link, and the parent's content type to look up.
    Generic(fn() -> Result<Link>),
    /// A reverse foreign key: the related table's column referencing the parent's key.
    ForeignKey(&'static str),
}

/// Every row of `P` with an aggregate `A` of its related rows of `R` (Django's
/// `annotate`): one query, `SELECT <P>.*, <aggregate> FROM <P> LEFT OUTER JOIN <R> ON (...)
/// GROUP BY <P columns>`, ordered by `P`'s key unless ordered by the aggregate. Made by
/// [`GenericRelationDescriptor::annotate`] and
/// [`ForeignKeyDescriptor::annotate`](crate::ForeignKeyDescriptor::annotate).
///
/// Restricting the related rows, as Django does:
/// - [`Annotate::filter_related`]: Django's `filter(<relation>__...)` before `annotate`: an
///   `INNER JOIN` with the condition in `WHERE`; parents with no matching row are left out.
/// - [`Annotate::aggregate_filter`]: Django's `Count(<relation>, filter=Q(...))`: the
///   condition in the `LEFT JOIN`'s `ON`; every parent is kept (a count of 0).
///
/// ```
/// # include!("../../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// use contenttypes::{Count, Direction};
/// use diesel::prelude::*;
/// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
/// let go = Tag::insert(&mut conn, NewTag { name: "go".into() })?;
/// for title in ["a", "b"] {
///     let article = Article::insert(&mut conn, NewArticle { title: title.into() })?;
///     article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
/// }
/// // The most common tags of articles: one query.
/// let ct = ContentType::for_model::<Article>(&mut conn)?.id;
/// let common = TaggedItem::TAG
///     .annotate(Count)
///     .filter_related(tagging_taggeditem::content_type_id.eq(ct))
///     .order_by_aggregate(Direction::Desc)
///     .limit(10)
///     .load(&mut conn)?;
/// assert_eq!(common, [(rust.clone(), 2)]);
/// // Every tag, with 0 for a tag on no article.
/// let all = TaggedItem::TAG.annotate(Count).load(&mut conn)?;
/// assert_eq!(all, [(rust, 2), (go, 0)]);
/// # Ok(())
/// # }
/// ```
pub struct Annotate<P, R, A, F = NoFilter, W = NoFilter> {
    source: Source,
    aggregate: A,
    filter: F,
    related_filter: W,
    inner: bool,
    having: Option<Having>,
    order: Option<Direction>,
    slice: Slice,
    _types: PhantomData<fn() -> (P, R)>,
}

impl<P: Model, R: Model, A: AggregateKind<R::Table>> Annotate<P, R, A> {
    /// Over a generic relation: used by [`GenericRelationDescriptor::annotate`].
    pub(super) fn generic(link: fn() -> Result<Link>, aggregate: A) -> Self {
        Self::new(Source::Generic(link), aggregate)
    }

    /// Over the foreign key `column` of `R` referencing `P`.
    pub(crate) fn foreign_key(column: &'static str, aggregate: A) -> Self {
        Self::new(Source::ForeignKey(column), aggregate)
    }

    fn new(source: Source, aggregate: A) -> Self {
        Annotate {
            source,
            aggregate,
            filter: NoFilter,
            related_filter: NoFilter,
            inner: false,
            having: None,
            order: None,
            slice: Slice::default(),
            _types: PhantomData,
        }
    }
}

impl<P, R, A, F, W> Annotate<P, R, A, F, W>
where
    P: Model,
    R: Model,
    A: AggregateKind<R::Table>,
{
    /// Only parents matching a Diesel expression on `P`'s table.
    pub fn filter<E>(self, filter: E) -> Annotate<P, R, A, E, W>
    where
        E: Expression + AppearsOnTable<P::Table>,
    {
        Annotate {
            source: self.source,
            aggregate: self.aggregate,
            filter,
            related_filter: self.related_filter,
            inner: self.inner,
            having: self.having,
            order: self.order,
            slice: self.slice,
            _types: PhantomData,
        }
    }

    /// Only related rows matching a Diesel expression on `R`'s table, and only parents with
    /// at least one: Django's `P.objects.filter(<relation>__<condition>).annotate(...)`, an
    /// `INNER JOIN` with the condition in `WHERE`. Replaces an
    /// [`aggregate_filter`](Annotate::aggregate_filter).
    pub fn filter_related<E>(self, condition: E) -> Annotate<P, R, A, F, E>
    where
        E: Expression + AppearsOnTable<R::Table>,
    {
        self.related(condition, true)
    }

    /// Only related rows matching a Diesel expression on `R`'s table are aggregated; every
    /// parent is kept: Django's `Count(<relation>, filter=Q(<condition>))`, the condition in
    /// the `LEFT JOIN`'s `ON`. Replaces a [`filter_related`](Annotate::filter_related).
    pub fn aggregate_filter<E>(self, condition: E) -> Annotate<P, R, A, F, E>
    where
        E: Expression + AppearsOnTable<R::Table>,
    {
        self.related(condition, false)
    }

    fn related<E>(self, related_filter: E, inner: bool) -> Annotate<P, R, A, F, E> {
        Annotate {
            source: self.source,
            aggregate: self.aggregate,
            filter: self.filter,
            related_filter,
            inner,
            having: self.having,
            order: self.order,
            slice: self.slice,
            _types: PhantomData,
        }
    }

    /// Only parents whose aggregate matches (`HAVING`).
    pub fn having(mut self, having: Having) -> Self {
        self.having = Some(having);
        self
    }

    /// Orders by the aggregate (Django's `order_by("-n")`), then by `P`'s key. A NULL
    /// aggregate (a sum over no rows) comes last on every backend.
    pub fn order_by_aggregate(mut self, direction: Direction) -> Self {
        self.order = Some(direction);
        self
    }

    /// At most `n` parents (Django's slicing, `[:n]`).
    pub fn limit(mut self, n: i64) -> Self {
        self.slice.limit = Some(n);
        self
    }

    /// Skips the first `n` parents (Django's slicing, `[n:]`).
    pub fn offset(mut self, n: i64) -> Self {
        self.slice.offset = Some(n);
        self
    }

    /// The parents with their aggregate, in order. 1 query (plus the content type's lookup
    /// over a generic relation, until it is cached).
    #[allow(clippy::type_complexity)] // the type users read: each parent with its aggregate
    pub fn load<'f, D: Db>(self, db: &'f mut D) -> crate::Output<'f, D, Result<Vec<(P, A::Output)>>>
    where
        A: Send + 'f,
        A::Output: Send + 'f,
        F: QueryFragment<D::Backend> + Send + Sync + 'f,
        W: QueryFragment<D::Backend> + Send + Sync + 'f,
    {
        D::drive(self.load_op(db))
    }

    pub(crate) async fn load_op<D: Db>(self, db: &mut D) -> Result<Vec<(P, A::Output)>>
    where
        F: QueryFragment<D::Backend> + Sync,
        W: QueryFragment<D::Backend> + Sync,
    {
        let join = match self.source {
            Source::Generic(link) => Join::Generic {
                link: link()?,
                ct: CtRef::Id(ContentType::id_for_model_op::<P, _>(db).await?),
            },
            Source::ForeignKey(column) => Join::ForeignKey { column },
        };
        let query = AnnotateQuery {
            parent: P::DEF,
            related: R::DEF,
            join,
            inner: self.inner,
            function: self.aggregate.__function(),
            filter: &self.filter,
            related_filter: &self.related_filter,
            having: self.having,
            order: self.order,
            slice: self.slice,
        };
        let rows: Vec<Annotated<P>> = db.connection_for_read().load_rows(query).await?;
        Ok(rows.into_iter().map(|r| (r.0, A::__output(r.1))).collect())
    }
}
