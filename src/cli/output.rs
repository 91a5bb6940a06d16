//! What a command prints, and the exit code it ends with.

use std::io::Write;
use std::process::ExitCode;

use serde_json::{json, Value};

use super::error::CliError;
use crate::Deleted;

/// Exit code 1: the command found something to act on.
const FINDINGS: u8 = 1;
/// Exit code 2: clap's usage error.
const USAGE: u8 = 2;
/// Exit code 3: the command failed.
const FAILURE: u8 = 3;

/// What a command that ran to the end reports: text for people, a JSON document for scripts,
/// and whether it left something to do.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) text: String,
    pub(crate) json: Value,
    /// Findings: exit 1 instead of 0.
    pub(crate) findings: bool,
}

/// Prints a report on stdout: its text, or its JSON document.
pub(crate) fn print(report: &Report, json: bool) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    let written = if json {
        writeln!(stdout, "{}", report.json)
    } else {
        write!(stdout, "{}", report.text)
    };
    match written.and_then(|()| stdout.flush()) {
        Ok(()) if report.findings => ExitCode::from(FINDINGS),
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {}", CliError::Output(e));
            ExitCode::from(FAILURE)
        }
    }
}

/// Prints clap's message (usage errors on stderr, `--help` and `--version` on stdout) and
/// returns clap's exit code.
pub(crate) fn usage(error: &clap::Error) -> ExitCode {
    let _ = error.print();
    match error.exit_code() {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::from(USAGE),
    }
}

/// Prints a failure on stderr, and with `--json` as `{"command", "error"}` on stdout too.
pub(crate) fn failure(command: &str, error: &CliError, json: bool) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error: {error}");
    if json {
        let document = json!({ "command": command, "error": error.to_string() });
        let _ = writeln!(std::io::stdout(), "{document}");
    }
    ExitCode::from(FAILURE)
}

/// `{"total": n, "per_model": {"app_label.Model": n}}`.
pub(crate) fn deleted_json(deleted: &Deleted) -> Value {
    json!({ "total": deleted.total, "per_model": deleted.per_model })
}

/// `N rows: app.Model n, app.Other m`.
pub(crate) fn deleted_text(deleted: &Deleted) -> String {
    let per_model: Vec<String> = deleted
        .per_model
        .iter()
        .map(|(model, rows)| format!("{model} {rows}"))
        .collect();
    if per_model.is_empty() {
        plural(deleted.total as u64, "row", "rows")
    } else {
        let rows = plural(deleted.total as u64, "row", "rows");
        format!("{rows}: {}", per_model.join(", "))
    }
}

/// `1 thing`, `2 things`.
pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
