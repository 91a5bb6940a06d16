//! [`Router`]: which replica a database's reads go to (Django's `DATABASE_ROUTERS`, feature
//! `r2d2`).
//!
//! A router decides one thing: when [`Databases::get`](crate::databases::Databases::get)
//! checks out connections of a database that has replicas, which replica the reads of that
//! checkout go to, or none (its primary). Everything after that is [`crate::route`]'s rule:
//! reads go to the chosen replica unless the primary is inside a transaction, writes always go
//! to the primary.
//!
//! There is no `db_for_write`: a database's writes have nowhere to go but its primary (a
//! replica refuses them), which is what Django's `db_for_write` returns in every primary and
//! replica setup. Which logical database a piece of work uses (a tenant's, say) is the name
//! given to `Databases::get`, not a router's guess.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Where the reads of one checkout of a database go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadFrom {
    /// The primary (read-your-writes: say, for a while after the caller wrote).
    Primary,
    /// The replica at this index, in the order they were added to the database.
    Replica(usize),
}

/// Chooses the replica a database's reads go to (Django's `db_for_read`).
///
/// ```
/// use contenttypes::router::{ReadFrom, Router};
///
/// /// Reads of the "reports" database go to its last replica; other databases read their
/// /// primary.
/// struct Reports;
///
/// impl Router for Reports {
///     fn db_for_read(&self, database: &str, replicas: usize) -> ReadFrom {
///         match database {
///             "reports" => ReadFrom::Replica(replicas - 1),
///             _ => ReadFrom::Primary,
///         }
///     }
/// }
///
/// assert_eq!(Reports.db_for_read("reports", 3), ReadFrom::Replica(2));
/// assert_eq!(Reports.db_for_read("default", 2), ReadFrom::Primary);
/// ```
pub trait Router: Send + Sync {
    /// Where the reads of a checkout of `database` go; `replicas` (at least 1) is how many
    /// replicas it has. An index past them is refused by `Databases::get` with
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument).
    fn db_for_read(&self, database: &str, replicas: usize) -> ReadFrom;
}

/// The default router: each checkout reads from the next replica, in turn (per
/// [`Databases`](crate::databases::Databases), over all its databases).
///
/// ```
/// use contenttypes::router::{ReadFrom, RoundRobin, Router};
///
/// let router = RoundRobin::default();
/// let picks: Vec<ReadFrom> = (0..3).map(|_| router.db_for_read("default", 2)).collect();
/// assert_eq!(picks, [ReadFrom::Replica(0), ReadFrom::Replica(1), ReadFrom::Replica(0)]);
/// ```
#[derive(Debug, Default)]
pub struct RoundRobin {
    next: AtomicUsize,
}

impl Router for RoundRobin {
    fn db_for_read(&self, _database: &str, replicas: usize) -> ReadFrom {
        ReadFrom::Replica(self.next.fetch_add(1, Ordering::Relaxed) % replicas.max(1))
    }
}
