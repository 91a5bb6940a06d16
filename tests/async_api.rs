//! The async API as a service uses it: operations `.await`ed in tokio tasks on diesel-async's
//! connections and on its deadpool and bb8 pools, on all three backends.
//!
//! Every behaviour test of the other files also runs on the async connections
//! (`backend_tests!`'s `async_*` modules, `tests/common/async_conns.rs`), with the same
//! statement counts; this file holds what only `.await` shows: the futures are `Send` (they
//! run in `tokio::spawn`), run concurrently from many tasks against real servers without
//! losing or doubling a row, come from pools, and send the same statements, one for one, as
//! the same calls on a sync connection.
#![cfg(any(
    feature = "async-sqlite",
    feature = "async-postgres",
    feature = "async-mysql"
))]

mod common;

use std::sync::Arc;

use common::async_conns::runtime;
use common::{TestConnection, TestDb};
use contenttypes::prelude::*;
use contenttypes::tagging::TagRef;
use contenttypes::testing::QueryLog;
use contenttypes::{AsyncMode, Conn, Error};
use diesel_async::AsyncConnection;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "asyncapi", tag)]
pub struct Tag {
    pub id: i64,
    #[model(unique, max_length = 100)]
    pub name: String,
    #[model(unique, max_length = 100)]
    pub slug: String,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(
    app_label = "asyncapi",
    tagged_item(tag = tag_id),
    unique(content_type_id, object_id, tag_id)
)]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "asyncapi")]
pub struct Post {
    pub id: i64,
    #[model(max_length = 100)]
    pub title: String,
    pub tags: Tags<TaggedItem>,
}

/// How many tasks race, and how many connections their pool has.
const TASKS: usize = 16;
const POOL: usize = 4;

/// What a script of calls saw: each call's statement count and result, to compare a sync
/// run with an async one.
#[derive(Debug, PartialEq)]
struct Seen {
    counts: Vec<usize>,
    names: Vec<Vec<String>>,
    tagged: Vec<String>,
}

/// The script on a sync database.
fn script_sync(db: &mut impl Db<Mode = SyncMode>, log: &QueryLog) -> Seen {
    let mut counts = Vec::new();
    let mut step = |log: &QueryLog| counts.push(log.take().len());
    ContentType::for_models(db, &[Tag::DEF, TaggedItem::DEF, Post::DEF]).unwrap();
    step(log);
    let a = Post::insert(db, NewPost { title: "a".into() }).unwrap();
    let b = Post::insert(db, NewPost { title: "b".into() }).unwrap();
    step(log);
    a.tags().add(db, ["rust", "web"]).unwrap();
    step(log);
    b.tags()
        .add(db, [TagRef::from("web"), TagRef::from("go")])
        .unwrap();
    step(log);
    let names = vec![a.tags().names(db).unwrap(), b.tags().names(db).unwrap()];
    step(log);
    a.tags().remove(db, ["web"]).unwrap();
    step(log);
    let (post, created) = Post::get_or_create(db, NewPost { title: "c".into() }).unwrap();
    assert!(created, "no post has the title: a new row");
    post.tags().set(db, ["go"]).unwrap();
    step(log);
    let tagged = Post::filter(Post::TAGS.any(["go"]))
        .load(db)
        .unwrap()
        .into_iter()
        .map(|p| p.title)
        .collect();
    step(log);
    Seen {
        counts,
        names,
        tagged,
    }
}

/// The same script on an async connection, every call awaited.
async fn script_async<C: Conn<Mode = AsyncMode>>(
    db: &mut contenttypes::Using<'_, C>,
    log: &QueryLog,
) -> Seen {
    let mut counts = Vec::new();
    let mut step = |log: &QueryLog| counts.push(log.take().len());
    ContentType::for_models(db, &[Tag::DEF, TaggedItem::DEF, Post::DEF])
        .await
        .unwrap();
    step(log);
    let a = Post::insert(db, NewPost { title: "a".into() })
        .await
        .unwrap();
    let b = Post::insert(db, NewPost { title: "b".into() })
        .await
        .unwrap();
    step(log);
    a.tags().add(db, ["rust", "web"]).await.unwrap();
    step(log);
    b.tags()
        .add(db, [TagRef::from("web"), TagRef::from("go")])
        .await
        .unwrap();
    step(log);
    let names = vec![
        a.tags().names(db).await.unwrap(),
        b.tags().names(db).await.unwrap(),
    ];
    step(log);
    a.tags().remove(db, ["web"]).await.unwrap();
    step(log);
    let (post, created) = Post::get_or_create(db, NewPost { title: "c".into() })
        .await
        .unwrap();
    assert!(created, "no post has the title: a new row");
    post.tags().set(db, ["go"]).await.unwrap();
    step(log);
    let tagged = Post::filter(Post::TAGS.any(["go"]))
        .load(db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.title)
        .collect();
    step(log);
    Seen {
        counts,
        names,
        tagged,
    }
}

/// What each racing task does: a post of its own, tagged with two names every task uses and
/// one of its own; returns its tags' names.
async fn tag_own_post(
    db: &mut impl Db<Mode = AsyncMode>,
    i: usize,
) -> contenttypes::Result<Vec<String>> {
    let post = Post::insert(
        db,
        NewPost {
            title: format!("p{i}"),
        },
    )
    .await?;
    post.tags()
        .add(db, ["shared", "also shared", &format!("own {i}")])
        .await?;
    post.tags().names(db).await
}

/// The tests for one backend: `$sync` its sync connection, `$harness` the harness's wrapper
/// of its async connection `$async`.
macro_rules! async_api_tests {
    ($feature:literal, $module:ident, $sync:ty, $harness:ty, $async:ty) => {
        #[cfg(feature = $feature)]
        mod $module {
            use super::*;

            type Async = $async;

            /// A fresh database with the tables, shared (a URL other connections open).
            fn database() -> (TestDb<$harness>, String) {
                let t = TestDb::<$harness>::shared();
                let url = t.url().expect("a shared database").to_string();
                (t, url)
            }

            /// An async connection of our own to `url`, as a service opens one.
            async fn connect(url: &str) -> Async {
                let mut conn = Async::establish(url).await.expect("connect");
                if <$harness as TestConnection>::DIALECT == contenttypes::Dialect::Sqlite {
                    diesel_async::SimpleAsyncConnection::batch_execute(
                        &mut conn,
                        "PRAGMA busy_timeout = 10000",
                    )
                    .await
                    .expect("busy timeout");
                }
                conn
            }

            /// The same calls send the same statements, one for one, and see the same
            /// results, awaited on an async connection as on a sync one.
            #[test]
            fn awaited_operations_match_the_sync_ones() {
                let mut sync = TestDb::<$sync>::new();
                let log = sync.log();
                log.reset();
                let expected = script_sync(&mut sync.db(), &log);
                assert_eq!(expected.names, [vec!["rust", "web"], vec!["web", "go"]]);
                assert_eq!(expected.tagged, ["b", "c"]);

                let (_t, url) = database();
                // In a task: the operations' futures are `Send`.
                let seen = runtime().block_on(async move {
                    tokio::spawn(async move {
                        let mut conn = connect(&url).await;
                        let log = QueryLog::attach(&mut conn);
                        let content_types = ContentTypes::new();
                        script_async(&mut content_types.using(&mut conn), &log).await
                    })
                    .await
                    .expect("the task")
                });
                assert_eq!(seen, expected);
            }

            /// A failing operation returns its typed error and leaves nothing behind: the
            /// framework's transaction rolled back through diesel-async's manager.
            #[test]
            fn a_failed_operation_writes_nothing() {
                let (_t, url) = database();
                runtime().block_on(async {
                    let mut conn = connect(&url).await;
                    let content_types = ContentTypes::new();
                    let db = &mut content_types.using(&mut conn);
                    let post = Post::insert(db, NewPost { title: "p".into() })
                        .await
                        .unwrap();
                    let long = "x".repeat(101);
                    let error = post
                        .tags()
                        .add(db, ["fine", long.as_str()])
                        .await
                        .unwrap_err();
                    assert!(matches!(error, Error::InvalidArgument(_)), "{error:?}");
                    assert_eq!(Tag::count(db).await.unwrap(), 0);
                    assert_eq!(post.tags().count(db).await.unwrap(), 0);
                    // The connection is usable after it, outside any transaction.
                    post.tags().add(db, ["fine"]).await.unwrap();
                    assert_eq!(post.tags().names(db).await.unwrap(), ["fine"]);
                });
            }

            /// Tasks on a deadpool pool tag their own posts with the same new names at
            /// once: every task succeeds, each name is one row, every post has its tags.
            #[cfg(feature = "deadpool")]
            #[test]
            fn concurrent_tasks_on_a_deadpool_pool() {
                use diesel_async::pooled_connection::{
                    deadpool::Pool, AsyncDieselConnectionManager, ManagerConfig,
                };
                let (_t, url) = database();
                runtime().block_on(async {
                    let mut config = ManagerConfig::<Async>::default();
                    config.custom_setup = Box::new(|url| Box::pin(connect_owned(url.to_string())));
                    let manager =
                        AsyncDieselConnectionManager::<Async>::new_with_config(&url, config);
                    let pool = Pool::builder(manager)
                        .max_size(POOL)
                        .build()
                        .expect("the pool");
                    race(pool, |pool| async move {
                        pool.get().await.expect("a connection")
                    })
                    .await;
                });
            }

            /// The same on a bb8 pool.
            #[cfg(feature = "bb8")]
            #[test]
            fn concurrent_tasks_on_a_bb8_pool() {
                use diesel_async::pooled_connection::{
                    bb8::Pool, AsyncDieselConnectionManager, ManagerConfig,
                };
                let (_t, url) = database();
                runtime().block_on(async {
                    let mut config = ManagerConfig::<Async>::default();
                    config.custom_setup = Box::new(|url| Box::pin(connect_owned(url.to_string())));
                    let manager =
                        AsyncDieselConnectionManager::<Async>::new_with_config(&url, config);
                    let pool = Pool::builder()
                        .max_size(POOL as u32)
                        .build(manager)
                        .await
                        .expect("the pool");
                    race(pool, |pool| async move {
                        pool.get_owned().await.expect("a connection")
                    })
                    .await;
                });
            }

            /// [`connect`] for a pool's setup callback.
            async fn connect_owned(url: String) -> diesel::ConnectionResult<Async> {
                Ok(connect(&url).await)
            }

            /// `TASKS` tasks, each on a connection `get` checks out of `pool`, tag their own
            /// posts with the same shared names at once ([`tag_own_post`]); then
            /// [`check_race`].
            async fn race<P, G, F, C>(pool: P, get: G)
            where
                P: Clone + Send + 'static,
                G: Fn(P) -> F + Copy + Send + 'static,
                F: std::future::Future<Output = C> + Send,
                C: contenttypes::Conn<Mode = AsyncMode> + 'static,
            {
                let content_types = Arc::new(ContentTypes::new());
                let tasks: Vec<_> = (0..TASKS)
                    .map(|i| {
                        let (pool, content_types) = (pool.clone(), content_types.clone());
                        tokio::spawn(async move {
                            let mut conn = get(pool).await;
                            tag_own_post(&mut content_types.using(&mut conn), i).await
                        })
                    })
                    .collect();
                let mut conn = get(pool).await;
                check_race(tasks, &mut content_types.using(&mut conn)).await;
            }

            /// Every task succeeded with its three tags; the shared names are one row each.
            async fn check_race(
                tasks: Vec<tokio::task::JoinHandle<contenttypes::Result<Vec<String>>>>,
                db: &mut impl Db<Mode = AsyncMode>,
            ) {
                for (i, task) in tasks.into_iter().enumerate() {
                    let names = task
                        .await
                        .expect("the task")
                        .expect("no error under contention");
                    assert_eq!(
                        names,
                        ["shared", "also shared", format!("own {i}").as_str()]
                    );
                }
                assert_eq!(Tag::count(db).await.unwrap(), 2 + TASKS as i64);
                assert_eq!(TaggedItem::count(db).await.unwrap(), 3 * TASKS as i64);
            }
        }
    };
}

async_api_tests!(
    "async-sqlite",
    sqlite,
    diesel::SqliteConnection,
    common::async_conns::AsyncSqlite,
    diesel_async::sync_connection_wrapper::SyncConnectionWrapper<diesel::SqliteConnection>
);
async_api_tests!(
    "async-postgres",
    postgres,
    diesel::PgConnection,
    common::async_conns::AsyncPg,
    diesel_async::AsyncPgConnection
);
async_api_tests!(
    "async-mysql",
    mysql,
    diesel::MysqlConnection,
    common::async_conns::AsyncMysql,
    diesel_async::AsyncMysqlConnection
);
