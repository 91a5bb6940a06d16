//! The state file: the models as the last generated migration left the database, recorded
//! beside the migrations (`migrations/contenttypes-state.json`) and committed with them.
//!
//! It holds what the DDL depends on (tables, columns, indexes, foreign keys, whether the
//! model is managed, the generic foreign keys the database enforces with triggers and the
//! generic relations that change their policy) and the folders generated so far. Names that only matter to Rust (type
//! and field names, generic relations) are left out, so renaming a Rust item without
//! touching the database changes nothing. Written with sorted keys and two-space
//! indentation, so the same state is always the same bytes.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use crate::ir::{
    ColumnDef, DefaultValue, ForeignKeyDef, GenericForeignKeyDef, GenericRelationDef, IndexDef,
    ModelDef, ModelKey, OnDelete, SqlType, TableDef,
};

/// The file name of the state, in the migrations directory.
pub const FILE_NAME: &str = "contenttypes-state.json";

/// The version of the state file's layout.
pub const FORMAT: u64 = 1;

/// The recorded state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// The folders generated so far (`<version>_<name>`), oldest first. Each exists once per
    /// dialect directory.
    pub migrations: Vec<String>,
    /// The models, normalized (see [`normalize`]) and sorted by natural key.
    pub models: Vec<ModelDef>,
}

/// Why a state file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateError(pub String);

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StateError {}

/// A model as the state records it: only what the DDL depends on. Declared renames are
/// dropped too: once a migration has applied them, they are history.
pub fn normalize(def: &ModelDef) -> ModelDef {
    let columns: Vec<ColumnDef> = def
        .table
        .columns
        .iter()
        .map(|c| ColumnDef {
            field: Cow::Borrowed(""),
            renamed_from: None,
            ..c.clone()
        })
        .collect();
    ModelDef {
        app_label: def.app_label.clone(),
        model_name: def.model_name.clone(),
        type_name: Cow::Borrowed(""),
        verbose_name: Cow::Borrowed(""),
        table: TableDef {
            name: def.table.name.clone(),
            columns: columns.into(),
            primary_key: def.table.primary_key.clone(),
            indexes: def.table.indexes.clone(),
        },
        managed: def.managed,
        renamed_from: None,
        generic_foreign_keys: def
            .generic_foreign_keys
            .iter()
            .filter(|g| g.db_constraint)
            .map(|g| GenericForeignKeyDef {
                name: g.fk_column.clone(),
                ..g.clone()
            })
            .collect::<Vec<_>>()
            .into(),
        generic_relations: Cow::Borrowed(&[]),
    }
}

/// The generic relations of `def` that the triggers depend on: those giving an `on_delete`
/// for a generic foreign key (of a model in `all`) the database enforces, with the Rust
/// names left out (the generic foreign key by its object-id column, as [`normalize`] names
/// it).
fn enforced_relations(def: &ModelDef, all: &[&ModelDef]) -> Vec<GenericRelationDef> {
    def.generic_relations
        .iter()
        .filter_map(|r| {
            let on_delete = r.on_delete?;
            let through = all.iter().find(|m| {
                (m.app_label.as_ref(), m.model_name.as_ref())
                    == (r.through_app_label.as_ref(), r.through_model.as_ref())
            })?;
            let gfk = through.generic_foreign_key(&r.gfk)?;
            gfk.db_constraint.then(|| GenericRelationDef {
                name: Cow::Borrowed(""),
                through_app_label: r.through_app_label.clone(),
                through_model: r.through_model.clone(),
                gfk: gfk.fk_column.clone(),
                related_query_name: None,
                on_delete: Some(on_delete),
            })
        })
        .collect()
}

/// Normalizes and sorts models by natural key, the order the state keeps.
pub fn normalize_all<'a>(models: impl IntoIterator<Item = &'a ModelDef>) -> Vec<ModelDef> {
    let all: Vec<&ModelDef> = models.into_iter().collect();
    let mut out: Vec<ModelDef> = all
        .iter()
        .map(|m| {
            let mut n = normalize(m);
            n.generic_relations = enforced_relations(m, &all).into();
            n
        })
        .collect();
    out.sort_by(|a, b| a.natural_key().cmp(&b.natural_key()));
    out
}

impl State {
    /// The model with this natural key.
    pub fn model(&self, app_label: &str, model: &str) -> Option<&ModelDef> {
        self.models
            .iter()
            .find(|m| m.app_label == app_label && m.model_name == model)
    }

    /// The state as the bytes of its file.
    pub fn to_json(&self) -> String {
        let mut root = Map::new();
        root.insert("format".into(), Value::from(FORMAT));
        root.insert(
            "migrations".into(),
            Value::Array(
                self.migrations
                    .iter()
                    .map(|m| Value::from(m.as_str()))
                    .collect(),
            ),
        );
        root.insert(
            "models".into(),
            Value::Array(self.models.iter().map(model_to_json).collect()),
        );
        let mut out = String::new();
        write_pretty(&Value::Object(root), 0, &mut out);
        out.push('\n');
        out
    }

    /// Reads a state file's contents.
    pub fn from_json(text: &str) -> Result<State, StateError> {
        let root: Value =
            serde_json::from_str(text).map_err(|e| StateError(format!("not valid JSON: {e}")))?;
        let root = obj(&root, "the state")?;
        let format = root
            .get("format")
            .and_then(Value::as_u64)
            .ok_or_else(|| StateError("missing `format`".into()))?;
        if format != FORMAT {
            return Err(StateError(format!(
                "format {format} is not supported by this version of contenttypes (it writes format {FORMAT})"
            )));
        }
        let migrations = array(root, "migrations")?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| StateError("`migrations` must list strings".into()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let models = array(root, "models")?
            .iter()
            .map(model_from_json)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(State { migrations, models })
    }
}

fn model_to_json(m: &ModelDef) -> Value {
    let mut o = Map::new();
    o.insert("app_label".into(), Value::from(m.app_label.as_ref()));
    o.insert("model".into(), Value::from(m.model_name.as_ref()));
    o.insert("managed".into(), Value::from(m.managed));
    o.insert("table".into(), Value::from(m.table.name.as_ref()));
    o.insert(
        "primary_key".into(),
        Value::from(m.table.primary_key.as_ref()),
    );
    o.insert(
        "columns".into(),
        Value::Array(m.table.columns.iter().map(column_to_json).collect()),
    );
    o.insert(
        "indexes".into(),
        Value::Array(m.table.indexes.iter().map(index_to_json).collect()),
    );
    // Only when there are any, so that states without them keep their bytes.
    if !m.generic_foreign_keys.is_empty() {
        o.insert(
            "generic_foreign_keys".into(),
            Value::Array(
                m.generic_foreign_keys
                    .iter()
                    .map(|g| {
                        let mut o = Map::new();
                        o.insert("ct_column".into(), Value::from(g.ct_column.as_ref()));
                        o.insert("fk_column".into(), Value::from(g.fk_column.as_ref()));
                        o.insert("on_delete".into(), Value::from(g.on_delete.name()));
                        o.insert("db_constraint".into(), Value::from(g.db_constraint));
                        if !g.targets.is_empty() {
                            o.insert(
                                "targets".into(),
                                Value::Array(
                                    g.targets
                                        .iter()
                                        .map(|t| {
                                            Value::from(format!("{}.{}", t.app_label, t.model))
                                        })
                                        .collect(),
                                ),
                            );
                        }
                        Value::Object(o)
                    })
                    .collect(),
            ),
        );
    }
    if !m.generic_relations.is_empty() {
        o.insert(
            "generic_relations".into(),
            Value::Array(
                m.generic_relations
                    .iter()
                    .map(|r| {
                        let mut o = Map::new();
                        o.insert(
                            "app_label".into(),
                            Value::from(r.through_app_label.as_ref()),
                        );
                        o.insert("model".into(), Value::from(r.through_model.as_ref()));
                        o.insert("fk_column".into(), Value::from(r.gfk.as_ref()));
                        o.insert(
                            "on_delete".into(),
                            Value::from(r.on_delete.unwrap_or(OnDelete::Cascade).name()),
                        );
                        Value::Object(o)
                    })
                    .collect(),
            ),
        );
    }
    Value::Object(o)
}

fn on_delete_from(o: &Map<String, Value>) -> Result<OnDelete, StateError> {
    let name = string(o, "on_delete")?;
    OnDelete::from_name(&name).ok_or_else(|| StateError(format!("unknown `on_delete` `{name}`")))
}

/// An optional array of objects (absent: empty).
fn optional_objects<'a>(
    o: &'a Map<String, Value>,
    key: &str,
) -> Result<Vec<&'a Map<String, Value>>, StateError> {
    match o.get(key) {
        None => Ok(Vec::new()),
        Some(_) => array(o, key)?.iter().map(|v| obj(v, key)).collect(),
    }
}

fn column_to_json(c: &ColumnDef) -> Value {
    let mut o = Map::new();
    o.insert("name".into(), Value::from(c.name.as_ref()));
    o.insert("type".into(), Value::from(c.sql_type.name()));
    // Optional keys are written only when set, so older state files keep their bytes.
    if let Some(db_type) = &c.db_type {
        o.insert("db_type".into(), Value::from(db_type.as_ref()));
    }
    if let Some(name) = &c.index_name {
        o.insert("index_name".into(), Value::from(name.as_ref()));
    }
    o.insert("nullable".into(), Value::from(c.nullable));
    o.insert("primary_key".into(), Value::from(c.primary_key));
    o.insert("auto_increment".into(), Value::from(c.auto_increment));
    o.insert("unique".into(), Value::from(c.unique));
    o.insert("indexed".into(), Value::from(c.indexed));
    o.insert(
        "default".into(),
        match &c.default {
            None => Value::Null,
            Some(d) => {
                let mut o = Map::new();
                match d {
                    DefaultValue::Bool(b) => o.insert("bool".into(), Value::from(*b)),
                    DefaultValue::Number(n) => o.insert("number".into(), Value::from(n.as_ref())),
                    DefaultValue::Text(t) => o.insert("text".into(), Value::from(t.as_ref())),
                };
                Value::Object(o)
            }
        },
    );
    o.insert(
        "foreign_key".into(),
        match &c.foreign_key {
            None => Value::Null,
            Some(fk) => {
                let mut o = Map::new();
                o.insert("table".into(), Value::from(fk.table.as_ref()));
                o.insert("column".into(), Value::from(fk.column.as_ref()));
                o.insert("on_delete".into(), Value::from(fk.on_delete.name()));
                if let Some(name) = &fk.name {
                    o.insert("name".into(), Value::from(name.as_ref()));
                }
                Value::Object(o)
            }
        },
    );
    Value::Object(o)
}

fn index_to_json(i: &IndexDef) -> Value {
    let mut o = Map::new();
    o.insert("name".into(), Value::from(i.name.as_ref()));
    o.insert(
        "columns".into(),
        Value::Array(i.columns.iter().map(|c| Value::from(c.as_ref())).collect()),
    );
    o.insert("unique".into(), Value::from(i.unique));
    Value::Object(o)
}

fn obj<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, StateError> {
    v.as_object()
        .ok_or_else(|| StateError(format!("{what} must be an object")))
}

fn array<'a>(o: &'a Map<String, Value>, key: &str) -> Result<&'a Vec<Value>, StateError> {
    o.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| StateError(format!("missing list `{key}`")))
}

fn string(o: &Map<String, Value>, key: &str) -> Result<Cow<'static, str>, StateError> {
    o.get(key)
        .and_then(Value::as_str)
        .map(|s| Cow::Owned(s.to_string()))
        .ok_or_else(|| StateError(format!("missing string `{key}`")))
}

/// A string that may be missing (or `null`).
fn optional_string(
    o: &Map<String, Value>,
    key: &str,
) -> Result<Option<Cow<'static, str>>, StateError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => string(o, key).map(Some),
    }
}

fn boolean(o: &Map<String, Value>, key: &str) -> Result<bool, StateError> {
    o.get(key)
        .and_then(Value::as_bool)
        .ok_or_else(|| StateError(format!("missing boolean `{key}`")))
}

fn model_from_json(v: &Value) -> Result<ModelDef, StateError> {
    let o = obj(v, "a model")?;
    let columns = array(o, "columns")?
        .iter()
        .map(column_from_json)
        .collect::<Result<Vec<_>, _>>()?;
    let indexes = array(o, "indexes")?
        .iter()
        .map(index_from_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ModelDef {
        app_label: string(o, "app_label")?,
        model_name: string(o, "model")?,
        type_name: Cow::Borrowed(""),
        verbose_name: Cow::Borrowed(""),
        table: TableDef {
            name: string(o, "table")?,
            columns: columns.into(),
            primary_key: string(o, "primary_key")?,
            indexes: indexes.into(),
        },
        managed: boolean(o, "managed")?,
        renamed_from: None,
        generic_foreign_keys: optional_objects(o, "generic_foreign_keys")?
            .into_iter()
            .map(|g| {
                let fk_column = string(g, "fk_column")?;
                Ok(GenericForeignKeyDef {
                    name: fk_column.clone(),
                    ct_column: string(g, "ct_column")?,
                    fk_column,
                    on_delete: on_delete_from(g)?,
                    targets: match g.get("targets") {
                        None => Vec::new(),
                        Some(_) => array(g, "targets")?
                            .iter()
                            .map(|t| {
                                let label = t.as_str().unwrap_or_default();
                                let (app_label, model) =
                                    label.split_once('.').ok_or_else(|| {
                                        StateError(format!(
                                            "a target is `app_label.model`, not `{label}`"
                                        ))
                                    })?;
                                Ok(ModelKey {
                                    app_label: app_label.to_string().into(),
                                    model: model.to_string().into(),
                                })
                            })
                            .collect::<Result<Vec<_>, StateError>>()?,
                    }
                    .into(),
                    db_constraint: boolean(g, "db_constraint")?,
                })
            })
            .collect::<Result<Vec<_>, StateError>>()?
            .into(),
        generic_relations: optional_objects(o, "generic_relations")?
            .into_iter()
            .map(|r| {
                Ok(GenericRelationDef {
                    name: Cow::Borrowed(""),
                    through_app_label: string(r, "app_label")?,
                    through_model: string(r, "model")?,
                    gfk: string(r, "fk_column")?,
                    related_query_name: None,
                    on_delete: Some(on_delete_from(r)?),
                })
            })
            .collect::<Result<Vec<_>, StateError>>()?
            .into(),
    })
}

fn column_from_json(v: &Value) -> Result<ColumnDef, StateError> {
    let o = obj(v, "a column")?;
    let type_name = string(o, "type")?;
    let sql_type = SqlType::from_name(&type_name)
        .ok_or_else(|| StateError(format!("unknown column type `{type_name}`")))?;
    let default = match o.get("default") {
        None | Some(Value::Null) => None,
        Some(d) => {
            let d = obj(d, "a default")?;
            if let Some(b) = d.get("bool").and_then(Value::as_bool) {
                Some(DefaultValue::Bool(b))
            } else if d.contains_key("number") {
                Some(DefaultValue::Number(string(d, "number")?))
            } else if d.contains_key("text") {
                Some(DefaultValue::Text(string(d, "text")?))
            } else {
                return Err(StateError(
                    "a default must be `bool`, `number` or `text`".into(),
                ));
            }
        }
    };
    let foreign_key = match o.get("foreign_key") {
        None | Some(Value::Null) => None,
        Some(fk) => {
            let fk = obj(fk, "a foreign key")?;
            let on_delete = string(fk, "on_delete")?;
            Some(ForeignKeyDef {
                table: string(fk, "table")?,
                column: string(fk, "column")?,
                on_delete: OnDelete::from_name(&on_delete)
                    .ok_or_else(|| StateError(format!("unknown `on_delete` `{on_delete}`")))?,
                name: optional_string(fk, "name")?,
            })
        }
    };
    Ok(ColumnDef {
        name: string(o, "name")?,
        field: Cow::Borrowed(""),
        sql_type,
        nullable: boolean(o, "nullable")?,
        primary_key: boolean(o, "primary_key")?,
        auto_increment: boolean(o, "auto_increment")?,
        unique: boolean(o, "unique")?,
        indexed: boolean(o, "indexed")?,
        default,
        foreign_key,
        renamed_from: None,
        db_type: optional_string(o, "db_type")?,
        index_name: optional_string(o, "index_name")?,
    })
}

fn index_from_json(v: &Value) -> Result<IndexDef, StateError> {
    let o = obj(v, "an index")?;
    let columns = array(o, "columns")?
        .iter()
        .map(|c| {
            c.as_str()
                .map(|s| Cow::Owned(s.to_string()))
                .ok_or_else(|| StateError("index columns must be strings".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(IndexDef {
        name: string(o, "name")?,
        columns: columns.into(),
        unique: boolean(o, "unique")?,
    })
}

/// Pretty-prints with sorted keys, whatever map `serde_json` was built with. Short arrays
/// of scalars (index columns) stay on one line.
fn write_pretty(v: &Value, indent: usize, out: &mut String) {
    let pad = |n: usize| "  ".repeat(n);
    match v {
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                out.push_str(&Value::from(k.as_str()).to_string());
                out.push_str(": ");
                write_pretty(&map[k.as_str()], indent + 1, out);
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            if items.iter().all(|i| !i.is_object() && !i.is_array()) && indent > 1 {
                let parts: Vec<String> = items.iter().map(Value::to_string).collect();
                out.push('[');
                out.push_str(&parts.join(", "));
                out.push(']');
                return;
            }
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write_pretty(item, indent + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        scalar => out.push_str(&scalar.to_string()),
    }
}
