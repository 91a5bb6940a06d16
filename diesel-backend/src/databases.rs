//! [`Databases`]: named logical databases, each a pool of its primary, pools of its replicas
//! and its own content-type manager (Django's `DATABASES` with `DATABASE_ROUTERS`; feature
//! `r2d2`, with Diesel's r2d2 pools).
//!
//! [`Databases::get`] checks out a [`PooledDb`]: a connection of the database's primary and,
//! when it has replicas, one of the replica the [`Router`] picks. It is a [`Db`]: reads go to
//! the replica, writes and transactions to the primary ([`crate::route`]), and content types
//! come from the database's own manager, so two databases (two tenants, say) never see each
//! other's content-type ids. A content type a replica does not have yet is looked up, and
//! created if need be, on the primary ([`ContentTypes`] has the query counts).
//!
//! ```
//! # include!("../../src/doctest_setup.rs");
//! use contenttypes::databases::{Database, Databases};
//! use diesel::r2d2::{ConnectionManager, Pool};
//! use diesel::SqliteConnection;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = std::env::temp_dir().join(format!("contenttypes-databases-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! # let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
//! # for name in ["primary.db", "replica.db"] {
//! #     let mut conn = <SqliteConnection as diesel::Connection>::establish(&path(name))?;
//! #     contenttypes::create_tables(&mut conn)?;
//! # }
//! let pool = |url: String| Pool::builder().max_size(2).build(ConnectionManager::<SqliteConnection>::new(url));
//! let databases = Databases::new().add(
//!     "default",
//!     Database::new(pool(path("primary.db"))?).replica(pool(path("replica.db"))?),
//! );
//!
//! let mut db = databases.get("default")?; // the primary, and a replica for reads
//! let article = Article::insert(&mut db, NewArticle { title: "Hi".into() })?; // the primary
//! assert_eq!(Article::count(&mut db)?, 0); // the replica: a copy that lags here
//! assert_eq!(Article::count(db.connection())?, 1); // the primary
//! # drop(db);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;

use diesel::r2d2::{ConnectionManager, Pool, PooledConnection, R2D2Connection};

use crate::backend::SupportedBackend;
use crate::content_types::ContentTypes;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::route::Connections;
use crate::router::{ReadFrom, RoundRobin, Router};

/// A pool of connections of type `C`.
pub type ConnectionPool<C> = Pool<ConnectionManager<C>>;

/// A connection checked out of a [`ConnectionPool`].
pub type PooledConnectionOf<C> = PooledConnection<ConnectionManager<C>>;

/// One logical database: its primary's pool, its replicas' pools and its content-type
/// manager (the replicas have the primary's content-type ids).
pub struct Database<C: R2D2Connection + Send + 'static> {
    primary: ConnectionPool<C>,
    replicas: Vec<ConnectionPool<C>>,
    content_types: Arc<ContentTypes>,
}

impl<C: R2D2Connection + Send + 'static> Database<C> {
    /// A database with this primary, no replica yet, and a content-type manager of its own.
    pub fn new(primary: ConnectionPool<C>) -> Self {
        Database {
            primary,
            replicas: Vec::new(),
            content_types: Arc::new(ContentTypes::new()),
        }
    }

    /// This database with one more replica: a read-only copy of the primary, which may lag.
    pub fn replica(mut self, replica: ConnectionPool<C>) -> Self {
        self.replicas.push(replica);
        self
    }

    /// This database with an explicit content-type manager (over a registry of its own,
    /// say).
    pub fn with_content_types(mut self, content_types: ContentTypes) -> Self {
        self.content_types = Arc::new(content_types);
        self
    }

    /// The content-type manager of this database.
    pub fn content_types(&self) -> &ContentTypes {
        &self.content_types
    }

    /// The primary's pool.
    pub fn primary_pool(&self) -> &ConnectionPool<C> {
        &self.primary
    }

    /// The replicas' pools, in the order they were added.
    pub fn replica_pools(&self) -> &[ConnectionPool<C>] {
        &self.replicas
    }
}

/// Named logical databases and the [`Router`] that picks their replicas (Django's
/// `DATABASES` and `DATABASE_ROUTERS`). Share it between threads (`Arc<Databases<C>>`); each
/// unit of work checks connections out with [`Databases::get`].
pub struct Databases<C: R2D2Connection + Send + 'static> {
    databases: Vec<(String, Database<C>)>,
    router: Box<dyn Router>,
}

impl<C: R2D2Connection + Send + 'static> Default for Databases<C> {
    fn default() -> Self {
        Databases::new()
    }
}

impl<C: R2D2Connection + Send + 'static> Databases<C> {
    /// No database yet; reads are spread over each database's replicas in turn
    /// ([`RoundRobin`]).
    pub fn new() -> Self {
        Databases {
            databases: Vec::new(),
            router: Box::new(RoundRobin::default()),
        }
    }

    /// These databases with `router` picking their replicas.
    pub fn router(mut self, router: impl Router + 'static) -> Self {
        self.router = Box::new(router);
        self
    }

    /// These databases with `database` named `name` (replacing one of that name).
    pub fn add(mut self, name: impl Into<String>, database: Database<C>) -> Self {
        let name = name.into();
        self.databases.retain(|(n, _)| *n != name);
        self.databases.push((name, database));
        self
    }

    /// The database named `name`.
    pub fn database(&self, name: &str) -> Result<&Database<C>> {
        self.databases
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d)
            .ok_or_else(|| Error::UnknownDatabase {
                name: name.to_string(),
            })
    }

    /// The names of the databases, in the order they were added.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.databases.iter().map(|(n, _)| n.as_str())
    }

    /// A connection of `name`'s primary and, when it has replicas, one of the replica the
    /// router picks (Django's `db_for_read`), bound to the database's content-type manager.
    /// Waits for a free connection as long as the pools' connection timeout.
    pub fn get(&self, name: &str) -> Result<PooledDb<C>> {
        let database = self.database(name)?;
        let mut db = self.checkout(name, database)?;
        if database.replicas.is_empty() {
            return Ok(db);
        }
        let replicas = database.replicas.len();
        match self.router.db_for_read(name, replicas) {
            ReadFrom::Primary => {}
            ReadFrom::Replica(index) => {
                let pool = database.replicas.get(index).ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "the router sent the reads of `{name}` to its replica {index}, but it \
                         has {replicas} (indexes from 0)"
                    ))
                })?;
                db.replica = Some((index, get(pool, name, Some(index))?));
            }
        }
        Ok(db)
    }

    /// A connection of `name`'s primary only: every statement goes there (no replica is
    /// checked out), for work that must read what it, or anyone, just wrote.
    pub fn get_primary(&self, name: &str) -> Result<PooledDb<C>> {
        let database = self.database(name)?;
        self.checkout(name, database)
    }

    fn checkout(&self, name: &str, database: &Database<C>) -> Result<PooledDb<C>> {
        Ok(PooledDb {
            primary: get(&database.primary, name, None)?,
            replica: None,
            content_types: Arc::clone(&database.content_types),
        })
    }
}

/// A connection out of `pool`, or [`Error::Pool`] naming the database and the pool.
fn get<C: R2D2Connection + Send + 'static>(
    pool: &ConnectionPool<C>,
    name: &str,
    replica: Option<usize>,
) -> Result<PooledConnectionOf<C>> {
    pool.get().map_err(|e| Error::Pool {
        database: match replica {
            None => format!("{name} (primary)"),
            Some(i) => format!("{name} (replica {i})"),
        },
        source: Box::new(e),
    })
}

/// Connections checked out of a database's pools by [`Databases::get`]: its primary's
/// and, when it has replicas, one replica's, with the database's content-type manager. A
/// [`Db`]: pass `&mut db` to every operation. The connections go back to their pools when
/// it is dropped.
pub struct PooledDb<C: R2D2Connection + Send + 'static> {
    primary: PooledConnectionOf<C>,
    replica: Option<(usize, PooledConnectionOf<C>)>,
    content_types: Arc<ContentTypes>,
}

impl<C: R2D2Connection + Send + 'static> PooledDb<C> {
    /// Which replica reads go to (when the primary is not inside a transaction): its index
    /// in the database, or `None` when they go to the primary.
    pub fn replica_index(&self) -> Option<usize> {
        self.replica.as_ref().map(|(i, _)| *i)
    }

    /// The content-type manager of the database.
    pub fn content_types(&self) -> &ContentTypes {
        &self.content_types
    }
}

impl<C> PooledDb<C>
where
    C: R2D2Connection + diesel::connection::LoadConnection + Send + 'static,
    C::Backend: SupportedBackend,
{
    /// Runs `f` in a transaction on the primary, committed when it returns `Ok` and rolled
    /// back otherwise (Django's `transaction.atomic`): everything `f` sends through this
    /// `PooledDb` goes to the primary, reads included, so it reads what it wrote.
    pub fn transaction<T, E>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, E>) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        crate::route::transaction(self, f)
    }
}

impl<C> Db for PooledDb<C>
where
    C: R2D2Connection + diesel::connection::LoadConnection + Send + 'static,
    C::Backend: SupportedBackend,
{
    crate::db::over_connection!(PooledConnectionOf<C>);

    fn connections(&mut self) -> Connections<'_, PooledConnectionOf<C>> {
        let connections = Connections::new(&mut self.primary, &self.content_types);
        match &mut self.replica {
            Some((_, replica)) => connections.with_replica(replica),
            None => connections,
        }
    }
}
