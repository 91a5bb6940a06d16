//! The async connections of the harness: diesel-async's `AsyncPgConnection`,
//! `AsyncMysqlConnection` and `SyncConnectionWrapper<SqliteConnection>`, each a
//! [`TestConnection`] so that every behaviour test body runs on them too.
//!
//! A test's `t.conn` is the async connection inside diesel-async's `AsyncConnectionWrapper`
//! (a sync Diesel connection over it, for the raw SQL a test body checks with), and
//! `t.db()` is a [`Blocking`]: a `Db` over the async connection itself whose operations are
//! awaited on the harness's runtime, so the body reads as the sync one while every statement
//! and transaction goes through the framework's async implementation and diesel-async.
//! `tests/async_api.rs` calls the same operations with `.await` in tokio tasks.

use std::future::Future;
use std::sync::OnceLock;

use contenttypes::{Conn, Connections, ContentTypes, Db, Output, SyncMode};
use diesel::Connection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;

use super::{Cleanup, TestConnection};

/// The runtime async connections are opened and driven on (multi-threaded, so a
/// connection's background task runs while a test thread waits on an operation).
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("the test runtime")
    })
}

/// An async connection (and optionally a replica of it, for reads) and a content-type
/// manager as a `Db` whose operations are awaited on [`runtime`] before they return. `raw()`
/// is the sync wrapper around the (primary) connection, for a test's raw SQL.
pub struct Blocking<'a, C> {
    conn: &'a mut AsyncConnectionWrapper<C>,
    replica: Option<&'a mut AsyncConnectionWrapper<C>>,
    content_types: &'a ContentTypes,
}

impl<'a, C> Blocking<'a, C> {
    pub fn new(conn: &'a mut AsyncConnectionWrapper<C>, content_types: &'a ContentTypes) -> Self {
        Blocking {
            conn,
            replica: None,
            content_types,
        }
    }

    /// `conn` as the primary and `replica` for reads: `ContentTypes::routed` over the async
    /// connections.
    pub fn routed(
        conn: &'a mut AsyncConnectionWrapper<C>,
        replica: &'a mut AsyncConnectionWrapper<C>,
        content_types: &'a ContentTypes,
    ) -> Self {
        Blocking {
            conn,
            replica: Some(replica),
            content_types,
        }
    }
}

impl<C> super::Raw for Blocking<'_, C>
where
    AsyncConnectionWrapper<C>: Connection,
{
    type Sync = AsyncConnectionWrapper<C>;
    fn raw(&mut self) -> &mut AsyncConnectionWrapper<C> {
        self.conn
    }
}

impl<C: Conn> Db for Blocking<'_, C> {
    type Backend = C::Backend;
    type Connection = C;
    type Mode = SyncMode;

    fn drive<'o, T: Send + 'o>(op: impl Future<Output = T> + Send + 'o) -> Output<'o, Self, T> {
        runtime().block_on(op)
    }

    fn connections(&mut self) -> Connections<'_, C> {
        let connections = Connections::new(&mut **self.conn, self.content_types);
        match self.replica.as_deref_mut() {
            Some(replica) => connections.with_replica(&mut **replica),
            None => connections,
        }
    }
}

/// A sync Diesel connection over an async one, on the harness's runtime.
fn connect<C>(url: &str) -> AsyncConnectionWrapper<C>
where
    AsyncConnectionWrapper<C>: Connection,
{
    let _runtime = runtime().enter();
    AsyncConnectionWrapper::<C>::establish(url)
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

/// `TestConnection` for the async connection `$async`, on the databases the sync
/// connection `$sync` makes.
macro_rules! async_test_connection {
    ($feature:literal, $name:ident, $async:ty, $sync:ty) => {
        #[cfg(feature = $feature)]
        pub type $name = AsyncConnectionWrapper<$async>;

        #[cfg(feature = $feature)]
        impl TestConnection for $name {
            const DIALECT: contenttypes::Dialect = <$sync as TestConnection>::DIALECT;
            type Db<'a> = Blocking<'a, $async>;

            fn fresh() -> (Self, Option<Cleanup>) {
                let (conn, cleanup) = <$sync as TestConnection>::fresh();
                drop(conn);
                match cleanup {
                    Some(cleanup) => (Self::reconnect(&cleanup.url), Some(cleanup)),
                    None => (connect::<$async>(":memory:"), None),
                }
            }

            fn fresh_shared() -> (Self, Option<Cleanup>) {
                let (conn, cleanup) = <$sync as TestConnection>::fresh_shared();
                drop(conn);
                let cleanup = cleanup.expect("a shared database has a URL");
                (Self::reconnect(&cleanup.url), Some(cleanup))
            }

            fn reconnect(url: &str) -> Self {
                let mut conn = connect::<$async>(url);
                if Self::DIALECT == contenttypes::Dialect::Sqlite {
                    diesel::connection::SimpleConnection::batch_execute(
                        &mut conn,
                        "PRAGMA busy_timeout = 10000",
                    )
                    .expect("busy timeout");
                }
                conn
            }

            fn db<'a>(&'a mut self, content_types: &'a ContentTypes) -> Blocking<'a, $async> {
                Blocking::new(self, content_types)
            }

            fn attach_log(&mut self) -> contenttypes::testing::QueryLog {
                contenttypes::testing::QueryLog::attach(&mut **self)
            }

            type Routed<'a> = Blocking<'a, $async>;
            fn routed<'a>(
                &'a mut self,
                replica: &'a mut Self,
                content_types: &'a ContentTypes,
            ) -> Blocking<'a, $async> {
                Blocking::routed(self, replica, content_types)
            }
        }
    };
}

async_test_connection!(
    "async-sqlite",
    AsyncSqlite,
    diesel_async::sync_connection_wrapper::SyncConnectionWrapper<diesel::SqliteConnection>,
    diesel::SqliteConnection
);
async_test_connection!(
    "async-postgres",
    AsyncPg,
    diesel_async::AsyncPgConnection,
    diesel::PgConnection
);
async_test_connection!(
    "async-mysql",
    AsyncMysql,
    diesel_async::AsyncMysqlConnection,
    diesel::MysqlConnection
);
