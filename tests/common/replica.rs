//! A primary and a replica for the routing tests, on every backend: the "replica" is a
//! second fresh database (another SQLite file, PostgreSQL schema or MySQL database) that the
//! test fills with a copy of the primary ([`Pair::replicate`]); a copy not refreshed since is
//! a replica that lags. Its connection logs every statement, transaction control included,
//! so a test can assert that nothing but `SELECT`s reached it.

use std::sync::{Arc, Mutex};

use contenttypes::Dialect;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::{Connection, RunQueryDsl};

use super::{Cleanup, TestConnection, TestDb};

/// Every statement a connection sends, as Diesel prints it (SQL and binds), transaction
/// control included (unlike [`contenttypes::testing::QueryLog`]).
#[derive(Clone, Debug, Default)]
pub struct Statements(Arc<Mutex<Vec<String>>>);

impl Statements {
    /// Starts recording on `conn`, replacing its instrumentation.
    pub fn attach<C: Connection>(conn: &mut C) -> Statements {
        let log = Statements::default();
        conn.set_instrumentation(log.clone());
        log
    }

    /// The statements sent since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// How many statements were sent since the last [`Statements::take`].
    pub fn count(&self) -> usize {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Forgets what was sent.
    pub fn reset(&self) {
        self.take();
    }
}

impl Instrumentation for Statements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(query.to_string());
        }
    }
}

/// Whether `statement` (as Diesel prints it) is a `SELECT` without a lock: the only
/// statement a replica may receive.
pub fn is_plain_select(statement: &str) -> bool {
    let sql = statement
        .split(" -- binds:")
        .next()
        .unwrap_or(statement)
        .to_ascii_uppercase();
    sql.trim_start().starts_with("SELECT")
        && !sql.contains(" FOR UPDATE")
        && !sql.contains(" FOR SHARE")
        && !sql.contains("LOCK IN SHARE MODE")
}

/// Asserts that every statement sent to a replica is a plain `SELECT`; returns how many.
#[track_caller]
pub fn assert_only_selects(replica: &Statements) -> usize {
    let sent = replica.take();
    let others: Vec<&String> = sent.iter().filter(|s| !is_plain_select(s)).collect();
    assert!(
        others.is_empty(),
        "the replica received statements other than SELECTs:\n{}",
        others
            .iter()
            .map(|q| format!("  {q}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    sent.len()
}

/// Runs `f` and asserts that it sent `expected` statements to the replica, all plain
/// `SELECT`s (as `assert_queries` counts, for a replica's log).
#[track_caller]
pub fn assert_on_replica<T>(replica: &Statements, expected: usize, f: impl FnOnce() -> T) -> T {
    replica.reset();
    let out = f();
    let sent = replica.take();
    assert_eq!(
        sent.len(),
        expected,
        "expected {expected} statements on the replica, got {}:\n{}",
        sent.len(),
        sent.iter()
            .map(|q| format!("  {q}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let log = Statements(Arc::new(Mutex::new(sent)));
    assert_only_selects(&log);
    out
}

/// A primary and its replica, with the content-type manager of the logical database
/// (`primary.cts`) and a log of every statement the replica received.
pub struct Pair<C: TestConnection>
where
    C::Backend: contenttypes::SupportedBackend,
{
    pub primary: TestDb<C>,
    pub replica: TestDb<C>,
    pub replica_log: Statements,
}

impl<C: TestConnection> Pair<C>
where
    C::Backend: contenttypes::SupportedBackend,
{
    /// Two fresh databases with the tables of every registered model and no rows.
    pub fn new() -> Self {
        let primary = TestDb::<C>::shared();
        let mut replica = TestDb::<C>::shared();
        let replica_log = Statements::attach(&mut replica.conn);
        Pair {
            primary,
            replica,
            replica_log,
        }
    }

    /// The routed `Db`: reads to the replica, the rest to the primary.
    pub fn routed(&mut self) -> C::Routed<'_> {
        C::routed(
            &mut self.primary.conn,
            &mut self.replica.conn,
            &self.primary.cts,
        )
    }

    /// The statement log of the primary (transaction control left out, as Django counts).
    pub fn primary_log(&self) -> contenttypes::testing::QueryLog {
        self.primary.log()
    }

    /// Makes the replica a copy of the primary as it is now, through connections of their
    /// own (nothing goes through the logged connections).
    pub fn replicate(&self) {
        let from = self.primary.cleanup.as_ref().expect("a shared database");
        let to = self.replica.cleanup.as_ref().expect("a shared database");
        copy_database::<C>(from, to);
    }
}

/// Replaces every table's rows in `to` by those of `from` (both made by the harness, with
/// the same tables), foreign-key checks off for the copy.
pub fn copy_database<C: TestConnection>(from: &Cleanup, to: &Cleanup)
where
    C::Backend: contenttypes::SupportedBackend,
{
    match C::DIALECT {
        Dialect::Sqlite => copy_sqlite(from, to),
        Dialect::Postgres => copy_postgres(from, to),
        Dialect::Mysql => copy_mysql(from, to),
    }
}

#[derive(diesel::QueryableByName)]
struct TableName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[cfg(feature = "sqlite")]
fn copy_sqlite(from: &Cleanup, to: &Cleanup) {
    let mut conn = diesel::SqliteConnection::establish(&to.name).expect("open the replica");
    diesel::sql_query("PRAGMA busy_timeout = 10000")
        .execute(&mut conn)
        .expect("busy timeout");
    diesel::sql_query(format!("ATTACH DATABASE '{}' AS src", from.name))
        .execute(&mut conn)
        .expect("attach the primary");
    let tables: Vec<TableName> = diesel::sql_query(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .load(&mut conn)
    .expect("the replica's tables");
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        for TableName { name } in &tables {
            diesel::sql_query(format!("DELETE FROM main.\"{name}\"")).execute(conn)?;
            diesel::sql_query(format!(
                "INSERT INTO main.\"{name}\" SELECT * FROM src.\"{name}\""
            ))
            .execute(conn)?;
        }
        Ok(())
    })
    .expect("copy the primary's rows");
    diesel::sql_query("DETACH DATABASE src")
        .execute(&mut conn)
        .expect("detach the primary");
}

#[cfg(not(feature = "sqlite"))]
fn copy_sqlite(_: &Cleanup, _: &Cleanup) {
    unreachable!("SQLite databases without the sqlite feature")
}

#[cfg(feature = "postgres")]
fn copy_postgres(from: &Cleanup, to: &Cleanup) {
    let mut conn = diesel::PgConnection::establish(&from.admin_url).expect("connect to PostgreSQL");
    let tables: Vec<TableName> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
    )
    .bind::<diesel::sql_types::Text, _>(&to.name)
    .load(&mut conn)
    .expect("the replica's tables");
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        // Foreign keys are triggers on PostgreSQL: off for the copy, as a replica applies rows.
        diesel::sql_query("SET LOCAL session_replication_role = replica").execute(conn)?;
        for TableName { name } in &tables {
            let (src, dst) = (&from.name, &to.name);
            diesel::sql_query(format!("DELETE FROM \"{dst}\".\"{name}\"")).execute(conn)?;
            diesel::sql_query(format!(
                "INSERT INTO \"{dst}\".\"{name}\" SELECT * FROM \"{src}\".\"{name}\""
            ))
            .execute(conn)?;
        }
        Ok(())
    })
    .expect("copy the primary's rows");
}

#[cfg(not(feature = "postgres"))]
fn copy_postgres(_: &Cleanup, _: &Cleanup) {
    unreachable!("PostgreSQL databases without the postgres feature")
}

#[cfg(feature = "mysql")]
fn copy_mysql(from: &Cleanup, to: &Cleanup) {
    let mut conn = diesel::MysqlConnection::establish(&from.admin_url).expect("connect to MySQL");
    let tables: Vec<TableName> = diesel::sql_query(
        "SELECT CAST(table_name AS CHAR) AS name FROM information_schema.tables \
         WHERE table_schema = ? AND table_type = 'BASE TABLE'",
    )
    .bind::<diesel::sql_types::Text, _>(&to.name)
    .load(&mut conn)
    .expect("the replica's tables");
    diesel::sql_query("SET FOREIGN_KEY_CHECKS = 0")
        .execute(&mut conn)
        .expect("foreign key checks off");
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        for TableName { name } in &tables {
            let (src, dst) = (&from.name, &to.name);
            diesel::sql_query(format!("DELETE FROM `{dst}`.`{name}`")).execute(conn)?;
            diesel::sql_query(format!(
                "INSERT INTO `{dst}`.`{name}` SELECT * FROM `{src}`.`{name}`"
            ))
            .execute(conn)?;
        }
        Ok(())
    })
    .expect("copy the primary's rows");
}

#[cfg(not(feature = "mysql"))]
fn copy_mysql(_: &Cleanup, _: &Cleanup) {
    unreachable!("MySQL databases without the mysql feature")
}
