//! Counting the statements a piece of code sends (Django's `assertNumQueries`), for tests
//! that hold the framework to its query counts.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent};

use crate::conn::Conn;

/// Records the SQL of every statement a connection sends, except transaction control
/// (`BEGIN`, `COMMIT`, `ROLLBACK`, savepoints, `SET TRANSACTION`), which Django does not count
/// either.
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use contenttypes::testing::QueryLog;
/// let mut conn = connection();
/// let log = QueryLog::attach(&mut conn);
/// Tag::insert(&mut conn, NewTag { name: "x".into() })?;
/// assert_eq!(log.count(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct QueryLog {
    count: Arc<AtomicUsize>,
    queries: Arc<Mutex<Vec<String>>>,
}

impl QueryLog {
    /// Starts recording on `conn`, replacing its instrumentation.
    pub fn attach<C: Conn>(conn: &mut C) -> QueryLog {
        let log = QueryLog::default();
        log.record(conn);
        log
    }

    /// Records `conn`'s statements into this log too, replacing its instrumentation: one
    /// log for several connections (the connections of a pool, as its `on_acquire` hook
    /// sees them).
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use contenttypes::testing::QueryLog;
    /// let (mut first, mut second) = (connection(), connection());
    /// let log = QueryLog::attach(&mut first);
    /// log.record(&mut second);
    /// Tag::count(&mut first)?;
    /// Tag::count(&mut second)?;
    /// assert_eq!(log.count(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn record<C: Conn>(&self, conn: &mut C) {
        conn.instrument(Recorder(self.clone()));
    }

    /// How many statements were sent since the last [`QueryLog::take`].
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// The statements sent since the last call, as Diesel prints them (SQL and binds); resets
    /// the count.
    pub fn take(&self) -> Vec<String> {
        self.count.store(0, Ordering::SeqCst);
        std::mem::take(&mut *self.queries.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Resets the count.
    pub fn reset(&self) {
        self.take();
    }
}

struct Recorder(QueryLog);

/// Whether `sql` is transaction control rather than a query.
fn is_transaction_control(sql: &str) -> bool {
    let mut words = sql.split_whitespace().map(str::to_ascii_uppercase);
    match words.next().as_deref() {
        Some("BEGIN" | "COMMIT" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "START") => true,
        Some("SET") => words.next().as_deref() == Some("TRANSACTION"),
        _ => false,
    }
}

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            // A statement that cannot render (the query builder's error is returned to
            // the caller) is recorded as such rather than panicking in `to_string`.
            let mut text = String::new();
            if std::fmt::Write::write_fmt(&mut text, format_args!("{query}")).is_err() {
                text = "<a statement that failed to render>".to_string();
            }
            if !is_transaction_control(&text) {
                self.0.count.fetch_add(1, Ordering::SeqCst);
                self.0
                    .queries
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(text);
            }
        }
    }
}
