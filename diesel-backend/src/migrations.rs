//! Running the migrations the build helper generates, in the program (the diesel CLI runs
//! the same folders: `diesel migration run --migration-dir migrations/<dialect>`).
//!
//! [`run_pending_migrations`] applies what is pending and then creates the content-type rows
//! of every registered model (Django's `migrate` followed by `create_contenttypes`). The
//! migrations come from any Diesel [`MigrationSource`]: folders read at run time
//! ([`FileBasedMigrations`]), or folders embedded in the binary with
//! [`embed_migrations!`](crate::embed_migrations), which needs no dependency on
//! `diesel_migrations`:
//!
//! ```
//! use contenttypes::migrations::{self, PerDialect};
//! use diesel::Connection;
//!
//! // One directory per dialect (relative to Cargo.toml); the runner picks the connection's.
//! // (This example embeds the fixture of the project's migration tests.)
//! const MIGRATIONS: PerDialect = contenttypes::embed_migrations! {
//!     sqlite: "../tests/migrations/fixture/migrations/sqlite",
//!     postgres: "../tests/migrations/fixture/migrations/postgres",
//!     mysql: "../tests/migrations/fixture/migrations/mysql",
//! };
//!
//! let mut conn = diesel::SqliteConnection::establish(":memory:")?;
//! let applied = migrations::run_pending_migrations(&mut conn, MIGRATIONS)?;
//! assert_eq!(applied.migrations, ["202611221030050000"]);
//! println!("applied {:?}, new content types {:?}", applied.migrations, applied.content_types);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The same with the folders read at run time:
//!
//! ```no_run
//! use contenttypes::migrations::{self, PerDialect};
//! use diesel::Connection;
//!
//! let mut conn = diesel::SqliteConnection::establish("app.db")?;
//! let source = PerDialect::from_directory("migrations")?;
//! migrations::run_pending_migrations(&mut conn, source)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `embed_migrations!` reads the folders when the crate compiles. The build helper's
//! `build.rs` makes Cargo recompile the crate when a migration folder changes, so new and
//! edited migrations are picked up.

use diesel::backend::Backend;
use diesel::migration::{Migration, MigrationSource};

pub use diesel_migrations;
pub use diesel_migrations::{EmbeddedMigrations, FileBasedMigrations, MigrationHarness};

use crate::backend::{Dialect, SupportedBackend};
use crate::db::Db;
use crate::error::{Error, Result};

/// One migration source per dialect (what [`embed_migrations!`](crate::embed_migrations)
/// with three directories builds). As a [`MigrationSource`] it yields the migrations of the
/// connection's dialect.
#[derive(Clone, Copy, Debug, Default)]
pub struct PerDialect<S = EmbeddedMigrations> {
    pub sqlite: S,
    pub postgres: S,
    pub mysql: S,
}

impl<S> PerDialect<S> {
    /// The source of a dialect.
    pub fn get(&self, dialect: Dialect) -> &S {
        match dialect {
            Dialect::Sqlite => &self.sqlite,
            Dialect::Postgres => &self.postgres,
            Dialect::Mysql => &self.mysql,
        }
    }
}

impl PerDialect<FileBasedMigrations> {
    /// The folders `<dir>/sqlite`, `<dir>/postgres` and `<dir>/mysql`, read at run time.
    pub fn from_directory(dir: impl AsRef<std::path::Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let read = |d: Dialect| {
            FileBasedMigrations::from_path(dir.join(d.name())).map_err(|e| Error::Migration {
                context: format!("reading {}", dir.join(d.name()).display()),
                source: Box::new(e),
            })
        };
        Ok(PerDialect {
            sqlite: read(Dialect::Sqlite)?,
            postgres: read(Dialect::Postgres)?,
            mysql: read(Dialect::Mysql)?,
        })
    }
}

impl<DB, S> MigrationSource<DB> for PerDialect<S>
where
    DB: Backend + SupportedBackend,
    S: MigrationSource<DB>,
{
    fn migrations(&self) -> diesel::migration::Result<Vec<Box<dyn Migration<DB>>>> {
        self.get(DB::DIALECT).migrations()
    }
}

/// What [`run_pending_migrations`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The versions applied, in order.
    pub migrations: Vec<String>,
    /// The content types created afterwards, as `(app_label, model)`.
    pub content_types: Vec<(String, String)>,
}

/// Applies every pending migration of `source`, then creates the content-type rows of the
/// registered models that lack one (one `SELECT` and at most one `INSERT`). Each migration
/// runs in its own transaction unless its `metadata.toml` says otherwise.
pub fn run_pending_migrations<D>(
    db: &mut D,
    source: impl MigrationSource<D::Backend>,
) -> Result<Applied>
where
    D: Db,
    D::Connection: MigrationHarness<D::Backend> + crate::conn::SyncConn,
{
    let versions = db
        .connection()
        .run_pending_migrations(source)
        .map_err(|source| Error::Migration {
            context: "running the pending migrations".into(),
            source,
        })?;
    let migrations = versions.iter().map(ToString::to_string).collect();
    // A sync connection: the operation runs to completion here.
    let content_types = crate::conn::now(crate::content_types::rows::create_content_types_op(db))?;
    Ok(Applied {
        migrations,
        content_types,
    })
}

/// Reverts the last applied migration of `source`; returns its version. Content-type rows
/// are left alone (Django keeps them too; a renamed model's row is renamed back by the
/// migration itself).
pub fn revert_last_migration<D>(
    db: &mut D,
    source: impl MigrationSource<D::Backend>,
) -> Result<String>
where
    D: Db,
    D::Connection: MigrationHarness<D::Backend>,
{
    db.connection()
        .revert_last_migration(source)
        .map(|v| v.to_string())
        .map_err(|source| Error::Migration {
            context: "reverting the last migration".into(),
            source,
        })
}

/// Embeds migration folders in the binary, without a dependency on `diesel_migrations`.
///
/// - `embed_migrations!("migrations/sqlite")`: one directory, a Diesel
///   [`EmbeddedMigrations`](crate::migrations::EmbeddedMigrations);
/// - `embed_migrations! { sqlite: "...", postgres: "...", mysql: "..." }`: one per dialect, a
///   [`PerDialect`](crate::migrations::PerDialect) the runner picks from.
///
/// Paths are relative to the crate's `Cargo.toml`.
#[macro_export]
macro_rules! embed_migrations {
    ($dir:literal $(,)?) => {{
        // `diesel_migrations::embed_migrations!` names `diesel_migrations::...` in its output.
        use $crate::migrations::diesel_migrations;
        diesel_migrations::embed_migrations!($dir)
    }};
    (sqlite: $sqlite:literal, postgres: $postgres:literal, mysql: $mysql:literal $(,)?) => {
        $crate::migrations::PerDialect {
            sqlite: $crate::embed_migrations!($sqlite),
            postgres: $crate::embed_migrations!($postgres),
            mysql: $crate::embed_migrations!($mysql),
        }
    };
}
