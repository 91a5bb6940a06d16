//! Defaults a project sets in code for its command-line tool.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::Dialect;

/// The project's defaults for the command-line tool: content types `stale` must never touch,
/// and where the migrations are. The command line adds to them (`--keep`) or overrides them
/// (`--migration-dir`).
///
/// ```no_run
/// // src/bin/contenttypes.rs: a Django project owns the `auth` and `admin` apps' models in
/// // this database, and the migrations are in `db/migrations/<dialect>`.
/// fn main() -> std::process::ExitCode {
///     contenttypes::cli::Options::new()
///         .keep(["auth", "admin"])
///         .migrations_dir("db/migrations")
///         .main()
/// }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Options {
    keep: Vec<String>,
    migrations_dir: Option<PathBuf>,
}

impl Options {
    /// No content type kept; migrations in `migrations/<dialect>`.
    pub fn new() -> Options {
        Options::default()
    }

    /// Content types of another program sharing the database, by app label (`"auth"`) or
    /// label (`"auth.user"`): `stale` never lists or deletes them, as if each were given
    /// with `--keep`.
    ///
    /// ```
    /// use std::process::ExitCode;
    ///
    /// let cli = contenttypes::cli::Options::new().keep(["auth", "legacy.oldpost"]);
    /// assert_eq!(cli.run(["contenttypes", "check"]), ExitCode::SUCCESS);
    /// ```
    pub fn keep<I>(mut self, labels: I) -> Options
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.keep.extend(labels.into_iter().map(Into::into));
        self
    }

    /// The directory holding `sqlite/`, `postgres/` and `mysql/` (default `migrations`, the
    /// build helper's default, relative to the working directory): `migrate` runs
    /// `<dir>/<dialect>` unless given `--migration-dir`.
    pub fn migrations_dir(mut self, dir: impl Into<PathBuf>) -> Options {
        self.migrations_dir = Some(dir.into());
        self
    }

    /// Runs the command line of the process; see [`cli::main`](super::main).
    pub fn main(&self) -> ExitCode {
        self.run(std::env::args_os())
    }

    /// Runs a command line given as arguments, the program's name first; see
    /// [`cli::run`](super::run).
    pub fn run<I, T>(&self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        super::execute(self, args)
    }

    /// The kept labels and those of the command line.
    pub(crate) fn keep_with(&self, more: &[String]) -> Vec<String> {
        self.keep.iter().chain(more).cloned().collect()
    }

    /// The migrations of `dialect`.
    pub(crate) fn migration_dir(&self, dialect: Dialect) -> PathBuf {
        let root = self
            .migrations_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("migrations"));
        root.join(dialect.name())
    }
}
