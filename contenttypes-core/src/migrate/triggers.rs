//! The database-enforced generic foreign keys' triggers in a migration plan: when they are
//! dropped and created around the table operations, and how a migration names them.

use super::plan::Operation;
use crate::ddl::{self, Dialect};
use crate::ir::ModelDef;

/// The database-enforced generic foreign keys' triggers around the table operations: when
/// the triggers change, or a table changes while there are any (a table rebuilt on SQLite
/// loses its triggers, and a trigger body names other tables), all of the old ones are
/// dropped first and all of the new ones created last. Bodies are rendered from the models
/// per dialect, so one model set describes them on every backend.
pub(super) fn triggers_around(operations: &mut Vec<Operation>, old: &[ModelDef], new: &[ModelDef]) {
    let render = |models: &[ModelDef]| {
        let refs: Vec<&ModelDef> = models.iter().collect();
        Dialect::ALL
            .iter()
            .map(|d| ddl::integrity::triggers(*d, &refs))
            .collect::<Vec<_>>()
    };
    let (before, after) = (render(old), render(new));
    let any = |t: &[Vec<ddl::integrity::Trigger>]| t.iter().any(|d| !d.is_empty());
    if before == after && (operations.is_empty() || !any(&before)) {
        return;
    }
    if any(&before) {
        operations.insert(0, Operation::DropTriggers(old.to_vec()));
    }
    if any(&after) {
        operations.push(Operation::CreateTriggers(new.to_vec()));
    }
}

/// `table.object_id, ...`: the generic foreign keys the database enforces.
pub(super) fn enforced_labels(models: &[ModelDef]) -> String {
    let labels: Vec<String> = models
        .iter()
        .flat_map(|m| {
            m.generic_foreign_keys
                .iter()
                .filter(|g| g.db_constraint)
                .map(move |g| format!("{}.{}", m.table.name, g.fk_column))
        })
        .collect();
    labels.join(", ")
}
