//! `check`: the registry's checks, as Django's `manage.py check` prints them.

use serde_json::{json, Value};

use super::output::{plural, Report};
use crate::{check_registrations, CheckMessage, Registry};

/// A message's level, from its id as Django numbers them: `app.E001` an error (`C`,
/// critical, too), `app.W001` a warning, `I` info, `D` debug.
fn level(message: &CheckMessage) -> &'static str {
    let code = message.id.rsplit('.').next().unwrap_or(message.id);
    match code.chars().next() {
        Some('W') => "warning",
        Some('I') => "info",
        Some('D') => "debug",
        _ => "error",
    }
}

/// Runs every check over the models linked into this program. Findings: an error.
pub(crate) fn run() -> Report {
    let mut models: Vec<String> = Registry::submitted().map(|r| r.def.label()).collect();
    models.sort();
    models.dedup();
    let messages = check_registrations();
    let count = |wanted: &str| messages.iter().filter(|m| level(m) == wanted).count();
    let (errors, warnings) = (count("error"), count("warning"));

    let json = json!({
        "command": "check",
        "models": models,
        "errors": errors,
        "warnings": warnings,
        "messages": messages.iter().map(|m| json!({
            "id": m.id,
            "level": level(m),
            "model": m.model,
            "message": m.message,
            "hint": m.hint,
        })).collect::<Vec<Value>>(),
    });

    let checked = plural(models.len() as u64, "model", "models");
    let text = if messages.is_empty() {
        format!("System check identified no issues ({checked} checked).\n")
    } else {
        let mut text = String::from("System check identified some issues:\n");
        for (heading, wanted) in [
            ("ERRORS", "error"),
            ("WARNINGS", "warning"),
            ("INFOS", "info"),
            ("DEBUGS", "debug"),
        ] {
            let section: Vec<String> = messages
                .iter()
                .filter(|m| level(m) == wanted)
                .map(ToString::to_string)
                .collect();
            if !section.is_empty() {
                text.push_str(&format!("\n{heading}:\n{}\n", section.join("\n")));
            }
        }
        let issues = plural(messages.len() as u64, "issue", "issues");
        text.push_str(&format!(
            "\nSystem check identified {issues} ({checked} checked).\n"
        ));
        text
    };
    Report {
        text,
        json,
        findings: errors > 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &'static str) -> CheckMessage {
        CheckMessage {
            id,
            model: "blog.article".into(),
            message: "m".into(),
            hint: None,
        }
    }

    #[test]
    fn the_level_is_read_from_the_id() {
        assert_eq!(level(&message("contenttypes.E005")), "error");
        assert_eq!(level(&message("models.C001")), "error");
        assert_eq!(level(&message("fields.W342")), "warning");
        assert_eq!(level(&message("contenttypes.I001")), "info");
        assert_eq!(level(&message("security.D001")), "debug");
    }
}
