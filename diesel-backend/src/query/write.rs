//! The statements that write rows (`INSERT`, `UPDATE`, `DELETE`) and DDL, as Diesel
//! `QueryFragment` nodes over the model IR, every value bound.

use super::*;

/// `UPDATE <table> SET a = ?, b = ? WHERE <cond> AND <extra>`.
pub(crate) struct Update<E = NoFilter> {
    pub(crate) table: &'static str,
    pub(crate) set: Vec<(&'static str, Value)>,
    pub(crate) cond: Cond,
    pub(crate) extra: E,
}

statement_node!(impl<E> for Update<E>);

impl<DB: SupportedBackend, E: QueryFragment<DB>> QueryFragment<DB> for Update<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        out.push_identifier(self.table)?;
        out.push_sql(" SET ");
        for (i, (column, value)) in self.set.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_identifier(column)?;
            out.push_sql(" = ");
            value.bind(&mut out)?;
        }
        walk_where(&mut out, &self.cond, &self.extra)?;
        Ok(())
    }
}

/// `DELETE FROM <table> WHERE <cond> AND <extra>`.
pub(crate) struct Delete<E = NoFilter> {
    pub(crate) table: &'static str,
    pub(crate) cond: Cond,
    pub(crate) extra: E,
}

statement_node!(impl<E> for Delete<E>);

impl<DB: SupportedBackend, E: QueryFragment<DB>> QueryFragment<DB> for Delete<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("DELETE FROM ");
        out.push_identifier(self.table)?;
        walk_where(&mut out, &self.cond, &self.extra)?;
        Ok(())
    }
}

/// `INSERT INTO <table> (<columns>) VALUES (...), (...) [RETURNING ...]` for new rows of a
/// model. MySQL has no `RETURNING`.
pub(crate) struct Insert<'a, N> {
    pub(crate) rows: &'a [N],
    pub(crate) returning: Returning,
    /// Rows that would break a unique constraint are skipped (see [`OnConflict`]).
    pub(crate) ignore_conflicts: bool,
}

/// What an [`Insert`] reads back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Returning {
    /// Nothing (`bulk_insert`, MySQL).
    Nothing,
    /// The generated keys: the rest of each row is the new row's own.
    Key,
    /// Every column: the database fills some (`auto_now`, defaults).
    All,
}

/// How an `INSERT` skips rows that would break a unique constraint, per dialect:
/// `INSERT IGNORE` on MySQL, `... ON CONFLICT DO NOTHING` elsewhere.
pub(crate) struct OnConflict;

impl OnConflict {
    /// `INSERT INTO `, or `INSERT IGNORE INTO ` when ignoring conflicts on MySQL.
    pub(crate) fn insert_into(dialect: Dialect, ignore: bool) -> &'static str {
        match (dialect, ignore) {
            (Dialect::Mysql, true) => "INSERT IGNORE INTO ",
            _ => "INSERT INTO ",
        }
    }

    /// ` ON CONFLICT DO NOTHING`, when ignoring conflicts elsewhere than on MySQL.
    pub(crate) fn suffix(dialect: Dialect, ignore: bool) -> &'static str {
        match (dialect, ignore) {
            (Dialect::Mysql, _) | (_, false) => "",
            _ => " ON CONFLICT DO NOTHING",
        }
    }
}

statement_node!(impl<'a, N> for Insert<'a, N>);

impl<DB: SupportedBackend, N: NewModel> QueryFragment<DB> for Insert<'_, N> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let model = <N::Model as Model>::DEF;
        let table = model.table.name.as_ref();
        if self.rows.len() != 1 {
            out.unsafe_to_cache_prepared();
        }
        out.push_sql(OnConflict::insert_into(DB::DIALECT, self.ignore_conflicts));
        out.push_identifier(table)?;
        let columns: Vec<&'static ColumnDef> = insert_columns(model).collect();
        if columns.is_empty() {
            match DB::DIALECT {
                Dialect::Mysql => out.push_sql(" () VALUES ()"),
                _ => out.push_sql(" DEFAULT VALUES"),
            }
        } else {
            walk_values(&mut out, &columns, self.rows.iter(), |row, i, out| {
                row.__bind_column(i, out)
            })?;
        }
        out.push_sql(OnConflict::suffix(DB::DIALECT, self.ignore_conflicts));
        match self.returning {
            Returning::Nothing => {}
            Returning::Key => {
                out.push_sql(" RETURNING ");
                let key = model.primary_key().into_iter();
                walk_columns(&mut out, table, key)?;
            }
            Returning::All => {
                out.push_sql(" RETURNING ");
                walk_columns(&mut out, table, model.table.columns.iter())?;
            }
        }
        Ok(())
    }
}

/// ` (<columns>) VALUES (...), (...)`: one parenthesized list per row, its values bound by
/// `bind(row, column index)`. The one shape every insert here writes.
pub(crate) fn walk_values<'b, DB, R>(
    out: &mut AstPass<'_, 'b, DB>,
    columns: &[&'static ColumnDef],
    rows: impl Iterator<Item = &'b R>,
    bind: impl Fn(&'b R, usize, &mut AstPass<'_, 'b, DB>) -> QueryResult<()>,
) -> QueryResult<()>
where
    DB: SupportedBackend,
    R: 'b,
{
    out.push_sql(" (");
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push_sql(", ");
        }
        out.push_identifier(c.name.as_ref())?;
    }
    out.push_sql(") VALUES ");
    for (r, row) in rows.enumerate() {
        if r > 0 {
            out.push_sql(", ");
        }
        out.push_sql("(");
        for i in 0..columns.len() {
            if i > 0 {
                out.push_sql(", ");
            }
            bind(row, i, out)?;
        }
        out.push_sql(")");
    }
    Ok(())
}

/// The columns an insert writes: every column but a database-generated key.
pub(crate) fn insert_columns(model: &'static ModelDef) -> impl Iterator<Item = &'static ColumnDef> {
    model
        .table
        .columns
        .iter()
        .filter(|c| !(c.primary_key && c.auto_increment))
}

/// Whether a row of `model` can be inserted with only the `given` columns: every other
/// column is a generated key, nullable or has a default.
pub(crate) fn others_fill_themselves(model: &'static ModelDef, given: &[&str]) -> bool {
    model.table.columns.iter().all(|c| {
        given.contains(&c.name.as_ref())
            || (c.primary_key && c.auto_increment)
            || c.nullable
            || c.default.is_some()
    })
}

/// `INSERT INTO <table> (<every column>) VALUES (...)` for rows that have their keys: rows
/// written again after they were deleted, with the keys they had.
pub(crate) struct InsertRows<'a, T> {
    pub(crate) rows: &'a [&'a T],
}

statement_node!(impl<'a, T> for InsertRows<'a, T>);

impl<DB: SupportedBackend, T: Model> QueryFragment<DB> for InsertRows<'_, T> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let model = T::DEF;
        out.unsafe_to_cache_prepared();
        out.push_sql("INSERT INTO ");
        out.push_identifier(model.table.name.as_ref())?;
        let columns: Vec<&'static ColumnDef> = model.table.columns.iter().collect();
        walk_values(
            &mut out,
            &columns,
            self.rows.iter().copied(),
            |row, i, out| row.__bind_column(i, out),
        )?;
        Ok(())
    }
}

/// `UPDATE <table> SET <every other column> = ? WHERE <pk> = ?` for one saved row.
pub(crate) struct Save<'a, T> {
    pub(crate) row: &'a T,
}

statement_node!(impl<'a, T> for Save<'a, T>);

impl<DB: SupportedBackend, T: Model> QueryFragment<DB> for Save<'_, T> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let model = T::DEF;
        let table = model.table.name.as_ref();
        out.push_sql("UPDATE ");
        out.push_identifier(table)?;
        out.push_sql(" SET ");
        let mut first = true;
        let mut pk_index = None;
        for (i, c) in model.table.columns.iter().enumerate() {
            if c.primary_key {
                pk_index = Some(i);
                continue;
            }
            if !first {
                out.push_sql(", ");
            }
            first = false;
            out.push_identifier(c.name.as_ref())?;
            out.push_sql(" = ");
            self.row.__bind_column(i, &mut out)?;
        }
        if first {
            // Only a primary key: nothing to write, the statement just checks the row exists.
            out.push_identifier(model.table.primary_key.as_ref())?;
            out.push_sql(" = ");
            out.push_identifier(model.table.primary_key.as_ref())?;
        }
        out.push_sql(" WHERE ");
        out.push_identifier(model.table.primary_key.as_ref())?;
        out.push_sql(" = ");
        match pk_index {
            Some(i) => self.row.__bind_column(i, &mut out),
            None => Err(diesel::result::Error::QueryBuilderError(
                format!("`{}` has no primary key column", model.type_name).into(),
            )),
        }
    }
}

/// One DDL statement from the DDL renderer, which has no parameters.
pub(crate) struct Ddl<'a>(pub(crate) &'a str);

statement_node!(impl<'a> for Ddl<'a>);

impl<DB: SupportedBackend> QueryFragment<DB> for Ddl<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        out.push_sql(self.0);
        Ok(())
    }
}
