//! The command-line tool (`src/bin/contenttypes.rs`, `contenttypes::cli`) as a user runs it:
//! the real binary, as a subprocess, on a fresh database of each backend (an SQLite file, a
//! new PostgreSQL database, a new MariaDB/MySQL database), set up by the tool's own `migrate`
//! and raw SQL. The server tests read `PG_DATABASE_URL` and `MYSQL_DATABASE_URL`: with the
//! backend's feature on, a missing or unreachable server fails them.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use diesel::connection::SimpleConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_contenttypes");
const CRATE_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The example's models, as `check` and `migrate` name them.
const MODELS: [&str; 9] = [
    "blog.article",
    "blog.comment",
    "contenttypes.contenttype",
    "tagging.tag",
    "tagging.taggeditem",
    "taggit.tag",
    "taggit.taggeditem",
    "taggit.texttaggeditem",
    "taggit.uuidtaggeditem",
];

// ----- One test per backend ----------------------------------------------------------------

/// `name` runs as `name::sqlite`, `name::postgres`, `name::mysql` (those whose feature is on).
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[cfg(feature = "sqlite")]
            #[test]
            fn sqlite() {
                super::$name(super::Backend::Sqlite);
            }
            #[cfg(feature = "postgres")]
            #[test]
            fn postgres() {
                super::$name(super::Backend::Postgres);
            }
            #[cfg(feature = "mysql")]
            #[test]
            fn mysql() {
                super::$name(super::Backend::Mysql);
            }
        }
    )*};
}

on_every_backend!(
    check_passes_and_reports_json,
    migrate_applies_then_has_nothing_to_do,
    stale_lists_keeps_and_deletes,
    sweep_dry_run_counts_and_sweep_deletes,
    interrupted_sweep_finishes_when_run_again,
    failures_and_usage_errors_have_their_exit_codes,
);

// ----- The tests ---------------------------------------------------------------------------

fn check_passes_and_reports_json(backend: Backend) {
    let mut db = TestDb::fresh(backend);
    // `check` needs no database: the one in DATABASE_URL is not touched.
    let run = Run::new(&["check", "--json"])
        .env("DATABASE_URL", &db.url)
        .go();
    run.exit(0);
    let report = run.json();
    assert_eq!(report["command"], "check");
    assert_eq!(report["models"], json!(MODELS));
    assert_eq!(
        (&report["errors"], &report["warnings"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(report["messages"], json!([]));
    if let Backend::Sqlite = backend {
        assert!(!Path::new(&db.url).exists(), "check created {}", db.url);
    }
    assert_eq!(db.tables(), 0);

    let run = Run::new(&["check"]).go();
    run.exit(0);
    assert_eq!(
        run.stdout,
        "System check identified no issues (9 models checked).\n"
    );
}

fn migrate_applies_then_has_nothing_to_do(backend: Backend) {
    let mut db = TestDb::fresh(backend);
    // The default directory: `migrations/<dialect>` under the working directory.
    let run = db.cli(&["--json", "migrate"]);
    run.exit(0);
    let report = run.json();
    assert_eq!(report["command"], "migrate");
    assert_eq!(
        report["migration_dir"],
        format!("migrations/{}", backend.dialect())
    );
    assert_eq!(report["applied"], json!(versions(backend)));
    assert_eq!(report["content_types_created"], json!(MODELS));
    assert_eq!(db.count("django_content_type"), 9);
    assert_eq!(db.count("blog_article"), 0);

    // Again, with the URL from DATABASE_URL and the directory given: nothing to do.
    let dir = Path::new(CRATE_DIR)
        .join("migrations")
        .join(backend.dialect());
    let run = Run::new(&["migrate", "--migration-dir", dir.to_str().unwrap()])
        .env("DATABASE_URL", &db.url)
        .go();
    run.exit(0);
    assert_eq!(
        run.stdout,
        format!(
            "No migrations to apply in {}.\nNo content types to create.\n",
            dir.display()
        )
    );
    assert_eq!(db.count("django_content_type"), 9);
}

fn stale_lists_keeps_and_deletes(backend: Backend) {
    let mut db = TestDb::migrated(backend);
    db.execute(
        "INSERT INTO tagging_tag (name) VALUES ('rust');
         INSERT INTO blog_article (title) VALUES ('kept');
         INSERT INTO django_content_type (app_label, model) VALUES ('legacy', 'oldpost');",
    );
    // Three tagged items of the stale content type, one of a live article.
    for object_id in 1..=3 {
        db.execute(&format!(
            "INSERT INTO tagging_taggeditem (tag_id, content_type_id, object_id) VALUES (
                 (SELECT id FROM tagging_tag WHERE name = 'rust'),
                 (SELECT id FROM django_content_type WHERE app_label = 'legacy'),
                 {object_id})"
        ));
    }
    db.tag_articles();
    let stale_id = db.content_type_id("legacy", "oldpost");
    let before = (
        db.count("django_content_type"),
        db.count("tagging_taggeditem"),
    );
    // The app's nine content types and the stale one.
    assert_eq!(before, (10, 4));

    // The dry run: listed with its rows per generic foreign key, exit 1, nothing changed.
    let run = db.cli(&["--json", "stale", "--dry-run"]);
    run.exit(1);
    assert_eq!(
        run.json(),
        json!({
            "command": "stale",
            "dry_run": true,
            "keep": [],
            "stale": [{
                "id": stale_id,
                "app_label": "legacy",
                "model": "oldpost",
                "dependent_rows": 3,
                "dependents": [{"field": "tagging.TaggedItem.content_object", "rows": 3}],
            }],
        })
    );
    let run = db.cli(&["stale"]);
    run.exit(1);
    assert_eq!(
        run.stdout,
        format!(
            "legacy.oldpost (id {stale_id}): 3 dependent rows\n  \
             tagging.TaggedItem.content_object: 3\n\
             1 stale content type, 3 dependent rows: `stale --delete` deletes them.\n"
        )
    );
    assert_eq!(
        (
            db.count("django_content_type"),
            db.count("tagging_taggeditem")
        ),
        before
    );

    // Kept, by app label or by label: not listed, not deleted.
    let run = db.cli(&["--json", "stale", "--keep", "legacy"]);
    run.exit(0);
    assert_eq!(run.json()["stale"], json!([]));
    let run = db.cli(&["--json", "stale", "--delete", "--keep", "legacy.OldPost"]);
    run.exit(0);
    assert_eq!(run.json()["removed"], json!([]));
    assert_eq!(run.json()["deleted"], json!({"total": 0, "per_model": {}}));
    assert_eq!(
        (
            db.count("django_content_type"),
            db.count("tagging_taggeditem")
        ),
        before
    );

    // Deleted, with the rows pointing at it; the live article's item stays.
    let run = db.cli(&["--json", "stale", "--delete"]);
    run.exit(0);
    assert_eq!(
        run.json(),
        json!({
            "command": "stale",
            "dry_run": false,
            "keep": [],
            "removed": [{"id": stale_id, "app_label": "legacy", "model": "oldpost"}],
            "deleted": {
                "total": 4,
                "per_model": {"contenttypes.ContentType": 1, "tagging.TaggedItem": 3},
            },
        })
    );
    assert_eq!(
        (
            db.count("django_content_type"),
            db.count("tagging_taggeditem")
        ),
        (9, 1)
    );
    db.cli(&["stale"]).exit(0);
}

fn sweep_dry_run_counts_and_sweep_deletes(backend: Backend) {
    let mut db = TestDb::migrated(backend);
    db.execute("INSERT INTO tagging_tag (name) VALUES ('rust')");
    db.insert_articles(10);
    db.tag_articles();
    // A row of a stale content type: reported, left to `stale`.
    db.execute(
        "INSERT INTO django_content_type (app_label, model) VALUES ('legacy', 'oldpost');
         INSERT INTO tagging_taggeditem (tag_id, content_type_id, object_id) VALUES (
             (SELECT id FROM tagging_tag WHERE name = 'rust'),
             (SELECT id FROM django_content_type WHERE app_label = 'legacy'), 1);",
    );
    // A delete that bypasses the framework: four tagged items lose their article.
    db.execute("DELETE FROM blog_article WHERE title IN ('a0', 'a3', 'a5', 'a9')");
    assert_eq!(db.count("tagging_taggeditem"), 11);
    let article_ct = db.content_type_id("blog", "article");
    let stale_ct = db.content_type_id("legacy", "oldpost");

    let run = db.cli(&["--json", "sweep", "--dry-run"]);
    run.exit(1);
    let report = run.json();
    assert_eq!(report["to_sweep"], 4);
    let mut orphans = report["orphans"].as_array().unwrap().clone();
    orphans.sort_by_key(|o| o["rows"].as_i64());
    assert_eq!(
        orphans,
        [
            json!({"model": "tagging.TaggedItem", "field": "content_object",
                   "content_type_id": stale_ct, "content_type": "legacy.oldpost",
                   "kind": "stale_content_type", "rows": 1}),
            json!({"model": "tagging.TaggedItem", "field": "content_object",
                   "content_type_id": article_ct, "content_type": "blog.article",
                   "kind": "missing_target", "rows": 4}),
        ]
    );
    let run = db.cli(&["sweep", "--dry-run"]);
    run.exit(1);
    assert!(
        run.stdout
            .contains("tagging.TaggedItem.content_object -> blog.article: 4 (target row gone)\n"),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .ends_with("4 orphans to sweep; `sweep` without --dry-run deletes them.\n"));
    assert_eq!(db.count("tagging_taggeditem"), 11);

    // Two batches of at most 3; no progress on stderr with --json.
    let run = db.cli(&["--json", "sweep", "--batch", "3"]);
    run.exit(0);
    assert_eq!(run.stderr, "");
    let report = run.json();
    assert_eq!(
        (&report["swept"], &report["batches"], &report["deleted"]),
        (
            &json!(4),
            &json!(2),
            &json!({"total": 4, "per_model": {"tagging.TaggedItem": 4}})
        )
    );
    assert_eq!(db.count("tagging_taggeditem"), 7);
    let run = db.cli(&["sweep", "--dry-run"]);
    run.exit(0);
    assert!(
        run.stdout.ends_with("No orphans to sweep.\n"),
        "{}",
        run.stdout
    );
    // Swept again: nothing to do, and the stale content type's row is still there.
    db.cli(&["sweep"]).exit(0);
    assert_eq!(db.count("tagging_taggeditem"), 7);
}

fn interrupted_sweep_finishes_when_run_again(backend: Backend) {
    const ORPHANS: i64 = 3_000;
    const BATCH: i64 = 3;
    let mut db = TestDb::migrated(backend);
    db.execute("INSERT INTO tagging_tag (name) VALUES ('rust')");
    db.insert_articles(ORPHANS as usize);
    db.tag_articles();
    db.execute("DELETE FROM blog_article");
    assert_eq!(db.count("tagging_taggeditem"), ORPHANS);

    // Killed right after its first progress line (stderr is a pipe: a line per batch).
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args([
            "--database-url",
            &db.url,
            "sweep",
            "--batch",
            &BATCH.to_string(),
        ])
        .current_dir(CRATE_DIR)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the tool");
    let stderr = child.stderr.take().expect("the tool's stderr");
    let first = BufReader::new(stderr)
        .lines()
        .next()
        .expect("a progress line")
        .expect("a line of text");
    child.kill().expect("kill the tool");
    let status = child.wait().expect("the killed tool");
    let killed_after = started.elapsed();
    assert_eq!(
        first,
        format!(
            "swept 3/{ORPHANS} orphans (batch 1: 3 rows of tagging.TaggedItem.content_object -> blog.article)"
        )
    );
    assert_eq!(status.code(), None, "the tool ended before it was killed");

    // Mid-way: whole batches deleted, the one in flight rolled back.
    let left = db.count("tagging_taggeditem");
    assert!(
        left > 0 && left < ORPHANS,
        "the kill did not interrupt the sweep: {left} of {ORPHANS} orphans left"
    );
    assert_eq!((ORPHANS - left) % BATCH, 0, "{left} orphans left");
    let run = db.cli(&["--json", "sweep", "--dry-run"]);
    run.exit(1);
    assert_eq!(run.json()["to_sweep"], left);

    // Run again: it finishes.
    let started = Instant::now();
    let run = db.cli(&["--json", "sweep", "--batch", "500"]);
    let rerun = started.elapsed();
    run.exit(0);
    let report = run.json();
    assert_eq!(report["swept"], left);
    assert_eq!(report["batches"], (left + 499) / 500);
    assert_eq!(db.count("tagging_taggeditem"), 0);
    db.cli(&["sweep", "--dry-run"]).exit(0);

    record(&format!(
        "cli sweep, {}: killed {} ms after start with {} of {ORPHANS} orphans swept in batches of \
         {BATCH}; the rerun swept {left} in {} batches of 500 in {} ms",
        backend.dialect(),
        killed_after.as_millis(),
        ORPHANS - left,
        report["batches"],
        rerun.as_millis()
    ));
}

fn failures_and_usage_errors_have_their_exit_codes(backend: Backend) {
    let mut db = TestDb::fresh(backend);

    // A database without the tables: the command fails (3), as JSON too.
    db.execute("CREATE TABLE unrelated (id integer)");
    let run = db.cli(&["--json", "sweep", "--dry-run"]);
    run.exit(3);
    let report = run.json();
    assert_eq!(report["command"], "sweep");
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("tagging_taggeditem"),
        "{report}"
    );
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);

    // A migration directory that is not there.
    let run = db.cli(&["migrate", "--migration-dir", "no/such/dir"]);
    run.exit(3);
    assert!(run.stderr.contains("no/such/dir"), "{}", run.stderr);

    // A server that does not answer, a file that cannot be, a scheme nobody knows.
    let unreachable = match backend {
        Backend::Sqlite => "/no/such/directory/app.db".to_string(),
        Backend::Postgres => "postgres://postgres@127.0.0.1:1/contenttypes".to_string(),
        Backend::Mysql => "mysql://root@127.0.0.1:1/contenttypes".to_string(),
    };
    let run = Run::new(&["--database-url", &unreachable, "--json", "migrate"]).go();
    run.exit(3);
    assert_eq!(run.json()["command"], "migrate");
    let run = Run::new(&["--database-url", "mongodb://127.0.0.1/db", "stale"]).go();
    run.exit(3);
    assert!(run.stderr.contains("mongodb://"), "{}", run.stderr);

    // Usage errors: clap's, exit 2.
    Run::new(&["stale"]).go().exit(2);
    db.cli(&["stale", "--delete", "--dry-run"]).exit(2);
    db.cli(&["sweep", "--batch", "0"]).exit(2);
    db.cli(&["frobnicate"]).exit(2);
}

// ----- Running the tool --------------------------------------------------------------------

/// A command line for the tool, run in the crate's directory (where `migrations/` is).
struct Run {
    command: Command,
}

/// What the tool printed, and its exit code.
#[derive(Debug)]
struct Ran {
    args: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn new(args: &[&str]) -> Run {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(CRATE_DIR)
            .env_remove("DATABASE_URL");
        Run { command }
    }

    fn env(mut self, name: &str, value: &str) -> Run {
        self.command.env(name, value);
        self
    }

    fn go(mut self) -> Ran {
        let output = self.command.output().expect("run the tool");
        Ran {
            args: format!("{:?}", self.command.get_args().collect::<Vec<_>>()),
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 on stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 on stderr"),
        }
    }
}

impl Ran {
    fn exit(&self, code: i32) {
        assert_eq!(self.code, Some(code), "{self:#?}");
    }

    /// Stdout: exactly one JSON document.
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of {} is not one JSON document: {e}\n{self:#?}",
                self.args
            )
        })
    }
}

/// The versions of the example's migrations for `backend`, as Diesel records them.
fn versions(backend: Backend) -> Vec<String> {
    let dir = Path::new(CRATE_DIR)
        .join("migrations")
        .join(backend.dialect());
    let mut versions: Vec<String> = std::fs::read_dir(dir)
        .expect("the example's migrations")
        .map(|entry| {
            let name = entry.expect("a migration folder").file_name();
            let name = name.to_str().expect("a UTF-8 name").to_string();
            let (version, _) = name.split_once('_').expect("<version>_<name>");
            version.replace('-', "")
        })
        .collect();
    versions.sort();
    versions
}

/// Prints a figure and appends it to `contenttypes-figures/cli.txt`, which CI prints.
fn record(line: &str) {
    println!("{line}");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("contenttypes-figures");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(mut file) = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("cli.txt"))
    {
        let _ = writeln!(file, "{line}");
    }
}

// ----- Fresh databases ---------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Backend {
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    Sqlite,
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres,
    #[cfg_attr(not(feature = "mysql"), allow(dead_code))]
    Mysql,
}

impl Backend {
    /// The name of its migrations directory.
    fn dialect(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }
}

/// A connection for raw SQL, of the test's backend.
enum Conn {
    #[cfg(feature = "sqlite")]
    Sqlite(diesel::SqliteConnection),
    #[cfg(feature = "postgres")]
    Postgres(diesel::PgConnection),
    #[cfg(feature = "mysql")]
    Mysql(diesel::MysqlConnection),
}

/// A row of one integer named `n`: a count (`bigint` everywhere).
#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// A row of one integer named `n`: a content type's id (`integer` everywhere).
#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    n: i32,
}

/// `$body` with `$c` bound to the backend's connection.
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            Conn::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            Conn::Mysql($c) => $body,
        }
    };
}

impl Conn {
    fn open(backend: Backend, url: &str) -> Result<Conn, String> {
        let failed = |e: diesel::ConnectionError| format!("cannot connect to {url}: {e}");
        match backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(url).map_err(failed)?;
                // The tool may hold the write lock: wait for it.
                conn.batch_execute("PRAGMA busy_timeout = 10000")
                    .map_err(|e| e.to_string())?;
                Ok(Conn::Sqlite(conn))
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => diesel::PgConnection::establish(url)
                .map(Conn::Postgres)
                .map_err(failed),
            #[cfg(feature = "mysql")]
            Backend::Mysql => diesel::MysqlConnection::establish(url)
                .map(Conn::Mysql)
                .map_err(failed),
            #[allow(unreachable_patterns)]
            other => Err(format!("the {other:?} feature is off")),
        }
    }

    fn execute(&mut self, sql: &str) -> Result<(), String> {
        on_conn!(self, |c| c.batch_execute(sql)).map_err(|e| format!("{sql}: {e}"))
    }

    /// The count a query selects as `n`.
    fn count(&mut self, sql: &str) -> i64 {
        let row: Result<Count, _> = on_conn!(self, |c| diesel::sql_query(sql).get_result(c));
        row.unwrap_or_else(|e| panic!("{sql}: {e}")).n
    }

    /// The id a query selects as `n`.
    fn id(&mut self, sql: &str) -> i32 {
        let row: Result<Id, _> = on_conn!(self, |c| diesel::sql_query(sql).get_result(c));
        row.unwrap_or_else(|e| panic!("{sql}: {e}")).n
    }
}

/// A test's own database, dropped (or its file removed) when the test ends.
struct TestDb {
    backend: Backend,
    /// What the tool is given.
    url: String,
    /// Opened at first use: before it, an SQLite database is no file yet.
    conn: Option<Conn>,
    /// The server's URL and the database's name.
    server: Option<(String, String)>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn server_url(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: the backend's feature is on, so its tests need a server \
             (`bash .ci/run` sets it up; or set {var})"
        )
    })
}

/// `url` with its database name replaced by `name` (query string kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").expect("a URL with a scheme");
    let host = rest.split_once('/').map_or(rest, |(host, _)| host);
    match query {
        Some(query) => format!("{scheme}://{host}/{name}?{query}"),
        None => format!("{scheme}://{host}/{name}"),
    }
}

/// Runs a statement on the server of `url` (creating or dropping a test database).
fn admin(backend: Backend, url: &str, sql: &str) -> Result<(), String> {
    Conn::open(backend, url)?.execute(sql)
}

impl TestDb {
    /// A new, empty database.
    fn fresh(backend: Backend) -> TestDb {
        let name = format!(
            "ct_cli_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let (url, server) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                (path.to_str().expect("a UTF-8 path").to_string(), None)
            }
            Backend::Postgres => {
                let server = server_url("PG_DATABASE_URL");
                let create = format!("CREATE DATABASE \"{name}\"");
                admin(backend, &server, &create).unwrap_or_else(|e| panic!("{e}"));
                (with_database(&server, &name), Some((server, name)))
            }
            Backend::Mysql => {
                let server = server_url("MYSQL_DATABASE_URL");
                let create =
                    format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
                admin(backend, &server, &create).unwrap_or_else(|e| panic!("{e}"));
                (with_database(&server, &name), Some((server, name)))
            }
        };
        TestDb {
            backend,
            url,
            conn: None,
            server,
        }
    }

    /// A new database, migrated by the tool.
    fn migrated(backend: Backend) -> TestDb {
        let db = TestDb::fresh(backend);
        db.cli(&["migrate"]).exit(0);
        db
    }

    /// Runs the tool on this database.
    fn cli(&self, args: &[&str]) -> Ran {
        let mut all = vec!["--database-url", self.url.as_str()];
        all.extend_from_slice(args);
        Run::new(&all).go()
    }

    fn conn(&mut self) -> &mut Conn {
        let (backend, url) = (self.backend, self.url.as_str());
        self.conn
            .get_or_insert_with(|| Conn::open(backend, url).unwrap_or_else(|e| panic!("{e}")))
    }

    /// Runs statements.
    fn execute(&mut self, sql: &str) {
        self.conn().execute(sql).unwrap_or_else(|e| panic!("{e}"));
    }

    /// `SELECT COUNT(*) FROM <from>`.
    fn count(&mut self, from: &str) -> i64 {
        self.conn()
            .count(&format!("SELECT COUNT(*) AS n FROM {from}"))
    }

    /// The number of tables in the database.
    fn tables(&mut self) -> i64 {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'",
            Backend::Postgres => {
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'"
            }
            Backend::Mysql => {
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE()"
            }
        };
        self.conn().count(sql)
    }

    /// The id of the content type `app_label.model`.
    fn content_type_id(&mut self, app_label: &str, model: &str) -> i32 {
        let sql = format!(
            "SELECT id AS n FROM django_content_type WHERE app_label = '{app_label}' AND model = '{model}'"
        );
        self.conn().id(&sql)
    }

    /// Articles `a0`, `a1`... in one statement.
    fn insert_articles(&mut self, n: usize) {
        let values: Vec<String> = (0..n).map(|i| format!("('a{i}')")).collect();
        self.execute(&format!(
            "INSERT INTO blog_article (title) VALUES {}",
            values.join(", ")
        ));
    }

    /// Every article tagged `rust`, in one statement.
    fn tag_articles(&mut self) {
        self.execute(
            "INSERT INTO tagging_taggeditem (tag_id, content_type_id, object_id)
             SELECT t.id, ct.id, a.id FROM tagging_tag t, django_content_type ct, blog_article a
             WHERE t.name = 'rust' AND ct.app_label = 'blog' AND ct.model = 'article'",
        );
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.conn = None;
        match &self.server {
            Some((server, name)) => {
                let drop = match self.backend {
                    Backend::Postgres => format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                    _ => format!("DROP DATABASE IF EXISTS `{name}`"),
                };
                // Not a panic: the test may be unwinding already.
                if let Err(e) = admin(self.backend, server, &drop) {
                    eprintln!("{e}");
                }
            }
            None => {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.url));
                }
            }
        }
    }
}
