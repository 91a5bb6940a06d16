//! How the framework's multi-statement writes run: atomically, and in the shape each backend
//! needs to stay correct under concurrent writers.
//!
//! - **Outside a transaction** the framework opens its own: `BEGIN IMMEDIATE` on SQLite, so a
//!   transaction that reads before it writes waits for the write lock (with the connection's
//!   busy timeout) instead of failing with "database is locked" at its first write; `READ
//!   COMMITTED` on MySQL/MariaDB (as Django runs MySQL sessions), so a read after a concurrent
//!   commit sees it and a locking read of a missing row takes no gap lock; the server's default
//!   (`READ COMMITTED`) on PostgreSQL. Such a transaction is retried, a bounded number of times,
//!   when the database aborts it for a deadlock or a serialization failure (or SQLite's lock
//!   wait runs out), so callers do not see those errors.
//! - **Inside the caller's transaction** the framework uses a savepoint, keeps the caller's
//!   isolation level and never retries (it cannot replay the caller's work): a deadlock or
//!   serialization failure comes back as an error for which [`Error::is_retryable`] is true,
//!   and the caller retries its own transaction.

use std::time::Duration;

use diesel::connection::{TransactionDepthChange, TransactionManagerStatus};

use crate::backend::{Dialect, SupportedBackend};
use crate::conn::{BoxFuture, Conn};
use crate::db::{Db, Using};
use crate::error::{Error, Result};

/// How many times a transaction of the framework's own is attempted before a retryable error
/// is returned to the caller.
pub const MAX_ATTEMPTS: u32 = 6;

/// Whether `conn` is inside a transaction (the caller's or the framework's).
pub(crate) fn in_transaction<C: Conn>(conn: &mut C) -> bool {
    !matches!(conn.transaction_status().transaction_depth(), Ok(None))
}

/// What the framework's transactions run: a closure that borrows a [`Using`] scope for
/// `'r` (the implied bound `'env: 'r` lets the future it returns borrow what the caller
/// borrowed for `'env`) and returns its work as a boxed future.
///
/// ```ignore
/// atomic(db, |db| Box::pin(async move { insert(db, row).await })).await
/// ```
pub(crate) trait Work<'env, C: Conn, T>:
    for<'r> FnMut(&'r mut Using<'env, C>) -> BoxFuture<'r, Result<T>> + Send
{
}
impl<'env, C: Conn, T, F> Work<'env, C, T> for F where
    F: for<'r> FnMut(&'r mut Using<'env, C>) -> BoxFuture<'r, Result<T>> + Send
{
}

/// Runs `f` atomically: in a transaction of its own (opened as the module documentation
/// says), or in a savepoint of the caller's transaction. Not retried: use [`atomic_retry`]
/// where `f` can run again.
pub(crate) async fn atomic<'env, D, T>(
    db: &'env mut D,
    f: impl Work<'env, D::Connection, T>,
) -> Result<T>
where
    D: Db + ?Sized,
    T: Send,
{
    let (conn, content_types) = db.parts();
    let mut scope = Using {
        conn,
        content_types,
    };
    run(&mut scope, f).await
}

/// [`atomic`], retried up to [`MAX_ATTEMPTS`] times when the framework owns the transaction
/// and the database aborted it for a reason that goes away on retry. `f` must leave nothing
/// behind in memory that a retry would double.
pub(crate) async fn atomic_retry<'env, D, T>(
    db: &'env mut D,
    mut f: impl Work<'env, D::Connection, T>,
) -> Result<T>
where
    D: Db + ?Sized,
    T: Send,
{
    let (conn, content_types) = db.parts();
    let mut scope = Using {
        conn,
        content_types,
    };
    if in_transaction(scope.conn) {
        return run(&mut scope, &mut f).await;
    }
    let mut attempt = 1;
    loop {
        match run(&mut scope, &mut f).await {
            Err(e) if e.is_retryable() && attempt < MAX_ATTEMPTS => {
                D::Connection::pause(backoff(attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// The pause before attempt `attempt + 1`: growing (5, 10, 20, 40, 80 ms) with a random part
/// as large, drawn per call, so that the transactions that collided (threads of one process
/// as much as processes) do not collide again in lockstep.
fn backoff(attempt: u32) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let base = 5u64 << attempt.saturating_sub(1).min(4);
    // `RandomState` is seeded randomly per thread and per call: a cheap source of jitter.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    Duration::from_millis(base + random % base)
}

/// Opens the transaction the backend needs (or a savepoint), runs `f`, commits or rolls back.
async fn run<'env, C: Conn, T: Send>(
    scope: &mut Using<'env, C>,
    mut f: impl Work<'env, C, T>,
) -> Result<T> {
    if in_transaction(scope.conn) {
        scope.conn.begin().await?;
    } else {
        match <C::Backend as SupportedBackend>::DIALECT {
            Dialect::Sqlite => begin_with(scope.conn, "BEGIN IMMEDIATE").await?,
            Dialect::Mysql => {
                // Applies to the next transaction only; the session's level is left alone.
                scope
                    .conn
                    .execute_sql("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    .await?;
                scope.conn.begin().await?;
            }
            Dialect::Postgres => scope.conn.begin().await?,
        }
    }
    let outcome = f(scope).await;
    finish(scope.conn, outcome).await
}

/// Opens a top-level transaction with `sql` and records it in Diesel's transaction manager,
/// as Diesel's own `SqliteConnection::immediate_transaction` does.
async fn begin_with<C: Conn>(conn: &mut C, sql: &str) -> Result<()> {
    conn.execute_sql(sql).await?;
    match conn.transaction_status() {
        TransactionManagerStatus::Valid(status) => {
            status.change_transaction_depth(TransactionDepthChange::IncreaseDepth)?;
            Ok(())
        }
        TransactionManagerStatus::InError => Err(Error::Database(
            diesel::result::Error::BrokenTransactionManager,
        )),
    }
}

/// Ends the transaction (or savepoint) the work ran in, as Diesel's
/// `TransactionManager::transaction` does: commits on `Ok`, rolls back on `Err`.
async fn finish<C: Conn, T>(conn: &mut C, outcome: Result<T>) -> Result<T> {
    match outcome {
        Ok(value) => {
            conn.commit().await?;
            Ok(value)
        }
        Err(error) => match conn.rollback().await {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}
