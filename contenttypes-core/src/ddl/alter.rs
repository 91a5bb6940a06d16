//! Changes to existing tables: the migration planner's renderers. Each function renders
//! one statement (or a few) for one dialect. Where SQLite has no statement for a change
//! (altering a column, adding or dropping a foreign key), the function returns `None` and the
//! caller rebuilds the table instead (see [`sqlite_rebuild_table`]).

use super::{
    all_indexes, column_definition, create_index, create_table_as, default_literal, drop_table,
    foreign_key_name, index_columns, string_literal, Dialect,
};
use crate::content_type;
use crate::ir::{ColumnDef, ForeignKeyDef, IndexDef, ModelDef, SqlType, TableDef};

/// Renames a table. Every dialect updates the foreign keys of other tables that reference it.
pub fn rename_table(dialect: Dialect, from: &str, to: &str) -> String {
    let q = |s: &str| dialect.quote(s);
    match dialect {
        Dialect::Mysql => format!("RENAME TABLE {} TO {};", q(from), q(to)),
        _ => format!("ALTER TABLE {} RENAME TO {};", q(from), q(to)),
    }
}

/// On PostgreSQL, renames what the database named after a table when it created it (the
/// primary key's index and an identity column's sequence), so a later table may take the old
/// name. `IF EXISTS`: a name PostgreSQL had to shorten is left alone. Empty elsewhere.
pub fn rename_table_implicit_objects(
    dialect: Dialect,
    from: &str,
    to: &str,
    primary_key: &str,
) -> Vec<String> {
    if dialect != Dialect::Postgres {
        return Vec::new();
    }
    let q = |s: &str| dialect.quote(s);
    vec![
        format!(
            "ALTER INDEX IF EXISTS {} RENAME TO {};",
            q(&format!("{from}_pkey")),
            q(&format!("{to}_pkey"))
        ),
        format!(
            "ALTER SEQUENCE IF EXISTS {} RENAME TO {};",
            q(&format!("{from}_{primary_key}_seq")),
            q(&format!("{to}_{primary_key}_seq"))
        ),
    ]
}

/// Renames a column (MySQL 8.0 / MariaDB 10.5.2 and later, SQLite 3.25 and later).
pub fn rename_column(dialect: Dialect, table: &str, from: &str, to: &str) -> String {
    let q = |s: &str| dialect.quote(s);
    format!(
        "ALTER TABLE {} RENAME COLUMN {} TO {};",
        q(table),
        q(from),
        q(to)
    )
}

/// Renames an index. SQLite cannot: `None` (drop it and create it under the new name).
pub fn rename_index(dialect: Dialect, table: &str, from: &str, to: &str) -> Option<String> {
    let q = |s: &str| dialect.quote(s);
    match dialect {
        Dialect::Sqlite => None,
        Dialect::Postgres => Some(format!("ALTER INDEX {} RENAME TO {};", q(from), q(to))),
        Dialect::Mysql => Some(format!(
            "ALTER TABLE {} RENAME INDEX {} TO {};",
            q(table),
            q(from),
            q(to)
        )),
    }
}

/// The value existing rows get when a `NOT NULL` column without a default is added, or when
/// a nullable column becomes `NOT NULL`: the type's zero (`0`, `''`, false, the nil UUID, an
/// empty byte string).
pub fn zero_literal(dialect: Dialect, sql_type: SqlType) -> String {
    match sql_type {
        SqlType::Bool => dialect.bool_literal(false).to_string(),
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => "0".into(),
        SqlType::Float | SqlType::Double => "0.0".into(),
        SqlType::Text | SqlType::Varchar(_) => "''".into(),
        SqlType::Binary => match dialect {
            Dialect::Sqlite => "X''".into(),
            _ => "''".into(),
        },
        SqlType::Uuid => match dialect {
            Dialect::Postgres => "'00000000-0000-0000-0000-000000000000'".into(),
            _ => "'00000000000000000000000000000000'".into(),
        },
        SqlType::Date => "'1970-01-01'".into(),
        SqlType::Time => "'00:00:00'".into(),
        SqlType::DateTime | SqlType::DateTimeTz => "'1970-01-01 00:00:00'".into(),
        SqlType::Json => "'null'".into(),
        SqlType::Decimal { .. } => "0".into(),
        // A custom type has no known zero: adding such a NOT NULL column needs a default.
        SqlType::Custom => "NULL".into(),
    }
}

/// The value a column's `NULL`s become when it turns `NOT NULL`: its default, else the
/// type's zero.
pub fn fill_literal(dialect: Dialect, column: &ColumnDef) -> String {
    match &column.default {
        Some(default) => default_literal(dialect, default),
        None => zero_literal(dialect, column.sql_type),
    }
}

/// Adds a column (its foreign key is added by [`add_foreign_key`]). Existing rows get the
/// column's default; a `NOT NULL` column without one is filled with the type's zero: on
/// PostgreSQL through a temporary default, on MySQL by its implicit default. On SQLite this
/// is only valid for a column that is nullable or has a default (otherwise rebuild).
pub fn add_column(dialect: Dialect, table: &str, column: &ColumnDef) -> Vec<String> {
    let q = |s: &str| dialect.quote(s);
    if dialect == Dialect::Postgres && !column.nullable && column.default.is_none() {
        return vec![
            format!(
                "ALTER TABLE {} ADD COLUMN {} DEFAULT {};",
                q(table),
                column_definition(dialect, column),
                zero_literal(dialect, column.sql_type)
            ),
            format!(
                "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT;",
                q(table),
                q(&column.name)
            ),
        ];
    }
    vec![format!(
        "ALTER TABLE {} ADD COLUMN {};",
        q(table),
        column_definition(dialect, column)
    )]
}

/// Drops a column (SQLite: valid only for a column without index, key or constraint).
pub fn drop_column(dialect: Dialect, table: &str, column: &str) -> String {
    format!(
        "ALTER TABLE {} DROP COLUMN {};",
        dialect.quote(table),
        dialect.quote(column)
    )
}

/// Alters a column of `table` (as it is after the change) from `from` to `to` (same name):
/// type, nullability and default. `NULL`s are filled (see [`fill_literal`]) before a column
/// becomes `NOT NULL`. SQLite cannot: `None`.
///
/// `reindex` (MySQL): the indexes over the column whose prefix changes with its type
/// ([`crate::mysql_keys`]: `longtext` is indexed by a prefix, `varchar` whole). They are dropped and
/// created again in the statement that alters the column: MySQL refuses the new type while
/// the old index stands, and refuses to drop an index a foreign key needs on its own.
pub fn alter_column(
    dialect: Dialect,
    table: &TableDef,
    from: &ColumnDef,
    to: &ColumnDef,
    reindex: &[&IndexDef],
) -> Option<Vec<String>> {
    let q = |s: &str| dialect.quote(s);
    let (t, c) = (q(&table.name), q(&to.name));
    let mut out = Vec::new();
    if from.nullable && !to.nullable {
        out.push(format!(
            "UPDATE {t} SET {c} = {} WHERE {c} IS NULL;",
            fill_literal(dialect, to)
        ));
    }
    match dialect {
        Dialect::Sqlite => return None,
        Dialect::Mysql => {
            let mut parts: Vec<String> = reindex
                .iter()
                .map(|i| format!("DROP INDEX {}", q(&i.name)))
                .collect();
            parts.push(format!("MODIFY COLUMN {}", column_definition(dialect, to)));
            parts.extend(reindex.iter().map(|i| {
                format!(
                    "ADD {}INDEX {} ({})",
                    if i.unique { "UNIQUE " } else { "" },
                    q(&i.name),
                    index_columns(dialect, table, i)
                )
            }));
            out.push(format!("ALTER TABLE {t} {};", parts.join(", ")));
        }
        Dialect::Postgres => {
            if from.sql_type != to.sql_type {
                let ty = dialect.column_sql_type(to);
                out.push(format!(
                    "ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::{ty};"
                ));
            }
            if from.nullable != to.nullable {
                out.push(format!(
                    "ALTER TABLE {t} ALTER COLUMN {c} {} NOT NULL;",
                    if to.nullable { "DROP" } else { "SET" }
                ));
            }
            if from.default != to.default {
                out.push(match &to.default {
                    Some(d) => format!(
                        "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {};",
                        default_literal(dialect, d)
                    ),
                    None => format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT;"),
                });
            }
        }
    }
    Some(out)
}

/// Adds the foreign key of `column`, named by [`foreign_key_name`]. SQLite cannot: `None`.
pub fn add_foreign_key(
    dialect: Dialect,
    table: &str,
    column: &str,
    fk: &ForeignKeyDef,
) -> Option<String> {
    add_foreign_key_named(
        dialect,
        table,
        &foreign_key_name(table, column, fk),
        column,
        fk,
    )
}

/// Adds the foreign key of `column` under the constraint name `name`. SQLite cannot: `None`.
pub fn add_foreign_key_named(
    dialect: Dialect,
    table: &str,
    name: &str,
    column: &str,
    fk: &ForeignKeyDef,
) -> Option<String> {
    let q = |s: &str| dialect.quote(s);
    match dialect {
        Dialect::Sqlite => None,
        _ => Some(format!(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {};",
            q(table),
            q(name),
            q(column),
            q(&fk.table),
            q(&fk.column),
            fk.on_delete.sql()
        )),
    }
}

/// Drops the foreign key constraint named `name`. SQLite cannot: `None`.
pub fn drop_foreign_key(dialect: Dialect, table: &str, name: &str) -> Option<String> {
    let q = |s: &str| dialect.quote(s);
    match dialect {
        Dialect::Sqlite => None,
        Dialect::Postgres => Some(format!(
            "ALTER TABLE {} DROP CONSTRAINT {};",
            q(table),
            q(name)
        )),
        Dialect::Mysql => Some(format!(
            "ALTER TABLE {} DROP FOREIGN KEY {};",
            q(table),
            q(name)
        )),
    }
}

/// Renames the foreign key constraint of `column` from `from` to `to`. PostgreSQL renames
/// it; MySQL cannot rename a foreign key, so it is dropped and added again; SQLite does not
/// use the name (the next rebuild rewrites it): nothing.
pub fn rename_foreign_key(
    dialect: Dialect,
    table: &str,
    column: &str,
    from: &str,
    to: &str,
    fk: &ForeignKeyDef,
) -> Vec<String> {
    let q = |s: &str| dialect.quote(s);
    match dialect {
        Dialect::Sqlite => Vec::new(),
        Dialect::Postgres => vec![format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {};",
            q(table),
            q(from),
            q(to)
        )],
        Dialect::Mysql => drop_foreign_key(dialect, table, from)
            .into_iter()
            .chain(add_foreign_key_named(dialect, table, to, column, fk))
            .collect(),
    }
}

/// Renames a content type (Django's `RenameContentType`), unless a content type already has
/// the new name (then the stale one is left for the user to resolve, as Django does). The
/// subquery reads the table through a derived table so MySQL accepts it.
pub fn rename_content_type(dialect: Dialect, app_label: &str, from: &str, to: &str) -> String {
    let q = |s: &str| dialect.quote(s);
    let lit = |s: &str| string_literal(dialect, s);
    let (t, app, model) = (q(content_type::TABLE), q("app_label"), q("model"));
    format!(
        "UPDATE {t} SET {model} = {to_lit} WHERE {app} = {app_lit} AND {model} = {from_lit} \
         AND NOT EXISTS (SELECT 1 FROM (SELECT DISTINCT {id} FROM {t} WHERE {app} = {app_lit} \
         AND {model} = {to_lit}) AS {existing});",
        to_lit = lit(to),
        from_lit = lit(from),
        app_lit = lit(app_label),
        id = q("id"),
        existing = q("existing"),
    )
}

/// The temporary name of a table during a SQLite rebuild.
pub fn sqlite_rebuild_name(table: &str) -> String {
    format!("contenttypes_new__{table}")
}

/// Rebuilds a SQLite table from the shape `from` to the shape `to` (same table name), the
/// way SQLite documents it: create the new table under a temporary name, copy the rows,
/// drop the old table, rename the new one, create its indexes. A column of `to` takes the
/// values of the column of `from` with its name (`NULL`s filled when it became `NOT NULL`),
/// else its default, else `NULL` or the type's zero. Run it with foreign key enforcement off
/// (see [`sqlite_foreign_keys_off`]) so dropping the old table cascades nowhere.
pub fn sqlite_rebuild_table(from: &ModelDef, to: &ModelDef) -> Vec<String> {
    let dialect = Dialect::Sqlite;
    let q = |s: &str| dialect.quote(s);
    let table = to.table.name.as_ref();
    let temp = sqlite_rebuild_name(table);
    let mut targets = Vec::new();
    let mut sources = Vec::new();
    for column in to.table.columns.iter() {
        targets.push(q(&column.name));
        let source = match from.column(&column.name) {
            Some(old) if old.nullable && !column.nullable => format!(
                "COALESCE({}, {})",
                q(&column.name),
                fill_literal(dialect, column)
            ),
            Some(_) => q(&column.name),
            None => match (&column.default, column.nullable) {
                (Some(d), _) => default_literal(dialect, d),
                (None, true) => "NULL".into(),
                (None, false) => zero_literal(dialect, column.sql_type),
            },
        };
        sources.push(source);
    }
    let mut out = vec![
        create_table_as(dialect, to, &temp),
        format!(
            "INSERT INTO {} ({}) SELECT {} FROM {};",
            q(&temp),
            targets.join(", "),
            sources.join(", "),
            q(&from.table.name)
        ),
        drop_table(dialect, &from.table.name),
        rename_table(dialect, &temp, table),
    ];
    out.extend(
        all_indexes(to)
            .iter()
            .map(|i| create_index(dialect, &to.table, i)),
    );
    out
}

/// What a SQLite migration that rebuilds tables runs first. `PRAGMA foreign_keys` cannot
/// change inside a transaction, so such a migration runs outside Diesel's transaction
/// (`metadata.toml`: `run_in_transaction = false`) and opens its own.
pub fn sqlite_foreign_keys_off() -> Vec<String> {
    vec!["PRAGMA foreign_keys = OFF;".into(), "BEGIN;".into()]
}

/// What such a migration runs last: fails (a `CHECK` constraint) if a foreign key points
/// nowhere, commits, and turns foreign key enforcement back on.
pub fn sqlite_foreign_keys_on() -> Vec<String> {
    vec![
        "CREATE TEMP TABLE \"contenttypes_foreign_key_check\" (\"violations\" integer NOT NULL CHECK (\"violations\" = 0));".into(),
        "INSERT INTO \"contenttypes_foreign_key_check\" SELECT COUNT(*) FROM pragma_foreign_key_check;".into(),
        "DROP TABLE \"contenttypes_foreign_key_check\";".into(),
        "COMMIT;".into(),
        "PRAGMA foreign_keys = ON;".into(),
    ]
}
