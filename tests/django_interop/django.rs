//! Running the Django project (`tests/interop/django/`) and the databases it shares with
//! the library: an SQLite file, or a PostgreSQL database made for one run and dropped after.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::{Connection, RunQueryDsl};

/// The Django project, run with `DJANGO_PYTHON` against one database.
pub struct Django {
    python: String,
    project: PathBuf,
    database: String,
}

impl Django {
    /// The project on the database at `url` (an SQLite path or a `postgres://` URL). Fails
    /// when `DJANGO_PYTHON` is not set: the feature `django-interop` is on, so the tests
    /// must run, never skip.
    pub fn new(url: &str) -> Self {
        let python = std::env::var("DJANGO_PYTHON").unwrap_or_else(|_| {
            panic!(
                "DJANGO_PYTHON is not set: the `django-interop` feature is on, so these tests run against \
                 a real Django 5.2. `bash .ci/run` makes a virtualenv with it; by hand:\n  \
                 python3 -m venv ~/.cache/contenttypes/django-5.2\n  \
                 ~/.cache/contenttypes/django-5.2/bin/pip install 'Django>=5.2,<5.3' 'psycopg[binary]>=3.1'\n  \
                 export DJANGO_PYTHON=~/.cache/contenttypes/django-5.2/bin/python"
            )
        });
        Django {
            python,
            project: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/django"),
            database: url.to_string(),
        }
    }

    /// Runs `manage.py` with these arguments and returns what it printed; panics with its
    /// output when it fails.
    pub fn manage(&self, args: &[&str]) -> String {
        self.manage_with_input(args, "")
    }

    /// Like [`Django::manage`], with `input` on the command's standard input.
    pub fn manage_with_input(&self, args: &[&str], input: &str) -> String {
        let mut child = Command::new(&self.python)
            .arg("manage.py")
            .args(args)
            .current_dir(&self.project)
            .env("INTEROP_DATABASE", &self.database)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run DJANGO_PYTHON ({}): {e}", self.python));
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write to manage.py");
        let out = child.wait_with_output().expect("wait for manage.py");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "`manage.py {}` failed ({}):\n{}{}",
            args.join(" "),
            out.status,
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// What Django's `delete()` of the row of `model` (`app_label.ModelName`) with this key
    /// returns, `[total, {label: count}]`, without deleting it (`interop_delete_counts`).
    pub fn delete_counts(&self, model: &str, pk: &str) -> serde_json::Value {
        let out = self.manage(&["interop_delete_counts", model, pk]);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("interop_delete_counts printed no JSON ({e}):\n{out}"))
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A database for one run, removed when dropped (also when the test panics).
pub struct SharedDb {
    /// What both Django and Diesel open.
    pub url: String,
    drop: Box<dyn FnMut()>,
}

impl Drop for SharedDb {
    fn drop(&mut self) {
        (self.drop)();
    }
}

impl SharedDb {
    /// A new SQLite file in the temporary directory.
    pub fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!("{}.db", unique("contenttypes_django")));
        let url = path.to_string_lossy().into_owned();
        let file = url.clone();
        SharedDb {
            url,
            drop: Box::new(move || {
                for suffix in ["", "-journal", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{file}{suffix}"));
                }
            }),
        }
    }

    /// A new database on the server at `PG_DATABASE_URL`.
    pub fn postgres() -> Self {
        let admin_url = std::env::var("PG_DATABASE_URL").unwrap_or_else(|_| {
            panic!(
                "PG_DATABASE_URL is not set: the `django-interop` feature runs Django on PostgreSQL \
                 (`bash .ci/run` sets it up; or set PG_DATABASE_URL)"
            )
        });
        let name = unique("contenttypes_django");
        // The same server and options, another database.
        let (server, query) = match admin_url.split_once('?') {
            Some((server, query)) => (server, format!("?{query}")),
            None => (admin_url.as_str(), String::new()),
        };
        let server = server.rsplit_once('/').map_or(server, |(s, _)| s);
        let url = format!("{server}/{name}{query}");
        let admin = move |statement: &str| -> Result<(), String> {
            let mut conn = diesel::PgConnection::establish(&admin_url)
                .map_err(|e| format!("PostgreSQL at PG_DATABASE_URL is unreachable: {e}"))?;
            diesel::sql_query(statement)
                .execute(&mut conn)
                .map(drop)
                .map_err(|e| format!("{statement}: {e}"))
        };
        admin(&format!("CREATE DATABASE \"{name}\"")).unwrap_or_else(|e| panic!("{e}"));
        SharedDb {
            url,
            drop: Box::new(move || {
                // Dropping must not panic: this also runs while a failed test unwinds.
                if let Err(e) = admin(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")) {
                    eprintln!("could not drop the test database: {e}");
                }
            }),
        }
    }
}
