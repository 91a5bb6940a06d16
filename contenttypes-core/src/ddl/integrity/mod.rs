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

mod check;
mod on_delete;

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
            out.extend(check::check_triggers(dialect, through, gfk, &targets));
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
            out.push(on_delete::delete_trigger(dialect, table, &own, false));
        }
        if !cascaded.is_empty() {
            out.push(on_delete::delete_trigger(dialect, table, &cascaded, true));
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
