//! Database-enforced generic foreign keys (`#[generic_foreign_key(db_constraint)]`): the
//! triggers that make the database itself keep a generic foreign key pointing at real rows,
//! whichever program writes (raw SQL, psql, another service, Django).
//!
//! For each generic foreign key with `db_constraint`, on its table:
//! - **a check on insert and update**: a row whose content type is set must point at an
//!   existing row of a model the generic foreign key can point at
//!   ([`can_point_at`]); else the statement fails with a foreign-key violation
//!   (SQLSTATE 23503 on PostgreSQL, errno 1452 on MySQL/MariaDB, `RAISE(ABORT)` on SQLite)
//!   whose message names the content type and the object id. The target row is locked
//!   (`FOR KEY SHARE`, `LOCK IN SHARE MODE`) so that a concurrent delete of it waits and then
//!   applies the policy to the new row, as a real foreign key does.
//!
//! On each target model's table, one trigger after delete applies every such generic
//! foreign key's policy for that model ([`generic_dependents`]): `cascade` deletes the rows
//! pointing at the deleted rows, `set_null` nulls their generic foreign key, `restrict`
//! fails the delete with a foreign-key violation naming the row. PostgreSQL runs it once per
//! statement over the deleted rows (a transition table), set-based; SQLite and MySQL once per
//! row.
//!
//! Rows deleted by another table's `ON DELETE CASCADE` are covered: PostgreSQL and SQLite
//! fire the target's trigger for them; MySQL and MariaDB do not fire triggers for
//! foreign-key actions, so there the trigger before delete on every table whose deletion
//! cascades (through declared `on_delete = cascade` foreign keys, up to [`MAX_CASCADE`]
//! tables deep) to a target applies the policy to the target rows about to go.
//!
//! The content-type id of each target is looked up by natural key inside the trigger, so the
//! triggers do not depend on the ids a database happened to assign. Unmanaged models (tables
//! another program owns) get no trigger and are no target.

use std::collections::BTreeMap;

use super::{key_as_text_sql, string_literal, Dialect};
use crate::content_type;
use crate::generic_on_delete::{can_point_at, generic_dependents, GenericDependent};
use crate::ir::{GenericForeignKeyDef, ModelDef, OnDelete, SqlType};
use crate::keys::join_needs_text_cast;
use crate::names;

/// How many foreign-key cascades deep MySQL's ancestor triggers follow.
pub const MAX_CASCADE: usize = 4;

/// One trigger, with what creates and what drops it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub name: String,
    pub table: String,
    /// The statements creating it (PostgreSQL: its function, then the trigger).
    pub create: Vec<String>,
    /// The statements dropping it.
    pub drop: Vec<String>,
}

/// Every trigger the models need on `dialect`, sorted by name.
pub fn triggers(dialect: Dialect, models: &[&ModelDef]) -> Vec<Trigger> {
    let managed: Vec<&ModelDef> = models
        .iter()
        .copied()
        .filter(|m| m.managed && m.table.name != content_type::TABLE)
        .collect();
    let mut out = Vec::new();
    for through in &managed {
        for gfk in through
            .generic_foreign_keys
            .iter()
            .filter(|g| g.db_constraint)
        {
            let targets: Vec<&ModelDef> = managed
                .iter()
                .copied()
                .filter(|t| can_point_at(through, gfk, t))
                .collect();
            out.extend(check_triggers(dialect, through, gfk, &targets));
        }
    }
    // Per table: the statements its deletes need (its own dependents, and on MySQL those
    // of the tables its deletes cascade to).
    let mut on_delete: BTreeMap<&str, (&ModelDef, Vec<Action>)> = BTreeMap::new();
    for target in &managed {
        if dialect == Dialect::Mysql && holds_enforced(target) {
            continue;
        }
        let dependents: Vec<GenericDependent> = generic_dependents(managed.iter().copied(), target)
            .into_iter()
            .filter(|d| d.gfk.db_constraint && d.on_delete != OnDelete::NoAction)
            .collect();
        if dependents.is_empty() {
            continue;
        }
        let own = on_delete
            .entry(target.table.name.as_ref())
            .or_insert_with(|| (target, Vec::new()));
        for d in &dependents {
            own.1.push(Action {
                target,
                dependent: *d,
                path: Vec::new(),
            });
        }
        if dialect == Dialect::Mysql {
            for path in cascade_paths(&managed, target) {
                let ancestor = path.last().map(|link| link.parent).unwrap_or(target);
                if holds_enforced(ancestor) {
                    continue;
                }
                let entry = on_delete
                    .entry(ancestor.table.name.as_ref())
                    .or_insert_with(|| (ancestor, Vec::new()));
                for d in &dependents {
                    entry.1.push(Action {
                        target,
                        dependent: *d,
                        path: path.clone(),
                    });
                }
            }
        }
    }
    for (table, actions) in on_delete.values() {
        let (own, cascaded): (Vec<&Action>, Vec<&Action>) =
            actions.iter().partition(|a| a.path.is_empty());
        if !own.is_empty() {
            out.push(delete_trigger(dialect, table, &own, false));
        }
        if !cascaded.is_empty() {
            out.push(delete_trigger(dialect, table, &cascaded, true));
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Whether `model` holds a generic foreign key the database enforces. On MySQL and MariaDB
/// such a model gets no trigger on delete: a trigger there cannot change a table the
/// statement that fired it (or any trigger up the chain) uses, and these tables point at
/// each other (a note on a note, a label on a note), so their deletes through the framework
/// apply the policy, raw ones do not.
fn holds_enforced(model: &ModelDef) -> bool {
    model.generic_foreign_keys.iter().any(|g| g.db_constraint)
}

/// A model's foreign key with `ON DELETE CASCADE` to `parent`: deleting a `parent` row
/// deletes the rows of `child` whose `column` holds its key.
#[derive(Clone, Copy, Debug)]
struct Link<'a> {
    column: &'a str,
    parent: &'a ModelDef,
    /// The column of `parent` the foreign key references.
    referenced: &'a str,
}

/// The chains of cascading foreign keys that end at `target`, nearest link first.
fn cascade_paths<'a>(models: &[&'a ModelDef], target: &'a ModelDef) -> Vec<Vec<Link<'a>>> {
    let mut out = Vec::new();
    let mut frontier: Vec<Vec<Link<'a>>> = vec![Vec::new()];
    for _ in 0..MAX_CASCADE {
        let mut next = Vec::new();
        for path in &frontier {
            let child = path.last().map(|l| l.parent).unwrap_or(target);
            for column in child.table.columns.iter() {
                let Some(fk) = &column.foreign_key else {
                    continue;
                };
                if fk.on_delete != OnDelete::Cascade {
                    continue;
                }
                let Some(parent) = models.iter().copied().find(|m| m.table.name == fk.table) else {
                    continue;
                };
                let cycle = parent.table.name == target.table.name
                    || path
                        .iter()
                        .any(|l| l.parent.table.name == parent.table.name);
                if cycle {
                    continue;
                }
                let mut longer = path.clone();
                longer.push(Link {
                    column: column.name.as_ref(),
                    parent,
                    referenced: fk.column.as_ref(),
                });
                next.push(longer);
            }
        }
        out.extend(next.iter().cloned());
        frontier = next;
    }
    out
}

/// One generic foreign key's policy for the rows of `target` a delete removes: `target`'s
/// own deleted rows (`path` empty) or the rows a delete of the path's last parent cascades
/// to.
struct Action<'a> {
    target: &'a ModelDef,
    dependent: GenericDependent<'a>,
    path: Vec<Link<'a>>,
}

/// `(SELECT id FROM django_content_type WHERE app_label = .. AND model = ..)`.
fn content_type_id(dialect: Dialect, model: &ModelDef) -> String {
    let q = |s: &str| dialect.quote(s);
    format!(
        "(SELECT {} FROM {} WHERE {} = {} AND {} = {})",
        q("id"),
        q(content_type::TABLE),
        q("app_label"),
        string_literal(dialect, &model.app_label),
        q("model"),
        string_literal(dialect, &model.model_name),
    )
}

/// `model`'s primary key column, for a model [`can_point_at`] accepted.
fn primary_key(model: &ModelDef) -> (&str, SqlType) {
    model
        .primary_key()
        .map(|c| (c.name.as_ref(), c.sql_type))
        .unwrap_or((model.table.primary_key.as_ref(), SqlType::BigInt))
}

fn object_id_type(through: &ModelDef, gfk: &GenericForeignKeyDef) -> SqlType {
    through
        .column(&gfk.fk_column)
        .map_or(SqlType::Text, |c| c.sql_type)
}

/// `key_sql`, a key of `target`, as `through`'s object id stores it.
fn as_object_id(
    dialect: Dialect,
    key_sql: &str,
    target: &ModelDef,
    through: &ModelDef,
    gfk: &GenericForeignKeyDef,
) -> String {
    let (_, key) = primary_key(target);
    if join_needs_text_cast(object_id_type(through, gfk), key) {
        key_as_text_sql(dialect, key_sql, key)
    } else {
        key_sql.to_string()
    }
}

/// The trigger name: `<table>_<column>_<suffix>`, shortened with a hash past the identifier
/// limit.
fn name(table: &str, column: &str, suffix: &str) -> String {
    names::index_name(table, &[column], suffix)
}

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
fn delete_trigger(
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

/// `key_sql`, an object id of `through`, as a key of `target` that its primary key index
/// can look up, and the condition that the object id is exactly that key's text (a text
/// object id `'05'` points at no row: the joins compare text).
fn target_lookup(
    dialect: Dialect,
    oid_sql: &str,
    target: &ModelDef,
    through: &ModelDef,
    gfk: &GenericForeignKeyDef,
    alias: &str,
) -> String {
    let q = |s: &str| dialect.quote(s);
    let (pk, key) = primary_key(target);
    let pk_sql = format!("{}.{}", q(alias), q(pk));
    let oid_type = object_id_type(through, gfk);
    if !join_needs_text_cast(oid_type, key) {
        return format!("{pk_sql} = {oid_sql}");
    }
    let exact = format!("{} = {oid_sql}", key_as_text_sql(dialect, &pk_sql, key));
    // The typed lookup first (the index), then the exact text.
    let typed = match (dialect, key) {
        (Dialect::Postgres, SqlType::Uuid) => Some(format!(
            "{pk_sql} = (CASE WHEN {oid_sql} ~ '^[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}$' THEN CAST({oid_sql} AS uuid) END)"
        )),
        (Dialect::Postgres, k) if k.is_integer() => Some(format!(
            "{pk_sql} = (CASE WHEN {oid_sql} ~ '^-?[0-9]{{1,18}}$' THEN CAST({oid_sql} AS bigint) END)"
        )),
        (Dialect::Mysql | Dialect::Sqlite, k) if k.is_integer() => {
            Some(format!("{pk_sql} = {oid_sql}"))
        }
        _ => None,
    };
    match typed {
        Some(typed) => format!("{typed} AND {exact}"),
        None => exact,
    }
}

/// The check triggers of one generic foreign key with `db_constraint`.
fn check_triggers(
    dialect: Dialect,
    through: &ModelDef,
    gfk: &GenericForeignKeyDef,
    targets: &[&ModelDef],
) -> Vec<Trigger> {
    let q = |s: &str| dialect.quote(s);
    let t = q(&through.table.name);
    let (ct, oid) = (q(&gfk.ct_column), q(&gfk.fk_column));
    let label = format!("{}.{}", through.table.name, gfk.name);
    let lit = |s: &str| string_literal(dialect, s);
    let ct_label = |ct_sql: &str| {
        format!(
            "(SELECT {} FROM {} WHERE {} = {ct_sql})",
            match dialect {
                Dialect::Mysql => format!("CONCAT({}, '.', {})", q("app_label"), q("model")),
                _ => format!("{} || '.' || {}", q("app_label"), q("model")),
            },
            q(content_type::TABLE),
            q("id")
        )
    };
    match dialect {
        Dialect::Postgres => {
            let n_ct = format!("{}.{ct}", q("ct_n"));
            let n_oid = format!("{}.{oid}", q("ct_n"));
            let mut locks = Vec::new();
            let mut exists = Vec::new();
            for target in targets {
                let lookup = target_lookup(dialect, &n_oid, target, through, gfk, "ct_m");
                let tt = q(&target.table.name);
                locks.push(format!(
                    "    PERFORM 1 FROM {tt} {} JOIN {} {} ON {lookup} WHERE {n_ct} = {} FOR KEY SHARE OF {};",
                    q("ct_m"),
                    q("ct_new"),
                    q("ct_n"),
                    content_type_id(dialect, target),
                    q("ct_m")
                ));
                exists.push(format!(
                    "({n_ct} = {} AND EXISTS (SELECT 1 FROM {tt} {} WHERE {lookup}))",
                    content_type_id(dialect, target),
                    q("ct_m")
                ));
            }
            let points = if exists.is_empty() {
                "false".to_string()
            } else {
                exists.join("\n            OR ")
            };
            let function = q(&name(&through.table.name, &gfk.fk_column, "ct_check"));
            let body = format!(
                "DECLARE\n    bad_ct integer;\n    bad_oid text;\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM {}) THEN\n        RETURN NULL;\n    END IF;\n{}\n    SELECT {n_ct}, CAST({n_oid} AS text) INTO bad_ct, bad_oid FROM {} {} WHERE {n_ct} IS NOT NULL AND NOT (\n            {points}\n        ) LIMIT 1;\n    IF FOUND THEN\n        RAISE EXCEPTION USING ERRCODE = '23503', MESSAGE = format({}, bad_ct, coalesce({}, 'unknown'), bad_oid);\n    END IF;\n    RETURN NULL;\nEND",
                q("ct_new"),
                locks.join("\n"),
                q("ct_new"),
                q("ct_n"),
                lit(&format!(
                    "contenttypes: {label} points at no row: content type %s (%s), object id %s"
                )),
                ct_label("bad_ct"),
            );
            let mut out = vec![Trigger {
                name: name(&through.table.name, &gfk.fk_column, "ct_check"),
                table: through.table.name.to_string(),
                create: vec![format!(
                    "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $ct$\n{body}\n$ct$;"
                )],
                drop: vec![format!("DROP FUNCTION IF EXISTS {function}();")],
            }];
            for (event, suffix) in [("INSERT", "ct_insert"), ("UPDATE", "ct_update")] {
                let n = name(&through.table.name, &gfk.fk_column, suffix);
                out.push(Trigger {
                    create: vec![format!(
                        "CREATE TRIGGER {} AFTER {event} ON {t} REFERENCING NEW TABLE AS {} FOR EACH STATEMENT EXECUTE FUNCTION {function}();",
                        q(&n),
                        q("ct_new")
                    )],
                    drop: vec![format!("DROP TRIGGER IF EXISTS {} ON {t};", q(&n))],
                    name: n,
                    table: through.table.name.to_string(),
                });
            }
            out
        }
        Dialect::Mysql => {
            let new_oid = format!("NEW.{oid}");
            let mut branches = Vec::new();
            for (i, target) in targets.iter().enumerate() {
                let lookup = target_lookup(dialect, &new_oid, target, through, gfk, "ct_m");
                branches.push(format!(
                    "        {} NEW.{ct} = {} THEN\n            SELECT COUNT(*) INTO ct_found FROM {} {} WHERE {lookup} LOCK IN SHARE MODE;",
                    if i == 0 { "IF" } else { "ELSEIF" },
                    content_type_id(dialect, target),
                    q(&target.table.name),
                    q("ct_m"),
                ));
            }
            let branches = if branches.is_empty() {
                String::new()
            } else {
                format!("{}\n        END IF;\n", branches.join("\n"))
            };
            [("INSERT", "ct_insert", ""), ("UPDATE", "ct_update", " AND NOT (OLD.{ct} <=> NEW.{ct} AND OLD.{oid} <=> NEW.{oid})")]
                .into_iter()
                .map(|(event, suffix, changed)| {
                    let changed = changed.replace("{ct}", &ct).replace("{oid}", &oid);
                    let n = name(&through.table.name, &gfk.fk_column, suffix);
                    Trigger {
                        create: vec![format!(
                            "CREATE TRIGGER {} BEFORE {event} ON {t} FOR EACH ROW\nBEGIN\n    DECLARE ct_found INT DEFAULT 0;\n    DECLARE ct_message VARCHAR(512);\n    IF NEW.{ct} IS NOT NULL{changed} THEN\n{branches}        IF ct_found = 0 THEN\n            SET ct_message = CONCAT({}, NEW.{ct}, ' (', COALESCE({}, 'unknown'), '), object id ', NEW.{oid});\n            SIGNAL SQLSTATE '23000' SET MESSAGE_TEXT = ct_message, MYSQL_ERRNO = 1452;\n        END IF;\n    END IF;\nEND;",
                            q(&n),
                            lit(&format!("contenttypes: {label} points at no row: content type ")),
                            ct_label(&format!("NEW.{ct}")),
                        )],
                        drop: vec![format!("DROP TRIGGER IF EXISTS {};", q(&n))],
                        name: n,
                        table: through.table.name.to_string(),
                    }
                })
                .collect()
        }
        Dialect::Sqlite => {
            let new_oid = format!("NEW.{oid}");
            let mut exists = Vec::new();
            for target in targets {
                let lookup = target_lookup(dialect, &new_oid, target, through, gfk, "ct_m");
                exists.push(format!(
                    "(NEW.{ct} = {} AND EXISTS (SELECT 1 FROM {} {} WHERE {lookup}))",
                    content_type_id(dialect, target),
                    q(&target.table.name),
                    q("ct_m")
                ));
            }
            let points = if exists.is_empty() {
                "0".to_string()
            } else {
                exists.join("\n        OR ")
            };
            [("INSERT", "ct_insert"), (&*format!("UPDATE OF {ct}, {oid}"), "ct_update")]
                .into_iter()
                .map(|(event, suffix)| {
                    let n = name(&through.table.name, &gfk.fk_column, suffix);
                    Trigger {
                        create: vec![format!(
                            "CREATE TRIGGER {} BEFORE {event} ON {t} FOR EACH ROW WHEN NEW.{ct} IS NOT NULL\nBEGIN\n    SELECT RAISE(ABORT, {} || NEW.{ct} || ' (' || COALESCE({}, 'unknown') || '), object id ' || NEW.{oid}) WHERE NOT (\n        {points}\n    );\nEND;",
                            q(&n),
                            lit(&format!("contenttypes: {label} points at no row: content type ")),
                            ct_label(&format!("NEW.{ct}")),
                        )],
                        drop: vec![format!("DROP TRIGGER IF EXISTS {};", q(&n))],
                        name: n,
                        table: through.table.name.to_string(),
                    }
                })
                .collect()
        }
    }
}
