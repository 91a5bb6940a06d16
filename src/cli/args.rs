//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Django's contenttypes for this program's models: checks, migrations, stale content types
/// and orphaned generic rows.
///
/// Exit codes: 0 success with nothing left to do, 1 findings (check errors, stale content
/// types, orphans found by a dry run), 2 usage error, 3 failure.
#[derive(Debug, Parser)]
#[command(name = "contenttypes", version)]
pub(crate) struct Cli {
    /// The database: an SQLite file (a path, `sqlite://PATH` or a `file:` URI),
    /// `postgres://...` or `mysql://...`.
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the registry's checks (no database needed).
    Check,
    /// Apply the pending migrations, then create the missing content types.
    Migrate(MigrateArgs),
    /// List the content types whose model is gone, with the rows pointing at them; delete
    /// them with `--delete`.
    Stale(StaleArgs),
    /// Find the generic rows whose target row is gone, and delete them in batches.
    Sweep(SweepArgs),
}

impl Command {
    /// The command's name, as typed.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Command::Check => "check",
            Command::Migrate(_) => "migrate",
            Command::Stale(_) => "stale",
            Command::Sweep(_) => "sweep",
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct MigrateArgs {
    /// The migrations of the database's dialect [default: migrations/<sqlite|postgres|mysql>]
    #[arg(long, value_name = "DIR")]
    pub migration_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct StaleArgs {
    /// Delete them, and the rows pointing at them (by each generic foreign key's
    /// `on_delete`), in one transaction.
    #[arg(long, visible_alias = "yes")]
    pub delete: bool,

    /// List only (the default).
    #[arg(long, conflicts_with = "delete")]
    pub dry_run: bool,

    /// Content types of another program sharing the database: never listed, never deleted
    /// (repeatable).
    #[arg(long, value_name = "APP_LABEL[.MODEL]")]
    pub keep: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SweepArgs {
    /// Count the orphans per generic foreign key and content type; delete nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Rows deleted per transaction.
    #[arg(long, value_name = "N", default_value_t = 1_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub batch: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn delete_and_dry_run_exclude_each_other() {
        let parsed = Cli::try_parse_from(["contenttypes", "stale", "--delete", "--dry-run"]);
        assert_eq!(
            parsed.unwrap_err().kind(),
            clap::error::ErrorKind::ArgumentConflict
        );
        let yes = Cli::try_parse_from(["contenttypes", "stale", "--yes"]).unwrap();
        assert!(matches!(
            yes.command,
            Command::Stale(StaleArgs { delete: true, .. })
        ));
    }

    #[test]
    fn a_batch_of_zero_is_refused() {
        let parsed = Cli::try_parse_from(["contenttypes", "sweep", "--batch", "0"]);
        assert_eq!(
            parsed.unwrap_err().kind(),
            clap::error::ErrorKind::ValueValidation
        );
    }
}
