//! Django's system checks for registered models.
//!
//! Most of Django's contenttypes checks are compile errors here (a generic foreign key
//! without its columns, a relation to a type that is not a model, a bad field name). What
//! remains can only be seen with every model at hand: duplicate names, relations to models
//! that were not linked, clashing reverse names, and defs built by hand. Message ids are
//! Django's where Django has the check (`contenttypes.E001`…), and `contenttypes.E1xx` for
//! the ones it lacks.

use std::collections::HashMap;
use std::fmt;

use crate::ir::ModelDef;
use crate::keys::object_id_can_hold;
use crate::names;
use crate::registry::{Registration, Registry};

/// One problem found by a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckMessage {
    /// Django's id where Django has the check (`contenttypes.E005`), ours otherwise.
    pub id: &'static str,
    /// The model the problem is on (`app_label.model`).
    pub model: String,
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl fmt::Display for CheckMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ({}) {}", self.model, self.id, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n\tHINT: {hint}")?;
        }
        Ok(())
    }
}

/// Runs every check over every model registered through `inventory`, including the
/// problems that stop [`Registry::global`] from being built (two types with one natural key).
pub fn check_registrations() -> Vec<CheckMessage> {
    let mut sorted: Vec<&'static Registration> = Registry::submitted().collect();
    sorted.sort_by(|a, b| {
        a.def
            .label()
            .cmp(&b.def.label())
            .then((a.type_path)().cmp((b.type_path)()))
    });
    sorted.dedup_by(|a, b| std::ptr::eq(*a, *b));
    let mut out = Vec::new();
    let mut seen: HashMap<(&str, &str), &Registration> = HashMap::new();
    for reg in &sorted {
        let key = (reg.def.app_label.as_ref(), reg.def.model_name.as_ref());
        if let Some(first) = seen.insert(key, reg) {
            out.push(CheckMessage {
                id: "contenttypes.E101",
                model: reg.def.label(),
                message: format!(
                    "`{}` and `{}` are both registered as `{}`",
                    (first.type_path)(),
                    (reg.type_path)(),
                    reg.def.label()
                ),
                hint: Some("give one of them another `app_label` or `model_name`".into()),
            });
        }
    }
    out.extend(check_models(sorted.iter().map(|r| r.def)));
    out
}

/// An index or constraint name two models share: the second would fail to be created
/// (PostgreSQL and SQLite keep index names per schema, MySQL foreign key names per database).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameClash {
    pub name: String,
    /// The labels (`app_label.model`) of the two models.
    pub first: String,
    pub second: String,
}

/// The index and constraint names that managed models share (compared without case, as
/// SQLite and MySQL do).
pub fn name_clashes<'a>(models: impl IntoIterator<Item = &'a ModelDef>) -> Vec<NameClash> {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for model in models.into_iter().filter(|m| m.managed) {
        let label = model.label();
        let mut own: Vec<String> = crate::ddl::index_and_constraint_names(model)
            .into_iter()
            .map(|(name, _)| name.to_ascii_lowercase())
            .collect();
        // A model's own duplicates are the derive's to report.
        own.sort();
        own.dedup();
        for name in own {
            match seen.get(&name) {
                Some(first) => out.push(NameClash {
                    name,
                    first: first.clone(),
                    second: label.clone(),
                }),
                None => {
                    seen.insert(name, label.clone());
                }
            }
        }
    }
    out
}

/// Runs every check over these models.
pub fn check_models<'a>(models: impl IntoIterator<Item = &'a ModelDef>) -> Vec<CheckMessage> {
    let models: Vec<&ModelDef> = models.into_iter().collect();
    let by_key: HashMap<(&str, &str), &ModelDef> = models
        .iter()
        .map(|m| ((m.app_label.as_ref(), m.model_name.as_ref()), *m))
        .collect();
    let mut out: Vec<CheckMessage> = name_clashes(models.iter().copied())
        .into_iter()
        .map(|clash| CheckMessage {
            id: "models.E030",
            model: clash.second.clone(),
            message: format!(
                "index name '{}' is not unique among models: {}, {}.",
                clash.name, clash.first, clash.second
            ),
            hint: Some("give one of them another name (`name = \"...\"`, `index_name`, `foreign_key_name`)".into()),
        })
        .collect();
    let mut tables: HashMap<&str, &ModelDef> = HashMap::new();
    // (through model, related_query_name) → the relation that claimed it.
    let mut reverse_names: HashMap<(String, String), String> = HashMap::new();

    for model in &models {
        let label = model.label();
        let mut push = |id: &'static str, message: String, hint: Option<String>| {
            out.push(CheckMessage {
                id,
                model: label.clone(),
                message,
                hint,
            })
        };

        if let Err(e) = names::check_content_type_name(&model.model_name) {
            push(
                "contenttypes.E005",
                format!("model name `{}`: {e}", model.model_name),
                None,
            );
        }
        if let Err(e) = names::check_content_type_name(&model.app_label) {
            push(
                "contenttypes.E102",
                format!("app label `{}`: {e}", model.app_label),
                None,
            );
        }
        if model.primary_key().is_none() {
            push(
                "contenttypes.E103",
                format!(
                    "the primary key column `{}` does not exist",
                    model.table.primary_key
                ),
                Some("mark one field with `#[model(primary_key)]`".into()),
            );
        }
        if let Some(other) = tables.insert(model.table.name.as_ref(), model) {
            push(
                "models.E028",
                format!(
                    "db_table `{}` is used by multiple models: {}, {}",
                    model.table.name,
                    other.label(),
                    label
                ),
                None,
            );
        }
        for column in model.table.columns.iter() {
            if let Err(e) = names::check_field_name(&column.field) {
                let id = match e {
                    names::NameError::TrailingUnderscore => "fields.E001",
                    names::NameError::DoubleUnderscore => "fields.E002",
                    _ => "fields.E003",
                };
                push(id, format!("field `{}`: {e}", column.field), None);
            }
        }

        for gfk in model.generic_foreign_keys.iter() {
            use crate::generic_foreign_key::{problems, GfkColumn, Stage};
            let view = |name: &str| {
                model.column(name).map(|c| GfkColumn {
                    sql_type: c.sql_type,
                    nullable: c.nullable,
                    primary_key: c.primary_key,
                    references: c.foreign_key.as_ref().map(|fk| fk.table.as_ref()),
                })
            };
            let (ct, oid) = (gfk.ct_column.as_ref(), gfk.fk_column.as_ref());
            for problem in problems(Stage::Lowered, view(ct), view(oid)) {
                let hint = matches!(
                    problem,
                    crate::generic_foreign_key::GfkProblem::ContentTypeNotForeignKey
                        | crate::generic_foreign_key::GfkProblem::ContentTypeForeignKeyElsewhere
                )
                .then(|| problem.hint(ct, oid));
                push(
                    problem.id(),
                    problem.message(&model.type_name, ct, oid),
                    hint,
                );
            }
            if gfk.db_constraint && !model.managed {
                push(
                    "contenttypes.W101",
                    format!(
                        "the generic foreign key `{}` is `db_constraint`, but the model is not managed: \
                         no trigger is created for it",
                        gfk.name
                    ),
                    Some("create the triggers in the program that owns the table, or drop `db_constraint`".into()),
                );
            }
        }

        for rel in model.generic_relations.iter() {
            if let Err(e) = names::check_field_name(&rel.name) {
                push(
                    "fields.E001",
                    format!("generic relation `{}`: {e}", rel.name),
                    None,
                );
            }
            let through_label = format!("{}.{}", rel.through_app_label, rel.through_model);
            let Some(through) =
                by_key.get(&(rel.through_app_label.as_ref(), rel.through_model.as_ref()))
            else {
                push(
                    "fields.E300",
                    format!(
                        "Field defines a relation with model '{through_label}', which is either not installed, or is abstract."
                    ),
                    Some("make sure the crate that defines it is linked (`use that_crate as _;`)".into()),
                );
                continue;
            };
            let Some(gfk) = through.generic_foreign_key(&rel.gfk) else {
                push(
                    "contenttypes.E004",
                    format!(
                        "The GenericRelation defines a relation with the model '{through_label}', but that model does not have a GenericForeignKey."
                    ),
                    None,
                );
                continue;
            };
            let nullable = |name: &str| through.column(name).is_some_and(|c| c.nullable);
            if rel.on_delete == Some(crate::ir::OnDelete::SetNull)
                && !(nullable(&gfk.ct_column) && nullable(&gfk.fk_column))
            {
                push(
                    "contenttypes.E111",
                    format!(
                        "the generic relation `{}` is `on_delete = set_null`, but the generic foreign key \
                         `{through_label}.{}` is not nullable",
                        rel.name, gfk.name
                    ),
                    Some(format!(
                        "make `{}` and `{}` both `Option`, or choose another `on_delete`",
                        gfk.ct_column, gfk.fk_column
                    )),
                );
            }
            if let (Some(oid), Some(pk)) = (through.column(&gfk.fk_column), model.primary_key()) {
                if !object_id_can_hold(oid.sql_type, pk.sql_type) {
                    push(
                        "contenttypes.E105",
                        format!(
                            "the object id column `{}.{}` ({}) cannot hold the primary key of `{}` ({})",
                            through.type_name,
                            oid.name,
                            oid.sql_type.name(),
                            model.type_name,
                            pk.sql_type.name()
                        ),
                        Some("use a text object id column to point at models with keys of any type".into()),
                    );
                }
            }
            if let Some(name) = &rel.related_query_name {
                if let Err(e) = names::check_lookup_name(name) {
                    let id = if matches!(e, names::NameError::DoubleUnderscore) {
                        "fields.E309"
                    } else {
                        "fields.E308"
                    };
                    push(id, format!("Reverse query name '{name}': {e}"), None);
                }
                let key = (through_label.clone(), name.to_string());
                let this = format!("{label}.{}", rel.name);
                if let Some(previous) = reverse_names.insert(key, this.clone()) {
                    push(
                        "fields.E303",
                        format!("Reverse query name '{name}' for '{this}' clashes with the one for '{previous}'."),
                        Some("give one of them another `related_query_name`".into()),
                    );
                }
                if through
                    .table
                    .columns
                    .iter()
                    .any(|c| c.field == name.as_ref())
                {
                    push(
                        "fields.E303",
                        format!("Reverse query name for '{this}' clashes with field name '{through_label}.{name}'."),
                        None,
                    );
                }
            }
        }
    }
    out
}
