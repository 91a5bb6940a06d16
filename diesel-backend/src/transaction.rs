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

use diesel::connection::{
    Connection, TransactionDepthChange, TransactionManager, TransactionManagerStatus,
};

use crate::backend::{Dialect, SupportedBackend};
use crate::db::{Db, Using};
use crate::error::{Error, Result};

/// How many times a transaction of the framework's own is attempted before a retryable error
/// is returned to the caller.
pub const MAX_ATTEMPTS: u32 = 6;

/// Whether `conn` is inside a transaction (the caller's or the framework's).
pub(crate) fn in_transaction<C: Connection>(conn: &mut C) -> bool {
    // `transaction_manager_status_mut` is hidden in Diesel's docs but public; the framework
    // pins Diesel to `~2.3.14`.
    !matches!(
        <C::TransactionManager as TransactionManager<C>>::transaction_manager_status_mut(conn)
            .transaction_depth(),
        Ok(None)
    )
}

/// Runs `f` atomically: in a transaction of its own (opened as the module documentation
/// says), or in a savepoint of the caller's transaction. Not retried: use [`atomic_retry`]
/// where `f` can run again.
pub(crate) fn atomic<D: Db, T>(
    db: &mut D,
    f: impl FnOnce(&mut Using<'_, D::Connection>) -> Result<T>,
) -> Result<T> {
    let (conn, content_types) = db.parts();
    run(conn, |conn| {
        f(&mut Using {
            conn,
            content_types,
        })
    })
}

/// [`atomic`], retried up to [`MAX_ATTEMPTS`] times when the framework owns the transaction
/// and the database aborted it for a reason that goes away on retry. `f` must leave nothing
/// behind in memory that a retry would double.
pub(crate) fn atomic_retry<D: Db, T>(
    db: &mut D,
    mut f: impl FnMut(&mut Using<'_, D::Connection>) -> Result<T>,
) -> Result<T> {
    let (conn, content_types) = db.parts();
    if in_transaction(conn) {
        return run(conn, |conn| {
            f(&mut Using {
                conn,
                content_types,
            })
        });
    }
    let mut attempt = 1;
    loop {
        let result = run(conn, |conn| {
            f(&mut Using {
                conn,
                content_types,
            })
        });
        match result {
            Err(e) if e.is_retryable() && attempt < MAX_ATTEMPTS => {
                std::thread::sleep(backoff(attempt));
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
fn run<C, T>(conn: &mut C, f: impl FnOnce(&mut C) -> Result<T>) -> Result<T>
where
    C: Connection,
    C::Backend: SupportedBackend,
{
    if in_transaction(conn) {
        return conn.transaction::<T, Error, _>(f);
    }
    match <C::Backend as SupportedBackend>::DIALECT {
        Dialect::Sqlite => {
            begin_with(conn, "BEGIN IMMEDIATE")?;
            finish(conn, f)
        }
        Dialect::Mysql => {
            // Applies to the next transaction only; the session's level is left alone.
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")?;
            conn.transaction::<T, Error, _>(f)
        }
        Dialect::Postgres => conn.transaction::<T, Error, _>(f),
    }
}

/// Opens a top-level transaction with `sql` and records it in Diesel's transaction manager,
/// as Diesel's own `SqliteConnection::immediate_transaction` does, for any connection type
/// whose manager keeps Diesel's status (every Diesel connection, and r2d2's pooled ones).
fn begin_with<C: Connection>(conn: &mut C, sql: &str) -> Result<()> {
    conn.batch_execute(sql)?;
    match <C::TransactionManager as TransactionManager<C>>::transaction_manager_status_mut(conn) {
        TransactionManagerStatus::Valid(status) => {
            status.change_transaction_depth(TransactionDepthChange::IncreaseDepth)?;
            Ok(())
        }
        TransactionManagerStatus::InError => Err(Error::Database(
            diesel::result::Error::BrokenTransactionManager,
        )),
    }
}

/// Runs `f` in the transaction [`begin_with`] opened and ends it, as Diesel's
/// `TransactionManager::transaction` does.
fn finish<C: Connection, T>(conn: &mut C, f: impl FnOnce(&mut C) -> Result<T>) -> Result<T> {
    match f(conn) {
        Ok(value) => {
            <C::TransactionManager as TransactionManager<C>>::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            match <C::TransactionManager as TransactionManager<C>>::rollback_transaction(conn) {
                Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
                Err(rollback) => Err(rollback.into()),
            }
        }
    }
}
