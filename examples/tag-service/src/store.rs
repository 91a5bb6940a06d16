//! All of the service's database access, in this one module.
//!
//! The store runs the library's async API: a deadpool pool (diesel-async's
//! `pooled_connection::deadpool`) of diesel-async connections (`AsyncPgConnection`,
//! `AsyncMysqlConnection`, `SyncConnectionWrapper<SqliteConnection>`), and every operation
//! checks a connection out and `.await`s the library's calls on it in the request's own task:
//! no blocking thread per request. (On SQLite, diesel-async's wrapper runs each statement of
//! the sync driver on tokio's blocking pool itself; that is the driver's business, not the
//! store's.) The routes see `Store`'s async methods and the service's own types, nothing of
//! Diesel or the pool.
//!
//! The store owns its database's content-type manager (a `ContentTypes`, shared by every
//! request through the store's `Arc`) and binds each pooled connection to it
//! (`ContentTypes::using`): content-type ids belong to one database, and a process may hold
//! stores of several (the tests run one per backend at once). The schema is made at
//! [`Store::open`] by the migrations `build.rs` writes, embedded in the binary and applied
//! when pending, so opening an existing database again changes nothing. The library's
//! migration runner is sync (Diesel's `MigrationHarness`), so it runs once, on a plain sync
//! connection in `spawn_blocking`, before the pool is made. Every pooled connection is made
//! by the pool's setup callback: connected, on SQLite set up by
//! `contenttypes::sqlite::configure` (WAL, a busy timeout, foreign keys), and given the
//! instrumentation that counts the store's statements ([`Store::statements`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use contenttypes::conn::BoxFuture;
use contenttypes::conn::SyncConn;
use contenttypes::migrations::{self, MigrationHarness, PerDialect};
use contenttypes::prelude::*;
use contenttypes::tagging::{tagged_any, MostCommon, Tag, TagModel, TaggedItem};
use contenttypes::{AsyncMode, Conn};
use deadpool::managed::Manager;
use deadpool::Runtime;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::result::ConnectionError;
use diesel::{ConnectionResult, QueryResult};
use diesel_async::pooled_connection::deadpool::{Object as Pooled, Pool as DeadPool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolError, RecyclingMethod,
};
use diesel_async::AsyncConnection;

use crate::api::{Kind, Object, ObjectTags, ObjectWithTags, TagCount, TagInfo, TaggedObjects};
use crate::error::{Error, Result};
use crate::models::{Article, NewArticle, NewVideo, Video};

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("tag-service needs a backend: enable `sqlite`, `postgres` or `mysql`");

/// The migrations `build.rs` writes, one directory per dialect, embedded at compile time.
const MIGRATIONS: PerDialect = contenttypes::embed_migrations! {
    sqlite: "migrations/sqlite",
    postgres: "migrations/postgres",
    mysql: "migrations/mysql",
};

/// Connections in the pool. On SQLite writers take turns whatever the size; on a server the
/// database's own connection limit must leave room for it.
pub const POOL_SIZE: u32 = 8;

/// How long a request waits for a pooled connection before answering 503 (deadpool's
/// `wait` timeout), and how long making a new connection may take (its `create` timeout).
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// The name of the store's database in the errors of its pool (the library's `Error::Pool`).
const DATABASE: &str = "default";

/// The async connection of each backend.
#[cfg(feature = "sqlite")]
type SqliteConn =
    diesel_async::sync_connection_wrapper::SyncConnectionWrapper<diesel::SqliteConnection>;
#[cfg(feature = "postgres")]
type PgConn = diesel_async::AsyncPgConnection;
#[cfg(feature = "mysql")]
type MysqlConn = diesel_async::AsyncMysqlConnection;

/// The service's database: a pool of async connections and the database's content-type
/// manager. Cheap to clone (shared).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// The database's content-type manager: its cache serves every request.
    content_types: ContentTypes,
    /// Statements sent by the store's operations (see [`Store::statements`]).
    statements: Arc<AtomicU64>,
}

/// The connection pool of the backend the URL chose.
enum Pool {
    #[cfg(feature = "sqlite")]
    Sqlite(DeadPool<SqliteConn>),
    #[cfg(feature = "postgres")]
    Postgres(DeadPool<PgConn>),
    #[cfg(feature = "mysql")]
    Mysql(DeadPool<MysqlConn>),
}

/// `$body`, with `$db` a pooled connection of the store's backend bound to the store's
/// content-type manager (a `&mut Using<Pooled<C>>`, a `Db` whose operations are futures),
/// awaited in the caller's task; evaluates to the body's `Result`. The body is compiled once
/// per backend, since the connection types differ.
macro_rules! on_db {
    ($store:expr, |$db:ident| $body:expr) => {{
        let inner: &Inner = &$store.inner;
        match &inner.pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(pool) => {
                let mut conn = checkout(pool).await?;
                let $db = &mut inner.content_types.using(&mut conn);
                $body
            }
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => {
                let mut conn = checkout(pool).await?;
                let $db = &mut inner.content_types.using(&mut conn);
                $body
            }
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool) => {
                let mut conn = checkout(pool).await?;
                let $db = &mut inner.content_types.using(&mut conn);
                $body
            }
        }
    }};
}

/// `$body` with `$object` the article or the video of `$kind` and `$id`, or a 404.
macro_rules! with_object {
    ($db:ident, $kind:expr, $id:expr, |$object:ident| $body:expr) => {
        match $kind {
            Kind::Article => {
                let $object = find::<Article, _>($db, Kind::Article, $id).await?;
                $body
            }
            Kind::Video => {
                let $object = find::<Video, _>($db, Kind::Video, $id).await?;
                $body
            }
        }
    };
}

impl Store {
    /// Connects to the database of `url` (`postgres://...`, `mysql://...`, else an SQLite
    /// file's path), applies the pending migrations, which also create the models' content-type
    /// rows, and makes the pool. A database opened before is left as it is.
    pub async fn open(url: &str) -> Result<Store> {
        let statements = Arc::new(AtomicU64::new(0));
        let (pool, content_types) = open_pool(url, &statements).await?;
        Ok(Store {
            inner: Arc::new(Inner {
                pool,
                content_types,
                statements,
            }),
        })
    }

    /// The database's kind: `sqlite`, `postgres` or `mysql`.
    pub fn backend(&self) -> &'static str {
        match &self.inner.pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(_) => "sqlite",
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => "postgres",
            #[cfg(feature = "mysql")]
            Pool::Mysql(_) => "mysql",
        }
    }

    /// How many statements the store's operations have sent since it opened (transaction
    /// control included; the pool's own health checks and the migrations not): for tests
    /// and metrics. Each operation's count is fixed by the library's query-count contract,
    /// whatever the number of rows.
    pub fn statements(&self) -> u64 {
        self.inner.statements.load(Ordering::SeqCst)
    }

    // ----- Operations: each awaited on one pooled connection ------------------------------------

    /// Creates an article or a video.
    pub async fn create(&self, kind: Kind, title: String) -> Result<Object> {
        on_db!(self, |db| Ok(match kind {
            Kind::Article => Article::insert(db, NewArticle { title }).await?.object(),
            Kind::Video => Video::insert(db, NewVideo { title }).await?.object(),
        }))
    }

    /// An object with its tags (2 queries).
    pub async fn object(&self, kind: Kind, id: i64) -> Result<ObjectWithTags> {
        on_db!(self, |db| with_object!(db, kind, id, |object| {
            Ok(ObjectWithTags {
                object: object.object(),
                tags: object.tags().names(db).await?,
            })
        }))
    }

    /// An object's tags, in the order they were added.
    pub async fn tags(&self, kind: Kind, id: i64) -> Result<ObjectTags> {
        on_db!(self, |db| with_object!(db, kind, id, |object| {
            Ok(object_tags(kind, id, object.tags().names(db).await?, None))
        }))
    }

    /// Tags an object with `names`, creating the tags that do not exist: the library's
    /// race-free `tags().add` (one transaction; concurrent callers adding the same new names
    /// get one tag per name). Answers the object's tags afterwards.
    pub async fn add_tags(&self, kind: Kind, id: i64, names: Vec<String>) -> Result<ObjectTags> {
        on_db!(self, |db| with_object!(db, kind, id, |object| {
            object.tags().add(db, &names).await?;
            Ok(object_tags(kind, id, object.tags().names(db).await?, None))
        }))
    }

    /// Removes the tags `names` from an object (the tags stay); names it does not have are
    /// ignored. Answers how many were removed and the tags left.
    pub async fn remove_tags(&self, kind: Kind, id: i64, names: Vec<String>) -> Result<ObjectTags> {
        on_db!(self, |db| with_object!(db, kind, id, |object| {
            let removed = object.tags().remove(db, &names).await?;
            Ok(object_tags(
                kind,
                id,
                object.tags().names(db).await?,
                Some(removed),
            ))
        }))
    }

    /// Every object tagged `name`, articles and videos, by kind and id: the through model's
    /// generic foreign key loads them in batches, 1 query for the tagged objects' content
    /// types and ids and 1 per model, however many there are.
    pub async fn tagged(&self, name: String) -> Result<TaggedObjects> {
        on_db!(self, |db| {
            let found = TaggedItem::CONTENT_OBJECT
                .load_targets(db, tagged_any::<TaggedItem>([name.as_str()]))
                .await?;
            let mut objects = found
                .iter()
                .map(generic_object)
                .collect::<Result<Vec<_>>>()?;
            objects.sort();
            Ok(TaggedObjects { tag: name, objects })
        })
    }

    /// The most common tags across articles and videos, each with how many objects hold it,
    /// most first, ties by name (django-taggit's `most_common`): 1 query.
    pub async fn most_common(&self, limit: i64, min_count: i64) -> Result<Vec<TagCount>> {
        on_db!(self, |db| {
            let top = MostCommon::<TaggedItem>::across_models()
                .min_count(min_count)
                .limit(limit)
                .load(db)
                .await?;
            Ok(top
                .into_iter()
                .map(|(tag, count)| TagCount {
                    name: tag.name().to_string(),
                    slug: tag.slug().to_string(),
                    count,
                })
                .collect())
        })
    }

    /// Every tag, by name, whether or not an object holds it.
    pub async fn all_tags(&self) -> Result<Vec<TagInfo>> {
        on_db!(self, |db| {
            let mut tags: Vec<TagInfo> = Tag::all(db)
                .await?
                .into_iter()
                .map(|tag| TagInfo {
                    name: tag.name,
                    slug: tag.slug,
                })
                .collect();
            tags.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(tags)
        })
    }
}

/// The pool of the backend `url` names, its connections' statements counted in `statements`,
/// and the database's content-type manager; the pending migrations applied first.
async fn open_pool(url: &str, statements: &Arc<AtomicU64>) -> Result<(Pool, ContentTypes)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        {
            let content_types = migrate::<diesel::PgConnection>(url, |_| Ok(())).await?;
            let pool = pool::<PgConn>(url, None, statements)?;
            Ok((Pool::Postgres(pool), content_types))
        }
        #[cfg(not(feature = "postgres"))]
        return Err(Error::Setup(
            "this is a PostgreSQL URL: build with `--features postgres`".into(),
        ));
    } else if url.starts_with("mysql://") {
        #[cfg(feature = "mysql")]
        {
            let content_types = migrate::<diesel::MysqlConnection>(url, |_| Ok(())).await?;
            let pool = pool::<MysqlConn>(url, None, statements)?;
            Ok((Pool::Mysql(pool), content_types))
        }
        #[cfg(not(feature = "mysql"))]
        return Err(Error::Setup(
            "this is a MySQL URL: build with `--features mysql`".into(),
        ));
    } else {
        #[cfg(feature = "sqlite")]
        {
            if url.is_empty() || url.contains(":memory:") || url.contains("mode=memory") {
                return Err(Error::Setup(
                    "an in-memory SQLite database is one per connection, and the service \
                     pools connections: give a file's path"
                        .into(),
                ));
            }
            // The migrations' connection is set up as the pool's are.
            let content_types = migrate::<diesel::SqliteConnection>(url, |conn| {
                contenttypes::sqlite::configure(conn)
            })
            .await?;
            let configure: Configure<SqliteConn> = |conn| contenttypes::sqlite::configure(conn);
            let pool = pool::<SqliteConn>(url, Some(configure), statements)?;
            Ok((Pool::Sqlite(pool), content_types))
        }
        #[cfg(not(feature = "sqlite"))]
        return Err(Error::Setup(format!(
            "`{url}` is not a postgres:// or mysql:// URL, and SQLite is not compiled in \
             (`--features sqlite`)"
        )));
    }
}

/// The row of model `M` with the key `id`, or a 404 naming the kind.
async fn find<M: Model<Pk = i64>, D: Db<Mode = AsyncMode>>(
    db: &mut D,
    kind: Kind,
    id: i64,
) -> Result<M> {
    M::get(db, &id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no {kind} has the id {id}")))
}

fn object_tags(kind: Kind, id: i64, tags: Vec<String>, removed: Option<usize>) -> ObjectTags {
    ObjectTags {
        kind,
        id,
        tags,
        removed,
    }
}

/// A model row as the API shows it.
trait AsObject {
    fn object(&self) -> Object;
}

impl AsObject for Article {
    fn object(&self) -> Object {
        Object {
            kind: Kind::Article,
            id: self.id,
            title: self.title.clone(),
        }
    }
}

impl AsObject for Video {
    fn object(&self) -> Object {
        Object {
            kind: Kind::Video,
            id: self.id,
            title: self.title.clone(),
        }
    }
}

/// A tagged object read through the generic foreign key, of whatever model it is.
fn generic_object(object: &GenericObject) -> Result<Object> {
    if let Ok(article) = object.downcast_ref::<Article>() {
        return Ok(article.object());
    }
    if let Ok(video) = object.downcast_ref::<Video>() {
        return Ok(video.object());
    }
    // Only articles and videos are tagged through this service.
    Err(Error::Library(contenttypes::Error::WrongType {
        expected: "an article or a video".into(),
        found: object.model_def().label(),
    }))
}

/// What sets a new pooled connection up once it is connected (SQLite's `configure`).
type Configure<C> = for<'c> fn(&'c mut C) -> BoxFuture<'c, contenttypes::Result<()>>;

/// Applies the pending migrations on a sync connection `S` to `url`, set up by `setup` first:
/// once, on a blocking thread, since the library's runner is sync (Diesel's
/// `MigrationHarness`). Returns the database's content-type manager, which the migrations
/// made the models' content-type rows with. Connecting here first also makes a bad URL fail
/// at once, with the driver's message.
async fn migrate<S>(
    url: &str,
    setup: fn(&mut S) -> contenttypes::Result<()>,
) -> Result<ContentTypes>
where
    S: diesel::Connection + SyncConn + MigrationHarness<<S as Conn>::Backend> + 'static,
{
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let mut conn = S::establish(&url)
            .map_err(|e| Error::Setup(format!("cannot connect to the database: {e}")))?;
        setup(&mut conn)?;
        let content_types = ContentTypes::new();
        // The migrations, then the content-type rows the models lack.
        migrations::run_pending_migrations(&mut content_types.using(&mut conn), MIGRATIONS)?;
        Ok(content_types)
    })
    .await?
}

/// The store's pool of async connections `C` to `url`: each made by [`connect`] (connected,
/// set up by `configure`, its statements counted in `statements`), checked before each use
/// by [`ping`], at most [`POOL_SIZE`], waited for at most [`CONNECTION_TIMEOUT`].
fn pool<C>(
    url: &str,
    configure: Option<Configure<C>>,
    statements: &Arc<AtomicU64>,
) -> Result<DeadPool<C>>
where
    C: AsyncConnection + 'static,
    AsyncDieselConnectionManager<C>: Manager<Type = C, Error = PoolError>,
{
    let mut config = ManagerConfig::<C>::default();
    let counter = Arc::clone(statements);
    config.custom_setup =
        Box::new(move |url| Box::pin(connect(url.to_string(), configure, Arc::clone(&counter))));
    let counter = Arc::clone(statements);
    config.recycling_method =
        RecyclingMethod::CustomFunction(Box::new(recycle_check(move |conn: &mut C| {
            ping(conn, Arc::clone(&counter))
        })));
    let manager = AsyncDieselConnectionManager::new_with_config(url, config);
    DeadPool::builder(manager)
        .max_size(POOL_SIZE as usize)
        .wait_timeout(Some(CONNECTION_TIMEOUT))
        .create_timeout(Some(CONNECTION_TIMEOUT))
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|e| Error::Setup(format!("cannot make the connection pool: {e}")))
}

/// A new connection of the pool: connected, set up by `configure`, and instrumented to count
/// its statements in `counter`.
async fn connect<C: AsyncConnection>(
    url: String,
    configure: Option<Configure<C>>,
    counter: Arc<AtomicU64>,
) -> ConnectionResult<C> {
    let mut conn = C::establish(&url).await?;
    if let Some(configure) = configure {
        configure(&mut conn).await.map_err(|e| match e {
            contenttypes::Error::Database(e) => ConnectionError::CouldntSetupConfiguration(e),
            other => ConnectionError::BadConnection(other.to_string()),
        })?;
    }
    conn.set_instrumentation(counting(counter));
    Ok(conn)
}

/// Counts the statements a connection starts in `counter`.
fn counting(counter: Arc<AtomicU64>) -> impl Instrumentation {
    move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { .. } = event {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// The pool's check of a connection before it is handed out again (what diesel-async's
/// default `RecyclingMethod::Verified` does: a `SELECT 1`), sent with the statement counter
/// off, so that [`Store::statements`] counts the operations' statements only.
fn ping<C: AsyncConnection>(
    conn: &mut C,
    counter: Arc<AtomicU64>,
) -> BoxFuture<'_, QueryResult<()>> {
    Box::pin(async move {
        conn.set_instrumentation(None::<Box<dyn Instrumentation>>);
        let alive = conn.batch_execute("SELECT 1").await;
        conn.set_instrumentation(counting(counter));
        alive
    })
}

/// `check`, its signature spelled out for the compiler (a closure's is inferred from a
/// bound, not from the `Box<dyn Fn>` it goes into).
fn recycle_check<C, F>(check: F) -> F
where
    F: for<'c> Fn(&'c mut C) -> BoxFuture<'c, QueryResult<()>> + Send + Sync,
{
    check
}

/// A connection of `pool`, or the library's `Error::Pool` (a 503): none free within
/// [`CONNECTION_TIMEOUT`], or none could be made (the server is unreachable).
async fn checkout<C>(pool: &DeadPool<C>) -> Result<Pooled<C>>
where
    AsyncDieselConnectionManager<C>: Manager<Type = C, Error = PoolError>,
{
    pool.get().await.map_err(|e| {
        Error::Library(contenttypes::Error::Pool {
            database: DATABASE.into(),
            source: Box::new(e),
        })
    })
}
