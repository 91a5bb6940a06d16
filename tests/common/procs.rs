//! Tests that run several processes, and the figures they measure.
//!
//! A test binary re-executes itself as its workers: the parent starts
//! `current_exe() --exact <worker test> --nocapture --test-threads 1` with [`ROLE`] and the
//! parameters in the environment; the worker test returns at once when [`ROLE`] is absent
//! (as it is in every ordinary run). Worker and parent talk through marked lines on the
//! worker's stdout ([`signal`], [`Worker::expect`]) and one line on its stdin ([`wait_go`],
//! [`Worker::go`]).
//!
//! Figures go to the test's output and are appended to one file per topic under
//! `CARGO_TARGET_TMPDIR/contenttypes-figures/`, which `.ci/run` prints after the tests.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::str::FromStr;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use contenttypes::Dialect;

use super::TestConnection;

/// In a worker's environment: what the worker does. Absent, the worker test does nothing.
pub const ROLE: &str = "CONTENTTYPES_TEST_ROLE";
const PARAM_PREFIX: &str = "CONTENTTYPES_TEST_";
/// Marks a worker's messages among libtest's own output.
const MARK: &str = "@@contenttypes@@ ";

/// The worker's role, or `None` in an ordinary test run.
pub fn role() -> Option<String> {
    std::env::var(ROLE).ok().filter(|r| !r.is_empty())
}

/// A parameter the parent gave the worker (`CONTENTTYPES_TEST_<NAME>`).
pub fn param<T: FromStr>(name: &str) -> T {
    let var = format!("{PARAM_PREFIX}{name}");
    let text = std::env::var(&var).unwrap_or_else(|_| panic!("the worker needs {var}"));
    text.parse()
        .unwrap_or_else(|_| panic!("{var}={text:?} cannot be parsed"))
}

/// Tells the parent `name` (with a payload on the same line).
pub fn signal(name: &str, payload: &str) {
    let mut out = std::io::stdout().lock();
    // libtest may have written "test name ... " without a newline: start a fresh line.
    let _ = writeln!(out, "\n{MARK}{name} {payload}");
    let _ = out.flush();
}

/// Waits for the parent's [`Worker::go`].
pub fn wait_go() {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .expect("the parent's go line");
}

/// The name libtest gives the backend modules of `backend_tests!`, for the worker's
/// environment.
pub fn backend_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
        Dialect::Mysql => "mysql",
    }
}

/// A connection configured as the library documents (see [`configure`]). Retries for a few
/// seconds when the server refuses (other test binaries share it).
pub fn connect<C: TestConnection>(url: &str) -> C
where
    C::Backend: contenttypes::SupportedBackend,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut conn = loop {
        match C::establish(url) {
            Ok(conn) => break conn,
            Err(e) if Instant::now() < deadline => {
                eprintln!("connecting to {url}: {e}; retrying");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("cannot connect to {url}: {e}"),
        }
    };
    configure(&mut conn);
    conn
}

/// The library's documented setup of an SQLite connection
/// (`contenttypes::sqlite::configure`: busy timeout, WAL, foreign keys). Nothing on the
/// servers.
pub fn configure<C: TestConnection>(conn: &mut C)
where
    C::Backend: contenttypes::SupportedBackend,
{
    let conn = conn as &mut dyn std::any::Any;
    #[cfg(feature = "sqlite")]
    if let Some(conn) = conn.downcast_mut::<diesel::SqliteConnection>() {
        contenttypes::sqlite::configure(conn).expect("configure the SQLite connection");
    }
    // diesel-async's SQLite connection, in the harness's sync wrapper: without this, the
    // database stays in rollback-journal mode and the workers race to switch it to WAL
    // (`database is locked`, which SQLite's busy handler does not wait out).
    #[cfg(feature = "async-sqlite")]
    if let Some(conn) = conn.downcast_mut::<super::async_conns::AsyncSqlite>() {
        contenttypes::sqlite::configure(conn).expect("configure the SQLite connection");
    }
}

/// A worker process started by the parent test.
pub struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    events: Receiver<(String, String)>,
    seen: Vec<(String, String)>,
    stderr: Option<JoinHandle<String>>,
}

/// What a worker left behind once it ended.
pub struct Finished {
    pub status: ExitStatus,
    /// Every message it sent, in order.
    pub events: Vec<(String, String)>,
    pub stderr: String,
}

impl Finished {
    /// Whether it sent `name`.
    pub fn sent(&self, name: &str) -> bool {
        self.events.iter().any(|(n, _)| n == name)
    }

    /// Panics with the worker's stderr unless it exited successfully.
    #[track_caller]
    pub fn assert_success(&self) {
        assert!(
            self.status.success(),
            "a worker failed ({}):\n{}",
            self.status,
            self.stderr
        );
    }
}

impl Worker {
    /// Runs the test `test` of this binary as a worker with role `role` and `params`
    /// (each readable with [`param`]).
    pub fn spawn(test: &str, role: &str, params: &[(&str, String)]) -> Worker {
        let exe = std::env::current_exe().expect("the test binary");
        let mut command = Command::new(exe);
        command
            .args([test, "--exact", "--nocapture", "--test-threads", "1"])
            .env(ROLE, role)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in params {
            command.env(format!("{PARAM_PREFIX}{name}"), value);
        }
        let mut child = command.spawn().expect("start a worker process");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let (send, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find(MARK) {
                    let message = &line[at + MARK.len()..];
                    let (name, payload) = message.split_once(' ').unwrap_or((message, ""));
                    if send.send((name.to_string(), payload.to_string())).is_err() {
                        break;
                    }
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Worker {
            stdin: child.stdin.take(),
            child,
            events,
            seen: Vec::new(),
            stderr: Some(stderr),
        }
    }

    /// The OS process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the message `name` and returns its payload. Panics (with the worker's
    /// stderr) when the worker ends first or `timeout` passes.
    pub fn expect(&mut self, name: &str, timeout: Duration) -> String {
        if let Some(i) = self.seen.iter().position(|(n, _)| n == name) {
            return self.seen.remove(i).1;
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok((n, payload)) if n == name => return payload,
                Ok(other) => self.seen.push(other),
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    let finished = self.finish_inner();
                    panic!(
                        "no `{name}` from a worker within {timeout:?}:\n{}",
                        finished.stderr
                    );
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let finished = self.finish_inner();
                    panic!(
                        "a worker ended ({}) before sending `{name}`:\n{}",
                        finished.status, finished.stderr
                    );
                }
            }
        }
    }

    /// Releases a worker waiting in [`wait_go`].
    pub fn go(&mut self) {
        let stdin = self.stdin.as_mut().expect("the worker's stdin");
        stdin.write_all(b"go\n").expect("write to a worker");
        stdin.flush().expect("flush a worker's stdin");
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill a worker");
    }

    /// Waits for the worker to end and collects what it sent.
    pub fn finish(mut self) -> Finished {
        self.finish_inner()
    }

    fn finish_inner(&mut self) -> Finished {
        drop(self.stdin.take());
        let status = self.child.wait().expect("wait for a worker");
        let mut events = std::mem::take(&mut self.seen);
        events.extend(self.events.iter());
        let stderr = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        Finished {
            status,
            events,
            stderr,
        }
    }
}

impl Drop for Worker {
    /// A worker left running by a failed test is killed, not leaked.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Counts by kind, printed as `kind: n, kind: n` (or `none`).
pub fn tally(counts: &HashMap<String, usize>) -> String {
    if counts.is_empty() {
        return "none".into();
    }
    let mut counts: Vec<_> = counts.iter().collect();
    counts.sort();
    counts
        .iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The kind of an error, for the figures: the database's error kind (and "database is
/// locked" or "deadlock" for those), or the library's error variant; "(retryable)" when
/// `Error::is_retryable` says the caller may retry its transaction.
pub fn error_kind(e: &contenttypes::Error) -> String {
    let kind = kind_of(e);
    if e.is_retryable() {
        format!("{kind} (retryable)")
    } else {
        kind
    }
}

fn kind_of(e: &contenttypes::Error) -> String {
    use diesel::result::{DatabaseErrorKind, Error as Diesel};
    match e {
        contenttypes::Error::Database(Diesel::DatabaseError(kind, info)) => {
            let message = info.message().to_lowercase();
            if message.contains("locked") {
                "database is locked".into()
            } else if message.contains("deadlock") {
                "deadlock".into()
            } else if let DatabaseErrorKind::Unknown = kind {
                short(info.message())
            } else {
                format!("{kind:?}")
            }
        }
        contenttypes::Error::Database(other) => short(&other.to_string()),
        other => {
            let debug = format!("{other:?}");
            debug
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or("error")
                .to_string()
        }
    }
}

fn short(text: &str) -> String {
    text.chars().take(60).collect()
}

/// Prints `line` and appends it to the figures file of `topic`, which CI prints.
pub fn record(topic: &str, line: &str) {
    println!("{line}");
    let dir = figures_dir();
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(mut file) = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(format!("{topic}.txt")))
    {
        let _ = file.write_all(format!("{line}\n").as_bytes());
    }
}

fn figures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("contenttypes-figures")
}
