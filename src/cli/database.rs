//! The database URL: which backend it names, and the connection to it.

use clap::CommandFactory;

use super::args::Cli;
use super::error::CliError;
use crate::Dialect;

/// A database URL, resolved to its backend.
#[derive(Debug)]
pub(crate) struct Database {
    pub(crate) dialect: Dialect,
    /// What the driver is given: the URL, or for SQLite the path or `file:` URI.
    target: String,
    /// Whether a missing SQLite file may be created.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    create: bool,
}

impl Database {
    /// The database of `--database-url` (or `DATABASE_URL`); a missing one is a usage error.
    /// Only `create` lets a missing SQLite file be created.
    pub(crate) fn from_cli(cli: &Cli, create: bool) -> Result<Database, CliError> {
        let Some(url) = &cli.database_url else {
            return Err(CliError::Usage(Cli::command().error(
                clap::error::ErrorKind::MissingRequiredArgument,
                format!(
                    "`{}` needs a database: give --database-url or set DATABASE_URL",
                    cli.command.name()
                ),
            )));
        };
        Database::parse(url, create)
    }

    /// `postgres://` and `postgresql://`, `mysql://`; `sqlite://PATH`, a `file:` URI or a
    /// plain path for SQLite.
    pub(crate) fn parse(url: &str, create: bool) -> Result<Database, CliError> {
        let (dialect, target) =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                (Dialect::Postgres, url)
            } else if url.starts_with("mysql://") {
                (Dialect::Mysql, url)
            } else if let Some(path) = url.strip_prefix("sqlite://") {
                (Dialect::Sqlite, path)
            } else if url.starts_with("file:") {
                (Dialect::Sqlite, url)
            } else if let Some((scheme, _)) = url.split_once("://") {
                return Err(CliError::Url(format!(
                "`{scheme}://` is not a database URL this tool knows: use postgres://, mysql://, \
                 sqlite://PATH or the path of an SQLite file"
            )));
            } else {
                (Dialect::Sqlite, url)
            };
        if target.is_empty() {
            return Err(CliError::Url(
                "the database URL is empty: give --database-url or set DATABASE_URL".into(),
            ));
        }
        Ok(Database {
            dialect,
            target: target.to_string(),
            create,
        })
    }

    /// The error for a backend whose feature is off in this binary.
    #[cfg(not(all(feature = "sqlite", feature = "postgres", feature = "mysql")))]
    pub(crate) fn feature_off(&self) -> CliError {
        CliError::Url(format!(
            "this is a {} database, but this program was built without contenttypes' `{}` \
             feature: add it to the contenttypes dependency's features",
            backend_name(self.dialect),
            self.dialect.name()
        ))
    }

    /// An SQLite connection, set up by [`crate::sqlite::configure`].
    #[cfg(feature = "sqlite")]
    pub(crate) fn sqlite(&self) -> Result<diesel::SqliteConnection, CliError> {
        let path = self.target.as_str();
        let is_file = path != ":memory:" && !path.starts_with("file:");
        if is_file && !self.create && !std::path::Path::new(path).exists() {
            return Err(CliError::Url(format!(
                "there is no SQLite database at `{path}` (`migrate` creates it)"
            )));
        }
        let mut conn = self.establish::<diesel::SqliteConnection>()?;
        crate::sqlite::configure(&mut conn)?;
        Ok(conn)
    }

    /// A connection of type `C` to the database.
    pub(crate) fn establish<C: diesel::Connection>(&self) -> Result<C, CliError> {
        C::establish(&self.target).map_err(|error| CliError::Connect {
            backend: backend_name(self.dialect),
            error,
        })
    }
}

/// The backend's name, as people write it.
pub(crate) fn backend_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "SQLite",
        Dialect::Postgres => "PostgreSQL",
        Dialect::Mysql => "MySQL",
    }
}

/// Runs `$body` with `$conn` bound to a connection to `$db` of the backend it names, or
/// fails when that backend's feature is off. The body is compiled once per backend feature:
/// Diesel's connections are distinct types.
macro_rules! with_connection {
    ($db:expr, |$conn:ident| $body:expr) => {{
        let db: &$crate::cli::database::Database = $db;
        match db.dialect {
            $crate::Dialect::Sqlite => {
                #[cfg(feature = "sqlite")]
                {
                    let $conn = &mut db.sqlite()?;
                    $body
                }
                #[cfg(not(feature = "sqlite"))]
                {
                    Err(db.feature_off())
                }
            }
            $crate::Dialect::Postgres => {
                #[cfg(feature = "postgres")]
                {
                    let $conn = &mut db.establish::<diesel::PgConnection>()?;
                    $body
                }
                #[cfg(not(feature = "postgres"))]
                {
                    Err(db.feature_off())
                }
            }
            $crate::Dialect::Mysql => {
                #[cfg(feature = "mysql")]
                {
                    let $conn = &mut db.establish::<diesel::MysqlConnection>()?;
                    $body
                }
                #[cfg(not(feature = "mysql"))]
                {
                    Err(db.feature_off())
                }
            }
        }
    }};
}

pub(crate) use with_connection;

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> (Dialect, String) {
        let db = Database::parse(url, false).unwrap();
        (db.dialect, db.target)
    }

    #[test]
    fn the_scheme_names_the_backend() {
        let pg = "postgres://u@127.0.0.1/db";
        assert_eq!(parsed(pg), (Dialect::Postgres, pg.into()));
        let pg = "postgresql://u@127.0.0.1/db";
        assert_eq!(parsed(pg), (Dialect::Postgres, pg.into()));
        let my = "mysql://root@127.0.0.1:3306/db";
        assert_eq!(parsed(my), (Dialect::Mysql, my.into()));
        assert_eq!(
            parsed("sqlite:///tmp/app.db"),
            (Dialect::Sqlite, "/tmp/app.db".into())
        );
        assert_eq!(
            parsed("sqlite://app.db"),
            (Dialect::Sqlite, "app.db".into())
        );
        assert_eq!(
            parsed("file:app.db?mode=ro"),
            (Dialect::Sqlite, "file:app.db?mode=ro".into())
        );
        assert_eq!(
            parsed("data/app.db"),
            (Dialect::Sqlite, "data/app.db".into())
        );
    }

    #[test]
    fn unknown_schemes_and_empty_urls_are_refused() {
        for url in ["mongodb://localhost/db", "", "sqlite://"] {
            let err = Database::parse(url, false).unwrap_err();
            assert!(matches!(err, CliError::Url(_)), "{url}: {err}");
        }
    }

    #[test]
    #[cfg(feature = "sqlite")]
    fn a_missing_sqlite_file_is_created_only_when_asked() {
        let path = std::env::temp_dir().join(format!("ct-cli-missing-{}.db", std::process::id()));
        let url = path.to_str().unwrap();
        let Err(err) = Database::parse(url, false).unwrap().sqlite() else {
            panic!("a missing SQLite file was opened");
        };
        assert!(err.to_string().contains("no SQLite database"), "{err}");
        assert!(!path.exists());
        Database::parse(url, true).unwrap().sqlite().unwrap();
        assert!(path.exists());
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{url}{suffix}"));
        }
    }
}
