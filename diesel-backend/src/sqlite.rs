//! Setting up an SQLite connection for an application that writes from several threads or
//! processes.

use std::time::{Duration, Instant};

use diesel::sqlite::Sqlite;

use crate::conn::Conn;
use crate::error::{Error, Result};

/// How long a connection [`configure`] sets up waits for another connection's write lock
/// before failing with "database is locked": 5 seconds, Python's `sqlite3` default, which
/// Django uses.
pub const BUSY_TIMEOUT_MS: u32 = 5_000;

/// Sets up an SQLite connection as the framework expects it under concurrent use, in one
/// call: a busy timeout of [`BUSY_TIMEOUT_MS`] (without one, SQLite fails at once when
/// another connection writes), foreign keys enforced (off by default in SQLite; Django turns
/// them on too), and write-ahead logging (readers do not block the writer, nor the writer
/// them; a database file keeps this mode, an in-memory one ignores it), with
/// `synchronous = NORMAL`, which WAL makes safe against corruption, and recursive triggers
/// (so that the triggers of database-enforced generic foreign keys,
/// `#[generic_foreign_key(db_constraint)]`, follow a cascade through rows of one table, a
/// reply to a reply to a comment, to its end).
///
/// Call it once per connection, right after opening it (in an r2d2 pool, from a
/// `CustomizeConnection::on_acquire`); many connections may call it at once on a new file
/// (the switch to WAL, which SQLite refuses at once under contention, is retried within the
/// busy timeout). The framework's own write transactions start with
/// `BEGIN IMMEDIATE`; use Diesel's `SqliteConnection::immediate_transaction` for yours when
/// they read before they write, or SQLite refuses their first write with "database is
/// locked" whenever another connection wrote in between, whatever the timeout.
///
/// ```
/// use diesel::prelude::*;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = std::env::temp_dir().join(format!("ct-sqlite-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// # let path = dir.join("app.db");
/// let mut conn = SqliteConnection::establish(path.to_str().unwrap())?;
/// contenttypes::sqlite::configure(&mut conn)?;
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok(())
/// # }
/// ```
pub fn configure<C: Conn<Backend = Sqlite>>(conn: &mut C) -> crate::Output<'_, C, Result<()>> {
    C::drive(configure_op(conn))
}

async fn configure_op<C: Conn<Backend = Sqlite>>(conn: &mut C) -> Result<()> {
    conn.execute_sql(&format!(
        "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}; \
         PRAGMA foreign_keys = ON; \
         PRAGMA recursive_triggers = ON;"
    ))
    .await?;
    // Switching a database file to WAL takes its exclusive lock from a shared one, which
    // SQLite refuses at once ("database is locked") instead of calling the busy handler
    // when another connection holds a lock (waiting could deadlock): connections
    // configured at once on a new file (a pool filling up, processes starting together)
    // retry it, within the busy timeout. Once the file is in WAL mode, this is a no-op.
    let deadline = Instant::now() + Duration::from_millis(BUSY_TIMEOUT_MS.into());
    loop {
        match conn
            .execute_sql("PRAGMA journal_mode = WAL")
            .await
            .map_err(Error::from)
        {
            Err(e) if Instant::now() < deadline && e.is_retryable() => {
                C::pause(Duration::from_millis(5)).await
            }
            done => break done?,
        }
    }
    conn.execute_sql("PRAGMA synchronous = NORMAL").await?;
    Ok(())
}
