//! All of the service's database access, in this one module.
//!
//! The library's API is synchronous today, so the store runs it on r2d2 pools (Diesel's
//! `r2d2` feature, through the library's `databases::Databases`) inside
//! `tokio::task::spawn_blocking`: a request's database work checks a pooled connection out on
//! a blocking thread and never stalls the async workers. The async API on diesel-async is
//! being built next (`docs/async-design.md`: the same calls, `.await`ed, on a pooled async
//! connection); switching to it changes this module only: the routes see `Store`'s async
//! methods and the service's own types, nothing of Diesel or the pool.
//!
//! The store's one database is the `default` of a `Databases`, which gives it its own
//! content-type manager: content-type ids belong to one database, and a process may hold
//! stores of several (the tests run one per backend at once). The schema is made at
//! [`Store::open`] by the migrations `build.rs` writes, embedded in the binary and applied
//! when pending, so opening an existing database again changes nothing. On SQLite every
//! pooled connection is set up by `contenttypes::sqlite::configure` (WAL, a busy timeout,
//! foreign keys), from an r2d2 `CustomizeConnection`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use contenttypes::databases::{ConnectionPool, Database, Databases, PooledConnectionOf, PooledDb};
use contenttypes::migrations::{self, MigrationHarness, PerDialect};
use contenttypes::prelude::*;
use contenttypes::tagging::{tagged_any, MostCommon, Tag, TagModel, TaggedItem};
use contenttypes::SupportedBackend;
use diesel::connection::{Instrumentation, InstrumentationEvent, LoadConnection};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool as R2d2Pool, R2D2Connection};

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

/// How long a request waits for a pooled connection before answering 503.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// The name of the store's database among its `Databases`.
const DATABASE: &str = "default";

/// The service's database: a pool of connections and the database's content-type cache.
/// Cheap to clone (shared).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// Statements sent by the store's operations (see [`Store::statements`]).
    statements: Arc<AtomicU64>,
}

/// The pooled database of the backend the URL chose.
enum Pool {
    #[cfg(feature = "sqlite")]
    Sqlite(Arc<Databases<diesel::SqliteConnection>>),
    #[cfg(feature = "postgres")]
    Postgres(Arc<Databases<diesel::PgConnection>>),
    #[cfg(feature = "mysql")]
    Mysql(Arc<Databases<diesel::MysqlConnection>>),
}

/// `$body`, with `$db` a pooled connection of the store's backend (a `&mut PooledDb<C>`),
/// run on a blocking thread; evaluates to the body's `Result`. The body is compiled once per
/// backend, since Diesel's connection types differ.
macro_rules! on_db {
    ($store:expr, |$db:ident| $body:expr) => {
        match &$store.inner.pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(databases) => $store.run(databases, move |$db| $body).await,
            #[cfg(feature = "postgres")]
            Pool::Postgres(databases) => $store.run(databases, move |$db| $body).await,
            #[cfg(feature = "mysql")]
            Pool::Mysql(databases) => $store.run(databases, move |$db| $body).await,
        }
    };
}

/// `$body` with `$object` the article or the video of `$kind` and `$id`, or a 404.
macro_rules! with_object {
    ($db:ident, $kind:expr, $id:expr, |$object:ident| $body:expr) => {
        match $kind {
            Kind::Article => {
                let $object = find::<Article, _>($db, Kind::Article, $id)?;
                $body
            }
            Kind::Video => {
                let $object = find::<Video, _>($db, Kind::Video, $id)?;
                $body
            }
        }
    };
}

impl Store {
    /// Connects to the database of `url` (`postgres://...`, `mysql://...`, else an SQLite
    /// file's path), makes the pool and applies the pending migrations, which also create the
    /// models' content-type rows. A database opened before is left as it is.
    pub async fn open(url: &str) -> Result<Store> {
        let url = url.to_string();
        tokio::task::spawn_blocking(move || Store::open_blocking(&url)).await?
    }

    fn open_blocking(url: &str) -> Result<Store> {
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            #[cfg(feature = "postgres")]
            {
                Pool::Postgres(open::<diesel::PgConnection>(url, None)?)
            }
            #[cfg(not(feature = "postgres"))]
            return Err(Error::Setup(
                "this is a PostgreSQL URL: build with `--features postgres`".into(),
            ));
        } else if url.starts_with("mysql://") {
            #[cfg(feature = "mysql")]
            {
                Pool::Mysql(open::<diesel::MysqlConnection>(url, None)?)
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
                Pool::Sqlite(open::<diesel::SqliteConnection>(
                    url,
                    Some(Box::new(SqliteSetup)),
                )?)
            }
            #[cfg(not(feature = "sqlite"))]
            return Err(Error::Setup(format!(
                "`{url}` is not a postgres:// or mysql:// URL, and SQLite is not compiled in \
                 (`--features sqlite`)"
            )));
        };
        Ok(Store {
            inner: Arc::new(Inner {
                pool,
                statements: Arc::new(AtomicU64::new(0)),
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

    /// `op` on a connection of the store's database, on a blocking thread, its statements
    /// counted.
    async fn run<C, T>(
        &self,
        databases: &Arc<Databases<C>>,
        op: impl FnOnce(&mut PooledDb<C>) -> Result<T> + Send + 'static,
    ) -> Result<T>
    where
        C: R2D2Connection + LoadConnection + Send + 'static,
        C::Backend: SupportedBackend,
        T: Send + 'static,
    {
        let databases = Arc::clone(databases);
        let counter = Arc::clone(&self.inner.statements);
        tokio::task::spawn_blocking(move || {
            let mut db = databases.get(DATABASE)?;
            db.connection()
                .set_instrumentation(move |event: InstrumentationEvent<'_>| {
                    if let InstrumentationEvent::StartQuery { .. } = event {
                        counter.fetch_add(1, Ordering::SeqCst);
                    }
                });
            let result = op(&mut db);
            db.connection()
                .set_instrumentation(None::<Box<dyn Instrumentation>>);
            result
        })
        .await?
    }

    // ----- Operations: one blocking task each -------------------------------------------------

    /// Creates an article or a video.
    pub async fn create(&self, kind: Kind, title: String) -> Result<Object> {
        on_db!(self, |db| Ok(match kind {
            Kind::Article => Article::insert(db, NewArticle { title })?.object(),
            Kind::Video => Video::insert(db, NewVideo { title })?.object(),
        }))
    }

    /// An object with its tags (2 queries).
    pub async fn object(&self, kind: Kind, id: i64) -> Result<ObjectWithTags> {
        on_db!(self, |db| with_object!(db, kind, id, |object| {
            Ok(ObjectWithTags {
                object: object.object(),
                tags: object.tags().names(db)?,
            })
        }))
    }

    /// An object's tags, in the order they were added.
    pub async fn tags(&self, kind: Kind, id: i64) -> Result<ObjectTags> {
        on_db!(self, |db| with_object!(db, kind, id, |object| {
            Ok(object_tags(kind, id, object.tags().names(db)?, None))
        }))
    }

    /// Tags an object with `names`, creating the tags that do not exist: the library's
    /// race-free `tags().add` (one transaction; concurrent callers adding the same new names
    /// get one tag per name). Answers the object's tags afterwards.
    pub async fn add_tags(&self, kind: Kind, id: i64, names: Vec<String>) -> Result<ObjectTags> {
        on_db!(self, |db| with_object!(db, kind, id, |object| {
            object.tags().add(db, &names)?;
            Ok(object_tags(kind, id, object.tags().names(db)?, None))
        }))
    }

    /// Removes the tags `names` from an object (the tags stay); names it does not have are
    /// ignored. Answers how many were removed and the tags left.
    pub async fn remove_tags(&self, kind: Kind, id: i64, names: Vec<String>) -> Result<ObjectTags> {
        on_db!(self, |db| with_object!(db, kind, id, |object| {
            let removed = object.tags().remove(db, &names)?;
            Ok(object_tags(
                kind,
                id,
                object.tags().names(db)?,
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
                .load_targets(db, tagged_any::<TaggedItem>([name.as_str()]))?;
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
                .load(db)?;
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
            let mut tags: Vec<TagInfo> = Tag::all(db)?
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

/// The row of model `M` with the key `id`, or a 404 naming the kind.
fn find<M: Model<Pk = i64>, D: Db>(db: &mut D, kind: Kind, id: i64) -> Result<M> {
    M::get(db, &id)?.ok_or_else(|| Error::NotFound(format!("no {kind} has the id {id}")))
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

/// The store's database on `url`: a pool of `C` connections, each set up by `setup` when
/// made, as the `default` of a `Databases` (which gives it its content-type manager), its
/// pending migrations applied. Connecting once first makes a bad URL fail at once, with the
/// driver's message, rather than after the pool's timeout.
fn open<C>(
    url: &str,
    setup: Option<Box<dyn CustomizeConnection<C, diesel::r2d2::Error>>>,
) -> Result<Arc<Databases<C>>>
where
    C: R2D2Connection + LoadConnection + Send + 'static,
    C::Backend: SupportedBackend,
    PooledConnectionOf<C>: MigrationHarness<C::Backend>,
{
    C::establish(url).map_err(|e| Error::Setup(format!("cannot connect to the database: {e}")))?;
    let mut builder = R2d2Pool::builder()
        .max_size(POOL_SIZE)
        .connection_timeout(CONNECTION_TIMEOUT);
    if let Some(setup) = setup {
        builder = builder.connection_customizer(setup);
    }
    let pool: ConnectionPool<C> = builder
        .build(ConnectionManager::new(url))
        .map_err(|e| Error::Setup(format!("cannot make the connection pool: {e}")))?;
    let databases = Databases::new().add(DATABASE, Database::new(pool));
    // The migrations, then the content-type rows the models lack.
    migrations::run_pending_migrations(&mut databases.get(DATABASE)?, MIGRATIONS)?;
    Ok(Arc::new(databases))
}

/// Sets up each pooled SQLite connection as the library expects under concurrent writers:
/// WAL, a busy timeout, foreign keys (`contenttypes::sqlite::configure`).
#[cfg(feature = "sqlite")]
#[derive(Debug)]
struct SqliteSetup;

#[cfg(feature = "sqlite")]
impl diesel::r2d2::CustomizeConnection<diesel::SqliteConnection, diesel::r2d2::Error>
    for SqliteSetup
{
    fn on_acquire(&self, conn: &mut diesel::SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        contenttypes::sqlite::configure(conn).map_err(|e| match e {
            contenttypes::Error::Database(e) => diesel::r2d2::Error::QueryError(e),
            other => diesel::r2d2::Error::QueryError(diesel::result::Error::QueryBuilderError(
                other.to_string().into(),
            )),
        })
    }
}
