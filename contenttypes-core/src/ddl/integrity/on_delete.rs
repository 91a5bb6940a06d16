//! The triggers on delete: each target's policy for the rows pointing at the deleted rows.

use super::*;

/// The keys (as the object id stores them) of the rows an action's delete removes: one SQL
/// expression list for `IN (...)`, over `old` (the deleted row, or PostgreSQL's transition
/// table).
fn removed_keys(dialect: Dialect, action: &Action, old: &Old) -> String {
    let q = |s: &str| dialect.quote(s);
    let d = &action.dependent;
    let (pk, _) = primary_key(action.target);
    if action.path.is_empty() {
        return match old {
            Old::Row(prefix) => as_object_id(
                dialect,
                &format!("{prefix}.{}", q(pk)),
                action.target,
                d.through,
                d.gfk,
            ),
            Old::Table(table) => format!(
                "SELECT {} FROM {table} {}",
                as_object_id(
                    dialect,
                    &format!("{}.{}", q("ct_o"), q(pk)),
                    action.target,
                    d.through,
                    d.gfk
                ),
                q("ct_o")
            ),
        };
    }
    // Cascaded (MySQL, on the last parent's row): the target rows whose foreign key holds
    // the key of a parent row whose foreign key holds ... the deleted row's key.
    let (Old::Row(prefix), Some(last)) = (old, action.path.last()) else {
        return String::new();
    };
    let mut cond = format!("{} = {prefix}.{}", q(last.column), q(last.referenced));
    for i in (0..action.path.len() - 1).rev() {
        let link = &action.path[i];
        cond = format!(
            "{} IN (SELECT {} FROM {} WHERE {cond})",
            q(link.column),
            q(link.referenced),
            q(&link.parent.table.name)
        );
    }
    format!(
        "SELECT {} FROM {} WHERE {cond}",
        as_object_id(dialect, &q(pk), action.target, d.through, d.gfk),
        q(&action.target.table.name)
    )
}

/// Where a delete trigger finds the deleted rows.
enum Old {
    /// A row variable (`OLD`).
    Row(&'static str),
    /// PostgreSQL's transition table.
    Table(&'static str),
}

/// The `WHERE` selecting the rows of an action's generic foreign key that point at the
/// removed rows.
fn pointing(dialect: Dialect, action: &Action, old: &Old) -> String {
    let q = |s: &str| dialect.quote(s);
    let d = &action.dependent;
    let keys = removed_keys(dialect, action, old);
    let oid = q(&d.gfk.fk_column);
    let membership = match (old, action.path.is_empty()) {
        (Old::Row(_), true) => format!("{oid} = {keys}"),
        _ => format!("{oid} IN ({keys})"),
    };
    format!(
        "{} = {} AND {membership}",
        q(&d.gfk.ct_column),
        content_type_id(dialect, action.target)
    )
}

/// The message of a refused delete: `contenttypes: cannot delete <label> rows: <through
/// table>.<gfk> (on_delete = restrict) still points at them`.
fn restrict_message(action: &Action) -> String {
    let d = &action.dependent;
    format!(
        "contenttypes: cannot delete {}.{} rows: {}.{} points at them (on_delete = restrict)",
        action.target.app_label, action.target.model_name, d.through.table.name, d.gfk.name
    )
}

/// The trigger applying `actions` when rows of `table` are deleted; `before`: the MySQL
/// trigger for cascaded rows, which must run before the foreign keys remove them.
pub(super) fn delete_trigger(
    dialect: Dialect,
    table: &ModelDef,
    actions: &[&Action],
    before: bool,
) -> Trigger {
    let q = |s: &str| dialect.quote(s);
    let (pk, _) = primary_key(table);
    let suffix = if before { "ct_cascade" } else { "ct_delete" };
    let name = name(&table.table.name, pk, suffix);
    // Refusals first, then the changes.
    let mut ordered: Vec<&&Action> = actions
        .iter()
        .filter(|a| a.dependent.on_delete == OnDelete::Restrict)
        .collect();
    ordered.extend(
        actions
            .iter()
            .filter(|a| a.dependent.on_delete != OnDelete::Restrict),
    );
    let old = match dialect {
        Dialect::Postgres => Old::Table("ct_old"),
        _ => Old::Row("OLD"),
    };
    let mut body = Vec::new();
    for action in ordered {
        let d = &action.dependent;
        let through = q(&d.through.table.name);
        let cond = pointing(dialect, action, &old);
        let statement = match d.on_delete {
            OnDelete::Cascade => format!("DELETE FROM {through} WHERE {cond};"),
            OnDelete::SetNull => format!(
                "UPDATE {through} SET {} = NULL, {} = NULL WHERE {cond};",
                q(&d.gfk.ct_column),
                q(&d.gfk.fk_column)
            ),
            OnDelete::Restrict => {
                let message = restrict_message(action);
                match dialect {
                    Dialect::Postgres => format!(
                        "IF EXISTS (SELECT 1 FROM {through} WHERE {cond}) THEN\n        RAISE EXCEPTION USING ERRCODE = '23503', MESSAGE = {};\n    END IF;",
                        string_literal(dialect, &message)
                    ),
                    Dialect::Mysql => format!(
                        "IF EXISTS (SELECT 1 FROM {through} WHERE {cond}) THEN\n        SIGNAL SQLSTATE '23000' SET MESSAGE_TEXT = {}, MYSQL_ERRNO = 1451;\n    END IF;",
                        string_literal(dialect, &message)
                    ),
                    Dialect::Sqlite => format!(
                        "SELECT RAISE(ABORT, {}) WHERE EXISTS (SELECT 1 FROM {through} WHERE {cond});",
                        string_literal(dialect, &message)
                    ),
                }
            }
            OnDelete::NoAction => continue,
        };
        body.push(statement);
    }
    let body = body
        .iter()
        .map(|s| format!("    {s}"))
        .collect::<Vec<_>>()
        .join("\n");
    let t = q(&table.table.name);
    let n = q(&name);
    match dialect {
        Dialect::Postgres => Trigger {
            create: vec![
                format!(
                    "CREATE OR REPLACE FUNCTION {n}() RETURNS trigger LANGUAGE plpgsql AS $ct$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM {}) THEN\n        RETURN NULL;\n    END IF;\n{body}\n    RETURN NULL;\nEND\n$ct$;",
                    q("ct_old")
                ),
                format!(
                    "CREATE TRIGGER {n} AFTER DELETE ON {t} REFERENCING OLD TABLE AS {} FOR EACH STATEMENT EXECUTE FUNCTION {n}();",
                    q("ct_old")
                ),
            ],
            drop: vec![
                format!("DROP TRIGGER IF EXISTS {n} ON {t};"),
                format!("DROP FUNCTION IF EXISTS {n}();"),
            ],
            name,
            table: table.table.name.to_string(),
        },
        Dialect::Mysql => Trigger {
            create: vec![format!(
                "CREATE TRIGGER {n} {} DELETE ON {t} FOR EACH ROW\nBEGIN\n{body}\nEND;",
                if before { "BEFORE" } else { "AFTER" }
            )],
            drop: vec![format!("DROP TRIGGER IF EXISTS {n};")],
            name,
            table: table.table.name.to_string(),
        },
        Dialect::Sqlite => Trigger {
            create: vec![format!(
                "CREATE TRIGGER {n} AFTER DELETE ON {t} FOR EACH ROW\nBEGIN\n{body}\nEND;"
            )],
            drop: vec![format!("DROP TRIGGER IF EXISTS {n};")],
            name,
            table: table.table.name.to_string(),
        },
    }
}
