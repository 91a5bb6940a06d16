//! What the HTTP tests share: a fresh database per test on each backend, the service started
//! in-process on an ephemeral port, an HTTP client, and the figures CI prints.
//!
//! With a backend's feature on, its tests run against its server: `PG_DATABASE_URL` and
//! `MYSQL_DATABASE_URL` must be set (a missing or unreachable server fails the test; nothing
//! is skipped). Each test gets its own database: a new SQLite file, a new PostgreSQL schema,
//! a new MySQL database, dropped when the test ends, so reruns start clean.

use std::fs::OpenOptions;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::{header, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tag_service::Store;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// `name` runs as `name::sqlite`, `name::postgres`, `name::mysql` (those whose feature is
/// on), each on a multi-threaded runtime.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[cfg(feature = "sqlite")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(super::support::Backend::Sqlite).await;
            }
            #[cfg(feature = "postgres")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$name(super::support::Backend::Postgres).await;
            }
            #[cfg(feature = "mysql")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn mysql() {
                super::$name(super::support::Backend::Mysql).await;
            }
        }
    )*};
}

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    Sqlite,
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres,
    #[cfg_attr(not(feature = "mysql"), allow(dead_code))]
    Mysql,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }
}

// ----- Fresh databases -------------------------------------------------------------------------

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
fn server_url(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: the backend's feature is on, so its tests need a server \
             (`bash .ci/run` sets it up; or set {var})"
        )
    })
}

/// A test's own database, removed when dropped.
pub struct FreshDb {
    pub backend: Backend,
    /// What the service is given.
    pub url: String,
    drop: Box<dyn FnOnce() + Send>,
}

impl FreshDb {
    pub fn new(backend: Backend) -> FreshDb {
        match backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{}.db", unique("tag_service")));
                let url = path.to_string_lossy().into_owned();
                let file = url.clone();
                FreshDb {
                    backend,
                    url,
                    drop: Box::new(move || {
                        for suffix in ["", "-journal", "-wal", "-shm"] {
                            let _ = std::fs::remove_file(format!("{file}{suffix}"));
                        }
                    }),
                }
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                use diesel::Connection;
                let admin_url = server_url("PG_DATABASE_URL");
                let schema = unique("tag_service");
                let mut admin = diesel::PgConnection::establish(&admin_url).unwrap_or_else(|e| {
                    panic!("PostgreSQL at PG_DATABASE_URL is unreachable: {e}")
                });
                run(&mut admin, &format!("CREATE SCHEMA \"{schema}\""));
                let sep = if admin_url.contains('?') { '&' } else { '?' };
                FreshDb {
                    backend,
                    url: format!("{admin_url}{sep}options=-c%20search_path%3D{schema}"),
                    drop: Box::new(move || {
                        if let Ok(mut admin) = diesel::PgConnection::establish(&admin_url) {
                            run(&mut admin, &format!("DROP SCHEMA \"{schema}\" CASCADE"));
                        }
                    }),
                }
            }
            #[cfg(feature = "mysql")]
            Backend::Mysql => {
                use diesel::Connection;
                let admin_url = server_url("MYSQL_DATABASE_URL");
                let name = unique("tag_service");
                let mut admin = diesel::MysqlConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("MySQL at MYSQL_DATABASE_URL is unreachable: {e}"));
                run(
                    &mut admin,
                    &format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"),
                );
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(base, _)| base.to_string())
                    .unwrap_or_else(|| admin_url.clone());
                FreshDb {
                    backend,
                    url: format!("{base}/{name}"),
                    drop: Box::new(move || {
                        if let Ok(mut admin) = diesel::MysqlConnection::establish(&admin_url) {
                            run(&mut admin, &format!("DROP DATABASE `{name}`"));
                        }
                    }),
                }
            }
            #[allow(unreachable_patterns)]
            other => panic!("the {other:?} feature is off"),
        }
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        let drop = std::mem::replace(&mut self.drop, Box::new(|| {}));
        drop();
    }
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
fn run<C: diesel::connection::SimpleConnection>(conn: &mut C, sql: &str) {
    conn.batch_execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

// ----- The service, in-process -----------------------------------------------------------------

/// The service on a fresh database, listening on an ephemeral port of 127.0.0.1. Its
/// database is dropped with it; the server task ends with the test's runtime, or at
/// [`Service::stop`].
pub struct Service {
    pub api: Api,
    /// The service's store, for its statement count.
    pub store: Store,
    task: JoinHandle<std::io::Result<()>>,
    db: FreshDb,
}

impl Service {
    pub async fn start(backend: Backend) -> Service {
        let db = FreshDb::new(backend);
        Service::on(db).await
    }

    /// The service on `db` (a database it may have opened before).
    pub async fn on(db: FreshDb) -> Service {
        let store = Store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("the store on {:?} does not open: {e}", db.backend));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("an ephemeral port");
        let address = listener.local_addr().expect("the listener's address");
        let task = tokio::spawn(tag_service::serve(listener, store.clone()));
        Service {
            api: Api::new(address),
            store,
            task,
            db,
        }
    }

    /// Stops the service and hands its database back, to open it again.
    pub async fn stop(self) -> FreshDb {
        let Service { task, db, .. } = self;
        task.abort();
        let _ = task.await;
        db
    }
}

/// An HTTP client of the service (hyper-util's legacy client).
#[derive(Clone)]
pub struct Api {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
}

/// A response: its status and its body, which is always JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub json: Value,
}

impl Reply {
    /// The body of a 2xx response, or a panic naming what went wrong.
    pub fn ok(self, what: &str) -> Value {
        assert!(
            self.status.is_success(),
            "{what}: {} {}",
            self.status,
            self.json
        );
        self.json
    }

    /// The error message of a 4xx response of `status`.
    pub fn error(&self, status: StatusCode, what: &str) -> &str {
        assert_eq!(self.status, status, "{what}: {}", self.json);
        let message = self.json["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no error message in {}", self.json));
        assert!(!message.is_empty(), "{what}: an empty error message");
        message
    }
}

impl Api {
    pub fn new(address: SocketAddr) -> Api {
        Api {
            client: Client::builder(TokioExecutor::new()).build_http(),
            base: format!("http://{address}"),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, "").await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(
            Method::POST,
            path,
            Some("application/json"),
            &body.to_string(),
        )
        .await
    }

    pub async fn delete(&self, path: &str, body: Value) -> Reply {
        self.send(
            Method::DELETE,
            path,
            Some("application/json"),
            &body.to_string(),
        )
        .await
    }

    /// Any request: a method, a path, a content type and a body as given.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: &str,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.base));
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_string())))
            .expect("a request");
        let response = self
            .client
            .request(request)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let is_json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: the body: {e}"))
            .to_bytes();
        assert!(
            is_json,
            "{method} {path}: {status}, not JSON: {}",
            String::from_utf8_lossy(&bytes)
        );
        let json = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "{method} {path}: {status}, a body that does not parse ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        Reply { status, json }
    }
}

// ----- Figures ---------------------------------------------------------------------------------

/// Prints a figure and appends it to `contenttypes-figures/tag-service.txt` under the target
/// directory's tmp/, which CI prints after the tests.
pub fn record(line: &str) {
    println!("{line}");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("contenttypes-figures");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(mut file) = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("tag-service.txt"))
    {
        let _ = writeln!(file, "{line}");
    }
}
