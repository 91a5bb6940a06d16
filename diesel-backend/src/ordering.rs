//! `NULLS FIRST` / `NULLS LAST` on every backend: [`nulls_first`] and [`nulls_last`] wrap a
//! column's `asc()` or `desc()` into an ordering expression for
//! [`Filtered::order_by`](crate::Filtered::order_by),
//! [`RelatedQuery::order_by`](crate::RelatedQuery::order_by) or Diesel's own `order`.
//!
//! PostgreSQL and SQLite (3.30 and later) say `NULLS FIRST`/`NULLS LAST`; MySQL and MariaDB
//! have no such clause, so there the NULL test orders first: `col IS NULL DESC, col ASC`.

use diesel::expression::expression_types::NotSelectable;
use diesel::expression::{AppearsOnTable, Expression, ValidGrouping};
use diesel::helper_types::{Asc, Desc};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::{Column, QueryResult};

use contenttypes_core::ddl::Dialect;

use crate::backend::SupportedBackend;

mod sealed {
    pub trait Sealed {}
}

/// A column's ascending or descending order (`column.asc()`, `column.desc()`), which
/// [`nulls_first`] and [`nulls_last`] take.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a column's `asc()` or `desc()`",
    note = "write `nulls_first(column.asc())` or `nulls_last(column.desc())`"
)]
pub trait OrderTerm: sealed::Sealed {
    /// The ordered column.
    type Column: Column + Default;
}

impl<C> sealed::Sealed for Asc<C> {}
impl<C> sealed::Sealed for Desc<C> {}

impl<C: Column + Default> OrderTerm for Asc<C> {
    type Column = C;
}

impl<C: Column + Default> OrderTerm for Desc<C> {
    type Column = C;
}

/// An ordering with its NULLs placed first or last: made by [`nulls_first`] and
/// [`nulls_last`].
#[derive(Clone, Copy, Debug)]
pub struct Nulls<O: OrderTerm> {
    order: O,
    column: O::Column,
    first: bool,
}

/// `order NULLS FIRST` on every backend (emulated on MySQL/MariaDB).
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// use contenttypes::{nulls_first, nulls_last};
/// use diesel::prelude::*;
/// for title in ["b", "a"] {
///     Article::insert(&mut conn, NewArticle { title: title.into() })?;
/// }
/// let titles = |rows: Vec<Article>| rows.into_iter().map(|a| a.title).collect::<Vec<_>>();
/// let asc = Article::filter(blog_article::id.gt(0)).order_by(nulls_first(blog_article::title.asc()));
/// assert_eq!(titles(asc.load(&mut conn)?), ["a", "b"]);
/// let desc = Article::filter(blog_article::id.gt(0)).order_by(nulls_last(blog_article::title.desc()));
/// assert_eq!(titles(desc.load(&mut conn)?), ["b", "a"]);
/// # Ok(())
/// # }
/// ```
pub fn nulls_first<O: OrderTerm>(order: O) -> Nulls<O> {
    Nulls {
        order,
        column: O::Column::default(),
        first: true,
    }
}

/// `order NULLS LAST` on every backend (emulated on MySQL/MariaDB). See [`nulls_first`].
pub fn nulls_last<O: OrderTerm>(order: O) -> Nulls<O> {
    Nulls {
        order,
        column: O::Column::default(),
        first: false,
    }
}

impl<O: OrderTerm> Expression for Nulls<O> {
    type SqlType = NotSelectable;
}

impl<O: OrderTerm + AppearsOnTable<QS>, QS: ?Sized> AppearsOnTable<QS> for Nulls<O> {}

impl<O: OrderTerm + ValidGrouping<GB>, GB> ValidGrouping<GB> for Nulls<O> {
    type IsAggregate = O::IsAggregate;
}

impl<O: OrderTerm> QueryId for Nulls<O> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB, O> QueryFragment<DB> for Nulls<O>
where
    DB: SupportedBackend,
    O: OrderTerm + QueryFragment<DB>,
    O::Column: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if DB::DIALECT == Dialect::Mysql {
            // `IS NULL` is 1 for NULLs: descending puts them first.
            self.column.walk_ast(out.reborrow())?;
            out.push_sql(if self.first {
                " IS NULL DESC, "
            } else {
                " IS NULL ASC, "
            });
            return self.order.walk_ast(out);
        }
        self.order.walk_ast(out.reborrow())?;
        out.push_sql(if self.first {
            " NULLS FIRST"
        } else {
            " NULLS LAST"
        });
        Ok(())
    }
}
