//! Tag filters across models: conditions on a through model's rows, for
//! [`GenericForeignKeyDescriptor::load_targets`](crate::GenericForeignKeyDescriptor::load_targets)
//! (everything tagged so, whatever its model: 1 query for the objects' content types and ids,
//! then 1 per model).

use std::marker::PhantomData;

use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::query_source::{AppearsInFromClause, Once};
use diesel::sql_types::Bool;
use diesel::QueryResult;

use crate::backend::{Binds, SupportedBackend};
use crate::field::Value;
use crate::model::Model;
use crate::query::{Col, Cond};

use super::manager::tag_tables;
use super::names::{compared_names, TagRef};
use super::sql::{TagCondition, TagTables};
use super::{TagModel, TaggedItemModel};

/// Rows of the through model `C` holding **any** of these tags (in any set, on any model).
///
/// ```
/// # include!("../../../src/doctest_tagging.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// use contenttypes::tagging::{tagged_all, tagged_any};
/// let a = Post::insert(&mut conn, NewPost { title: "a".into() })?;
/// a.tags().add(&mut conn, ["rust", "web"])?;
/// let found = TaggedItem::CONTENT_OBJECT.load_targets(&mut conn, tagged_any::<TaggedItem>(["web"]))?;
/// assert_eq!(found[0].downcast_ref::<Post>()?, &a);
/// let found = TaggedItem::CONTENT_OBJECT.load_targets(&mut conn, tagged_all::<TaggedItem>(["web", "go"]))?;
/// assert!(found.is_empty());
/// # Ok(())
/// # }
/// ```
pub fn tagged_any<'t, C: TaggedItemModel>(
    tags: impl IntoIterator<Item = impl Into<TagRef<'t, C::Tag>>>,
) -> TagCondition<C>
where
    C::Tag: 't,
{
    TagCondition::new(
        tag_tables::<C>(),
        None,
        compared_names::<C::Tag, _, _>(tags),
        <C::Tag as TagModel>::CASE_INSENSITIVE,
    )
}

/// Rows of the through model `C` whose object has **all** of these tags: `(<content type>,
/// <object id>) IN (SELECT ... GROUP BY <content type>, <object id> HAVING COUNT(DISTINCT
/// <tag>) = n)`.
pub fn tagged_all<'t, C: TaggedItemModel>(
    tags: impl IntoIterator<Item = impl Into<TagRef<'t, C::Tag>>>,
) -> TaggedObjects<C>
where
    C::Tag: 't,
{
    TaggedObjects::new(compared_names::<C::Tag, _, _>(tags), true, false)
}

/// Rows of the through model `C` whose object has **none** of these tags (objects with no
/// tag at all have no row to find).
pub fn tagged_none<'t, C: TaggedItemModel>(
    tags: impl IntoIterator<Item = impl Into<TagRef<'t, C::Tag>>>,
) -> TaggedObjects<C>
where
    C::Tag: 't,
{
    TaggedObjects::new(compared_names::<C::Tag, _, _>(tags), false, true)
}

/// A condition on a through model's rows by the tags of their object (see [`tagged_all`]
/// and [`tagged_none`]).
pub struct TaggedObjects<C> {
    tables: TagTables,
    names: Cond,
    /// `HAVING COUNT(DISTINCT <tag>) = n`.
    all: Option<i64>,
    negated: bool,
    _through: PhantomData<fn() -> C>,
}

impl<C: TaggedItemModel> TaggedObjects<C> {
    fn new(names: Vec<Value>, all: bool, negated: bool) -> Self {
        let tables = tag_tables::<C>();
        let count = names.len() as i64;
        let column = Col::of(tables.tag, tables.name_column);
        TaggedObjects {
            tables,
            names: if <C::Tag as TagModel>::CASE_INSENSITIVE {
                Cond::InLower(column, names)
            } else {
                Cond::In(column, names)
            },
            all: all.then_some(count),
            negated,
            _through: PhantomData,
        }
    }
}

impl<C> Clone for TaggedObjects<C> {
    fn clone(&self) -> Self {
        TaggedObjects {
            tables: self.tables,
            names: self.names.clone(),
            all: self.all,
            negated: self.negated,
            _through: PhantomData,
        }
    }
}

impl<C> Expression for TaggedObjects<C> {
    type SqlType = Bool;
}

impl<C, GB> ValidGrouping<GB> for TaggedObjects<C> {
    type IsAggregate = is_aggregate::Never;
}

impl<C: Model, QS> AppearsOnTable<QS> for TaggedObjects<C> where
    QS: AppearsInFromClause<C::Table, Count = Once>
{
}

impl<C: Model, QS> SelectableExpression<QS> for TaggedObjects<C> where
    QS: AppearsInFromClause<C::Table, Count = Once>
{
}

impl<C> QueryId for TaggedObjects<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// The alias of the through table inside the subquery.
const INNER: &str = "__tagged";

impl<C: Model, DB: SupportedBackend> QueryFragment<DB> for TaggedObjects<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let t = &self.tables;
        let gfk = C::DEF.generic_foreign_keys.first().ok_or_else(|| {
            diesel::result::Error::QueryBuilderError(
                "a tagged-item model without a generic foreign key".into(),
            )
        })?;
        let (ct, oid) = (gfk.ct_column.as_ref(), gfk.fk_column.as_ref());
        let through = t.through.table.name.as_ref();
        if self.names.varies::<DB>() {
            out.unsafe_to_cache_prepared();
        }
        if self.negated {
            out.push_sql("NOT ");
        }
        out.push_sql("((");
        Col::new(through, ct).walk(&mut out)?;
        out.push_sql(", ");
        Col::new(through, oid).walk(&mut out)?;
        out.push_sql(") IN (SELECT ");
        Col::new(INNER, ct).walk(&mut out)?;
        out.push_sql(", ");
        Col::new(INNER, oid).walk(&mut out)?;
        out.push_sql(" FROM ");
        out.push_identifier(through)?;
        out.push_sql(" AS ");
        out.push_identifier(INNER)?;
        out.push_sql(" WHERE ");
        Col::new(INNER, t.tag_column).walk(&mut out)?;
        out.push_sql(" IN (SELECT ");
        t.tag_pk().walk(&mut out)?;
        out.push_sql(" FROM ");
        out.push_identifier(t.tag.table.name.as_ref())?;
        out.push_sql(" WHERE ");
        self.names.walk(&mut out)?;
        out.push_sql(")");
        if let Some(count) = &self.all {
            out.push_sql(" GROUP BY ");
            Col::new(INNER, ct).walk(&mut out)?;
            out.push_sql(", ");
            Col::new(INNER, oid).walk(&mut out)?;
            out.push_sql(" HAVING COUNT(DISTINCT ");
            Col::new(INNER, t.tag_column).walk(&mut out)?;
            out.push_sql(") = ");
            <DB as Binds<i64>>::bind(&mut out, count)?;
        }
        out.push_sql("))");
        Ok(())
    }
}
