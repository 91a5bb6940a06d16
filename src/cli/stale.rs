//! `stale`: the content types whose model is gone, listed with their dependent rows, or
//! deleted with them (`--delete`).

use serde_json::{json, Value};

use super::error::CliError;
use super::output::{deleted_json, deleted_text, plural, Report};
use crate::lifecycle::{remove_stale_content_types, stale_content_types};
use crate::Db;
use contenttypes_diesel::SyncMode;

/// Lists the stale content types but those `keep` names (findings: one is listed), or with
/// `delete` removes them in one transaction.
pub(crate) fn run(
    db: &mut impl Db<Mode = SyncMode>,
    keep: &[String],
    delete: bool,
) -> Result<Report, CliError> {
    let keep_refs: Vec<&str> = keep.iter().map(String::as_str).collect();
    if delete {
        return remove(db, keep, &keep_refs);
    }
    let stale = stale_content_types(db, &keep_refs)?;

    let json = json!({
        "command": "stale",
        "dry_run": true,
        "keep": keep,
        "stale": stale.iter().map(|ct| json!({
            "id": ct.id,
            "app_label": ct.app_label,
            "model": ct.model,
            "dependent_rows": ct.dependent_rows(),
            "dependents": ct.dependents.iter()
                .map(|(field, rows)| json!({ "field": field, "rows": rows }))
                .collect::<Vec<Value>>(),
        })).collect::<Vec<Value>>(),
    });

    let mut text = String::new();
    for ct in &stale {
        let rows = plural(
            ct.dependent_rows().unsigned_abs(),
            "dependent row",
            "dependent rows",
        );
        text.push_str(&format!("{} (id {}): {rows}\n", ct.label(), ct.id));
        for (field, rows) in &ct.dependents {
            text.push_str(&format!("  {field}: {rows}\n"));
        }
    }
    if stale.is_empty() {
        text.push_str("No stale content types.\n");
    } else {
        let total: i64 = stale.iter().map(|ct| ct.dependent_rows()).sum();
        text.push_str(&format!(
            "{}, {}: `stale --delete` deletes them.\n",
            plural(
                stale.len() as u64,
                "stale content type",
                "stale content types"
            ),
            plural(total.unsigned_abs(), "dependent row", "dependent rows"),
        ));
    }
    Ok(Report {
        text,
        json,
        findings: !stale.is_empty(),
    })
}

fn remove(
    db: &mut impl Db<Mode = SyncMode>,
    keep: &[String],
    keep_refs: &[&str],
) -> Result<Report, CliError> {
    let removed = remove_stale_content_types(db, keep_refs)?;

    let json = json!({
        "command": "stale",
        "dry_run": false,
        "keep": keep,
        "removed": removed.content_types.iter().map(|ct| json!({
            "id": ct.id,
            "app_label": ct.app_label,
            "model": ct.model,
        })).collect::<Vec<Value>>(),
        "deleted": deleted_json(&removed.deleted),
    });

    let text = if removed.content_types.is_empty() {
        "No stale content types.\n".to_string()
    } else {
        let mut text = String::new();
        for ct in &removed.content_types {
            text.push_str(&format!("Removed {} (id {})\n", ct.label(), ct.id));
        }
        text.push_str(&format!("Deleted {}.\n", deleted_text(&removed.deleted)));
        text
    };
    Ok(Report {
        text,
        json,
        findings: false,
    })
}
