//! [`Values`]: selected expressions of the rows a [`Filtered`](crate::Filtered) query
//! matches, optionally distinct (Django's `values_list(...)` and `distinct()`), typed by
//! Diesel's `Queryable` of the selection.

use std::marker::PhantomData;

use contenttypes_core::ir::ModelDef;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSqlRow, QueryableByName};
use diesel::expression::{is_aggregate, Expression, SelectableExpression, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::row::NamedRow;
use diesel::QueryResult;

use crate::backend::SupportedBackend;
use crate::conn::Conn;
use crate::db::Db;
use crate::error::Result;
use crate::model::Model;
use crate::query::{Col, Slice};

/// The selection `S` of the rows of `T` matching `E`: made by
/// [`Filtered::values`](crate::Filtered::values). Ordered as the query it comes from (the key
/// last), or, when [`distinct`](Values::distinct), by its order then the selection itself.
pub struct Values<T, E, O, S> {
    query: SelectValues<E, O, S>,
    _model: PhantomData<fn() -> T>,
}

impl<T: Model, E, O, S> Values<T, E, O, S>
where
    S: Expression
        + SelectableExpression<T::Table>
        + ValidGrouping<(), IsAggregate = is_aggregate::No>,
{
    pub(crate) fn new(selection: S, filter: E, order: O, slice: Slice) -> Self {
        Values {
            query: SelectValues {
                model: T::DEF,
                selection,
                filter,
                order,
                slice,
                distinct: false,
            },
            _model: PhantomData,
        }
    }

    /// Each selected value once (`SELECT DISTINCT`, Django's `distinct()`). The rows are then
    /// ordered by the query's order and then by the selection, not by the key; on PostgreSQL
    /// the order may name selected expressions only, as `SELECT DISTINCT` requires there. A
    /// limit or offset of the query applies to the distinct values.
    pub fn distinct(mut self) -> Self {
        self.query.distinct = true;
        self
    }

    /// The selected values, typed by Diesel's `Queryable` of the selection's SQL type
    /// (`String` for a text column, a tuple for a tuple of columns). 1 query.
    pub fn load<'a, U, D: Db>(self, db: &'a mut D) -> crate::Output<'a, D, Result<Vec<U>>>
    where
        U: FromSqlRow<S::SqlType, D::Backend> + Send + 'static,
        S::SqlType: 'static,
        E: QueryFragment<D::Backend> + Send + 'a,
        O: QueryFragment<D::Backend> + Send + 'a,
        S: QueryFragment<D::Backend> + Send + 'a,
    {
        D::drive(self.load_op(db))
    }

    pub(crate) async fn load_op<U, D: Db>(self, db: &mut D) -> Result<Vec<U>>
    where
        U: FromSqlRow<S::SqlType, D::Backend> + Send + 'static,
        S::SqlType: 'static,
        E: QueryFragment<D::Backend> + Send,
        O: QueryFragment<D::Backend> + Send,
        S: QueryFragment<D::Backend> + Send,
    {
        let rows: Vec<Selected<U, S::SqlType>> =
            db.connection_for_read().load_rows(self.query).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

/// A row of [`SelectValues`]: the selection decoded by its `Queryable` for the selection's
/// SQL type `ST` (the statement is sent untyped, as every framework statement is).
struct Selected<U, ST>(U, PhantomData<fn() -> ST>);

impl<DB: Backend, U: FromSqlRow<ST, DB>, ST> QueryableByName<DB> for Selected<U, ST> {
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        Ok(Selected(U::build_from_row(row)?, PhantomData))
    }
}

/// `SELECT [DISTINCT] <selection> FROM <table> [WHERE <filter>] ORDER BY [<order>, ] <key,
/// or the selection when distinct> [LIMIT ? OFFSET ?]`.
#[doc(hidden)]
pub struct SelectValues<E, O, S> {
    model: &'static ModelDef,
    selection: S,
    filter: E,
    order: O,
    slice: Slice,
    distinct: bool,
}

crate::query::statement_node!(impl<E, O, S> for SelectValues<E, O, S>);

impl<DB, E, O, S> QueryFragment<DB> for SelectValues<E, O, S>
where
    DB: SupportedBackend,
    E: QueryFragment<DB>,
    O: QueryFragment<DB>,
    S: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let table = self.model.table.name.as_ref();
        out.push_sql(if self.distinct {
            "SELECT DISTINCT "
        } else {
            "SELECT "
        });
        self.selection.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        out.push_identifier(table)?;
        if !self.filter.is_noop(out.backend())? {
            out.push_sql(" WHERE (");
            self.filter.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(" ORDER BY ");
        if !self.order.is_noop(out.backend())? {
            self.order.walk_ast(out.reborrow())?;
            out.push_sql(", ");
        }
        if self.distinct {
            self.selection.walk_ast(out.reborrow())?;
        } else {
            Col::new(table, self.model.table.primary_key.as_ref()).walk(&mut out)?;
        }
        self.slice.walk(&mut out)
    }
}
