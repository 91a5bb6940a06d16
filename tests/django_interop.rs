//! A real Django 5.2 and the library sharing one database, in both directions, on SQLite
//! (a file) and PostgreSQL (a database made for the run and dropped after).
//!
//! Django migrates its `interop` app (`tests/interop/django/`) and writes: tags on a
//! UUID-keyed note and an integer-keyed article through a through model with a text object
//! id, and activities with two generic foreign keys. The library, with its models declared
//! over Django's tables (`django_interop/models.rs`), reads them (generic foreign keys,
//! generic relation managers, prefetching, relation filters), writes (inserts, updates,
//! generic foreign keys, deletes that cascade over generic relations and over Django's
//! foreign keys, which have no `ON DELETE`, each returning the counts Django's `delete()`
//! returns for the same row), and Django reads every value back. Then Django
//! edits and deletes the library's rows and the library reads them back. At each step the
//! library's view of every table is handed to Django's `interop_check`, which reads the same
//! tables through Django's ORM and fails on any difference.
//!
//! Built with the feature `django-interop`; needs `DJANGO_PYTHON` (`.ci/run` makes it) and
//! `PG_DATABASE_URL`. MySQL is not run: Django cannot create this schema there (MariaDB
//! 10.11 refuses its unique constraint over a `TextField`: "Specified key was too long; max
//! key length is 3072 bytes"); a Django project on MySQL declares other models.

#[path = "django_interop/django.rs"]
mod django;
#[path = "django_interop/models.rs"]
mod models;
#[path = "django_interop/schema.rs"]
mod schema;
#[path = "django_interop/snapshot.rs"]
mod snapshot;

use uuid::Uuid;

/// The notes Django writes (`interop/dataset.py`).
const GROCERIES: Uuid = uuid::uuid!("6f1c1a52-0a84-4c51-9a8e-3d2f6a1b7c01");
const IDEAS: Uuid = uuid::uuid!("0b7e3c9d-52a1-4f0e-8c3b-a9d4e6f20d02");
/// The note the library writes.
const LIBRARY_NOTE: Uuid = uuid::uuid!("c0ffee00-1234-4abc-8def-0123456789ab");

/// Django's SQLite file, opened as Django opens it: foreign keys enforced, and a wait for
/// the other process's lock instead of an error.
mod sqlite {
    type Conn = diesel::SqliteConnection;

    fn shared() -> crate::django::SharedDb {
        crate::django::SharedDb::sqlite()
    }

    fn open(url: &str) -> Conn {
        use diesel::{Connection, RunQueryDsl};
        let mut conn = Conn::establish(url).expect("open the SQLite file");
        for pragma in ["PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 10000"] {
            diesel::sql_query(pragma).execute(&mut conn).expect(pragma);
        }
        conn
    }

    include!("django_interop/scenario.rs");
}

/// A PostgreSQL database made for the run, dropped after.
mod postgres {
    type Conn = diesel::PgConnection;

    fn shared() -> crate::django::SharedDb {
        crate::django::SharedDb::postgres()
    }

    fn open(url: &str) -> Conn {
        use diesel::Connection;
        Conn::establish(url).expect("connect to the test database")
    }

    include!("django_interop/scenario.rs");
}
