//! [`Filtered`]: the rows of a model matching a Diesel expression (Django's `QuerySet` of
//! `Model.objects.filter(...)`), ordered, sliced, loaded, counted, deleted or narrowed to
//! [`Values`]. Made by [`Objects::filter`](crate::objects::Objects::filter).

use std::marker::PhantomData;

use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::query_builder::QueryFragment;

use crate::conn::Conn;
use crate::db::Db;
use crate::delete::{self, Deleted};
use crate::error::Result;
use crate::field::Scalar;
use crate::model::{Loaded, Model};
use crate::query::{Cond, Count, Select, Slice};
use crate::values::Values;

/// The rows of `T` matching an expression: made by [`Objects::filter`]. Ordered by key unless
/// [`Filtered::order_by`] says otherwise (the key then breaks ties), and sliced by
/// [`Filtered::limit`] and [`Filtered::offset`].
pub struct Filtered<T, E, O = ()> {
    expression: E,
    order: O,
    slice: Slice,
    _model: PhantomData<fn() -> T>,
}

impl<T: Model, E> Filtered<T, E> {
    pub(crate) fn new(expression: E) -> Self {
        Filtered {
            expression,
            order: (),
            slice: Slice::default(),
            _model: PhantomData,
        }
    }
}

impl<T: Model, E, O> Filtered<T, E, O> {
    /// Orders the rows by Diesel ordering expressions on the model's table (Django's
    /// `order_by`): a column, `column.desc()`, or a tuple of them; the key comes last, so the
    /// order is total. A column of another table does not compile.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// use diesel::prelude::*;
    /// for name in ["go", "rust", "zig", "c"] {
    ///     Tag::insert(&mut conn, NewTag { name: name.into() })?;
    /// }
    /// let page = Tag::filter(tagging_tag::name.ne("c"))
    ///     .order_by(tagging_tag::name.desc())
    ///     .limit(2)
    ///     .offset(1)
    ///     .load(&mut conn)?;
    /// assert_eq!(page.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["rust", "go"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn order_by<P>(self, order: P) -> Filtered<T, E, P>
    where
        P: Expression + AppearsOnTable<T::Table>,
    {
        Filtered {
            expression: self.expression,
            order,
            slice: self.slice,
            _model: PhantomData,
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

    /// The values of a Diesel expression on the model's table (a column or a tuple of
    /// them) for the matching rows, instead of the rows (Django's `values_list`), in the same
    /// order and slice; [`Values::distinct`] keeps each once. Typed by Diesel's `Queryable`
    /// of the selection.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// use diesel::prelude::*;
    /// for title in ["b", "a", "b"] {
    ///     Article::insert(&mut conn, NewArticle { title: title.into() })?;
    /// }
    /// let titles: Vec<String> = Article::filter(blog_article::title.ne("c"))
    ///     .values(blog_article::title)
    ///     .distinct()
    ///     .load(&mut conn)?;
    /// assert_eq!(titles, ["a", "b"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn values<S>(self, selection: S) -> Values<T, E, O, S>
    where
        S: Expression
            + SelectableExpression<T::Table>
            + ValidGrouping<(), IsAggregate = is_aggregate::No>,
    {
        Values::new(selection, self.expression, self.order, self.slice)
    }

    fn select(self) -> Select<E, O> {
        let mut query = Select::new(T::DEF, Cond::True)
            .with_extra(self.expression)
            .with_order(self.order);
        self.slice.apply(&mut query);
        query
    }

    /// The matching rows, in order. 1 query.
    pub fn load<'a, D: Db>(self, db: &'a mut D) -> crate::Output<'a, D, Result<Vec<T>>>
    where
        E: QueryFragment<D::Backend> + Send + 'a,
        O: QueryFragment<D::Backend> + Send + 'a,
    {
        D::drive(self.load_op(db))
    }

    pub(crate) async fn load_op<D: Db>(self, db: &mut D) -> Result<Vec<T>>
    where
        E: QueryFragment<D::Backend> + Send,
        O: QueryFragment<D::Backend> + Send,
    {
        let rows: Vec<Loaded<T>> = db.connection_for_read().load_rows(self.select()).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The first matching row, in order. 1 query.
    pub fn first<'a, D: Db>(self, db: &'a mut D) -> crate::Output<'a, D, Result<Option<T>>>
    where
        E: QueryFragment<D::Backend> + Send + 'a,
        O: QueryFragment<D::Backend> + Send + 'a,
    {
        D::drive(self.first_op(db))
    }

    pub(crate) async fn first_op<D: Db>(mut self, db: &mut D) -> Result<Option<T>>
    where
        E: QueryFragment<D::Backend> + Send,
        O: QueryFragment<D::Backend> + Send,
    {
        self.slice = self.slice.first();
        let query = self.select();
        let mut rows: Vec<Loaded<T>> = db.connection_for_read().load_rows(query).await?;
        Ok(rows.pop().map(|r| r.0))
    }

    /// How many rows match, within the limit and offset. 1 query.
    pub fn count<'a, D: Db>(self, db: &'a mut D) -> crate::Output<'a, D, Result<i64>>
    where
        E: QueryFragment<D::Backend> + Send + 'a,
        O: Send + 'a,
    {
        D::drive(self.count_op(db))
    }

    pub(crate) async fn count_op<D: Db>(self, db: &mut D) -> Result<i64>
    where
        E: QueryFragment<D::Backend> + Send,
        O: Send,
    {
        let query = Count {
            table: T::DEF.table.name.as_ref(),
            cond: Cond::True,
            extra: self.expression,
        };
        let conn = db.connection_for_read();
        let all = crate::conn::first(conn.load_rows::<_, Scalar<i64>>(query).await)?.0;
        Ok(self.slice.count_within(all))
    }

    /// Deletes the matching rows and what cascades from them (see
    /// [`Objects::delete_many`]): one `DELETE` when nothing cascades from the model, else one
    /// `SELECT` of their keys first. Django's `QuerySet.delete()`. A sliced query (with a
    /// limit or an offset) cannot be deleted, as in Django: load it and delete the keys.
    pub fn delete<'a, D: Db>(self, db: &'a mut D) -> crate::Output<'a, D, Result<Deleted>>
    where
        E: QueryFragment<D::Backend> + Send + Sync + 'a,
        O: Send + 'a,
    {
        D::drive(self.delete_op(db))
    }

    pub(crate) async fn delete_op<D: Db>(self, db: &mut D) -> Result<Deleted>
    where
        E: QueryFragment<D::Backend> + Send + Sync,
        O: Send,
    {
        self.slice.refuse_delete(T::DEF)?;
        delete::delete_matching(db, T::DEF, Cond::True, self.expression).await
    }
}
