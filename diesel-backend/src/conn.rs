//! [`Conn`]: how the framework sends a statement on one connection, sync or async.
//!
//! Every operation of the framework is written once, as an `async fn` over [`Conn`]'s
//! statement and transaction primitives (see `docs/async-design.md`). A sync Diesel
//! connection's primitives return futures that are ready when first polled, and its
//! [`Conn::drive`] runs an operation to completion on the calling thread, so the operation
//! returns its value: `Tag::count(&mut conn)?`. An async connection (diesel-async's, feature
//! `async-postgres`, `async-mysql` or `async-sqlite`) drives an operation into a `Send`
//! future instead: `Tag::count(&mut conn).await?`.

use std::future::Future;

use diesel::connection::{Instrumentation, TransactionManagerStatus};
use diesel::deserialize::QueryableByName;
use diesel::query_builder::{Query, QueryFragment, QueryId};
use diesel::sql_types::Untyped;
use diesel::QueryResult;

use crate::backend::SupportedBackend;
pub use crate::mode::BoxFuture;
use crate::mode::Mode;

/// A connection the framework can send statements on: a sync Diesel connection
/// (`SqliteConnection`, `PgConnection`, `MysqlConnection`, an r2d2 pooled one) or an async one
/// of diesel-async (`AsyncPgConnection`, `AsyncMysqlConnection`,
/// `SyncConnectionWrapper<SqliteConnection>`, a deadpool or bb8 pooled one).
///
/// It is implemented for each supported connection type, not for every Diesel
/// `Connection`: Rust's coherence rules do not allow both a blanket impl for sync connections
/// and impls for diesel-async's. A connection type of your own implements it by delegating
/// to the connection it wraps.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a connection contenttypes can use",
    note = "contenttypes takes SqliteConnection, PgConnection, MysqlConnection and r2d2's pooled connections, and with the `async-*` features diesel-async's AsyncPgConnection, AsyncMysqlConnection, SyncConnectionWrapper<SqliteConnection> and their deadpool and bb8 pooled connections"
)]
pub trait Conn: Send + Sized {
    /// The Diesel backend.
    type Backend: SupportedBackend;

    /// Whether operations on this connection return values ([`crate::SyncMode`]) or futures
    /// ([`crate::AsyncMode`]).
    type Mode: Mode;

    /// Turns an operation into what it returns on this connection: runs it to completion on
    /// this thread (sync), or boxes it (async).
    fn drive<'a, T: Send + 'a>(
        op: impl Future<Output = T> + Send + 'a,
    ) -> <Self::Mode as Mode>::Output<'a, T>;

    /// Loads the rows of `query`.
    #[doc(hidden)]
    fn load_rows<'c, Q, U>(
        &'c mut self,
        query: Q,
    ) -> impl Future<Output = QueryResult<Vec<U>>> + Send + 'c
    where
        Q: Query<SqlType = Untyped> + QueryFragment<Self::Backend> + QueryId + Send + 'c,
        U: QueryableByName<Self::Backend> + Send + 'static;

    /// Loads the rows of `query`, passing each to `each` as it is decoded: on a sync
    /// connection no vector of whole rows is built first (the rows stream from the driver
    /// into the caller's own structures); on an async one, after the statement.
    #[doc(hidden)]
    fn load_each<'c, Q, U, F>(
        &'c mut self,
        query: Q,
        mut each: F,
    ) -> impl Future<Output = QueryResult<()>> + Send + 'c
    where
        Q: Query<SqlType = Untyped> + QueryFragment<Self::Backend> + QueryId + Send + 'c,
        U: QueryableByName<Self::Backend> + Send + 'static,
        F: FnMut(U) + Send + 'c,
    {
        let rows = self.load_rows::<Q, U>(query);
        async move {
            rows.await?.into_iter().for_each(&mut each);
            Ok(())
        }
    }

    /// Executes `query`, returning how many rows it affected.
    #[doc(hidden)]
    fn execute_statement<'c, Q>(
        &'c mut self,
        query: Q,
    ) -> impl Future<Output = QueryResult<usize>> + Send + 'c
    where
        Q: QueryFragment<Self::Backend> + QueryId + Send + 'c;

    /// Executes SQL without binds (transaction control, DDL).
    #[doc(hidden)]
    fn execute_sql<'c>(
        &'c mut self,
        sql: &'c str,
    ) -> impl Future<Output = QueryResult<()>> + Send + 'c;

    /// Diesel's record of the connection's transactions.
    #[doc(hidden)]
    fn transaction_status(&mut self) -> &mut TransactionManagerStatus;

    /// Opens a transaction, or a savepoint inside one, through the connection's manager.
    #[doc(hidden)]
    fn begin(&mut self) -> impl Future<Output = QueryResult<()>> + Send + '_;

    /// Commits the innermost transaction or savepoint.
    #[doc(hidden)]
    fn commit(&mut self) -> impl Future<Output = QueryResult<()>> + Send + '_;

    /// Rolls back the innermost transaction or savepoint.
    #[doc(hidden)]
    fn rollback(&mut self) -> impl Future<Output = QueryResult<()>> + Send + '_;

    /// Waits `duration` before a transaction is retried: the thread sleeps on a sync
    /// connection, the task on an async one.
    #[doc(hidden)]
    fn pause(duration: std::time::Duration) -> impl Future<Output = ()> + Send {
        async move { std::thread::sleep(duration) }
    }

    /// Replaces the connection's instrumentation (what [`crate::testing::QueryLog`] uses).
    #[doc(hidden)]
    fn instrument(&mut self, instrumentation: impl Instrumentation);
}

/// A sync connection: its operations return their values, and its statements are sent when
/// called. What a transaction with a plain closure (`Routed::transaction`) needs.
pub trait SyncConn:
    Conn<Mode = crate::mode::SyncMode>
    + diesel::Connection<Backend = <Self as Conn>::Backend>
    + diesel::connection::LoadConnection
{
}

/// Runs an operation over a sync connection to completion ([`crate::mode::block_on`]).
pub(crate) use crate::mode::block_on as now;

/// `Conn` for a sync Diesel connection type (with optional generics).
macro_rules! sync_conn {
    ($ty:ty $(; <$($g:tt),*> where $($w:tt)*)?) => {
        impl$(<$($g),*>)? $crate::conn::SyncConn for $ty
        $(where $($w)*)?
        {}

        impl$(<$($g),*>)? $crate::conn::Conn for $ty
        $(where $($w)*)?
        {
            type Backend = <$ty as diesel::Connection>::Backend;
            type Mode = $crate::mode::SyncMode;

            fn drive<'a, T: Send + 'a>(
                op: impl std::future::Future<Output = T> + Send + 'a,
            ) -> T {
                $crate::mode::block_on(op)
            }

            fn load_rows<'c, Q, U>(
                &'c mut self,
                query: Q,
            ) -> impl std::future::Future<Output = diesel::QueryResult<Vec<U>>> + Send + 'c
            where
                Q: diesel::query_builder::Query<SqlType = diesel::sql_types::Untyped>
                    + diesel::query_builder::QueryFragment<Self::Backend>
                    + diesel::query_builder::QueryId
                    + Send
                    + 'c,
                U: diesel::deserialize::QueryableByName<Self::Backend> + Send + 'static,
            {
                // Lazy: the rows are decoded when the future is polled (a dynamic model's
                // loader sets its vtable around the poll).
                async move { $crate::conn::sync_load(self, query) }
            }

            fn load_each<'c, Q, U, F>(
                &'c mut self,
                query: Q,
                each: F,
            ) -> impl std::future::Future<Output = diesel::QueryResult<()>> + Send + 'c
            where
                Q: diesel::query_builder::Query<SqlType = diesel::sql_types::Untyped>
                    + diesel::query_builder::QueryFragment<Self::Backend>
                    + diesel::query_builder::QueryId
                    + Send
                    + 'c,
                U: diesel::deserialize::QueryableByName<Self::Backend> + Send + 'static,
                F: FnMut(U) + Send + 'c,
            {
                async move { $crate::conn::sync_load_each(self, query, each) }
            }

            fn execute_statement<'c, Q>(
                &'c mut self,
                query: Q,
            ) -> impl std::future::Future<Output = diesel::QueryResult<usize>> + Send + 'c
            where
                Q: diesel::query_builder::QueryFragment<Self::Backend>
                    + diesel::query_builder::QueryId
                    + Send
                    + 'c,
            {
                async move { diesel::Connection::execute_returning_count(self, &query) }
            }

            fn execute_sql<'c>(
                &'c mut self,
                sql: &'c str,
            ) -> impl std::future::Future<Output = diesel::QueryResult<()>> + Send + 'c {
                async move { diesel::connection::SimpleConnection::batch_execute(self, sql) }
            }

            fn transaction_status(
                &mut self,
            ) -> &mut diesel::connection::TransactionManagerStatus {
                <<Self as diesel::Connection>::TransactionManager as diesel::connection::TransactionManager<Self>>::transaction_manager_status_mut(self)
            }

            fn begin(&mut self) -> impl std::future::Future<Output = diesel::QueryResult<()>> + Send + '_ {
                async move {
                    <<Self as diesel::Connection>::TransactionManager as diesel::connection::TransactionManager<Self>>::begin_transaction(self)
                }
            }

            fn commit(&mut self) -> impl std::future::Future<Output = diesel::QueryResult<()>> + Send + '_ {
                async move {
                    <<Self as diesel::Connection>::TransactionManager as diesel::connection::TransactionManager<Self>>::commit_transaction(self)
                }
            }

            fn rollback(&mut self) -> impl std::future::Future<Output = diesel::QueryResult<()>> + Send + '_ {
                async move {
                    <<Self as diesel::Connection>::TransactionManager as diesel::connection::TransactionManager<Self>>::rollback_transaction(self)
                }
            }

            fn instrument(&mut self, instrumentation: impl diesel::connection::Instrumentation) {
                diesel::Connection::set_instrumentation(self, instrumentation)
            }
        }
    };
}

/// Loads `query`'s rows on a sync connection.
pub(crate) fn sync_load<C, Q, U>(conn: &mut C, query: Q) -> QueryResult<Vec<U>>
where
    C: diesel::connection::LoadConnection,
    C::Backend: 'static,
    Q: Query<SqlType = Untyped> + QueryFragment<C::Backend> + QueryId,
    U: QueryableByName<C::Backend> + 'static,
{
    use diesel::RunQueryDsl;
    Wrap(query).load(conn)
}

/// Loads `query`'s rows on a sync connection, each to `each` as the driver steps to it.
pub(crate) fn sync_load_each<C, Q, U>(
    conn: &mut C,
    query: Q,
    mut each: impl FnMut(U),
) -> QueryResult<()>
where
    C: diesel::connection::LoadConnection,
    C::Backend: 'static,
    Q: Query<SqlType = Untyped> + QueryFragment<C::Backend> + QueryId,
    U: QueryableByName<C::Backend> + 'static,
{
    use diesel::RunQueryDsl;
    for row in Wrap(query).load_iter::<U, diesel::connection::DefaultLoadingMode>(conn)? {
        each(row?);
    }
    Ok(())
}

/// A statement node as a Diesel query (every node's `RunQueryDsl` is the framework's own,
/// so a generic `Q` needs this to be loaded).
pub(crate) struct Wrap<Q>(pub(crate) Q);

impl<Q: QueryId> QueryId for Wrap<Q> {
    type QueryId = Q::QueryId;
    const HAS_STATIC_QUERY_ID: bool = Q::HAS_STATIC_QUERY_ID;
}
impl<Q: Query> Query for Wrap<Q> {
    type SqlType = Q::SqlType;
}
impl<DB: diesel::backend::Backend, Q: QueryFragment<DB>> QueryFragment<DB> for Wrap<Q> {
    fn walk_ast<'b>(&'b self, pass: diesel::query_builder::AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }
}
impl<Q, C> diesel::RunQueryDsl<C> for Wrap<Q> {}

#[cfg(feature = "sqlite")]
sync_conn!(diesel::SqliteConnection);
#[cfg(feature = "postgres")]
sync_conn!(diesel::PgConnection);
#[cfg(feature = "mysql")]
sync_conn!(diesel::MysqlConnection);
#[cfg(feature = "r2d2")]
sync_conn!(diesel::r2d2::PooledConnection<diesel::r2d2::ConnectionManager<C>>;
    <C> where C: diesel::r2d2::R2D2Connection + diesel::connection::LoadConnection + Send + 'static,
          C::Backend: SupportedBackend);

/// The first row of a load, or `NotFound` (Diesel's `get_result`):
/// `first(conn.load_rows::<_, Scalar<i64>>(query).await)?`.
pub(crate) fn first<U>(rows: QueryResult<Vec<U>>) -> QueryResult<U> {
    rows?
        .into_iter()
        .next()
        .ok_or(diesel::result::Error::NotFound)
}

// diesel-async's sync connection over an async one: a sync connection (its statements
// block on its runtime), as Diesel's migration harness and sync code use it.
#[cfg(feature = "async")]
sync_conn!(diesel_async::async_connection_wrapper::AsyncConnectionWrapper<C, B>;
    <C, B> where Self: diesel::Connection + diesel::connection::LoadConnection + Send + 'static,
          <Self as diesel::Connection>::Backend: SupportedBackend);

/// `Conn` for an async connection type of diesel-async (with optional generics).
#[cfg(feature = "async")]
macro_rules! async_conn {
    ($ty:ty $(; <$($g:tt),*> where $($w:tt)*)?) => {
        impl$(<$($g),*>)? $crate::conn::Conn for $ty
        $(where $($w)*)?
        {
            type Backend = <$ty as diesel_async::AsyncConnectionCore>::Backend;
            type Mode = $crate::mode::AsyncMode;

            fn drive<'a, T: Send + 'a>(
                op: impl std::future::Future<Output = T> + Send + 'a,
            ) -> $crate::conn::BoxFuture<'a, T> {
                Box::pin(op)
            }

            fn load_rows<'c, Q, U>(
                &'c mut self,
                query: Q,
            ) -> impl std::future::Future<Output = diesel::QueryResult<Vec<U>>> + Send + 'c
            where
                Q: diesel::query_builder::Query<SqlType = diesel::sql_types::Untyped>
                    + diesel::query_builder::QueryFragment<Self::Backend>
                    + diesel::query_builder::QueryId
                    + Send
                    + 'c,
                U: diesel::deserialize::QueryableByName<Self::Backend> + Send + 'static,
            {
                diesel_async::RunQueryDsl::load($crate::conn::Wrap(query), self)
            }

            fn execute_statement<'c, Q>(
                &'c mut self,
                query: Q,
            ) -> impl std::future::Future<Output = diesel::QueryResult<usize>> + Send + 'c
            where
                Q: diesel::query_builder::QueryFragment<Self::Backend>
                    + diesel::query_builder::QueryId
                    + Send
                    + 'c,
            {
                diesel_async::AsyncConnectionCore::execute_returning_count(self, query)
            }

            fn execute_sql<'c>(
                &'c mut self,
                sql: &'c str,
            ) -> impl std::future::Future<Output = diesel::QueryResult<()>> + Send + 'c {
                diesel_async::SimpleAsyncConnection::batch_execute(self, sql)
            }

            fn transaction_status(
                &mut self,
            ) -> &mut diesel::connection::TransactionManagerStatus {
                <<Self as diesel_async::AsyncConnection>::TransactionManager as diesel_async::TransactionManager<Self>>::transaction_manager_status_mut(self)
            }

            fn begin(&mut self) -> impl std::future::Future<Output = diesel::QueryResult<()>> + Send + '_ {
                <<Self as diesel_async::AsyncConnection>::TransactionManager as diesel_async::TransactionManager<Self>>::begin_transaction(self)
            }

            fn commit(&mut self) -> impl std::future::Future<Output = diesel::QueryResult<()>> + Send + '_ {
                <<Self as diesel_async::AsyncConnection>::TransactionManager as diesel_async::TransactionManager<Self>>::commit_transaction(self)
            }

            fn rollback(&mut self) -> impl std::future::Future<Output = diesel::QueryResult<()>> + Send + '_ {
                <<Self as diesel_async::AsyncConnection>::TransactionManager as diesel_async::TransactionManager<Self>>::rollback_transaction(self)
            }

            fn pause(duration: std::time::Duration) -> impl std::future::Future<Output = ()> + Send {
                tokio::time::sleep(duration)
            }

            fn instrument(&mut self, instrumentation: impl diesel::connection::Instrumentation) {
                diesel_async::AsyncConnection::set_instrumentation(self, instrumentation)
            }
        }
    };
}

#[cfg(feature = "async-postgres")]
async_conn!(diesel_async::AsyncPgConnection);
#[cfg(feature = "async-mysql")]
async_conn!(diesel_async::AsyncMysqlConnection);
#[cfg(feature = "async-sqlite")]
async_conn!(diesel_async::sync_connection_wrapper::SyncConnectionWrapper<diesel::SqliteConnection>);
/// `Conn` for the deadpool and bb8 pooled connections of an async connection type.
#[cfg(feature = "async")]
macro_rules! pooled_conn {
    ($feature:literal, $c:ty) => {
        #[cfg(all(feature = $feature, feature = "deadpool"))]
        async_conn!(diesel_async::pooled_connection::deadpool::Object<$c>);
        #[cfg(all(feature = $feature, feature = "bb8"))]
        async_conn!(diesel_async::pooled_connection::bb8::PooledConnection<'p, $c>; <'p> where);
    };
}
#[cfg(feature = "async")]
pooled_conn!("async-postgres", diesel_async::AsyncPgConnection);
#[cfg(feature = "async")]
pooled_conn!("async-mysql", diesel_async::AsyncMysqlConnection);
#[cfg(feature = "async")]
pooled_conn!(
    "async-sqlite",
    diesel_async::sync_connection_wrapper::SyncConnectionWrapper<diesel::SqliteConnection>
);
