//! [`Db`]: a Diesel connection together with the content-type cache of its database.
//!
//! Every operation takes `db: &mut impl Db`. A plain Diesel connection is a `Db` that uses the
//! process-wide [`ContentTypes::global`] cache (Django's default database); for another
//! database, pass [`ContentTypes::using`]`(conn)`, which binds the connection to that
//! database's own cache (Django's `using`/`db_manager`).

use diesel::connection::LoadConnection;
use diesel::Connection;

use crate::backend::SupportedBackend;
use crate::content_types::ContentTypes;

/// A connection and the content-type cache of its database.
pub trait Db {
    /// The Diesel backend.
    type Backend: SupportedBackend;
    /// The Diesel connection.
    type Connection: Connection<Backend = Self::Backend> + LoadConnection;

    /// The connection and the content-type cache, borrowed together.
    fn parts(&mut self) -> (&mut Self::Connection, &ContentTypes);

    /// The connection.
    fn connection(&mut self) -> &mut Self::Connection {
        self.parts().0
    }
}

impl<C> Db for C
where
    C: Connection + LoadConnection,
    C::Backend: SupportedBackend,
{
    type Backend = C::Backend;
    type Connection = C;

    fn parts(&mut self) -> (&mut C, &ContentTypes) {
        (self, ContentTypes::global())
    }
}

/// A connection bound to an explicit content-type cache; made by [`ContentTypes::using`].
pub struct Using<'a, C> {
    pub(crate) conn: &'a mut C,
    pub(crate) content_types: &'a ContentTypes,
}

impl<C> Db for Using<'_, C>
where
    C: Connection + LoadConnection,
    C::Backend: SupportedBackend,
{
    type Backend = C::Backend;
    type Connection = C;

    fn parts(&mut self) -> (&mut C, &ContentTypes) {
        (self.conn, self.content_types)
    }
}
