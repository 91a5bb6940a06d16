//! The test harness: every behaviour runs on every backend compiled in.
//!
//! `backend_tests! { fn name(t) { ... } }` expands to one `#[test]` per backend feature
//! (`sqlite::name`, `postgres::name`, `mysql::name`), and per async backend feature on
//! diesel-async's connections (`async_sqlite::name`, ...; see `async_conns`), each on its
//! own fresh database: an
//! in-memory SQLite database, a new PostgreSQL schema, a new MySQL database. The server
//! tests read `PG_DATABASE_URL` and `MYSQL_DATABASE_URL`; a backend whose feature is on and
//! whose URL is missing or unreachable fails its tests (nothing is skipped).
#![allow(dead_code, unused_macros, unused_imports)]

#[cfg(any(
    feature = "async-sqlite",
    feature = "async-postgres",
    feature = "async-mysql"
))]
pub mod async_conns;
pub mod models;
pub mod procs;
pub mod replica;

use std::sync::atomic::{AtomicUsize, Ordering};

use contenttypes::testing::QueryLog;
use contenttypes::{ContentTypes, Dialect, Routed, Using};
use diesel::connection::LoadConnection;
use diesel::{Connection, RunQueryDsl};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A connection type the harness can make fresh databases for.
pub trait TestConnection: Connection + LoadConnection + Sized + 'static
where
    Self::Backend: contenttypes::SupportedBackend,
{
    const DIALECT: Dialect;
    /// What operations take: the connection bound to a content-type manager.
    type Db<'a>: contenttypes::Db<Backend = Self::Backend, Mode = contenttypes::SyncMode>
        + Raw<Sync: Connection<Backend = Self::Backend> + LoadConnection>;
    /// A connection to a new, empty database, and what drops it afterwards.
    fn fresh() -> (Self, Option<Cleanup>);
    /// Like [`TestConnection::fresh`], but always a database other connections can open
    /// through [`TestDb::url`] (a temporary file for SQLite).
    fn fresh_shared() -> (Self, Option<Cleanup>) {
        Self::fresh()
    }
    /// Another connection to the same database (for concurrency tests).
    fn reconnect(url: &str) -> Self {
        Self::establish(url).unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
    }
    /// This connection bound to `content_types`, as operations take it.
    fn db<'a>(&'a mut self, content_types: &'a ContentTypes) -> Self::Db<'a>;
    /// A primary and a replica of it: reads to the replica, everything else to the primary.
    type Routed<'a>: contenttypes::Db<Backend = Self::Backend, Mode = contenttypes::SyncMode>
        + Raw<Sync = Self>;
    /// This connection as the primary, and `replica` for reads, bound to `content_types`
    /// (`ContentTypes::routed` over the connection operations take).
    fn routed<'a>(
        &'a mut self,
        replica: &'a mut Self,
        content_types: &'a ContentTypes,
    ) -> Self::Routed<'a>;
    /// Starts recording this connection's statements.
    fn attach_log(&mut self) -> QueryLog;
}

/// A test's `Db` gives the sync Diesel connection under it, for the raw SQL a test checks
/// with: `db.raw()` (the connection itself, or diesel-async's sync wrapper around an async
/// one).
pub trait Raw {
    type Sync;
    fn raw(&mut self) -> &mut Self::Sync;
}

impl<C: contenttypes::Conn> Raw for Using<'_, C> {
    type Sync = C;
    fn raw(&mut self) -> &mut C {
        contenttypes::Db::connection(self)
    }
}

/// The primary.
impl<C: contenttypes::Conn> Raw for Routed<'_, C> {
    type Sync = C;
    fn raw(&mut self) -> &mut C {
        contenttypes::Db::connection(self)
    }
}

/// `TestConnection`'s `Db` and log for a sync connection.
macro_rules! sync_db {
    () => {
        type Db<'a> = Using<'a, Self>;
        fn db<'a>(&'a mut self, content_types: &'a ContentTypes) -> Using<'a, Self> {
            content_types.using(self)
        }
        fn attach_log(&mut self) -> QueryLog {
            QueryLog::attach(self)
        }
        type Routed<'a> = Routed<'a, Self>;
        fn routed<'a>(
            &'a mut self,
            replica: &'a mut Self,
            content_types: &'a ContentTypes,
        ) -> Routed<'a, Self> {
            content_types.routed(self, replica)
        }
    };
}

/// Drops a server database when the test ends (also when it panics).
pub struct Cleanup {
    admin_url: String,
    statement: String,
    run: fn(&str, &str),
    /// The URL of the test's database, for extra connections.
    pub url: String,
    /// The test's database as its server names it: the SQLite file's path, the PostgreSQL
    /// schema, the MySQL database.
    pub name: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        (self.run)(&self.admin_url, &self.statement);
    }
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

fn server_url(var: &str, backend: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: the `{backend}` feature is on, so the {backend} tests must run against a server \
             (`bash .ci/run` sets it up; or set {var})"
        )
    })
}

#[cfg(feature = "sqlite")]
impl TestConnection for diesel::SqliteConnection {
    sync_db!();
    const DIALECT: Dialect = Dialect::Sqlite;
    fn fresh() -> (Self, Option<Cleanup>) {
        (
            diesel::SqliteConnection::establish(":memory:").expect("in-memory SQLite"),
            None,
        )
    }
    fn fresh_shared() -> (Self, Option<Cleanup>) {
        let path = std::env::temp_dir().join(format!("{}.db", unique("contenttypes_test")));
        let url = path.to_string_lossy().into_owned();
        let conn = Self::reconnect(&url);
        fn run(_: &str, path: &str) {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
        let cleanup = Cleanup {
            admin_url: String::new(),
            statement: url.clone(),
            run,
            name: url.clone(),
            url,
        };
        (conn, Some(cleanup))
    }
    fn reconnect(url: &str) -> Self {
        let mut conn = Self::establish(url).unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
        // Other connections wait for the write lock instead of failing.
        diesel::sql_query("PRAGMA busy_timeout = 10000")
            .execute(&mut conn)
            .expect("busy timeout");
        conn
    }
}

#[cfg(feature = "postgres")]
impl TestConnection for diesel::PgConnection {
    sync_db!();
    const DIALECT: Dialect = Dialect::Postgres;
    fn fresh() -> (Self, Option<Cleanup>) {
        let admin_url = server_url("PG_DATABASE_URL", "postgres");
        let schema = unique("ct");
        let mut admin = diesel::PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("PostgreSQL at PG_DATABASE_URL is unreachable: {e}"));
        diesel::sql_query(format!("CREATE SCHEMA \"{schema}\""))
            .execute(&mut admin)
            .expect("create schema");
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
        let conn = diesel::PgConnection::establish(&url).expect("connect to the test schema");
        fn run(url: &str, statement: &str) {
            if let Ok(mut c) = diesel::PgConnection::establish(url) {
                let _ = diesel::sql_query(statement).execute(&mut c);
            }
        }
        let cleanup = Cleanup {
            admin_url,
            statement: format!("DROP SCHEMA \"{schema}\" CASCADE"),
            run,
            url,
            name: schema,
        };
        (conn, Some(cleanup))
    }
}

#[cfg(feature = "mysql")]
impl TestConnection for diesel::MysqlConnection {
    sync_db!();
    const DIALECT: Dialect = Dialect::Mysql;
    fn fresh() -> (Self, Option<Cleanup>) {
        let admin_url = server_url("MYSQL_DATABASE_URL", "mysql");
        let name = unique("ct");
        let mut admin = diesel::MysqlConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("MySQL at MYSQL_DATABASE_URL is unreachable: {e}"));
        diesel::sql_query(format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        ))
        .execute(&mut admin)
        .expect("create database");
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        let url = format!("{base}/{name}");
        let conn = diesel::MysqlConnection::establish(&url).expect("connect to the test database");
        fn run(url: &str, statement: &str) {
            if let Ok(mut c) = diesel::MysqlConnection::establish(url) {
                let _ = diesel::sql_query(statement).execute(&mut c);
            }
        }
        let cleanup = Cleanup {
            admin_url,
            statement: format!("DROP DATABASE `{name}`"),
            run,
            url,
            name,
        };
        (conn, Some(cleanup))
    }
}

/// One test's database: a connection, its own content-type manager (content type ids
/// differ between databases) and a log of the statements sent.
pub struct TestDb<C: TestConnection>
where
    C::Backend: contenttypes::SupportedBackend,
{
    pub conn: C,
    pub cts: ContentTypes,
    log: QueryLog,
    pub cleanup: Option<Cleanup>,
}

impl<C: TestConnection> TestDb<C>
where
    C::Backend: contenttypes::SupportedBackend,
{
    /// A fresh database with the tables of every registered model.
    pub fn new() -> Self {
        let mut t = Self::empty();
        contenttypes::schema::create_tables(&mut t.db()).expect("create the tables");
        t.log.reset();
        t
    }

    /// A fresh database with no tables.
    pub fn empty() -> Self {
        Self::with(C::fresh())
    }

    /// A fresh database with the tables of every registered model, that other connections
    /// can open through [`TestDb::url`].
    pub fn shared() -> Self {
        let mut t = Self::with(C::fresh_shared());
        contenttypes::schema::create_tables(&mut t.db()).expect("create the tables");
        t.log.reset();
        t
    }

    fn with((mut conn, cleanup): (C, Option<Cleanup>)) -> Self {
        let log = conn.attach_log();
        TestDb {
            conn,
            cts: ContentTypes::new(),
            log,
            cleanup,
        }
    }

    /// The connection bound to this database's content-type manager: pass `&mut t.db()`
    /// wherever a `Db` is expected.
    pub fn db(&mut self) -> C::Db<'_> {
        self.conn.db(&self.cts)
    }

    /// The statement log (shared: clone it before borrowing the connection).
    pub fn log(&self) -> QueryLog {
        self.log.clone()
    }

    /// The URL of the database, for extra connections (`None` for in-memory SQLite).
    pub fn url(&self) -> Option<&str> {
        self.cleanup.as_ref().map(|c| c.url.as_str())
    }
}

/// Runs `f` and asserts how many statements it sent (Django's `assertNumQueries`); prints
/// them when the count is wrong.
#[track_caller]
pub fn assert_queries<T>(log: &QueryLog, expected: usize, f: impl FnOnce() -> T) -> T {
    log.reset();
    let out = f();
    let sent = log.take();
    assert_eq!(
        sent.len(),
        expected,
        "expected {expected} statements, got {}:\n{}",
        sent.len(),
        sent.iter()
            .map(|q| format!("  {q}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    out
}

/// One refusing field of an [`contenttypes::Error::Protected`]: `(model, field, keys)`.
pub type Refusal<'a> = (&'a str, &'a str, Vec<contenttypes::PkValue>);

/// What an [`contenttypes::Error::Protected`] says, for comparing whole: the refused model
/// and every refusing field; `None` for any other error.
pub fn protected(error: &contenttypes::Error) -> Option<(&str, Vec<Refusal<'_>>)> {
    match error {
        contenttypes::Error::Protected { model, dependents } => Some((
            model.as_str(),
            dependents
                .iter()
                .map(|d| (d.model.as_str(), d.field.as_str(), d.keys.clone()))
                .collect(),
        )),
        _ => None,
    }
}

/// The statements a delete sends to look for the rows of generic foreign keys pointing at
/// rows of `M`: one probe (`SELECT (CASE WHEN EXISTS (...) ...) + ...`) for all the generic
/// foreign keys of the test binary's registered models that can point at `M`
/// (`contenttypes::generic_on_delete`, `no_action` ones left out), none when no generic
/// foreign key can. The policies' statements follow only for those with rows.
pub fn probe<M: contenttypes::Model>() -> usize {
    let registry = contenttypes::Registry::global().expect("the registry");
    let can = contenttypes::generic_on_delete::generic_dependents(
        registry.models().map(|r| r.def),
        M::DEF,
    )
    .iter()
    .any(|d| d.on_delete != contenttypes::ir::OnDelete::NoAction);
    usize::from(can)
}

/// Expands each test into one per backend feature. `fixture = <expr>;` first makes each
/// test's `t` with that expression instead of a fresh [`TestDb`] (`Conn` names the backend's
/// connection type in it).
macro_rules! backend_tests {
    // One module of tests on one connection type.
    (@module $feature:literal, $module:ident, $conn:ty, $fixture:expr;
        $($(#[$meta:meta])* fn $name:ident($t:ident) $body:block)*) => {
        #[cfg(feature = $feature)]
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            #[allow(dead_code)]
            type Conn = $conn;
            $( $(#[$meta])* #[test] fn $name() {
                #[allow(unused_mut)]
                let mut $t = $fixture;
                $body
            } )*
        }
    };
    // The sync connections only: for what only a sync connection does (Diesel's migration
    // harness, r2d2 pools, code that holds a `PgConnection`).
    (sync_only; fixture = $fixture:expr; $($tests:tt)*) => {
        $crate::common::backend_tests! { @module "sqlite", sqlite, diesel::SqliteConnection, $fixture; $($tests)* }
        $crate::common::backend_tests! { @module "postgres", postgres, diesel::PgConnection, $fixture; $($tests)* }
        $crate::common::backend_tests! { @module "mysql", mysql, diesel::MysqlConnection, $fixture; $($tests)* }
    };
    (sync_only; $($tests:tt)*) => {
        $crate::common::backend_tests! {
            sync_only; fixture = $crate::common::TestDb::<Conn>::new(); $($tests)*
        }
    };
    // Every connection: the sync ones and diesel-async's (`common::async_conns`).
    (fixture = $fixture:expr; $($tests:tt)*) => {
        $crate::common::backend_tests! { sync_only; fixture = $fixture; $($tests)* }
        $crate::common::backend_tests! {
            @module "async-sqlite", async_sqlite, $crate::common::async_conns::AsyncSqlite, $fixture; $($tests)*
        }
        $crate::common::backend_tests! {
            @module "async-postgres", async_postgres, $crate::common::async_conns::AsyncPg, $fixture; $($tests)*
        }
        $crate::common::backend_tests! {
            @module "async-mysql", async_mysql, $crate::common::async_conns::AsyncMysql, $fixture; $($tests)*
        }
    };
    ($($tests:tt)*) => {
        $crate::common::backend_tests! {
            fixture = $crate::common::TestDb::<Conn>::new(); $($tests)*
        }
    };
}
pub(crate) use backend_tests;

/// The number of statements an operation takes on each backend, where MySQL (no
/// `RETURNING`) needs more.
pub fn per_backend<C: TestConnection>(others: usize, mysql: usize) -> usize
where
    C::Backend: contenttypes::SupportedBackend,
{
    if C::DIALECT == Dialect::Mysql {
        mysql
    } else {
        others
    }
}

/// The `Db` a test of connection `C` passes (`t.db()`).
pub type DbOf<'a, C> = <C as TestConnection>::Db<'a>;
