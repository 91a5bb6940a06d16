//! [`Db`]: the connections of a database together with its content-type cache.
//!
//! Every operation takes `db: &mut impl Db`. A plain Diesel connection is a `Db` that uses the
//! process-wide [`ContentTypes::global`] cache (Django's default database); for another
//! database, pass [`ContentTypes::using`]`(conn)`, which binds the connection to that
//! database's own cache (Django's `using`/`db_manager`). A database with a read replica is
//! [`ContentTypes::routed`]`(&mut primary, &mut replica)` ([`Routed`]): reads go to the
//! replica, writes and transactions to the primary, as [`crate::route`] says; with
//! connection pools, `Databases::get` (feature `r2d2`) gives one.

use std::future::Future;

use crate::backend::SupportedBackend;
use crate::conn::Conn;
use crate::content_types::ContentTypes;
use crate::mode::{Mode, Output};
use crate::route::Connections;

/// The connections of a database and its content-type cache.
///
/// An implementation says which connections it has ([`Db::connections`]); the framework
/// asks for the connection of a read ([`Db::connection_for_read`]) or of everything else
/// ([`Db::connection`], the primary), and [`crate::route`]'s rule decides.
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// use contenttypes::{ContentTypes, Db};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let content_types = ContentTypes::new();
/// let (mut primary, mut replica) = (connection(), connection());
/// Tag::insert(&mut primary, NewTag { name: "rust".into() })?;
///
/// let mut db = content_types.routed(&mut primary, &mut replica);
/// assert_eq!(Tag::count(&mut db)?, 0); // a read: the replica (a copy that lags here)
/// Tag::insert(&mut db, NewTag { name: "go".into() })?; // a write: the primary
/// assert_eq!(Tag::count(db.connection())?, 2);
/// # Ok(())
/// # }
/// ```
pub trait Db: Send {
    /// The Diesel backend.
    type Backend: SupportedBackend;
    /// The connection.
    type Connection: Conn<Backend = Self::Backend>;

    /// Whether operations return values ([`crate::SyncMode`], sync connections) or futures
    /// ([`crate::AsyncMode`], async ones): what [`crate::Output`] is.
    type Mode: Mode;

    /// Turns an operation into what it returns on this database ([`Conn::drive`]).
    #[doc(hidden)]
    fn drive<'a, T: Send + 'a>(op: impl Future<Output = T> + Send + 'a) -> Output<'a, Self, T>;

    /// The primary connection, the replica reads may go to (if any) and the content-type
    /// manager, borrowed together.
    fn connections(&mut self) -> Connections<'_, Self::Connection>;

    /// The primary connection and the content-type cache, borrowed together: where writes,
    /// locking reads and transactions go (Django's `db_for_write`).
    fn parts(&mut self) -> (&mut Self::Connection, &ContentTypes) {
        self.connections().into_primary()
    }

    /// The connection for a read and the content-type cache (Django's `db_for_read`): the
    /// replica when there is one and the primary is not inside a transaction, else the
    /// primary ([`crate::route`]).
    fn parts_for_read(&mut self) -> (&mut Self::Connection, &ContentTypes) {
        self.connections().into_read()
    }

    /// The primary connection: for writes, locking reads and transactions. Open your own
    /// transactions here (`db.connection().transaction(|conn| ...)`).
    fn connection(&mut self) -> &mut Self::Connection {
        self.parts().0
    }

    /// The connection for a read ([`Db::parts_for_read`]).
    fn connection_for_read(&mut self) -> &mut Self::Connection {
        self.parts_for_read().0
    }
}

/// Associated items every `Db` over connections `C` shares.
macro_rules! over_connection {
    ($c:ty) => {
        type Backend = <$c as $crate::conn::Conn>::Backend;
        type Connection = $c;
        type Mode = <$c as $crate::conn::Conn>::Mode;
        fn drive<'o, T: Send + 'o>(
            op: impl std::future::Future<Output = T> + Send + 'o,
        ) -> $crate::mode::Output<'o, Self, T> {
            <$c as $crate::conn::Conn>::drive(op)
        }
    };
}
#[allow(unused_imports)] // used only with the `r2d2` feature
pub(crate) use over_connection;

impl<C> Db for C
where
    C: Conn,
{
    over_connection!(C);

    fn connections(&mut self) -> Connections<'_, C> {
        Connections::new(self, ContentTypes::global())
    }
}

/// A connection bound to an explicit content-type cache; made by [`ContentTypes::using`].
pub struct Using<'a, C> {
    pub(crate) conn: &'a mut C,
    pub(crate) content_types: &'a ContentTypes,
}

impl<C> Db for Using<'_, C>
where
    C: Conn,
{
    over_connection!(C);

    fn connections(&mut self) -> Connections<'_, C> {
        Connections::new(self.conn, self.content_types)
    }
}

/// A primary connection and a replica of it, with the content-type cache of their
/// database (a replica has its primary's content-type ids); made by
/// [`ContentTypes::routed`]. Reads go to the replica, everything else to the primary, as
/// [`crate::route`] says.
pub struct Routed<'a, C> {
    pub(crate) primary: &'a mut C,
    pub(crate) replica: &'a mut C,
    pub(crate) content_types: &'a ContentTypes,
}

impl<C: crate::conn::SyncConn> Routed<'_, C> {
    /// Runs `f` in a transaction on the primary, committed when it returns `Ok` and rolled
    /// back otherwise (Django's `transaction.atomic`): everything `f` sends through the
    /// routed connection goes to the primary, reads included, so it reads what it wrote.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let content_types = ContentTypes::new();
    /// let (mut primary, mut replica) = (connection(), connection());
    /// let mut db = content_types.routed(&mut primary, &mut replica);
    /// let count = db.transaction(|db| {
    ///     Tag::insert(db, NewTag { name: "rust".into() })?;
    ///     Tag::count(db) // the primary: 1, where the replica has none yet
    /// })?;
    /// assert_eq!(count, 1);
    /// assert_eq!(Tag::count(&mut db)?, 0); // the replica again
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// On async connections (diesel-async's), there is no `transaction` here: open one on
    /// the primary with diesel-async's transaction manager,
    /// `C::TransactionManager::begin_transaction(db.connection()).await`, and commit it (or
    /// roll it back) the same way; by the rule, every operation awaited through `db` in
    /// between runs on the primary.
    pub fn transaction<T, E>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, E>) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        crate::route::transaction(self, f)
    }
}

impl<C> Db for Routed<'_, C>
where
    C: Conn,
{
    over_connection!(C);

    fn connections(&mut self) -> Connections<'_, C> {
        Connections::new(self.primary, self.content_types).with_replica(self.replica)
    }
}
