//! Typed aggregates of related rows ([`Count`], [`Sum`], [`Max`], [`Min`]), the conditions
//! on them ([`Having`]) and the one SQL node that renders them per parent row, for generic
//! relations and reverse foreign keys alike (see [`Annotate`](super::Annotate)).

use contenttypes_core::ddl::Dialect;
use contenttypes_core::ir::ModelDef;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{BigInt, Integer, Nullable, SmallInt};
use diesel::{Column, QueryResult};

use crate::backend::{Binds, SupportedBackend};
use crate::columns::RowRef;
use crate::field::{FieldType, RowReader};
use crate::model::Model;
use crate::query::{Col, Slice};

use super::*;

mod sealed {
    pub trait Sealed {}
}

/// An aggregate of the related rows of table `T` per parent: [`Count`], [`Sum`], [`Max`] or
/// [`Min`], whose [`Output`](AggregateKind::Output) is the type each parent gets.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an aggregate of the rows of `{T}`",
    label = "not an aggregate of the related table",
    note = "aggregate an integer column of the related model's table: `Sum(<related table>::<column>)`"
)]
pub trait AggregateKind<T>: sealed::Sealed + Copy {
    /// What each parent gets: `i64` for [`Count`], `Option<i64>` for the others (`None`
    /// when the parent has no related row).
    type Output;

    /// The SQL function and its column (`None`: the related table's key).
    #[doc(hidden)]
    fn __function(&self) -> (&'static str, Option<&'static str>);

    /// The output from the value read (NULL is `None`).
    #[doc(hidden)]
    fn __output(value: Option<i64>) -> Self::Output;
}

/// `COUNT(<related key>)`: the number of related rows, 0 for a parent with none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count;

/// `SUM(<column>)` of an integer column of the related table: `None` for a parent with no
/// related row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sum<C>(pub C);

/// `MAX(<column>)` of an integer column of the related table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Max<C>(pub C);

/// `MIN(<column>)` of an integer column of the related table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Min<C>(pub C);

impl sealed::Sealed for Count {}

impl<T> AggregateKind<T> for Count {
    type Output = i64;

    fn __function(&self) -> (&'static str, Option<&'static str>) {
        ("COUNT", None)
    }

    fn __output(value: Option<i64>) -> i64 {
        value.unwrap_or(0)
    }
}

/// The integer SQL types [`Sum`], [`Max`] and [`Min`] take.
pub trait IntegerSqlType: sealed::Sealed {}

impl sealed::Sealed for SmallInt {}
impl sealed::Sealed for Integer {}
impl sealed::Sealed for BigInt {}
impl<S: IntegerSqlType> sealed::Sealed for Nullable<S> {}
impl IntegerSqlType for SmallInt {}
impl IntegerSqlType for Integer {}
impl IntegerSqlType for BigInt {}
impl<S: IntegerSqlType> IntegerSqlType for Nullable<S> {}

macro_rules! column_aggregate {
    ($($name:ident => $function:literal),*) => {$(
        impl<C> sealed::Sealed for $name<C> {}

        impl<T, C> AggregateKind<T> for $name<C>
        where
            C: Column<Table = T> + Copy,
            C::SqlType: IntegerSqlType,
        {
            type Output = Option<i64>;

            fn __function(&self) -> (&'static str, Option<&'static str>) {
                ($function, Some(C::NAME))
            }

            fn __output(value: Option<i64>) -> Option<i64> {
                value
            }
        }
    )*};
}

column_aggregate!(Sum => "SUM", Max => "MAX", Min => "MIN");

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

/// The direction of an ordering by the aggregate
/// ([`Annotate::order_by_aggregate`](super::Annotate::order_by_aggregate)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

/// How the related rows join their parent.
#[derive(Clone, Copy)]
pub(super) enum Join {
    /// Through a generic foreign key: content type and object id.
    Generic { link: Link, ct: CtRef },
    /// Through the foreign key `column` of the related table, referencing the parent's key.
    ForeignKey { column: &'static str },
}

/// A parent row followed by one aggregate column.
pub(super) struct Annotated<P>(pub(super) P, pub(super) Option<i64>);

impl<DB: SupportedBackend, P: Model> diesel::deserialize::QueryableByName<DB> for Annotated<P> {
    fn build<'a>(row: &impl diesel::row::NamedRow<'a, DB>) -> diesel::deserialize::Result<Self> {
        let reader = RowRef::<_, DB>::new(row);
        let object = P::__read(&reader)?;
        let aggregate =
            i64::__read_nullable(&reader as &dyn RowReader, P::DEF.table.columns.len())?;
        Ok(Annotated(object, aggregate))
    }
}

/// `SELECT <parent>.*, <aggregate> FROM <parent> {LEFT OUTER | INNER} JOIN <related> ON
/// (<join> [AND <related filter>]) [WHERE <filter> [AND <related filter>]] GROUP BY <parent
/// columns> [HAVING ...] ORDER BY [<aggregate> <direction>,] <parent key> [LIMIT ? OFFSET ?]`.
pub(super) struct AnnotateQuery<'a, F, W> {
    pub(super) parent: &'static ModelDef,
    pub(super) related: &'static ModelDef,
    pub(super) join: Join,
    /// `INNER JOIN` with the related filter in `WHERE`, else `LEFT OUTER JOIN` with it in `ON`.
    pub(super) inner: bool,
    pub(super) function: (&'static str, Option<&'static str>),
    pub(super) filter: &'a F,
    pub(super) related_filter: &'a W,
    pub(super) having: Option<Having>,
    pub(super) order: Option<Direction>,
    pub(super) slice: Slice,
}

crate::query::statement_node!(impl<'a, F, W> for AnnotateQuery<'a, F, W>);

/// `COUNT(<related key>)`, or `CAST(SUM(<column>) AS BIGINT)`: the one place an aggregate is
/// rendered. SUM returns NUMERIC on PostgreSQL and DECIMAL on MySQL, hence the cast back to a
/// 64-bit integer.
fn walk_aggregate<DB: SupportedBackend>(
    out: &mut AstPass<'_, '_, DB>,
    related: &'static ModelDef,
    (function, column): (&'static str, Option<&'static str>),
) -> QueryResult<()> {
    let cast = column.is_some();
    if cast {
        out.push_sql("CAST(");
    }
    out.push_sql(function);
    out.push_sql("(");
    Col::of(
        related,
        column.unwrap_or(related.table.primary_key.as_ref()),
    )
    .walk(out)?;
    out.push_sql(")");
    if cast {
        out.push_sql(match DB::DIALECT {
            Dialect::Mysql => " AS SIGNED)",
            _ => " AS BIGINT)",
        });
    }
    Ok(())
}

fn walk_parent_columns<DB: SupportedBackend>(
    out: &mut AstPass<'_, '_, DB>,
    parent: &'static ModelDef,
) -> QueryResult<()> {
    let table = parent.table.name.as_ref();
    for (i, c) in parent.table.columns.iter().enumerate() {
        if i > 0 {
            out.push_sql(", ");
        }
        Col::new(table, c.name.as_ref()).walk(out)?;
    }
    Ok(())
}

impl<DB, F, W> QueryFragment<DB> for AnnotateQuery<'_, F, W>
where
    DB: SupportedBackend,
    F: QueryFragment<DB>,
    W: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let parent = self.parent;
        let table = parent.table.name.as_ref();
        out.push_sql("SELECT ");
        walk_parent_columns(&mut out, parent)?;
        out.push_sql(", ");
        walk_aggregate(&mut out, self.related, self.function)?;
        out.push_sql(" FROM ");
        out.push_identifier(table)?;
        out.push_sql(if self.inner {
            " INNER JOIN "
        } else {
            " LEFT OUTER JOIN "
        });
        out.push_identifier(self.related.table.name.as_ref())?;
        out.push_sql(" ON (");
        match &self.join {
            Join::Generic { link, ct } => walk_join(&mut out, link, parent, ct)?,
            Join::ForeignKey { column } => {
                Col::of(self.related, column).walk(&mut out)?;
                out.push_sql(" = ");
                Col::new(table, parent.table.primary_key.as_ref()).walk(&mut out)?;
            }
        }
        let has_filter = !self.filter.is_noop(out.backend())?;
        let has_related = !self.related_filter.is_noop(out.backend())?;
        if has_related && !self.inner {
            out.push_sql(" AND (");
            self.related_filter.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(")");
        let mut conditions = vec![];
        if has_filter {
            conditions.push(self.filter as &dyn QueryFragment<DB>);
        }
        if has_related && self.inner {
            conditions.push(self.related_filter);
        }
        for (i, condition) in conditions.into_iter().enumerate() {
            out.push_sql(if i == 0 { " WHERE (" } else { " AND (" });
            condition.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(" GROUP BY ");
        walk_parent_columns(&mut out, parent)?;
        if let Some(having) = &self.having {
            out.push_sql(" HAVING ");
            walk_aggregate(&mut out, self.related, self.function)?;
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
        if let Some(direction) = self.order {
            if self.function.1.is_some() {
                // NULL aggregates (no related row to sum) last on every backend.
                walk_aggregate(&mut out, self.related, self.function)?;
                out.push_sql(" IS NULL, ");
            }
            walk_aggregate(&mut out, self.related, self.function)?;
            out.push_sql(match direction {
                Direction::Asc => " ASC, ",
                Direction::Desc => " DESC, ",
            });
        }
        Col::new(table, parent.table.primary_key.as_ref()).walk(&mut out)?;
        self.slice.walk(&mut out)
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
        walk_aggregate(&mut out, self.link.through, ("COUNT", None))?;
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
