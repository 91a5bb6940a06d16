//! What the migration tests need on top of the common harness: a fresh database other
//! processes can open (the diesel CLI), the CLI itself, temporary package directories, and
//! schema introspection per backend.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use contenttypes::build::migrate::State;
use contenttypes::migrations::MigrationHarness;
use contenttypes::{Dialect, SupportedBackend};
use contenttypes_core::{content_type, ddl};
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};

use crate::common::{Cleanup, TestConnection};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// One `#[test]` per backend feature, like the common harness's `backend_tests!` (`#[macro_use]` on
/// this module).
macro_rules! per_backend {
    ($($name:ident),* $(,)?) => {
        #[cfg(feature = "sqlite")]
        mod sqlite {
            $( #[test] fn $name() { super::$name::<diesel::SqliteConnection>() } )*
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            $( #[test] fn $name() { super::$name::<diesel::PgConnection>() } )*
        }
        #[cfg(feature = "mysql")]
        mod mysql {
            $( #[test] fn $name() { super::$name::<diesel::MysqlConnection>() } )*
        }
    };
}

/// A temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "contenttypes-{prefix}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A backend the migration tests run on.
pub trait Backend:
    TestConnection
    + contenttypes::conn::SyncConn
    + MigrationHarness<<Self as diesel::Connection>::Backend>
where
    <Self as diesel::Connection>::Backend: SupportedBackend,
{
    /// Runs a statement.
    fn execute(&mut self, sql: &str);
    /// Runs a query whose only column, `v`, is text.
    fn strings(&mut self, sql: &str) -> Vec<String>;
    /// The schema as the database reports it.
    fn schema(&mut self) -> Schema;
}

/// A fresh, empty database other processes can open: its URL and a connection to it.
pub struct Database<C> {
    pub conn: C,
    pub url: String,
    _cleanup: Cleanup,
}

pub fn database<C>() -> Database<C>
where
    C: Backend,
    <C as diesel::Connection>::Backend: SupportedBackend,
{
    let (conn, cleanup) = C::fresh_shared();
    let cleanup = cleanup.expect("a shared database has a URL");
    Database {
        conn,
        url: cleanup.url.clone(),
        _cleanup: cleanup,
    }
}

/// The diesel CLI: `DIESEL_CLI`, else `~/.cargo/bin/diesel`, else `diesel` on the `PATH`.
fn diesel_cli() -> PathBuf {
    if let Some(p) = std::env::var_os("DIESEL_CLI") {
        return p.into();
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(p) = home.map(|h| h.join("bin").join("diesel")) {
        if p.is_file() {
            return p;
        }
    }
    PathBuf::from("diesel")
}

/// Runs `diesel migration <args> --migration-dir <dir> --database-url <url>` in `project`
/// (which has a `diesel.toml`); panics with its output when it fails.
pub fn cli(project: &Path, args: &[&str], dir: &Path, url: &str) -> String {
    let bin = diesel_cli();
    let output = Command::new(&bin)
        .current_dir(project)
        .arg("migration")
        .args(args)
        .arg("--migration-dir")
        .arg(dir)
        .arg("--database-url")
        .arg(url)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run the diesel CLI ({}): {e}. Install it with `cargo install diesel_cli --version 2.3.14 \
                 --locked --no-default-features --features sqlite-bundled,postgres,mysql`, or set DIESEL_CLI",
                bin.display()
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "diesel migration {args:?} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    stdout
}

// --- Introspection ----------------------------------------------------------------------

/// A schema, as comparable data. The content-type table's indexes are left out (its unique
/// constraint is inline, which SQLite names by itself); every other index, column and
/// foreign key is in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    pub indexes: BTreeMap<String, Index>,
    /// By column.
    pub foreign_keys: BTreeMap<String, ForeignKey>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The type in the dialect's spelling (`Dialect::column_type`).
    pub sql_type: String,
    pub nullable: bool,
    pub has_default: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    /// The columns, with the prefix MySQL indexes of unbounded text (`object_pk(255)`).
    pub columns: Vec<String>,
    pub unique: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    pub table: String,
    pub column: String,
    pub on_delete: String,
    /// The constraint name (SQLite does not keep one).
    pub name: Option<String>,
}

/// The schema the recorded models should have produced (`state`'s managed models), plus the
/// content-type table, which the first migration creates and reverting never drops.
pub fn expected(state: &State, dialect: Dialect) -> Schema {
    let mut schema = Schema::default();
    let mut models: Vec<&contenttypes::ir::ModelDef> =
        state.models.iter().filter(|m| m.managed).collect();
    if !models.iter().any(|m| m.table.name == content_type::TABLE) {
        models.push(content_type::DEF);
    }
    for m in models {
        let mut table = Table::default();
        for c in m.table.columns.iter() {
            table.columns.insert(
                c.name.to_string(),
                Column {
                    sql_type: if dialect == Dialect::Sqlite && c.primary_key && c.auto_increment {
                        "integer".into()
                    } else {
                        dialect.column_type(c.sql_type)
                    },
                    nullable: c.nullable,
                    has_default: c.default.is_some(),
                },
            );
            if let Some(fk) = &c.foreign_key {
                table.foreign_keys.insert(
                    c.name.to_string(),
                    ForeignKey {
                        table: fk.table.to_string(),
                        column: fk.column.to_string(),
                        on_delete: fk.on_delete.sql().to_string(),
                        name: (dialect != Dialect::Sqlite)
                            .then(|| ddl::foreign_key_name(&m.table.name, &c.name, fk)),
                    },
                );
            }
        }
        if m.table.name != content_type::TABLE {
            for i in ddl::all_indexes(m) {
                let prefixes = match dialect {
                    Dialect::Mysql => ddl::index_prefixes(&m.table, &i),
                    _ => vec![None; i.columns.len()],
                };
                let columns = i
                    .columns
                    .iter()
                    .zip(prefixes)
                    .map(|(c, prefix)| match prefix {
                        Some(n) => format!("{c}({n})"),
                        None => c.to_string(),
                    })
                    .collect();
                table.indexes.insert(
                    i.name.to_string(),
                    Index {
                        columns,
                        unique: i.unique,
                    },
                );
            }
        }
        schema.tables.insert(m.table.name.to_string(), table);
    }
    schema
}

/// Reads a state file.
pub fn read_state(path: &Path) -> State {
    State::from_json(&std::fs::read_to_string(path).expect("read the state file"))
        .expect("parse the state file")
}

#[derive(QueryableByName)]
struct V {
    #[diesel(sql_type = Text)]
    v: String,
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;

    #[derive(QueryableByName)]
    struct ColumnRow {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        r#type: String,
        #[diesel(sql_type = BigInt)]
        not_null: i64,
        #[diesel(sql_type = Nullable<Text>)]
        dflt_value: Option<String>,
    }

    #[derive(QueryableByName)]
    struct IndexRow {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = BigInt)]
        is_unique: i64,
        #[diesel(sql_type = Text)]
        origin: String,
    }

    #[derive(QueryableByName)]
    struct FkRow {
        #[diesel(sql_type = Text)]
        ref_table: String,
        #[diesel(sql_type = Text)]
        col: String,
        #[diesel(sql_type = Text)]
        ref_col: String,
        #[diesel(sql_type = Text)]
        on_delete: String,
    }

    impl Backend for diesel::SqliteConnection {
        fn execute(&mut self, sql: &str) {
            diesel::sql_query(sql)
                .execute(self)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }

        fn strings(&mut self, sql: &str) -> Vec<String> {
            diesel::sql_query(sql)
                .load::<V>(self)
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .into_iter()
                .map(|r| r.v)
                .collect()
        }

        fn schema(&mut self) -> Schema {
            let mut schema = Schema::default();
            let tables = self.strings(
                "SELECT name AS v FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name <> '__diesel_schema_migrations' ORDER BY name",
            );
            for t in tables {
                let mut table = Table::default();
                let columns: Vec<ColumnRow> = diesel::sql_query(format!(
                    "SELECT name, lower(type) AS type, \"notnull\" AS not_null, dflt_value FROM pragma_table_info('{t}')"
                ))
                .load(self)
                .expect("table_info");
                for c in columns {
                    table.columns.insert(
                        c.name,
                        Column {
                            sql_type: c.r#type,
                            nullable: c.not_null == 0,
                            has_default: c.dflt_value.is_some(),
                        },
                    );
                }
                if t != content_type::TABLE {
                    let indexes: Vec<IndexRow> = diesel::sql_query(format!(
                        "SELECT name, \"unique\" AS is_unique, origin FROM pragma_index_list('{t}')"
                    ))
                    .load(self)
                    .expect("index_list");
                    for i in indexes.into_iter().filter(|i| i.origin != "pk") {
                        let columns = self.strings(&format!(
                            "SELECT name AS v FROM pragma_index_info('{}') ORDER BY seqno",
                            i.name
                        ));
                        table.indexes.insert(
                            i.name,
                            Index {
                                columns,
                                unique: i.is_unique == 1,
                            },
                        );
                    }
                }
                let fks: Vec<FkRow> = diesel::sql_query(format!(
                    "SELECT \"table\" AS ref_table, \"from\" AS col, \"to\" AS ref_col, on_delete FROM pragma_foreign_key_list('{t}')"
                ))
                .load(self)
                .expect("foreign_key_list");
                for fk in fks {
                    table.foreign_keys.insert(
                        fk.col,
                        ForeignKey {
                            table: fk.ref_table,
                            column: fk.ref_col,
                            on_delete: fk.on_delete,
                            name: None,
                        },
                    );
                }
                schema.tables.insert(t, table);
            }
            schema
        }
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;

    #[derive(QueryableByName)]
    struct ColumnRow {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        sql_type: String,
        #[diesel(sql_type = Bool)]
        nullable: bool,
        #[diesel(sql_type = Bool)]
        has_default: bool,
    }

    #[derive(QueryableByName)]
    struct IndexRow {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Bool)]
        is_unique: bool,
        #[diesel(sql_type = Text)]
        cols: String,
    }

    #[derive(QueryableByName)]
    struct FkRow {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        col: String,
        #[diesel(sql_type = Text)]
        ref_table: String,
        #[diesel(sql_type = Text)]
        ref_col: String,
        #[diesel(sql_type = Text)]
        del: String,
    }

    impl Backend for diesel::PgConnection {
        fn execute(&mut self, sql: &str) {
            diesel::sql_query(sql)
                .execute(self)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }

        fn strings(&mut self, sql: &str) -> Vec<String> {
            diesel::sql_query(sql)
                .load::<V>(self)
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .into_iter()
                .map(|r| r.v)
                .collect()
        }

        fn schema(&mut self) -> Schema {
            let mut schema = Schema::default();
            let tables = self.strings(
                "SELECT table_name::text AS v FROM information_schema.tables WHERE table_schema = current_schema() \
                 AND table_type = 'BASE TABLE' AND table_name <> '__diesel_schema_migrations' ORDER BY 1",
            );
            for t in tables {
                let mut table = Table::default();
                let rel = format!("'\"{t}\"'::regclass");
                let columns: Vec<ColumnRow> = diesel::sql_query(format!(
                    "SELECT attname::text AS name, format_type(atttypid, atttypmod) AS sql_type, NOT attnotnull AS nullable, \
                     atthasdef AS has_default FROM pg_attribute WHERE attrelid = {rel} AND attnum > 0 AND NOT attisdropped"
                ))
                .load(self)
                .expect("columns");
                for c in columns {
                    table.columns.insert(
                        c.name,
                        Column {
                            sql_type: c.sql_type.replace("character varying", "varchar"),
                            nullable: c.nullable,
                            has_default: c.has_default,
                        },
                    );
                }
                if t != content_type::TABLE {
                    let indexes: Vec<IndexRow> = diesel::sql_query(format!(
                        "SELECT i.relname::text AS name, ix.indisunique AS is_unique, array_to_string(ARRAY( \
                         SELECT a.attname FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
                         JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.ord), ',') AS cols \
                         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid WHERE ix.indrelid = {rel} AND NOT ix.indisprimary"
                    ))
                    .load(self)
                    .expect("indexes");
                    for i in indexes {
                        table.indexes.insert(
                            i.name,
                            Index {
                                columns: i.cols.split(',').map(str::to_string).collect(),
                                unique: i.is_unique,
                            },
                        );
                    }
                }
                let fks: Vec<FkRow> = diesel::sql_query(format!(
                    "SELECT con.conname::text AS name, a.attname::text AS col, cl.relname::text AS ref_table, \
                     ra.attname::text AS ref_col, con.confdeltype::text AS del FROM pg_constraint con \
                     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1] \
                     JOIN pg_class cl ON cl.oid = con.confrelid \
                     JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[1] \
                     WHERE con.contype = 'f' AND con.conrelid = {rel}"
                ))
                .load(self)
                .expect("foreign keys");
                for fk in fks {
                    let on_delete = match fk.del.as_str() {
                        "c" => "CASCADE",
                        "r" => "RESTRICT",
                        "n" => "SET NULL",
                        "a" => "NO ACTION",
                        other => panic!("unexpected confdeltype {other}"),
                    };
                    table.foreign_keys.insert(
                        fk.col,
                        ForeignKey {
                            table: fk.ref_table,
                            column: fk.ref_col,
                            on_delete: on_delete.into(),
                            name: Some(fk.name),
                        },
                    );
                }
                schema.tables.insert(t, table);
            }
            schema
        }
    }
}

#[cfg(feature = "mysql")]
mod mysql {
    use super::*;

    #[derive(QueryableByName)]
    struct ColumnRow {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        sql_type: String,
        #[diesel(sql_type = Text)]
        nullable: String,
        #[diesel(sql_type = Nullable<Text>)]
        dflt: Option<String>,
    }

    #[derive(QueryableByName)]
    struct IndexRow {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = BigInt)]
        non_unique: i64,
        #[diesel(sql_type = Text)]
        col: String,
        #[diesel(sql_type = Nullable<BigInt>)]
        prefix: Option<i64>,
    }

    #[derive(QueryableByName)]
    struct FkRow {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        col: String,
        #[diesel(sql_type = Text)]
        ref_table: String,
        #[diesel(sql_type = Text)]
        ref_col: String,
        #[diesel(sql_type = Text)]
        del: String,
    }

    /// MySQL's `COLUMN_TYPE` in `Dialect::column_type`'s spelling.
    fn normalize(t: &str) -> String {
        let t = t.to_lowercase();
        let base = t.split('(').next().unwrap_or(&t);
        match base {
            "tinyint" if t == "tinyint(1)" => "bool".into(),
            "int" => "integer".into(),
            "bigint" | "smallint" => base.into(),
            "double" => "double precision".into(),
            _ => t,
        }
    }

    impl Backend for diesel::MysqlConnection {
        fn execute(&mut self, sql: &str) {
            diesel::sql_query(sql)
                .execute(self)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }

        fn strings(&mut self, sql: &str) -> Vec<String> {
            diesel::sql_query(sql)
                .load::<V>(self)
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .into_iter()
                .map(|r| r.v)
                .collect()
        }

        fn schema(&mut self) -> Schema {
            let mut schema = Schema::default();
            let tables = self.strings(
                "SELECT TABLE_NAME AS v FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
                 AND TABLE_NAME <> '__diesel_schema_migrations' ORDER BY 1",
            );
            for t in tables {
                let mut table = Table::default();
                let columns: Vec<ColumnRow> = diesel::sql_query(format!(
                    "SELECT COLUMN_NAME AS name, COLUMN_TYPE AS sql_type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt \
                     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{t}'"
                ))
                .load(self)
                .expect("columns");
                for c in columns {
                    table.columns.insert(
                        c.name,
                        Column {
                            sql_type: normalize(&c.sql_type),
                            nullable: c.nullable == "YES",
                            // MariaDB reports the implicit default of a nullable column as `NULL`.
                            has_default: c.dflt.is_some_and(|d| d != "NULL"),
                        },
                    );
                }
                if t != content_type::TABLE {
                    let rows: Vec<IndexRow> = diesel::sql_query(format!(
                        "SELECT INDEX_NAME AS name, CAST(NON_UNIQUE AS SIGNED) AS non_unique, COLUMN_NAME AS col, \
                         CAST(SUB_PART AS SIGNED) AS prefix FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{t}' \
                         AND INDEX_NAME <> 'PRIMARY' ORDER BY INDEX_NAME, SEQ_IN_INDEX"
                    ))
                    .load(self)
                    .expect("indexes");
                    for r in rows {
                        let index = table.indexes.entry(r.name).or_insert(Index {
                            columns: Vec::new(),
                            unique: r.non_unique == 0,
                        });
                        index.columns.push(match r.prefix {
                            Some(n) => format!("{}({n})", r.col),
                            None => r.col,
                        });
                    }
                }
                let fks: Vec<FkRow> = diesel::sql_query(format!(
                    "SELECT k.CONSTRAINT_NAME AS name, k.COLUMN_NAME AS col, k.REFERENCED_TABLE_NAME AS ref_table, \
                     k.REFERENCED_COLUMN_NAME AS ref_col, r.DELETE_RULE AS del FROM information_schema.KEY_COLUMN_USAGE k \
                     JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA \
                     AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME \
                     WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = '{t}' AND k.REFERENCED_TABLE_NAME IS NOT NULL"
                ))
                .load(self)
                .expect("foreign keys");
                for fk in fks {
                    table.foreign_keys.insert(
                        fk.col,
                        ForeignKey {
                            table: fk.ref_table,
                            column: fk.ref_col,
                            on_delete: fk.del,
                            name: Some(fk.name),
                        },
                    );
                }
                schema.tables.insert(t, table);
            }
            schema
        }
    }
}
