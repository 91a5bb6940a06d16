//! The planner: the difference between two sets of models as a list of operations, in the
//! order they must run. Dialect-free: [`super::render`](mod@super::render) turns operations into SQL.
//!
//! Models are matched by natural key; a model whose key is new but that declares
//! `renamed_from = "old"` (and the recorded state has `old`) is the same model, renamed.
//! Columns are matched by name, or through a declared `renamed_from`. Nothing else is a
//! rename: an unmatched old model or column is dropped and an unmatched new one created.
//!
//! Order: renames (content types, tables, columns, indexes, foreign keys), then new tables
//! (referenced tables first), then changes to existing tables, then dropped tables
//! (referencing tables first). [`Plan::inverse`] is the plan that undoes it (down.sql).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::content_type;
use crate::ddl;
use crate::ir::{ColumnDef, ForeignKeyDef, IndexDef, ModelDef, TableDef};

use super::state::normalize;

/// One step of a migration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Django's `RenameContentType`: the row of a renamed model follows it.
    RenameContentType {
        app_label: String,
        from: String,
        to: String,
    },
    RenameTable {
        from: String,
        to: String,
        /// The primary key column, for the names PostgreSQL derives from it.
        primary_key: String,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// An index whose name follows a renamed table or column, or the model's new name for it.
    RenameIndex {
        /// The table as it is after the migration (SQLite creates the index again).
        table: TableDef,
        from: IndexDef,
        to: IndexDef,
    },
    /// A foreign key constraint whose name follows a renamed table or column, or the model's
    /// new name for it.
    RenameForeignKey {
        table: String,
        column: String,
        from: String,
        to: String,
        foreign_key: ForeignKeyDef,
    },
    /// A new table with its indexes (the model in explicit-index form, see [`explicit`]).
    CreateTable(ModelDef),
    /// A dropped table (the model as it was, to undo the drop).
    DropTable(ModelDef),
    AlterTable(Box<AlterTable>),
    /// Drops every trigger these models (the state before the migration) have
    /// ([`ddl::integrity`]): first in a migration that changes them or any table.
    DropTriggers(Vec<ModelDef>),
    /// Creates every trigger these models (the state after the migration) need: last.
    CreateTriggers(Vec<ModelDef>),
}

/// Changes to one existing table, after renames. `before` and `after` are the whole table
/// (explicit-index form, same table name), so SQLite can rebuild it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlterTable {
    pub before: ModelDef,
    pub after: ModelDef,
    pub changes: Vec<Change>,
}

/// One change to an existing table.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // a handful per migration, planned once at build time
pub enum Change {
    AddColumn(ColumnDef),
    DropColumn(ColumnDef),
    /// Type, nullability or default.
    AlterColumn {
        from: ColumnDef,
        to: ColumnDef,
    },
    AddForeignKey {
        column: String,
        foreign_key: ForeignKeyDef,
    },
    DropForeignKey {
        column: String,
        foreign_key: ForeignKeyDef,
    },
    CreateIndex(IndexDef),
    DropIndex(IndexDef),
}

/// The operations of one migration, and what the user should know about them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub operations: Vec<Operation>,
    /// Warnings: data that will be dropped, declared renames with nothing to rename.
    pub notes: Vec<String>,
}

/// A change the planner will not guess at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// The primary key column changed (other than by a rename).
    PrimaryKeyChange { model: String, detail: String },
    /// Two new models (or columns) declare `renamed_from` the same old one.
    RenameClaimedTwice {
        old: String,
        first: String,
        second: String,
    },
    /// A table would take a name that another table still has when the rename runs.
    TableNameConflict { table: String },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::PrimaryKeyChange { model, detail } => write!(
                f,
                "the primary key of `{model}` changed ({detail}); the planner does not change primary keys: \
                 write that migration by hand (then update the state file), or keep the old key"
            ),
            PlanError::RenameClaimedTwice { old, first, second } => write!(
                f,
                "`{first}` and `{second}` both declare `renamed_from = \"{old}\"`; only one can be the renamed one"
            ),
            PlanError::TableNameConflict { table } => write!(
                f,
                "the table name `{table}` is still in use when a table would be created or renamed to it; \
                 drop or rename the old table in one migration (build once), then reuse the name"
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// The model with its single-column unique and index flags turned into explicit indexes
/// (the names [`ddl::all_indexes`] gives them), so that indexes are one list and keep their
/// names when the table is renamed.
pub fn explicit(def: &ModelDef) -> ModelDef {
    let indexes = ddl::all_indexes(def);
    let mut out = normalize(def);
    out.table.columns = out
        .table
        .columns
        .iter()
        .map(|c| ColumnDef {
            unique: false,
            indexed: false,
            index_name: None,
            ..c.clone()
        })
        .collect::<Vec<_>>()
        .into();
    out.table.indexes = indexes.into();
    out
}

type Key = (String, String);

fn key(m: &ModelDef) -> Key {
    (m.app_label.to_string(), m.model_name.to_string())
}

/// Plans the migration from the recorded models `old` to the declared models `new` (which
/// may carry `renamed_from`). Unmanaged models get no DDL, but a renamed one still renames
/// its content type.
pub fn plan(old: &[ModelDef], new: &[ModelDef]) -> Result<Plan, PlanError> {
    let old_by_key: BTreeMap<Key, &ModelDef> = old.iter().map(|m| (key(m), m)).collect();
    let new_keys: BTreeSet<Key> = new.iter().map(key).collect();
    let mut notes = Vec::new();

    // Match models.
    let mut pairs: Vec<(&ModelDef, &ModelDef)> = Vec::new();
    let mut created: Vec<&ModelDef> = Vec::new();
    let mut claimed: BTreeMap<Key, String> = BTreeMap::new();
    for n in new {
        if let Some(o) = old_by_key.get(&key(n)) {
            pairs.push((o, n));
            continue;
        }
        if let Some(from) = &n.renamed_from {
            let old_key = (n.app_label.to_string(), from.to_string());
            if let (Some(o), false) = (old_by_key.get(&old_key), new_keys.contains(&old_key)) {
                if let Some(first) = claimed.insert(old_key, n.label()) {
                    return Err(PlanError::RenameClaimedTwice {
                        old: from.to_string(),
                        first,
                        second: n.label(),
                    });
                }
                pairs.push((o, n));
                continue;
            }
            if !old_by_key.contains_key(&old_key) {
                notes.push(format!(
                    "`{}` declares `renamed_from = \"{from}\"`, but no model `{}.{from}` is recorded: creating `{}`",
                    n.label(),
                    n.app_label,
                    n.label()
                ));
            }
        }
        created.push(n);
    }
    let matched: BTreeSet<Key> = pairs.iter().map(|(o, _)| key(o)).collect();
    let dropped: Vec<&ModelDef> = old
        .iter()
        .filter(|o| !matched.contains(&key(o)) && o.table.name != content_type::TABLE)
        .collect();

    let managed_pairs: Vec<(&ModelDef, &ModelDef)> = pairs
        .iter()
        .copied()
        .filter(|(o, n)| o.managed && n.managed)
        .collect();
    for (o, n) in &pairs {
        if o.managed != n.managed {
            notes.push(format!(
                "`{}` is now {}: no table is {} for it; write that migration by hand if it is needed",
                n.label(),
                if n.managed { "managed" } else { "unmanaged" },
                if n.managed { "created" } else { "dropped" }
            ));
        }
    }

    // Renamed tables and columns.
    let mut table_renames: BTreeMap<String, String> = BTreeMap::new();
    let mut column_renames: BTreeMap<(String, String), String> = BTreeMap::new();
    for (o, n) in &managed_pairs {
        if o.table.name != n.table.name {
            table_renames.insert(o.table.name.to_string(), n.table.name.to_string());
        }
        let mut claimed_columns: BTreeMap<String, String> = BTreeMap::new();
        for c in n.table.columns.iter() {
            let Some(from) = &c.renamed_from else {
                continue;
            };
            if o.column(from).is_some() && n.column(from).is_none() && o.column(&c.name).is_none() {
                if let Some(first) = claimed_columns.insert(from.to_string(), c.name.to_string()) {
                    return Err(PlanError::RenameClaimedTwice {
                        old: format!("{}.{from}", o.table.name),
                        first: format!("{}.{first}", n.table.name),
                        second: format!("{}.{}", n.table.name, c.name),
                    });
                }
                column_renames.insert(
                    (o.table.name.to_string(), from.to_string()),
                    c.name.to_string(),
                );
            } else if o.column(from).is_none() && o.column(&c.name).is_none() {
                notes.push(format!(
                    "column `{}.{}` declares `renamed_from = \"{from}\"`, but `{}` has no column `{from}`: adding `{}`",
                    n.table.name, c.name, o.table.name, c.name
                ));
            }
        }
    }
    let old_tables: BTreeSet<&str> = old
        .iter()
        .filter(|m| m.managed)
        .map(|m| m.table.name.as_ref())
        .collect();
    for to in table_renames.values() {
        if old_tables.contains(to.as_str()) {
            return Err(PlanError::TableNameConflict { table: to.clone() });
        }
    }
    for n in created.iter().filter(|n| n.managed) {
        let name = n.table.name.as_ref();
        if old_tables.contains(name) && !table_renames.contains_key(name) {
            return Err(PlanError::TableNameConflict {
                table: name.to_string(),
            });
        }
    }
    let map_table = |t: &str| {
        table_renames
            .get(t)
            .cloned()
            .unwrap_or_else(|| t.to_string())
    };
    let map_column = |t: &str, c: &str| {
        column_renames
            .get(&(t.to_string(), c.to_string()))
            .cloned()
            .unwrap_or_else(|| c.to_string())
    };

    let mut renames = Vec::new();
    for (o, n) in &pairs {
        if o.model_name != n.model_name {
            renames.push(Operation::RenameContentType {
                app_label: n.app_label.to_string(),
                from: o.model_name.to_string(),
                to: n.model_name.to_string(),
            });
        }
    }
    for (o, n) in &managed_pairs {
        if o.table.name != n.table.name {
            renames.push(Operation::RenameTable {
                from: o.table.name.to_string(),
                to: n.table.name.to_string(),
                primary_key: map_column(&o.table.name, &o.table.primary_key),
            });
        }
    }

    // Each kept table as it stands after the renames, and its changes.
    let mut column_ops = Vec::new();
    let mut index_ops = Vec::new();
    let mut fk_ops = Vec::new();
    let mut alters: BTreeMap<String, AlterTable> = BTreeMap::new();
    for (o, n) in &managed_pairs {
        let table = n.table.name.to_string();
        let old_table = o.table.name.as_ref();
        let mut before = explicit(o);
        before.app_label = n.app_label.clone();
        before.model_name = n.model_name.clone();
        before.table.name = table.clone().into();
        before.table.primary_key = map_column(old_table, &o.table.primary_key).into();
        let mut columns: Vec<ColumnDef> = before.table.columns.to_vec();
        for c in columns.iter_mut() {
            let renamed = map_column(old_table, &c.name);
            if renamed != c.name {
                column_ops.push(Operation::RenameColumn {
                    table: table.clone(),
                    from: c.name.to_string(),
                    to: renamed.clone(),
                });
            }
            if let Some(fk) = &c.foreign_key {
                // The constraint takes the name the new model gives it (or the one generated
                // from the new table and column names).
                let given = n
                    .column(&renamed)
                    .and_then(|a| a.foreign_key.as_ref())
                    .and_then(|a| a.name.clone());
                let mapped = ForeignKeyDef {
                    table: map_table(&fk.table).into(),
                    column: map_column(&fk.table, &fk.column).into(),
                    on_delete: fk.on_delete,
                    name: given,
                };
                let from = ddl::foreign_key_name(old_table, &c.name, fk);
                let to = ddl::foreign_key_name(&table, &renamed, &mapped);
                if from != to {
                    fk_ops.push(Operation::RenameForeignKey {
                        table: table.clone(),
                        column: renamed.clone(),
                        from,
                        to,
                        foreign_key: mapped.clone(),
                    });
                }
                c.foreign_key = Some(mapped);
            }
            c.name = renamed.into();
        }
        before.table.columns = columns.into();
        let after = explicit(n);

        let (bpk, apk) = (before.primary_key(), after.primary_key());
        match (bpk, apk) {
            (Some(b), Some(a))
                if b.name == a.name
                    && b.sql_type == a.sql_type
                    && b.auto_increment == a.auto_increment => {}
            _ => {
                return Err(PlanError::PrimaryKeyChange {
                    model: n.label(),
                    detail: format!(
                        "`{}` {} → `{}` {}",
                        before.table.primary_key,
                        bpk.map(|c| c.sql_type.name()).unwrap_or_default(),
                        after.table.primary_key,
                        apk.map(|c| c.sql_type.name()).unwrap_or_default()
                    ),
                })
            }
        }

        // Indexes whose name follows the renames.
        let mut indexes: Vec<IndexDef> = before
            .table
            .indexes
            .iter()
            .map(|i| IndexDef {
                columns: i
                    .columns
                    .iter()
                    .map(|c| map_column(old_table, c).into())
                    .collect::<Vec<_>>()
                    .into(),
                ..i.clone()
            })
            .collect();
        let after_names: BTreeSet<&str> = after
            .table
            .indexes
            .iter()
            .map(|i| i.name.as_ref())
            .collect();
        let mut taken: BTreeSet<String> = indexes.iter().map(|i| i.name.to_string()).collect();
        for index in indexes.iter_mut() {
            if after_names.contains(index.name.as_ref()) {
                continue;
            }
            let target = after.table.indexes.iter().find(|a| {
                a.columns == index.columns
                    && a.unique == index.unique
                    && !taken.contains(a.name.as_ref())
            });
            if let Some(target) = target {
                index_ops.push(Operation::RenameIndex {
                    table: after.table.clone(),
                    from: index.clone(),
                    to: target.clone(),
                });
                taken.insert(target.name.to_string());
                index.name = target.name.clone();
            }
        }
        before.table.indexes = indexes.into();

        let changes = diff_table(&before, &after, &n.label())?;
        if !changes.is_empty() {
            alters.insert(
                table,
                AlterTable {
                    before,
                    after,
                    changes,
                },
            );
        }
    }
    renames.extend(column_ops);
    renames.extend(index_ops);
    renames.extend(fk_ops);

    let mut operations = renames;
    // The content-type table first (as `ddl::create_schema` does), then dependency order.
    let mut creates: Vec<&ModelDef> = created.into_iter().filter(|m| m.managed).collect();
    creates.sort_by_key(|m| m.table.name != content_type::TABLE);
    for m in ddl::dependency_order(&creates) {
        operations.push(Operation::CreateTable(explicit(m)));
    }
    let new_managed: Vec<&ModelDef> = new.iter().filter(|m| m.managed).collect();
    for m in ddl::dependency_order(&new_managed) {
        if let Some(alter) = alters.remove(m.table.name.as_ref()) {
            operations.push(Operation::AlterTable(Box::new(alter)));
        }
    }
    let drops: Vec<&ModelDef> = dropped.iter().copied().filter(|m| m.managed).collect();
    for m in ddl::dependency_order(&drops).into_iter().rev() {
        operations.push(Operation::DropTable(explicit(m)));
    }
    super::triggers::triggers_around(&mut operations, old, &super::state::normalize_all(new));

    for op in &operations {
        match op {
            Operation::DropTable(m) => notes.push(format!(
                "drops table `{}` and its rows (model `{}` is gone); if it was renamed, declare \
                 `#[model(renamed_from = \"{}\")]` on the new model",
                m.table.name,
                m.label(),
                m.model_name
            )),
            Operation::AlterTable(a) => {
                for change in &a.changes {
                    if let Change::DropColumn(c) = change {
                        notes.push(format!(
                            "drops column `{}.{}` and its values; if it was renamed, declare \
                             `#[model(renamed_from = \"{}\")]` on the new field",
                            a.after.table.name, c.name, c.name
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(Plan { operations, notes })
}

/// The changes from `before` to `after` (same table, explicit-index form).
fn diff_table(before: &ModelDef, after: &ModelDef, label: &str) -> Result<Vec<Change>, PlanError> {
    let mut changes = Vec::new();
    for a in after.table.columns.iter() {
        let Some(b) = before.column(&a.name) else {
            changes.push(Change::AddColumn(a.clone()));
            if let Some(fk) = &a.foreign_key {
                changes.push(Change::AddForeignKey {
                    column: a.name.to_string(),
                    foreign_key: fk.clone(),
                });
            }
            continue;
        };
        if b.primary_key != a.primary_key
            || (a.primary_key && (b.nullable != a.nullable || b.default != a.default))
        {
            return Err(PlanError::PrimaryKeyChange {
                model: label.to_string(),
                detail: format!("column `{}`", a.name),
            });
        }
        let altered =
            b.sql_type != a.sql_type || b.nullable != a.nullable || b.default != a.default;
        if altered {
            changes.push(Change::AlterColumn {
                from: b.clone(),
                to: a.clone(),
            });
        }
        let has_fk = b.foreign_key.is_some() || a.foreign_key.is_some();
        if b.foreign_key != a.foreign_key || (altered && has_fk) {
            if let Some(fk) = &b.foreign_key {
                changes.push(Change::DropForeignKey {
                    column: b.name.to_string(),
                    foreign_key: fk.clone(),
                });
            }
            if let Some(fk) = &a.foreign_key {
                changes.push(Change::AddForeignKey {
                    column: a.name.to_string(),
                    foreign_key: fk.clone(),
                });
            }
        }
    }
    for b in before.table.columns.iter() {
        if after.column(&b.name).is_none() {
            if let Some(fk) = &b.foreign_key {
                changes.push(Change::DropForeignKey {
                    column: b.name.to_string(),
                    foreign_key: fk.clone(),
                });
            }
            changes.push(Change::DropColumn(b.clone()));
        }
    }
    for a in after.table.indexes.iter() {
        match before.table.indexes.iter().find(|b| b.name == a.name) {
            None => changes.push(Change::CreateIndex(a.clone())),
            Some(b) if b != a => {
                changes.push(Change::DropIndex(b.clone()));
                changes.push(Change::CreateIndex(a.clone()));
            }
            Some(_) => {}
        }
    }
    for b in before.table.indexes.iter() {
        if !after.table.indexes.iter().any(|a| a.name == b.name) {
            changes.push(Change::DropIndex(b.clone()));
        }
    }
    Ok(changes)
}

impl Change {
    /// The change that undoes this one.
    pub fn inverse(&self) -> Change {
        match self {
            Change::AddColumn(c) => Change::DropColumn(c.clone()),
            Change::DropColumn(c) => Change::AddColumn(c.clone()),
            Change::AlterColumn { from, to } => Change::AlterColumn {
                from: to.clone(),
                to: from.clone(),
            },
            Change::AddForeignKey {
                column,
                foreign_key,
            } => Change::DropForeignKey {
                column: column.clone(),
                foreign_key: foreign_key.clone(),
            },
            Change::DropForeignKey {
                column,
                foreign_key,
            } => Change::AddForeignKey {
                column: column.clone(),
                foreign_key: foreign_key.clone(),
            },
            Change::CreateIndex(i) => Change::DropIndex(i.clone()),
            Change::DropIndex(i) => Change::CreateIndex(i.clone()),
        }
    }
}

impl Operation {
    /// The operation that undoes this one.
    pub fn inverse(&self) -> Operation {
        match self {
            Operation::RenameContentType {
                app_label,
                from,
                to,
            } => Operation::RenameContentType {
                app_label: app_label.clone(),
                from: to.clone(),
                to: from.clone(),
            },
            Operation::RenameTable {
                from,
                to,
                primary_key,
            } => Operation::RenameTable {
                from: to.clone(),
                to: from.clone(),
                primary_key: primary_key.clone(),
            },
            Operation::RenameColumn { table, from, to } => Operation::RenameColumn {
                table: table.clone(),
                from: to.clone(),
                to: from.clone(),
            },
            Operation::RenameIndex { table, from, to } => Operation::RenameIndex {
                table: table.clone(),
                from: to.clone(),
                to: from.clone(),
            },
            Operation::RenameForeignKey {
                table,
                column,
                from,
                to,
                foreign_key,
            } => Operation::RenameForeignKey {
                table: table.clone(),
                column: column.clone(),
                from: to.clone(),
                to: from.clone(),
                foreign_key: foreign_key.clone(),
            },
            Operation::CreateTable(m) => Operation::DropTable(m.clone()),
            Operation::DropTable(m) => Operation::CreateTable(m.clone()),
            Operation::DropTriggers(m) => Operation::CreateTriggers(m.clone()),
            Operation::CreateTriggers(m) => Operation::DropTriggers(m.clone()),
            Operation::AlterTable(a) => Operation::AlterTable(Box::new(AlterTable {
                before: a.after.clone(),
                after: a.before.clone(),
                changes: a.changes.iter().rev().map(Change::inverse).collect(),
            })),
        }
    }

    /// One line saying what the operation does, for messages and SQL comments.
    pub fn describe(&self) -> Vec<String> {
        match self {
            Operation::RenameContentType {
                app_label,
                from,
                to,
            } => vec![format!(
                "rename content type {app_label}.{from} to {app_label}.{to}"
            )],
            Operation::RenameTable { from, to, .. } => {
                vec![format!("rename table {from} to {to}")]
            }
            Operation::RenameColumn { table, from, to } => {
                vec![format!("rename column {table}.{from} to {to}")]
            }
            Operation::RenameIndex { from, to, .. } => {
                vec![format!("rename index {} to {}", from.name, to.name)]
            }
            Operation::RenameForeignKey { from, to, .. } => {
                vec![format!("rename foreign key {from} to {to}")]
            }
            Operation::CreateTable(m) => vec![format!("create table {}", m.table.name)],
            Operation::DropTable(m) if m.table.name == content_type::TABLE => {
                vec![format!("keep table {} (it may be shared)", m.table.name)]
            }
            Operation::DropTable(m) => vec![format!("drop table {}", m.table.name)],
            Operation::DropTriggers(_) => {
                vec!["drop the generic foreign key triggers (database integrity)".into()]
            }
            Operation::CreateTriggers(m) => vec![format!(
                "create the generic foreign key triggers (database integrity) of {}",
                super::triggers::enforced_labels(m)
            )],
            Operation::AlterTable(a) => {
                let t = &a.after.table.name;
                a.changes
                    .iter()
                    .map(|c| match c {
                        Change::AddColumn(c) => format!("add column {t}.{}", c.name),
                        Change::DropColumn(c) => format!("drop column {t}.{}", c.name),
                        Change::AlterColumn { from, to } => {
                            let mut what = Vec::new();
                            if from.sql_type != to.sql_type {
                                what.push(format!(
                                    "type {} → {}",
                                    from.sql_type.name(),
                                    to.sql_type.name()
                                ));
                            }
                            if from.nullable != to.nullable {
                                what.push(
                                    if to.nullable { "nullable" } else { "not null" }.to_string(),
                                );
                            }
                            if from.default != to.default {
                                what.push("default".to_string());
                            }
                            format!("alter column {t}.{} ({})", to.name, what.join(", "))
                        }
                        Change::AddForeignKey {
                            column,
                            foreign_key,
                        } => format!(
                            "add foreign key {t}.{column} → {}.{} on delete {}",
                            foreign_key.table,
                            foreign_key.column,
                            foreign_key.on_delete.name()
                        ),
                        Change::DropForeignKey { column, .. } => {
                            format!("drop foreign key {t}.{column}")
                        }
                        Change::CreateIndex(i) => format!(
                            "create {}index {} on {t} ({})",
                            if i.unique { "unique " } else { "" },
                            i.name,
                            i.columns.join(", ")
                        ),
                        Change::DropIndex(i) => format!("drop index {}", i.name),
                    })
                    .collect()
            }
        }
    }
}

impl Plan {
    /// Whether the plan does nothing.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// The plan that undoes this one: each operation's inverse, in reverse order.
    pub fn inverse(&self) -> Plan {
        Plan {
            operations: self
                .operations
                .iter()
                .rev()
                .map(Operation::inverse)
                .collect(),
            notes: Vec::new(),
        }
    }

    /// What the plan does, one line per operation.
    pub fn summary(&self) -> Vec<String> {
        self.operations
            .iter()
            .flat_map(Operation::describe)
            .collect()
    }

    /// A short name for the migration folder (Django's style): `initial` for the first
    /// migration, else what it does (`article_subtitle`, `delete_note`,
    /// `rename_article_post`), or `auto` when that would be long.
    pub fn name(&self, initial: bool) -> String {
        if initial {
            return "initial".into();
        }
        let mut parts: Vec<String> = Vec::new();
        let mut push = |s: String| {
            if !parts.contains(&s) {
                parts.push(s);
            }
        };
        // A renamed model's table rename is named by its content type's rename.
        let model_renamed = self
            .operations
            .iter()
            .any(|op| matches!(op, Operation::RenameContentType { .. }));
        for op in &self.operations {
            match op {
                Operation::RenameContentType { from, to, .. } => {
                    push(format!("rename_{from}_{to}"));
                }
                Operation::RenameTable { from, to, .. } if !model_renamed => {
                    push(format!("rename_{from}_{to}"));
                }
                Operation::RenameTable { .. } => {}
                Operation::RenameColumn { table, from, to } => {
                    push(format!("rename_{}_{from}_{to}", short(table)))
                }
                Operation::RenameIndex { .. } | Operation::RenameForeignKey { .. } => {}
                Operation::CreateTable(m) => push(m.model_name.to_string()),
                Operation::DropTable(m) => push(format!("delete_{}", m.model_name)),
                // Named only when they are all the migration does.
                Operation::DropTriggers(_) | Operation::CreateTriggers(_) => {
                    let only = self.operations.iter().all(|op| {
                        matches!(
                            op,
                            Operation::DropTriggers(_) | Operation::CreateTriggers(_)
                        )
                    });
                    if only {
                        push("integrity".into());
                    }
                }
                Operation::AlterTable(a) => {
                    let model = a.after.model_name.to_string();
                    for c in &a.changes {
                        push(match c {
                            Change::AddColumn(c) => format!("{model}_{}", c.name),
                            Change::DropColumn(c) => format!("remove_{model}_{}", c.name),
                            Change::AlterColumn { to, .. } => format!("alter_{model}_{}", to.name),
                            Change::AddForeignKey { column, .. }
                            | Change::DropForeignKey { column, .. } => {
                                format!("alter_{model}_{column}")
                            }
                            Change::CreateIndex(i) if i.unique => format!("unique_{model}"),
                            Change::CreateIndex(_) => format!("index_{model}"),
                            Change::DropIndex(_) => format!("remove_index_{model}"),
                        });
                    }
                }
            }
        }
        let name: String = parts
            .join("_")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        if name.is_empty() || name.len() > 60 {
            "auto".into()
        } else {
            name
        }
    }
}

/// A table name without its app prefix, for migration names.
fn short(table: &str) -> &str {
    table.split_once('_').map(|(_, t)| t).unwrap_or(table)
}
