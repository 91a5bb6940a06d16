//! [`RelationFilter`]: the one node behind every filter a descriptor makes, a correlated
//! `[NOT] EXISTS (SELECT 1 FROM <inner> WHERE <correlation> AND (<condition>))` that is a
//! boolean Diesel expression on the outer model's table.
//!
//! - `Article::TAGS.any(c)`: outer `Article`, inner the through model, correlated by the
//!   generic foreign key (content type and object id);
//! - `TaggedItem::ARTICLE.any(c)`: the reverse, outer the through model, inner `Article`;
//! - `TaggedItem::TAG.any(c)`: outer `TaggedItem`, inner `Tag`, correlated by the foreign key.
//!
//! Being an `EXISTS`, a filter never repeats outer rows, combines with `OR` safely, and
//! needs no `allow_tables_to_appear_in_same_query!` between the two tables.

use std::marker::PhantomData;

use contenttypes_core::ir::ModelDef;
use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::query_source::{AppearsInFromClause, Once};
use diesel::sql_types::Bool;
use diesel::QueryResult;

use crate::backend::SupportedBackend;
use crate::model::Model;
use crate::query::Col;
use crate::relation::{walk_join, CtRef, Link};

/// How the inner table's rows relate to the outer row.
#[derive(Clone, Copy)]
pub(crate) enum Correlation {
    /// Through a generic foreign key: `<through>.content_type_id = <ct> AND
    /// <through>.object_id = <parent>.<pk>`, whichever of the two is the outer table.
    Generic {
        link: Link,
        parent: &'static ModelDef,
        ct: CtRef,
    },
    /// Through a foreign key: `<inner>.<pk> = <outer>.<column>`.
    ForeignKey {
        outer: &'static ModelDef,
        column: &'static str,
        inner: &'static ModelDef,
    },
    /// The reverse of a foreign key: `<inner>.<column> = <outer>.<pk>`.
    ReverseForeignKey {
        outer: &'static ModelDef,
        inner: &'static ModelDef,
        column: &'static str,
    },
    /// The model IR was inconsistent (which the derive rules out): rendering fails with
    /// this message instead of panicking.
    Invalid(&'static str),
}

impl Correlation {
    /// The inner table's condition tying its rows to the outer row.
    pub(crate) fn walk<'b, DB: SupportedBackend>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        match self {
            Correlation::Generic { link, parent, ct } => walk_join(out, link, parent, ct),
            Correlation::ForeignKey {
                outer,
                column,
                inner,
            } => {
                Col::of(inner, inner.table.primary_key.as_ref()).walk(out)?;
                out.push_sql(" = ");
                Col::of(outer, column).walk(out)
            }
            Correlation::ReverseForeignKey {
                outer,
                inner,
                column,
            } => {
                Col::of(inner, column).walk(out)?;
                out.push_sql(" = ");
                Col::of(outer, outer.table.primary_key.as_ref()).walk(out)
            }
            Correlation::Invalid(message) => {
                Err(diesel::result::Error::QueryBuilderError((*message).into()))
            }
        }
    }
}

/// A filter on `O`'s table by related rows of `I`, made by the relation and foreign key
/// descriptors (`any`, `none`, `exists`).
pub struct RelationFilter<O, I, E> {
    correlation: Correlation,
    condition: E,
    negated: bool,
    _types: PhantomData<fn() -> (O, I)>,
}

impl<O, I, E> RelationFilter<O, I, E> {
    pub(crate) fn new(correlation: Correlation, condition: E, negated: bool) -> Self {
        RelationFilter {
            correlation,
            condition,
            negated,
            _types: PhantomData,
        }
    }
}

impl<O, I, E: Clone> Clone for RelationFilter<O, I, E> {
    fn clone(&self) -> Self {
        RelationFilter::new(self.correlation, self.condition.clone(), self.negated)
    }
}

impl<O, I, E> Expression for RelationFilter<O, I, E> {
    type SqlType = Bool;
}

impl<O, I, E, GB> ValidGrouping<GB> for RelationFilter<O, I, E> {
    type IsAggregate = is_aggregate::Never;
}

impl<O: Model, I, E, QS> AppearsOnTable<QS> for RelationFilter<O, I, E> where
    QS: AppearsInFromClause<O::Table, Count = Once>
{
}

impl<O: Model, I, E, QS> SelectableExpression<QS> for RelationFilter<O, I, E> where
    QS: AppearsInFromClause<O::Table, Count = Once>
{
}

impl<O, I, E> QueryId for RelationFilter<O, I, E> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<O: Model, I: Model, E, DB> QueryFragment<DB> for RelationFilter<O, I, E>
where
    DB: SupportedBackend,
    E: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(if self.negated {
            "NOT EXISTS (SELECT 1 FROM "
        } else {
            "EXISTS (SELECT 1 FROM "
        });
        out.push_identifier(I::DEF.table.name.as_ref())?;
        out.push_sql(" WHERE ");
        self.correlation.walk(&mut out)?;
        if !self.condition.is_noop(out.backend())? {
            out.push_sql(" AND (");
            self.condition.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(")");
        Ok(())
    }
}
