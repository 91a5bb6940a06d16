//! `migrate`: the pending migrations of one directory, then the missing content types.

use std::path::Path;

use contenttypes_diesel::conn::{Conn, SyncConn};
use serde_json::json;

use super::error::CliError;
use super::output::{plural, Report};
use crate::migrations::{self, FileBasedMigrations, MigrationHarness};
use crate::Error;

/// Applies the pending migrations of `dir` (the folders of the connection's dialect), then
/// creates the content types of the registered models that lack one. Never findings: what
/// was pending is done.
pub(crate) fn run<C>(conn: &mut C, dir: &Path) -> Result<Report, CliError>
where
    C: SyncConn + MigrationHarness<<C as Conn>::Backend>,
{
    let source = FileBasedMigrations::from_path(dir).map_err(|e| Error::Migration {
        context: format!("reading the migrations in {}", dir.display()),
        source: Box::new(e),
    })?;
    let applied = migrations::run_pending_migrations(conn, source)?;
    let created: Vec<String> = applied
        .content_types
        .iter()
        .map(|(app_label, model)| format!("{app_label}.{model}"))
        .collect();

    let json = json!({
        "command": "migrate",
        "migration_dir": dir.display().to_string(),
        "applied": applied.migrations,
        "content_types_created": created,
    });

    let mut text = if applied.migrations.is_empty() {
        format!("No migrations to apply in {}.\n", dir.display())
    } else {
        let mut text = format!("Applied migrations from {}:\n", dir.display());
        for version in &applied.migrations {
            text.push_str(&format!("  {version}\n"));
        }
        text
    };
    if created.is_empty() {
        text.push_str("No content types to create.\n");
    } else {
        let count = plural(created.len() as u64, "content type", "content types");
        text.push_str(&format!("Created {count}: {}\n", created.join(", ")));
    }
    Ok(Report {
        text,
        json,
        findings: false,
    })
}
