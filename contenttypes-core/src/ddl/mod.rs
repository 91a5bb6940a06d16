//! DDL rendering: the one place that turns the model IR into `CREATE TABLE`, `CREATE INDEX`
//! and friends, per SQL dialect. The migration planner and the runtime schema helpers both
//! call it, so a table is never described twice. Creating tables is here; changing them is
//! in `ddl/alter.rs` (re-exported here).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

mod alter;
pub mod integrity;

pub use alter::*;

use crate::content_type;
use crate::ir::{ColumnDef, DefaultValue, ForeignKeyDef, IndexDef, ModelDef, SqlType, TableDef};
use crate::mysql_keys;
use crate::names;

/// A SQL dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    Sqlite,
    Postgres,
    Mysql,
}

impl Dialect {
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

    /// The folder name under `migrations/` and the name in messages.
    pub const fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        }
    }

    /// How many parameters one statement may bind: SQLite's default cap (32,766),
    /// PostgreSQL's and MySQL's (65,535).
    pub const fn max_binds(self) -> usize {
        match self {
            Dialect::Sqlite => 32_766,
            Dialect::Postgres | Dialect::Mysql => 65_535,
        }
    }

    /// Quotes an identifier.
    pub fn quote(self, ident: &str) -> String {
        match self {
            Dialect::Mysql => format!("`{}`", ident.replace('`', "``")),
            _ => format!("\"{}\"", ident.replace('"', "\"\"")),
        }
    }

    /// The column type of `sql_type`.
    pub fn column_type(self, sql_type: SqlType) -> String {
        use Dialect::*;
        use SqlType::*;
        match (self, sql_type) {
            (Sqlite, Bool) => "bool".into(),
            (Postgres, Bool) => "boolean".into(),
            (Mysql, Bool) => "bool".into(),
            (_, SmallInt) => "smallint".into(),
            (_, Integer) => "integer".into(),
            (_, BigInt) => "bigint".into(),
            (Sqlite, Float) | (Postgres, Float) => "real".into(),
            (Mysql, Float) => "float".into(),
            (Sqlite, Double) => "real".into(),
            (Postgres, Double) => "double precision".into(),
            (Mysql, Double) => "double precision".into(),
            (Mysql, Text) => "longtext".into(),
            (_, Text) => "text".into(),
            (_, Varchar(n)) => format!("varchar({n})"),
            (Sqlite, Binary) => "blob".into(),
            (Postgres, Binary) => "bytea".into(),
            (Mysql, Binary) => "longblob".into(),
            (Postgres, Uuid) => "uuid".into(),
            (_, Uuid) => "char(32)".into(),
            (_, Date) => "date".into(),
            (Mysql, Time) => "time(6)".into(),
            (_, Time) => "time".into(),
            (Sqlite, DateTime | DateTimeTz) => "datetime".into(),
            (Postgres, DateTime) => "timestamp".into(),
            (Postgres, DateTimeTz) => "timestamp with time zone".into(),
            (Mysql, DateTime | DateTimeTz) => "datetime(6)".into(),
            (Sqlite, Json) => "text".into(),
            (Postgres, Json) => "jsonb".into(),
            (Mysql, Json) => "json".into(),
            (Sqlite, Decimal { .. }) => "decimal".into(),
            (_, Decimal { digits, places }) => format!("numeric({digits}, {places})"),
            // Rendered from the column's `db_type` (see `column_sql_type`); the validator
            // refuses a managed custom column without one.
            (_, Custom) => "text".into(),
        }
    }

    /// The column type of `column`: its `db_type` when it has one, else its SQL type's.
    pub fn column_sql_type(self, column: &ColumnDef) -> String {
        match &column.db_type {
            Some(db_type) => db_type.to_string(),
            None => self.column_type(column.sql_type),
        }
    }

    /// The database's current time as a value of `sql_type` (UTC), for `auto_now` and
    /// `auto_now_add` columns; `None` for a type that is not a date, a time or a timestamp.
    pub const fn now_sql(self, sql_type: SqlType) -> Option<&'static str> {
        use Dialect::*;
        use SqlType::*;
        Some(match (self, sql_type) {
            (Sqlite, Date) => "DATE('now')",
            (Sqlite, Time) => "STRFTIME('%H:%M:%f', 'now')",
            (Sqlite, DateTime | DateTimeTz) => "STRFTIME('%Y-%m-%d %H:%M:%f', 'now')",
            (Postgres, Date) => "CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS date)",
            (Postgres, Time) => "CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS time)",
            (Postgres, DateTime) => "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')",
            (Postgres, DateTimeTz) => "CURRENT_TIMESTAMP",
            (Mysql, Date) => "UTC_DATE()",
            (Mysql, Time) => "UTC_TIME(6)",
            (Mysql, DateTime | DateTimeTz) => "UTC_TIMESTAMP(6)",
            _ => return None,
        })
    }

    /// The literal of a boolean.
    fn bool_literal(self, v: bool) -> &'static str {
        match (self, v) {
            (Dialect::Postgres, true) => "true",
            (Dialect::Postgres, false) => "false",
            (_, true) => "1",
            (_, false) => "0",
        }
    }

    /// The text type a key is cast to when joined against a text object id.
    pub const fn text_cast_type(self) -> &'static str {
        match self {
            Dialect::Mysql => "char",
            _ => "text",
        }
    }
}

/// One piece of a key's text form ([`key_as_text`]): SQL, or the key expression itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyText {
    Sql(String),
    Key,
}

/// The text a text object id stores for a key of type `key`: the key `CAST` to text, and for
/// a UUID stored as 32 hex digits (SQLite, MySQL) its hyphenated form, as Django writes
/// `str(uuid)` into a text object id. The pieces are rendered around the key expression by
/// the caller (a query node or a trigger body).
pub fn key_as_text(dialect: Dialect, key: SqlType) -> Vec<KeyText> {
    let mut out = Vec::new();
    if key == SqlType::Uuid && dialect != Dialect::Postgres {
        let (open, sep, close) = match dialect {
            Dialect::Mysql => ("CONCAT_WS('-', ", ", ", ")"),
            _ => ("(", " || '-' || ", ")"),
        };
        out.push(KeyText::Sql(open.into()));
        for (i, (from, len)) in [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]
            .iter()
            .enumerate()
        {
            if i > 0 {
                out.push(KeyText::Sql(sep.into()));
            }
            out.push(KeyText::Sql("SUBSTR(".into()));
            out.push(KeyText::Key);
            out.push(KeyText::Sql(format!(", {from}, {len})")));
        }
        out.push(KeyText::Sql(close.into()));
        return out;
    }
    out.push(KeyText::Sql("CAST(".into()));
    out.push(KeyText::Key);
    out.push(KeyText::Sql(format!(" AS {})", dialect.text_cast_type())));
    out
}

/// [`key_as_text`] around the SQL expression `key_sql`.
pub fn key_as_text_sql(dialect: Dialect, key_sql: &str, key: SqlType) -> String {
    key_as_text(dialect, key)
        .into_iter()
        .map(|p| match p {
            KeyText::Sql(s) => s,
            KeyText::Key => key_sql.to_string(),
        })
        .collect()
}

/// Renders a string literal.
pub fn string_literal(dialect: Dialect, s: &str) -> String {
    let escaped = s.replace('\'', "''");
    match dialect {
        Dialect::Mysql => format!("'{}'", escaped.replace('\\', "\\\\")),
        _ => format!("'{escaped}'"),
    }
}

/// The SQL of a column definition inside `CREATE TABLE` or `ADD COLUMN`.
pub fn column_definition(dialect: Dialect, column: &ColumnDef) -> String {
    let q = |s: &str| dialect.quote(s);
    let mut sql = format!("{} ", q(&column.name));
    if column.primary_key && column.auto_increment {
        match dialect {
            Dialect::Sqlite => sql.push_str("integer NOT NULL PRIMARY KEY AUTOINCREMENT"),
            Dialect::Postgres => {
                let _ = write!(
                    sql,
                    "{} NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY",
                    dialect.column_sql_type(column)
                );
            }
            Dialect::Mysql => {
                let _ = write!(
                    sql,
                    "{} AUTO_INCREMENT NOT NULL PRIMARY KEY",
                    dialect.column_sql_type(column)
                );
            }
        }
        return sql;
    }
    sql.push_str(&dialect.column_sql_type(column));
    sql.push_str(if column.nullable {
        " NULL"
    } else {
        " NOT NULL"
    });
    if column.primary_key {
        sql.push_str(" PRIMARY KEY");
    }
    if let Some(default) = &column.default {
        sql.push_str(" DEFAULT ");
        sql.push_str(&default_literal(dialect, default));
    }
    sql
}

/// The literal of a column default.
pub fn default_literal(dialect: Dialect, default: &DefaultValue) -> String {
    match default {
        DefaultValue::Bool(b) => dialect.bool_literal(*b).to_string(),
        DefaultValue::Number(n) => n.to_string(),
        DefaultValue::Text(t) => string_literal(dialect, t),
    }
}

/// The name of the foreign key constraint `fk` on `column` of `table`: the one the model
/// gives (`foreign_key_name = "..."`), else `<table>_<column>_fk`.
pub fn foreign_key_name(table: &str, column: &str, fk: &ForeignKeyDef) -> String {
    match &fk.name {
        Some(name) => name.to_string(),
        None => names::index_name(table, &[column], "fk"),
    }
}

/// The table-level foreign key clause for a column.
pub fn foreign_key_clause(
    dialect: Dialect,
    table: &str,
    column: &str,
    fk: &ForeignKeyDef,
) -> String {
    let q = |s: &str| dialect.quote(s);
    format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {}",
        q(&foreign_key_name(table, column, fk)),
        q(column),
        q(&fk.table),
        q(&fk.column),
        fk.on_delete.sql()
    )
}

/// Every index and unique constraint of a model, single-column ones (from column options)
/// first, then the declared ones, each with its given or deterministic name.
pub fn all_indexes(model: &ModelDef) -> Vec<IndexDef> {
    let table = model.table.name.as_ref();
    let mut out = Vec::new();
    for column in model.table.columns.iter() {
        if column.primary_key || !(column.unique || column.indexed) {
            continue;
        }
        let suffix = if column.unique { "uniq" } else { "idx" };
        out.push(IndexDef {
            name: match &column.index_name {
                Some(name) => name.clone(),
                None => names::index_name(table, &[&column.name], suffix).into(),
            },
            columns: vec![column.name.clone()].into(),
            unique: column.unique,
        });
    }
    out.extend(model.table.indexes.iter().cloned());
    out
}

/// Every index and constraint name of a model (its indexes and unique constraints, then its
/// foreign keys), each with its columns.
pub fn index_and_constraint_names(model: &ModelDef) -> Vec<(String, Vec<String>)> {
    let table = model.table.name.as_ref();
    let mut out: Vec<(String, Vec<String>)> = all_indexes(model)
        .into_iter()
        .map(|i| {
            (
                i.name.to_string(),
                i.columns.iter().map(|c| c.to_string()).collect(),
            )
        })
        .collect();
    for column in model.table.columns.iter() {
        if let Some(fk) = &column.foreign_key {
            out.push((
                foreign_key_name(table, &column.name, fk),
                vec![column.name.to_string()],
            ));
        }
    }
    out
}

/// `CREATE [UNIQUE] INDEX` on `table`. On MySQL an unbounded text column is indexed by a
/// prefix (`object_id(255)`, see [`crate::mysql_keys`]).
pub fn create_index(dialect: Dialect, table: &TableDef, index: &IndexDef) -> String {
    let q = |s: &str| dialect.quote(s);
    format!(
        "CREATE {}INDEX {} ON {} ({});",
        if index.unique { "UNIQUE " } else { "" },
        q(&index.name),
        q(&table.name),
        index_columns(dialect, table, index)
    )
}

/// The column list of an index, with MySQL's prefixes.
pub(crate) fn index_columns(dialect: Dialect, table: &TableDef, index: &IndexDef) -> String {
    let q = |s: &str| dialect.quote(s);
    let prefixes = match dialect {
        Dialect::Mysql => index_prefixes(table, index),
        _ => vec![None; index.columns.len()],
    };
    let cols: Vec<String> = index
        .columns
        .iter()
        .zip(prefixes)
        .map(|(c, prefix)| match prefix {
            Some(chars) => format!("{}({chars})", q(c)),
            None => q(c),
        })
        .collect();
    cols.join(", ")
}

/// The MySQL prefix of each column of `index` (`None`: indexed whole). A key too long for
/// MySQL, which the derive refuses, is rendered whole and refused by the database.
pub fn index_prefixes(table: &TableDef, index: &IndexDef) -> Vec<Option<u64>> {
    let types: Vec<SqlType> = index
        .columns
        .iter()
        .map(|name| {
            table
                .columns
                .iter()
                .find(|c| c.name == *name)
                .map_or(SqlType::Custom, |c| c.sql_type)
        })
        .collect();
    mysql_keys::index_prefixes(&types).unwrap_or_else(|_| vec![None; types.len()])
}

/// `DROP INDEX`.
pub fn drop_index(dialect: Dialect, table: &str, index: &str) -> String {
    match dialect {
        Dialect::Mysql => format!(
            "DROP INDEX {} ON {};",
            dialect.quote(index),
            dialect.quote(table)
        ),
        _ => format!("DROP INDEX {};", dialect.quote(index)),
    }
}

/// `CREATE TABLE` for a model, followed by its indexes. The content-type table is created
/// only if missing (a Django project may have created it already) and carries its unique
/// constraint inline, as Django declares it.
pub fn create_table(dialect: Dialect, model: &ModelDef) -> Vec<String> {
    let table = model.table.name.as_ref();
    let is_content_types = table == content_type::TABLE;
    let mut out = vec![create_table_statement(dialect, model, table)];
    if !is_content_types {
        out.extend(
            all_indexes(model)
                .iter()
                .map(|i| create_index(dialect, &model.table, i)),
        );
    }
    out
}

/// The `CREATE TABLE` statement of a model (without its indexes) under another name, with
/// the constraint names of its real table: the first step of a SQLite table rebuild.
pub fn create_table_as(dialect: Dialect, model: &ModelDef, name: &str) -> String {
    create_table_statement(dialect, model, name)
}

fn create_table_statement(dialect: Dialect, model: &ModelDef, name: &str) -> String {
    let q = |s: &str| dialect.quote(s);
    let table = model.table.name.as_ref();
    let is_content_types = table == content_type::TABLE;
    let mut parts: Vec<String> = model
        .table
        .columns
        .iter()
        .map(|c| column_definition(dialect, c))
        .collect();
    for column in model.table.columns.iter() {
        if let Some(fk) = &column.foreign_key {
            parts.push(foreign_key_clause(dialect, table, &column.name, fk));
        }
    }
    let indexes = all_indexes(model);
    if is_content_types {
        for index in indexes.iter().filter(|i| i.unique) {
            let cols: Vec<String> = index.columns.iter().map(|c| q(c)).collect();
            parts.push(format!(
                "CONSTRAINT {} UNIQUE ({})",
                q(&index.name),
                cols.join(", ")
            ));
        }
    }
    format!(
        "CREATE TABLE {}{} (\n    {}\n);",
        if is_content_types {
            "IF NOT EXISTS "
        } else {
            ""
        },
        q(name),
        parts.join(",\n    ")
    )
}

/// `DROP TABLE`.
pub fn drop_table(dialect: Dialect, table: &str) -> String {
    format!("DROP TABLE {};", dialect.quote(table))
}

/// `DROP TABLE IF EXISTS`.
pub fn drop_table_if_exists(dialect: Dialect, table: &str) -> String {
    format!("DROP TABLE IF EXISTS {};", dialect.quote(table))
}

/// Orders models so that every table comes after the tables its foreign keys reference
/// (the content-type table first). Ties keep the input order. Tables in a reference cycle
/// keep their input order after everything else.
pub fn dependency_order<'a>(models: &[&'a ModelDef]) -> Vec<&'a ModelDef> {
    let by_table: BTreeMap<&str, usize> = models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.table.name.as_ref(), i))
        .collect();
    let deps: Vec<BTreeSet<usize>> = models
        .iter()
        .map(|m| {
            m.table
                .columns
                .iter()
                .filter_map(|c| c.foreign_key.as_ref())
                .filter_map(|fk| by_table.get(fk.table.as_ref()).copied())
                .filter(|&j| models[j].table.name != m.table.name)
                .collect()
        })
        .collect();
    let mut placed = vec![false; models.len()];
    let mut out = Vec::with_capacity(models.len());
    loop {
        let next = (0..models.len()).find(|&i| !placed[i] && deps[i].iter().all(|&d| placed[d]));
        match next {
            Some(i) => {
                placed[i] = true;
                out.push(models[i]);
            }
            None => break,
        }
    }
    out.extend((0..models.len()).filter(|&i| !placed[i]).map(|i| models[i]));
    out
}

/// `CREATE TABLE` statements for these models and the content-type table, in dependency
/// order: the schema a fresh database needs. Unmanaged models are skipped.
pub fn create_schema<'a>(
    dialect: Dialect,
    models: impl IntoIterator<Item = &'a ModelDef>,
) -> Vec<String> {
    let mut list: Vec<&ModelDef> = vec![content_type::DEF];
    list.extend(
        models
            .into_iter()
            .filter(|m| m.managed && m.table.name != content_type::TABLE),
    );
    let mut out: Vec<String> = dependency_order(&list)
        .into_iter()
        .flat_map(|m| create_table(dialect, m))
        .collect();
    out.extend(
        integrity::triggers(dialect, &list)
            .into_iter()
            .flat_map(|t| t.create),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_table_matches_django() {
        let sqlite = create_table(Dialect::Sqlite, content_type::DEF).join("\n");
        assert_eq!(
            sqlite,
            "CREATE TABLE IF NOT EXISTS \"django_content_type\" (\n    \"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,\n    \"app_label\" varchar(100) NOT NULL,\n    \"model\" varchar(100) NOT NULL,\n    CONSTRAINT \"django_content_type_app_label_model_76bd3d3b_uniq\" UNIQUE (\"app_label\", \"model\")\n);"
        );
        let pg = create_table(Dialect::Postgres, content_type::DEF).join("\n");
        assert!(
            pg.contains("\"id\" integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY"),
            "{pg}"
        );
        let my = create_table(Dialect::Mysql, content_type::DEF).join("\n");
        assert!(
            my.contains("`id` integer AUTO_INCREMENT NOT NULL PRIMARY KEY"),
            "{my}"
        );
    }
}
