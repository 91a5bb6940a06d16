//! Which connection a statement goes to: the one rule of a database with read replicas.
//!
//! A [`Db`](crate::Db) names its connections ([`Db::connections`](crate::Db::connections)):
//! the primary, where every write goes, and optionally a replica, a read-only copy that
//! reads may go to (Django's `db_for_read` and `db_for_write`). The framework asks for the
//! connection of a read with [`Connections::for_read`] and sends everything else to
//! [`Connections::primary`]; the rule below is the only place that tells them apart.
//!
//! **A read goes to the replica when there is one and the primary is not inside a
//! transaction. Everything else goes to the primary:**
//! - writes, and locking reads (`FOR UPDATE`, `FOR SHARE`): a replica cannot take them;
//! - every statement of the framework's own transactions (every multi-statement write,
//!   `get_or_create`, `update_or_create`, `set`, deletes with their cascades and probes):
//!   their work sees the primary only;
//! - every statement while the caller has a transaction open on the primary, so what the
//!   transaction wrote is what it reads (read-your-writes): `transaction` of
//!   [`Routed`](crate::Routed) and `PooledDb`, or one opened on `db.connection()`.
//!
//! What a replica does not have yet (it lags its primary) reads as missing, as in Django,
//! with one exception: a content type missing on the replica is looked up, and created if
//! need be, on the primary ([`ContentTypes`] documents the counts), so
//! a lagging replica never makes the framework create a second row or fail.

use crate::conn::Conn;
use crate::content_types::ContentTypes;
use crate::db::Db;
use crate::transaction::in_transaction;

/// The connections of one logical database and its content-type manager: the primary,
/// and the replica its reads go to, if any. What [`Db::connections`](crate::Db::connections)
/// returns; [`Connections::for_read`] applies the module's rule.
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// use contenttypes::{ContentTypes, Db};
/// use diesel::Connection;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let content_types = ContentTypes::new();
/// let (mut primary, mut replica) = (connection(), connection());
/// let mut db = content_types.routed(&mut primary, &mut replica);
/// let mut connections = db.connections();
/// assert!(connections.reads_replica());
/// // Inside a transaction on the primary, reads stay on the primary.
/// connections.primary().begin_test_transaction()?;
/// assert!(!connections.reads_replica());
/// # Ok(())
/// # }
/// ```
pub struct Connections<'a, C> {
    primary: &'a mut C,
    replica: Option<&'a mut C>,
    content_types: &'a ContentTypes,
}

impl<'a, C: crate::conn::Conn> Connections<'a, C> {
    /// One connection, which takes every statement (a plain connection, [`ContentTypes::using`]).
    pub fn new(primary: &'a mut C, content_types: &'a ContentTypes) -> Self {
        Connections {
            primary,
            replica: None,
            content_types,
        }
    }

    /// These connections with `replica` for reads.
    pub fn with_replica(mut self, replica: &'a mut C) -> Self {
        self.replica = Some(replica);
        self
    }

    /// Whether a read now goes to the replica: there is one, and the primary is not inside
    /// a transaction (the module's rule; the only place it is decided).
    pub fn reads_replica(&mut self) -> bool {
        self.replica.is_some() && !in_transaction(self.primary)
    }

    /// The connection for a read (a `SELECT` without a lock): the replica when
    /// [`Connections::reads_replica`], else the primary.
    pub fn for_read(&mut self) -> &mut C {
        if self.reads_replica() {
            if let Some(replica) = self.replica.as_deref_mut() {
                return replica;
            }
        }
        &mut *self.primary
    }

    /// The primary: for writes, locking reads and transactions.
    pub fn primary(&mut self) -> &mut C {
        &mut *self.primary
    }

    /// The content-type manager of the database (its replicas share its ids).
    pub fn content_types(&self) -> &'a ContentTypes {
        self.content_types
    }

    /// [`Connections::for_read`] and the content-type manager, for as long as these
    /// connections were borrowed.
    pub fn into_read(mut self) -> (&'a mut C, &'a ContentTypes) {
        if self.reads_replica() {
            if let Some(replica) = self.replica {
                return (replica, self.content_types);
            }
        }
        (self.primary, self.content_types)
    }

    /// The primary and the content-type manager.
    pub fn into_primary(self) -> (&'a mut C, &'a ContentTypes) {
        (self.primary, self.content_types)
    }
}

/// Runs `f` with `db` inside a transaction on its primary, committed when `f` returns `Ok`
/// and rolled back otherwise (as Diesel's `Connection::transaction`): by the rule, every
/// statement `f` sends through `db` goes to the primary, reads included. What `Routed` and
/// `PooledDb` call `transaction`.
pub(crate) fn transaction<D, T, E>(
    db: &mut D,
    f: impl FnOnce(&mut D) -> Result<T, E>,
) -> Result<T, E>
where
    D: Db + ?Sized,
    D::Connection: crate::conn::SyncConn,
    E: From<diesel::result::Error>,
{
    use crate::conn::now;
    now(db.connection().begin())?;
    match f(db) {
        Ok(value) => {
            now(db.connection().commit())?;
            Ok(value)
        }
        Err(error) => match now(db.connection().rollback()) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}
