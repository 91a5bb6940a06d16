//! The command-line tool (feature `cli`): the registry's checks, migrations, stale content
//! types and the orphan sweep, Django's `manage.py check`, `migrate` and
//! `remove_stale_contenttypes` for a Diesel project.
//!
//! The models are registered when the program is linked, so the tool only knows the models of
//! the binary it is part of. The library provides the tool; the project provides a binary of
//! three lines that links its models:
//!
//! ```no_run
//! // src/bin/contenttypes.rs
//! use my_app as _; // the crate with the models, when it is a library of its own package
//! # mod my_app {}
//!
//! fn main() -> std::process::ExitCode {
//!     contenttypes::cli::main()
//! }
//! ```
//!
//! ```toml
//! # Cargo.toml
//! contenttypes = { version = "0.1", features = ["cli", "postgres"] }  # and the backends used
//! ```
//!
//! Then `cargo run --bin contenttypes -- sweep --dry-run`, or `cargo install --path . --bin
//! contenttypes`. A binary of the package links the package's library by naming it
//! (`use my_app as _;`); models declared in the binary's own modules are linked anyway.
//!
//! # Commands
//!
//! | command | does | exit 1 when |
//! |---|---|---|
//! | `check` | the registry's checks ([`check_registrations`](crate::check_registrations)); no database | a check reports an error |
//! | `migrate [--migration-dir DIR]` | applies the pending migrations of `DIR` (default `migrations/<dialect>`, the build helper's layout), then creates the missing content types ([`run_pending_migrations`](crate::migrations::run_pending_migrations)) | never |
//! | `stale [--keep LABEL]... [--dry-run]` | lists the content types whose model is not registered, with the generic rows pointing at each per generic foreign key ([`stale_content_types`](crate::lifecycle::stale_content_types)) | one is listed |
//! | `stale --delete [--keep LABEL]...` | deletes them and what points at them, in one transaction ([`remove_stale_content_types`](crate::lifecycle::remove_stale_content_types)); `--yes` is the same flag | never |
//! | `sweep --dry-run` | counts the generic rows whose target row is gone, per generic foreign key and content type ([`orphans`](crate::lifecycle::orphans)) | there are orphans to sweep |
//! | `sweep [--batch N]` | deletes them in batches of `N` (default 1,000), each its own transaction ([`sweep_orphans`](crate::lifecycle::sweep_orphans)) | never |
//!
//! `stale` never deletes without `--delete`. `--keep app_label` or `--keep app_label.model`
//! (repeatable) names content types of another program sharing the database: never listed,
//! never removed ([`Options::keep`] sets them in code). The sweep leaves the rows of stale
//! content types to `stale`: a dry run lists them (`"kind": "stale_content_type"`) but they
//! are not counted as orphans to sweep. The sweep's memory is O(batch); while it runs, a
//! progress bar is drawn on stderr when stderr is a terminal, a line per batch otherwise
//! (nothing with `--json`). Interrupting it (Ctrl-C, `kill`) loses only the batch in flight,
//! which its transaction rolls back; run it again to finish.
//!
//! Global flags: `--database-url URL` (or the `DATABASE_URL` environment variable): an
//! SQLite file path, `sqlite://PATH` or a `file:` URI; `postgres://...` (or
//! `postgresql://`); `mysql://...`. A backend whose feature is off in the binary is an error
//! that says which feature to turn on. SQLite connections are set up with
//! [`sqlite::configure`](crate::sqlite::configure); only `migrate` creates a missing SQLite
//! file. `--json` prints one JSON document on stdout instead of text.
//!
//! # Exit codes
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success, and nothing is left to do |
//! | 1 | findings: a check error, a stale content type listed, orphans found by a dry run |
//! | 2 | usage error (an unknown flag, a missing database URL): clap's message on stderr |
//! | 3 | failure: the database URL is bad or unreachable, a migration failed, a delete was refused ([`Error::Protected`](crate::Error::Protected)), any database error. What failed is rolled back: a failed sweep keeps its committed batches, a failed `migrate` the migrations applied before |
//!
//! # JSON
//!
//! With `--json`, stdout holds exactly one JSON object, with `"command"` naming the command.
//! On a failure (exit 3) it is `{"command": "sweep", "error": "<message>"}` (and the message
//! is on stderr too). Usage errors (exit 2) print clap's text only. Otherwise:
//!
//! ```text
//! check   {"command": "check", "models": ["blog.article", ...], "errors": 0, "warnings": 0,
//!          "messages": [{"id": "contenttypes.E004", "level": "error", "model": "blog.article",
//!                        "message": "...", "hint": "..." | null}]}
//! migrate {"command": "migrate", "migration_dir": "migrations/sqlite",
//!          "applied": ["202611221030050000", ...],
//!          "content_types_created": ["blog.article", ...]}
//! stale   {"command": "stale", "dry_run": true, "keep": ["legacy"],
//!          "stale": [{"id": 9, "app_label": "blog", "model": "oldpost", "dependent_rows": 3,
//!                     "dependents": [{"field": "tagging.TaggedItem.content_object", "rows": 3}]}]}
//! stale --delete
//!         {"command": "stale", "dry_run": false, "keep": [],
//!          "removed": [{"id": 9, "app_label": "blog", "model": "oldpost"}],
//!          "deleted": {"total": 4, "per_model": {"contenttypes.ContentType": 1,
//!                                                "tagging.TaggedItem": 3}}}
//! sweep --dry-run
//!         {"command": "sweep", "dry_run": true, "to_sweep": 10,
//!          "orphans": [{"model": "tagging.TaggedItem", "field": "content_object",
//!                       "content_type_id": 2, "content_type": "blog.article",
//!                       "kind": "missing_target" | "stale_content_type" | "unknown_content_type",
//!                       "rows": 10}]}
//! sweep   {"command": "sweep", "dry_run": false, "batch": 1000, "to_sweep": 10,
//!          "orphans": [...as above, counted before the sweep...], "swept": 10, "batches": 1,
//!          "deleted": {"total": 10, "per_model": {"tagging.TaggedItem": 10}}}
//! ```
//!
//! `models` and `content_types_created` are labels (`app_label.model`); `to_sweep` counts the
//! orphans but those of stale content types, `swept` the orphans deleted; `deleted` is every
//! row deleted (what cascaded too), keyed by Django's model label (`app_label.ModelName`), as
//! [`Deleted`](crate::Deleted).
//!
//! # Embedding
//!
//! [`run`] takes the arguments instead of reading them, for a program with a command line of
//! its own, or tests; [`Options`] sets defaults in code:
//!
//! ```
//! use std::process::ExitCode;
//!
//! let code = contenttypes::cli::run(["contenttypes", "check", "--json"]);
//! assert_eq!(code, ExitCode::SUCCESS);
//! ```

// Without a backend feature, only `check` runs; the rest is compiled but unused.
#![cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
    allow(unused)
)]

mod args;
mod check;
mod database;
mod error;
mod migrate;
mod options;
mod output;
mod progress;
mod stale;
mod sweep;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use options::Options;

use args::{Cli, Command};
use database::{with_connection, Database};
use error::CliError;
use output::Report;

/// Runs the command line of the process (`std::env::args`) and returns the exit code:
/// `fn main() -> ExitCode { contenttypes::cli::main() }`. See the [module](self) for the
/// commands, the exit codes and the JSON output.
pub fn main() -> ExitCode {
    Options::new().main()
}

/// Runs a command line given as arguments, the program's name first, and returns the exit
/// code; output goes to stdout and stderr as with [`main`].
///
/// ```
/// use std::process::ExitCode;
///
/// // Without a database URL, `stale` is a usage error.
/// let code = contenttypes::cli::run(["contenttypes", "stale"]);
/// assert_eq!(code, ExitCode::from(2));
/// ```
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    Options::new().run(args)
}

/// Parses, runs and prints one command line.
fn execute<I, T>(options: &Options, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return output::usage(&e),
    };
    let command = cli.command.name();
    match dispatch(options, &cli) {
        Ok(report) => output::print(&report, cli.json),
        Err(CliError::Usage(e)) => output::usage(&e),
        Err(e) => output::failure(command, &e, cli.json),
    }
}

fn dispatch(options: &Options, cli: &Cli) -> Result<Report, CliError> {
    match &cli.command {
        Command::Check => Ok(check::run()),
        Command::Migrate(args) => {
            let db = Database::from_cli(cli, true)?;
            let dir = match &args.migration_dir {
                Some(dir) => dir.clone(),
                None => options.migration_dir(db.dialect),
            };
            with_connection!(&db, |conn| migrate::run(conn, &dir))
        }
        Command::Stale(args) => {
            let db = Database::from_cli(cli, false)?;
            let keep = options.keep_with(&args.keep);
            with_connection!(&db, |conn| stale::run(conn, &keep, args.delete))
        }
        Command::Sweep(args) => {
            let db = Database::from_cli(cli, false)?;
            with_connection!(&db, |conn| sweep::run(conn, args, cli.json))
        }
    }
}
