//! `sweep`: generic rows whose target row is gone, counted (`--dry-run`) or deleted in
//! batches.

use serde_json::{json, Value};

use super::args::SweepArgs;
use super::error::CliError;
use super::output::{deleted_json, deleted_text, plural, Report};
use super::progress::Progress;
use crate::lifecycle::{orphans, sweep_orphans, OrphanCount, OrphanKind, SweepOptions};
use crate::Db;
use contenttypes_diesel::SyncMode;

/// `--dry-run` counts the orphans (findings: some to sweep); otherwise they are deleted in
/// batches, with the progress on stderr.
pub(crate) fn run(
    db: &mut impl Db<Mode = SyncMode>,
    args: &SweepArgs,
    json: bool,
) -> Result<Report, CliError> {
    if args.dry_run {
        let found = orphans(db)?;
        let to_sweep = to_sweep(&found);
        let json = json!({
            "command": "sweep",
            "dry_run": true,
            "to_sweep": to_sweep,
            "orphans": found.iter().map(orphan_json).collect::<Vec<Value>>(),
        });
        let mut text = listing(&found);
        text.push_str(&if to_sweep == 0 {
            "No orphans to sweep.\n".to_string()
        } else {
            format!(
                "{} to sweep; `sweep` without --dry-run deletes them.\n",
                plural(to_sweep, "orphan", "orphans")
            )
        });
        return Ok(Report {
            text,
            json,
            findings: to_sweep > 0,
        });
    }

    let options = SweepOptions {
        batch: usize::try_from(args.batch).unwrap_or(usize::MAX),
        dry_run: false,
    };
    let mut progress = Progress::on_stderr(json);
    let mut swept = 0;
    let result = sweep_orphans(db, options, |p| {
        swept = p.done;
        progress.batch(p);
    });
    progress.finish();
    let report = result?;
    let to_sweep = to_sweep(&report.orphans);

    let json = json!({
        "command": "sweep",
        "dry_run": false,
        "batch": args.batch,
        "to_sweep": to_sweep,
        "orphans": report.orphans.iter().map(orphan_json).collect::<Vec<Value>>(),
        "swept": swept,
        "batches": report.batches,
        "deleted": deleted_json(&report.deleted),
    });
    let mut text = listing(&report.orphans);
    text.push_str(&if report.batches == 0 {
        "No orphans to sweep.\n".to_string()
    } else {
        format!(
            "Swept {} in {}; deleted {}.\n",
            plural(swept as u64, "orphan", "orphans"),
            plural(report.batches as u64, "batch", "batches"),
            deleted_text(&report.deleted)
        )
    });
    Ok(Report {
        text,
        json,
        findings: false,
    })
}

/// The rows the sweep deletes: all but those of stale content types (left to `stale`).
fn to_sweep(found: &[OrphanCount]) -> u64 {
    found
        .iter()
        .filter(|o| o.kind != OrphanKind::StaleContentType)
        .map(|o| o.rows.unsigned_abs())
        .sum()
}

fn kind_name(kind: OrphanKind) -> &'static str {
    match kind {
        OrphanKind::MissingTarget => "missing_target",
        OrphanKind::StaleContentType => "stale_content_type",
        OrphanKind::UnknownContentType => "unknown_content_type",
        _ => "other",
    }
}

fn orphan_json(o: &OrphanCount) -> Value {
    json!({
        "model": o.model,
        "field": o.field,
        "content_type_id": o.content_type_id,
        "content_type": o.content_type,
        "kind": kind_name(o.kind),
        "rows": o.rows,
    })
}

/// A line per generic foreign key and content type.
fn listing(found: &[OrphanCount]) -> String {
    let mut text = String::new();
    for o in found {
        let why = match o.kind {
            OrphanKind::MissingTarget => "target row gone",
            OrphanKind::StaleContentType => "stale content type: left to `stale`",
            OrphanKind::UnknownContentType => "no such content type",
            _ => "orphaned",
        };
        let target = match o.content_type.as_str() {
            "" => format!("content type {}", o.content_type_id),
            label => label.to_string(),
        };
        text.push_str(&format!(
            "{}.{} -> {target}: {} ({why})\n",
            o.model, o.field, o.rows
        ));
    }
    text
}
