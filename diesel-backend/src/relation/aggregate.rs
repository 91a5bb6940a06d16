//! Aggregates of related rows per parent (`annotate`): a `LEFT JOIN` with the content type
//! in the `ON` clause, grouped by parent.

use std::marker::PhantomData;

use contenttypes_core::ddl::Dialect;
use contenttypes_core::ir::ModelDef;
use contenttypes_core::keys::ObjectIdFor;
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::{QueryResult, RunQueryDsl};

use crate::backend::{Binds, SupportedBackend};
use crate::columns::RowRef;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::field::{FieldType, RowReader};
use crate::gfk::GenericForeignKeyField;
use crate::model::Model;
use crate::query::Col;

use super::*;

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
    /// `= n`
    Eq(i64),
    /// `<> n`
    Ne(i64),
    /// `> n`
    Gt(i64),
    /// `>= n`
    Ge(i64),
    /// `< n`
    Lt(i64),
    /// `<= n`
    Le(i64),
}

impl Having {
    /// The comparison operator and its operand, or `None` for the NULL tests.
    fn comparison(&self) -> Option<(&'static str, &i64)> {
        Some(match self {
            Having::IsNull | Having::IsNotNull => return None,
            Having::Eq(v) => (" = ", v),
            Having::Ne(v) => (" <> ", v),
            Having::Gt(v) => (" > ", v),
            Having::Ge(v) => (" >= ", v),
            Having::Lt(v) => (" < ", v),
            Having::Le(v) => (" <= ", v),
        })
    }
}

/// `SELECT <parent>.*, <aggregate> FROM <parent> LEFT JOIN <through> ON (<content type and
/// object id match>) WHERE <filter> GROUP BY <parent columns> [HAVING ...] ORDER BY
/// <parent key>`: made by [`GenericRelationDescriptor::annotate`].
pub struct Annotate<P, C, const K: u64, F> {
    pub(super) aggregate: Aggregate,
    pub(super) filter: F,
    pub(super) having: Option<Having>,
    pub(super) _types: PhantomData<fn() -> (P, C)>,
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
            match having.comparison() {
                Some((operator, value)) => {
                    out.push_sql(operator);
                    <DB as Binds<i64>>::bind(&mut out, value)?;
                }
                None if *having == Having::IsNull => out.push_sql(" IS NULL"),
                None => out.push_sql(" IS NOT NULL"),
            }
        }
        out.push_sql(" ORDER BY ");
        Col::new(table, parent.table.primary_key.as_ref()).walk(&mut out)?;
        Ok(())
    }
}

/// `SELECT COUNT(<through key>) FROM <parent> LEFT OUTER JOIN <through> ON (...)`.
pub(super) struct AggregateAll<'a> {
    pub(super) link: &'a Link,
    pub(super) parent: &'static ModelDef,
    pub(super) ct: CtRef,
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
