//! The framework's SQL, as Diesel `QueryFragment` nodes built from the model IR.
//!
//! Every statement the framework issues is one of these nodes, so identifiers are quoted
//! and parameters are bound the backend's way (no SQL strings with placeholders), and the
//! one bound they need is `DB: SupportedBackend`. A node may embed a user's Diesel
//! expression (a manager `filter`); that expression then brings its own bound.

use contenttypes_core::ddl::Dialect;
use contenttypes_core::ir::{ColumnDef, ModelDef};
use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::Bool;
use diesel::QueryResult;

use crate::backend::SupportedBackend;
use crate::field::Value;
use crate::model::{Model, NewModel};

/// How many parameters a statement binds at most where the framework does not size it by the
/// backend's cap ([`max_keys`]: key lists; inserts): the rows an `UPDATE` writes one by one,
/// the pairs of a nested prefetch. SQLite's default cap is 32,766, PostgreSQL's and MySQL's
/// 65,535; staying well under all three leaves room for the other parameters.
pub const MAX_BINDS: usize = 10_000;

/// A column, optionally qualified by its table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Col {
    pub(crate) table: &'static str,
    pub(crate) column: &'static str,
}

impl Col {
    pub(crate) fn new(table: &'static str, column: &'static str) -> Self {
        Col { table, column }
    }

    pub(crate) fn of(model: &'static ModelDef, column: &'static str) -> Self {
        Col {
            table: model.table.name.as_ref(),
            column,
        }
    }

    pub(crate) fn walk<DB: SupportedBackend>(
        &self,
        out: &mut AstPass<'_, '_, DB>,
    ) -> QueryResult<()> {
        out.push_identifier(self.table)?;
        out.push_sql(".");
        out.push_identifier(self.column)
    }
}

/// A `WHERE` condition over dynamic values.
#[derive(Clone, Debug)]
pub(crate) enum Cond {
    True,
    Eq(Col, Value),
    In(Col, Vec<Value>),
    /// `LOWER(<col>) IN (...)`: the values lowercased by the caller.
    InLower(Col, Vec<Value>),
    /// `NOT (<col> IN (...))`; an empty list excludes nothing.
    NotIn(Col, Vec<Value>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    pub(crate) fn and(self, other: Cond) -> Cond {
        match (self, other) {
            (Cond::True, c) | (c, Cond::True) => c,
            (Cond::And(mut a), Cond::And(b)) => {
                a.extend(b);
                Cond::And(a)
            }
            (Cond::And(mut a), c) => {
                a.push(c);
                Cond::And(a)
            }
            (a, b) => Cond::And(vec![a, b]),
        }
    }

    /// Whether the condition's SQL changes with the number of keys in a list (lists the
    /// backend binds as one parameter do not).
    pub(crate) fn varies<DB: SupportedBackend>(&self) -> bool {
        match self {
            Cond::In(_, values) | Cond::InLower(_, values) | Cond::NotIn(_, values) => {
                !values.is_empty() && !DB::list_is_one_bind(values)
            }
            Cond::And(cs) | Cond::Or(cs) => cs.iter().any(Cond::varies::<DB>),
            _ => false,
        }
    }

    pub(crate) fn walk<'b, DB: SupportedBackend>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        match self {
            Cond::True => out.push_sql("1 = 1"),
            Cond::Eq(col, Value::Null) => {
                col.walk(out)?;
                out.push_sql(" IS NULL");
            }
            Cond::Eq(col, value) => {
                col.walk(out)?;
                out.push_sql(" = ");
                value.bind(out)?;
            }
            Cond::In(_, values) | Cond::InLower(_, values) if values.is_empty() => {
                out.push_sql("1 = 0")
            }
            Cond::In(col, values) => {
                col.walk(out)?;
                DB::walk_list(out, values)?;
            }
            Cond::NotIn(_, values) if values.is_empty() => out.push_sql("1 = 1"),
            Cond::NotIn(col, values) => {
                out.push_sql("NOT (");
                col.walk(out)?;
                DB::walk_list(out, values)?;
                out.push_sql(")");
            }
            Cond::InLower(col, values) => {
                out.push_sql("LOWER(");
                col.walk(out)?;
                out.push_sql(")");
                DB::walk_list(out, values)?;
            }
            Cond::And(cs) | Cond::Or(cs) if cs.is_empty() => {
                out.push_sql(if matches!(self, Cond::And(_)) {
                    "1 = 1"
                } else {
                    "1 = 0"
                })
            }
            Cond::And(cs) | Cond::Or(cs) => {
                let sep = if matches!(self, Cond::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                out.push_sql("(");
                for (i, c) in cs.iter().enumerate() {
                    if i > 0 {
                        out.push_sql(sep);
                    }
                    c.walk(out)?;
                }
                out.push_sql(")");
            }
        }
        Ok(())
    }
}

/// The empty extra filter: `TRUE`, as a boolean Diesel expression valid on every table.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFilter;

impl Expression for NoFilter {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for NoFilter {}

impl<QS> SelectableExpression<QS> for NoFilter {}

impl<GB> ValidGrouping<GB> for NoFilter {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for NoFilter {
    type QueryId = NoFilter;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<DB: SupportedBackend> QueryFragment<DB> for NoFilter {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("1 = 1");
        Ok(())
    }

    /// Filtering by `TRUE` is no filtering: the framework's statements leave it out.
    fn is_noop(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

/// Splits a key list into runs that each fit in one statement: every statement that takes a
/// list of keys sends it through here.
pub(crate) fn chunks<T>(values: &[T]) -> impl Iterator<Item = &[T]> {
    balanced_chunks(values, MAX_BINDS)
}

/// `values` in the fewest runs of at most `max` items, of equal sizes (give or take one
/// item): 10,000 items by 3,333 are 4 runs of 2,500, not 3 of 3,333 and 1 of 1.
pub(crate) fn balanced_chunks<T>(values: &[T], max: usize) -> std::slice::Chunks<'_, T> {
    values.chunks(balanced_chunk_size(values.len(), max))
}

/// The run size of [`balanced_chunks`].
pub(crate) fn balanced_chunk_size(len: usize, max: usize) -> usize {
    let max = max.max(1);
    let runs = len.div_ceil(max).max(1);
    len.div_ceil(runs).max(1)
}

/// ` WHERE <cond> AND (<extra>)`, leaving out what filters nothing (`Cond::True`, [`NoFilter`]).
/// A condition whose key lists are one parameter per key changes its SQL with the number of
/// keys, so such a statement is not kept in Diesel's prepared statement cache (PostgreSQL's
/// one-array lists are).
pub(crate) fn walk_where<'b, DB: SupportedBackend, E: QueryFragment<DB>>(
    out: &mut AstPass<'_, 'b, DB>,
    cond: &'b Cond,
    extra: &'b E,
) -> QueryResult<()> {
    if cond.varies::<DB>() {
        out.unsafe_to_cache_prepared();
    }
    let has_cond = !matches!(cond, Cond::True);
    // `is_noop` and `backend` are hidden in Diesel's docs but public (Diesel is pinned).
    let has_extra = !extra.is_noop(out.backend())?;
    if has_cond || has_extra {
        out.push_sql(" WHERE ");
    }
    if has_cond {
        cond.walk(out)?;
    }
    if has_cond && has_extra {
        out.push_sql(" AND ");
    }
    if has_extra {
        out.push_sql("(");
        extra.walk_ast(out.reborrow())?;
        out.push_sql(")");
    }
    Ok(())
}

pub(crate) fn walk_columns<DB: SupportedBackend>(
    out: &mut AstPass<'_, '_, DB>,
    table: &'static str,
    columns: impl Iterator<Item = &'static ColumnDef>,
) -> QueryResult<()> {
    for (i, c) in columns.enumerate() {
        if i > 0 {
            out.push_sql(", ");
        }
        Col::new(table, c.name.as_ref()).walk(out)?;
    }
    Ok(())
}

/// The Diesel plumbing every statement node shares: no static query id (its SQL depends on
/// its values), rows read by position (`Untyped`), and `RunQueryDsl`.
/// `statement_node!(impl<'a, E> for Node<'a, E>)`.
macro_rules! statement_node {
    (impl $(<$($g:tt),*>)? for $ty:ty) => {
        impl $(<$($g),*>)? diesel::query_builder::QueryId for $ty {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
        impl $(<$($g),*>)? diesel::query_builder::Query for $ty {
            type SqlType = diesel::sql_types::Untyped;
        }
        impl<$($($g,)*)? __Conn> diesel::RunQueryDsl<__Conn> for $ty {}
    };
}
pub(crate) use statement_node;

// Key lists: `IN (...)`, or one array parameter on PostgreSQL.
mod list;
pub use list::max_keys;
pub(crate) use list::{key_chunks, walk_in_list, FRAMEWORK_BINDS};
#[cfg(feature = "postgres")]
pub(crate) use list::{walk_pg_list, ArrayOf};

// The statements that write: inserts, updates, deletes, DDL.
mod write;
pub(crate) use write::{
    insert_columns, others_fill_themselves, walk_values, Ddl, Delete, Insert, InsertRows,
    OnConflict, Returning, Save, Update,
};

/// `SELECT <the model's columns> FROM <table> WHERE <cond> AND <extra> ORDER BY <pk> LIMIT n`.
pub(crate) struct Select<E = NoFilter, O = ()> {
    pub(crate) model: &'static ModelDef,
    pub(crate) cond: Cond,
    pub(crate) extra: E,
    /// The user's ordering (a Diesel ordering expression or a tuple of them), before the key.
    pub(crate) order: O,
    pub(crate) order_by_pk: KeyOrder,
    pub(crate) limit: Option<i64>,
    pub(crate) offset: Option<i64>,
    pub(crate) lock: Option<Lock>,
    /// The row a foreign key references, selected after the model's columns.
    pub(crate) join: Option<JoinForeignKey>,
}

/// Whether a [`Select`] ends its `ORDER BY` with the model's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyOrder {
    /// Always: the rows come ordered by key (`Model::all`, `Filtered::load`, `get_many`).
    Always,
    /// Behind the caller's ordering, or under a limit or an offset (a total order, so pages
    /// are deterministic); a plain read has no `ORDER BY`, as Django's related managers and
    /// prefetches have none (on SQLite an `ORDER BY` key can make the planner walk the
    /// whole key index instead of the relation's index).
    WhenNeeded,
    /// Never: the caller does not keep the database's order.
    Never,
}

/// `[INNER | LEFT OUTER] JOIN <target> AS "__related" ON "__related".<key> = <table>.<column>`
/// in a [`Select`], whose rows then hold the target's columns after the model's (Django's
/// `select_related`). The alias keeps a foreign key to the model's own table unambiguous.
#[derive(Clone, Copy, Debug)]
pub(crate) struct JoinForeignKey {
    pub(crate) target: &'static ModelDef,
    pub(crate) column: &'static str,
    /// `LEFT OUTER JOIN`, for a nullable foreign key.
    pub(crate) outer: bool,
}

impl JoinForeignKey {
    /// The joined table's alias.
    pub(crate) const ALIAS: &'static str = "__related";
}

/// A locking read: the rows it returns stay as read until the transaction ends, and it reads
/// the latest committed rows (MySQL's "current read") rather than the transaction's snapshot.
/// SQLite has no row locks: there the framework's write transactions hold the database's
/// write lock from their start (`BEGIN IMMEDIATE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lock {
    /// `FOR SHARE` (`LOCK IN SHARE MODE` on MySQL/MariaDB).
    Share,
    /// `FOR UPDATE`.
    Update,
}

impl Lock {
    fn sql(self, dialect: Dialect) -> &'static str {
        match (dialect, self) {
            (Dialect::Sqlite, _) => "",
            (Dialect::Mysql, Lock::Share) => " LOCK IN SHARE MODE",
            (Dialect::Postgres, Lock::Share) => " FOR SHARE",
            (_, Lock::Update) => " FOR UPDATE",
        }
    }
}

impl Select<NoFilter> {
    pub(crate) fn new(model: &'static ModelDef, cond: Cond) -> Self {
        Select {
            model,
            cond,
            extra: NoFilter,
            order: (),
            order_by_pk: KeyOrder::Always,
            limit: None,
            offset: None,
            lock: None,
            join: None,
        }
    }
}

impl<E, O> Select<E, O> {
    pub(crate) fn with_extra<F>(self, extra: F) -> Select<F, O> {
        Select {
            model: self.model,
            cond: self.cond,
            extra,
            order: self.order,
            order_by_pk: self.order_by_pk,
            limit: self.limit,
            offset: self.offset,
            lock: self.lock,
            join: self.join,
        }
    }

    pub(crate) fn with_order<P>(self, order: P) -> Select<E, P> {
        Select {
            model: self.model,
            cond: self.cond,
            extra: self.extra,
            order,
            order_by_pk: self.order_by_pk,
            limit: self.limit,
            offset: self.offset,
            lock: self.lock,
            join: self.join,
        }
    }
}

statement_node!(impl<E, O> for Select<E, O>);

impl<DB, E, O> QueryFragment<DB> for Select<E, O>
where
    DB: SupportedBackend,
    E: QueryFragment<DB>,
    O: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let table = self.model.table.name.as_ref();
        out.push_sql("SELECT ");
        walk_columns(&mut out, table, self.model.table.columns.iter())?;
        if let Some(join) = &self.join {
            out.push_sql(", ");
            walk_columns(
                &mut out,
                JoinForeignKey::ALIAS,
                join.target.table.columns.iter(),
            )?;
        }
        out.push_sql(" FROM ");
        out.push_identifier(table)?;
        if let Some(join) = &self.join {
            out.push_sql(if join.outer {
                " LEFT OUTER JOIN "
            } else {
                " INNER JOIN "
            });
            out.push_identifier(join.target.table.name.as_ref())?;
            out.push_sql(" AS ");
            out.push_identifier(JoinForeignKey::ALIAS)?;
            out.push_sql(" ON ");
            Col::new(
                JoinForeignKey::ALIAS,
                join.target.table.primary_key.as_ref(),
            )
            .walk(&mut out)?;
            out.push_sql(" = ");
            Col::new(table, join.column).walk(&mut out)?;
        }
        walk_where(&mut out, &self.cond, &self.extra)?;
        let ordered = !self.order.is_noop(out.backend())?;
        let by_key = match self.order_by_pk {
            KeyOrder::Always => true,
            KeyOrder::WhenNeeded => ordered || self.limit.is_some() || self.offset.is_some(),
            KeyOrder::Never => false,
        };
        if ordered || by_key {
            out.push_sql(" ORDER BY ");
        }
        if ordered {
            self.order.walk_ast(out.reborrow())?;
        }
        if by_key {
            // The key last: a total order, so limits and offsets page deterministically.
            if ordered {
                out.push_sql(", ");
            }
            Col::new(table, self.model.table.primary_key.as_ref()).walk(&mut out)?;
        }
        walk_limit(&mut out, &self.limit, &self.offset)?;
        if let Some(lock) = self.lock {
            out.push_sql(lock.sql(DB::DIALECT));
        }
        Ok(())
    }
}

/// A limit and an offset on a query's rows (Django's slicing), kept by the query builders
/// that offer `limit`/`offset` until they build their [`Select`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Slice {
    pub(crate) limit: Option<i64>,
    pub(crate) offset: Option<i64>,
}

impl Slice {
    /// Whether the rows are sliced: such a query cannot be deleted, as in Django.
    pub(crate) fn is_sliced(&self) -> bool {
        self.limit.is_some() || self.offset.is_some()
    }

    /// How many of `all` matching rows fall within the slice.
    pub(crate) fn count_within(&self, all: i64) -> i64 {
        let after_offset = (all - self.offset.unwrap_or(0).max(0)).max(0);
        self.limit
            .map_or(after_offset, |n| after_offset.min(n.max(0)))
    }

    /// Sets the query's limit and offset.
    pub(crate) fn apply<E, O>(self, query: &mut Select<E, O>) {
        query.limit = self.limit;
        query.offset = self.offset;
    }

    /// ` LIMIT ? OFFSET ?`, for a statement that renders its own ordering.
    pub(crate) fn walk<'b, DB: SupportedBackend>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        walk_limit(out, &self.limit, &self.offset)
    }

    /// The slice's first row only (Django's `first()` on a sliced query).
    pub(crate) fn first(self) -> Slice {
        Slice {
            limit: Some(self.limit.map_or(1, |n| n.min(1))),
            offset: self.offset,
        }
    }

    /// The error of deleting a sliced query of `model`.
    pub(crate) fn refuse_delete(&self, model: &ModelDef) -> crate::error::Result<()> {
        if self.is_sliced() {
            return Err(crate::error::Error::InvalidArgument(format!(
                "cannot delete a sliced query of `{}` (limit or offset): load it and delete its keys",
                model.type_name
            )));
        }
        Ok(())
    }
}

/// ` LIMIT ? OFFSET ?`. SQLite and MySQL take an offset only after a limit: there an offset
/// alone comes with the largest limit each allows.
pub(crate) fn walk_limit<'b, DB: SupportedBackend>(
    out: &mut AstPass<'_, 'b, DB>,
    limit: &'b Option<i64>,
    offset: &'b Option<i64>,
) -> QueryResult<()> {
    match (limit, DB::DIALECT) {
        (Some(limit), _) => {
            out.push_sql(" LIMIT ");
            <DB as crate::backend::Binds<i64>>::bind(out, limit)?;
        }
        (None, Dialect::Sqlite) if offset.is_some() => out.push_sql(" LIMIT -1"),
        (None, Dialect::Mysql) if offset.is_some() => out.push_sql(" LIMIT 18446744073709551615"),
        (None, _) => {}
    }
    if let Some(offset) = offset {
        out.push_sql(" OFFSET ");
        <DB as crate::backend::Binds<i64>>::bind(out, offset)?;
    }
    Ok(())
}

/// `SELECT COUNT(*) FROM <table> WHERE <cond> AND <extra>`.
pub(crate) struct Count<E = NoFilter> {
    pub(crate) table: &'static str,
    pub(crate) cond: Cond,
    pub(crate) extra: E,
}

statement_node!(impl<E> for Count<E>);

impl<DB: SupportedBackend, E: QueryFragment<DB>> QueryFragment<DB> for Count<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT COUNT(*) FROM ");
        out.push_identifier(self.table)?;
        walk_where(&mut out, &self.cond, &self.extra)?;
        Ok(())
    }
}

/// `SELECT <columns> FROM <table> WHERE <cond> AND <extra> [ORDER BY <first column>]`: the
/// keys of matching rows, or a few columns of them.
pub(crate) struct SelectColumns<E = NoFilter> {
    pub(crate) table: &'static str,
    pub(crate) columns: Vec<&'static str>,
    pub(crate) cond: Cond,
    pub(crate) extra: E,
    /// Ordered by the first column.
    pub(crate) ordered: bool,
}

statement_node!(impl<E> for SelectColumns<E>);

impl<DB: SupportedBackend, E: QueryFragment<DB>> QueryFragment<DB> for SelectColumns<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT ");
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            Col::new(self.table, column).walk(&mut out)?;
        }
        out.push_sql(" FROM ");
        out.push_identifier(self.table)?;
        walk_where(&mut out, &self.cond, &self.extra)?;
        if let (true, Some(first)) = (self.ordered, self.columns.first()) {
            out.push_sql(" ORDER BY ");
            Col::new(self.table, first).walk(&mut out)?;
        }
        Ok(())
    }
}

/// `SELECT 1 FROM <table> WHERE <column> = ? FOR UPDATE`: locks one row until the transaction
/// ends (a plain read on SQLite, whose framework transactions hold the write lock), and says
/// whether it exists.
pub(crate) struct LockRow {
    table: &'static str,
    key: Cond,
}

impl LockRow {
    pub(crate) fn new(table: &'static str, column: &'static str, key: Value) -> Self {
        LockRow {
            table,
            key: Cond::Eq(Col::new(table, column), key),
        }
    }
}

statement_node!(impl for LockRow);

impl<DB: SupportedBackend> QueryFragment<DB> for LockRow {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT 1 FROM ");
        out.push_identifier(self.table)?;
        out.push_sql(" WHERE ");
        self.key.walk(&mut out)?;
        out.push_sql(Lock::Update.sql(DB::DIALECT));
        Ok(())
    }
}
