//! One value of an object's related rows as a Diesel expression on the object's table: a
//! correlated scalar subquery, `(SELECT MIN(<through column>) FROM <through> WHERE <content
//! type and object id match>)`. Ordering by it is Django's `order_by("tags__id")` (C.53)
//! without the join's duplicates: every object comes once, objects with no related row
//! get NULL, and rows of another model with the same key never count.

use std::marker::PhantomData;

use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::query_source::{AppearsInFromClause, Column, Once};
use diesel::sql_types::{BigInt, IntoNullable};
use diesel::QueryResult;

use crate::backend::SupportedBackend;
use crate::filter::Correlation;
use crate::gfk::GenericForeignKeyField;
use crate::model::Model;

use super::*;

/// A value of the related rows of each `P` row, as an expression on `P`'s table (made by
/// [`GenericRelationDescriptor::min`], [`GenericRelationDescriptor::max`] and
/// [`GenericRelationDescriptor::count`]): use it in `order_by`, `select` or `filter`,
/// in this crate's queries or Diesel's.
pub struct RelatedScalar<P, C, ST> {
    correlation: Correlation,
    function: &'static str,
    /// The through column, or `None` for `COUNT(*)`.
    column: Option<&'static str>,
    _types: PhantomData<Types<P, C, ST>>,
}

/// The expression's type parameters, for variance and auto traits only.
type Types<P, C, ST> = fn() -> (P, C, ST);

impl<P, C, ST> Clone for RelatedScalar<P, C, ST> {
    fn clone(&self) -> Self {
        RelatedScalar {
            correlation: self.correlation,
            function: self.function,
            column: self.column,
            _types: PhantomData,
        }
    }
}

impl<P, C, const K: u64> GenericRelationDescriptor<P, C, K>
where
    P: Model,
    C: GenericForeignKeyField<K>,
{
    fn scalar<ST>(
        self,
        function: &'static str,
        column: Option<&'static str>,
    ) -> RelatedScalar<P, C, ST> {
        RelatedScalar {
            correlation: generic_correlation::<P, C, K>(),
            function,
            column,
            _types: PhantomData,
        }
    }

    /// The smallest value of `column` (a column of the through model's table) among each
    /// object's related rows; NULL when it has none. Ordering by it is Django's
    /// `order_by("tags__id")`, with every object once.
    ///
    /// ```
    /// # include!("../../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// use diesel::prelude::*;
    /// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// let (a, b) = (
    ///     Article::insert(&mut conn, NewArticle { title: "a".into() })?,
    ///     Article::insert(&mut conn, NewArticle { title: "b".into() })?,
    /// );
    /// b.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
    /// a.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
    /// let by_first_tag = Article::filter(contenttypes::NoFilter)
    ///     .order_by(Article::TAGS.min(tagging_taggeditem::id))
    ///     .load(&mut conn)?;
    /// assert_eq!(by_first_tag, [b, a]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn min<Col>(
        self,
        column: Col,
    ) -> RelatedScalar<P, C, <Col::SqlType as IntoNullable>::Nullable>
    where
        Col: Column<Table = C::Table>,
        Col::SqlType: IntoNullable,
    {
        let _ = column;
        self.scalar("MIN(", Some(Col::NAME))
    }

    /// The largest value of `column` among each object's related rows; NULL when it has
    /// none.
    pub fn max<Col>(
        self,
        column: Col,
    ) -> RelatedScalar<P, C, <Col::SqlType as IntoNullable>::Nullable>
    where
        Col: Column<Table = C::Table>,
        Col::SqlType: IntoNullable,
    {
        let _ = column;
        self.scalar("MAX(", Some(Col::NAME))
    }

    /// How many related rows each object has (0 for none), as an expression: order objects
    /// by their number of tags, or filter on it, with no `GROUP BY`.
    pub fn count(self) -> RelatedScalar<P, C, BigInt> {
        self.scalar("COUNT(", None)
    }
}

impl<P, C, ST: diesel::expression::TypedExpressionType> Expression for RelatedScalar<P, C, ST> {
    type SqlType = ST;
}

impl<P, C, ST, GB> ValidGrouping<GB> for RelatedScalar<P, C, ST> {
    type IsAggregate = is_aggregate::Never;
}

impl<P: Model, C, ST, QS> AppearsOnTable<QS> for RelatedScalar<P, C, ST>
where
    Self: Expression,
    QS: AppearsInFromClause<P::Table, Count = Once>,
{
}

impl<P: Model, C, ST, QS> SelectableExpression<QS> for RelatedScalar<P, C, ST>
where
    Self: Expression,
    QS: AppearsInFromClause<P::Table, Count = Once>,
{
}

impl<P, C, ST> QueryId for RelatedScalar<P, C, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<P: Model, C: Model, ST, DB: SupportedBackend> QueryFragment<DB> for RelatedScalar<P, C, ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let table = C::DEF.table.name.as_ref();
        out.push_sql("(SELECT ");
        out.push_sql(self.function);
        match self.column {
            Some(column) => crate::query::Col::new(table, column).walk(&mut out)?,
            None => out.push_sql("*"),
        }
        out.push_sql(") FROM ");
        out.push_identifier(table)?;
        out.push_sql(" WHERE ");
        self.correlation.walk(&mut out)?;
        out.push_sql(")");
        Ok(())
    }
}
