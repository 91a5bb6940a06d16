//! Lowers a parsed [`ModelSpec`] to the IR ([`ModelDef`]). The derive and the build helper
//! both call [`to_ir`], so the `const` a model carries at run time and the state the
//! migrations are planned from cannot disagree.
//!
//! What lowering adds on its own, beyond what the user wrote:
//! - every generic foreign key's content-type column becomes a foreign key to
//!   `django_content_type(id)` (ON DELETE CASCADE, or the field's `on_delete`);
//! - every generic foreign key gets the composite `(content_type_id, object_id)` index,
//!   unless a declared index or unique constraint already starts with those two columns;
//! - every foreign key column is indexed, unless it is unique or leads another index.

use std::borrow::Cow;

use syn::Path;

use super::ast::*;
use crate::content_type;
use crate::ir::*;
use crate::names;

/// What lowering needs to know about other models.
pub trait Resolver {
    /// The `(table, primary key column)` of the model a foreign key points at.
    fn foreign_key_target(&self, target: &Path) -> Option<(String, String)>;
    /// The natural key `(app_label, model)` of a relation's through model, and the name of
    /// its generic foreign key when it has exactly one.
    fn through_model(&self, through: &Path) -> Option<ThroughModel>;
}

/// What a generic relation needs to know about its through model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThroughModel {
    pub app_label: String,
    pub model: String,
    /// The through model's only generic foreign key, if it has exactly one.
    pub sole_gfk: Option<String>,
}

/// A reference that could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unresolved {
    ForeignKey {
        field: String,
        target: String,
    },
    Through {
        field: String,
        through: String,
    },
    /// The through model has zero or several generic foreign keys and the relation does not
    /// name one.
    AmbiguousGfk {
        field: String,
        through: String,
    },
}

impl std::fmt::Display for Unresolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unresolved::ForeignKey { field, target } => {
                write!(f, "field `{field}`: `{target}` is not a model the build helper found")
            }
            Unresolved::Through { field, through } => {
                write!(f, "generic relation `{field}`: `{through}` is not a model the build helper found")
            }
            Unresolved::AmbiguousGfk { field, through } => write!(
                f,
                "generic relation `{field}`: `{through}` does not have exactly one generic foreign key; name it with `gfk = ...`"
            ),
        }
    }
}

/// Lowers a model. References to other models go through `resolver`; an unresolved one is
/// reported and left empty in the def.
pub fn to_ir(spec: &ModelSpec, resolver: &dyn Resolver) -> (ModelDef, Vec<Unresolved>) {
    let mut unresolved = Vec::new();
    let table = spec.table_name.value.clone();

    let ct_columns: Vec<String> = spec
        .generic_foreign_keys()
        .filter_map(|(_, g)| {
            spec.column_field(&g.ct_field)
                .map(|(_, c)| c.column.value.clone())
        })
        .collect();

    let mut columns: Vec<ColumnDef> = spec
        .columns()
        .map(|(field, c)| {
            let foreign_key = if ct_columns.contains(&c.column.value) {
                Some(ForeignKeyDef {
                    table: Cow::Borrowed(content_type::TABLE),
                    column: Cow::Borrowed("id"),
                    // Django's models write `on_delete=models.CASCADE`, nullable or not.
                    on_delete: c
                        .on_delete
                        .as_ref()
                        .map(|o| o.value)
                        .unwrap_or(OnDelete::Cascade),
                    name: given_name(&c.foreign_key_name),
                })
            } else {
                c.foreign_key.as_ref().map(|fk| {
                    let (table, column) =
                        resolver.foreign_key_target(&fk.target).unwrap_or_else(|| {
                            unresolved.push(Unresolved::ForeignKey {
                                field: field_name(&field.ident),
                                target: path_string(&fk.target),
                            });
                            (String::new(), String::new())
                        });
                    ForeignKeyDef {
                        table: table.into(),
                        column: column.into(),
                        on_delete: fk.on_delete,
                        name: given_name(&c.foreign_key_name),
                    }
                })
            };
            ColumnDef {
                name: c.column.value.clone().into(),
                field: field_name(&field.ident).into(),
                sql_type: c.base.sql_type(c.max_length, c.decimal),
                nullable: c.nullable,
                primary_key: c.primary_key,
                auto_increment: c.auto_increment,
                unique: c.unique,
                indexed: c.index,
                default: c.default.clone(),
                foreign_key,
                renamed_from: c.renamed_from.clone().map(Into::into),
                db_type: c.db_type.clone().map(Into::into),
                index_name: given_name(&c.index_name),
            }
        })
        .collect();

    let column_of = |ident: &syn::Ident| -> String {
        spec.column_field(ident)
            .map(|(_, c)| c.column.value.clone())
            .unwrap_or_else(|| ident.to_string())
    };

    let mut indexes: Vec<IndexDef> = Vec::new();
    for list in &spec.unique_together {
        let cols: Vec<String> = list.fields.iter().map(column_of).collect();
        indexes.push(index(&table, cols, true, &list.name));
    }
    for list in &spec.index_together {
        let cols: Vec<String> = list.fields.iter().map(column_of).collect();
        indexes.push(index(&table, cols, false, &list.name));
    }

    let mut generic_foreign_keys = Vec::new();
    for (field, g) in spec.generic_foreign_keys() {
        let ct = column_of(&g.ct_field);
        let oid = column_of(&g.fk_field);
        if gfk_covering_index(spec, g).is_none() {
            indexes.push(index(
                &table,
                vec![ct.clone(), oid.clone()],
                false,
                &g.index_name,
            ));
        }
        generic_foreign_keys.push(GenericForeignKeyDef {
            name: field_name(&field.ident).into(),
            ct_column: ct.into(),
            fk_column: oid.into(),
            on_delete: g
                .on_delete
                .as_ref()
                .map_or(crate::ir::OnDelete::Cascade, |o| o.value),
            targets: targets_of(g, resolver),
            db_constraint: g.db_constraint.is_some(),
        });
    }

    // Foreign key columns are indexed (cascades and joins scan them), unless something
    // already serves lookups by that column.
    for column in columns.iter_mut() {
        if column.foreign_key.is_some() && !column.primary_key && !column.unique && !column.indexed
        {
            let leads = indexes
                .iter()
                .any(|i| i.columns.first().is_some_and(|c| *c == column.name));
            column.indexed = !leads;
        }
    }

    let mut generic_relations = Vec::new();
    for (field, r) in spec.generic_relations() {
        let name = field_name(&field.ident);
        let through = resolver.through_model(&r.through);
        let (app_label, model, sole) = match through {
            Some(t) => (t.app_label, t.model, t.sole_gfk),
            None => {
                unresolved.push(Unresolved::Through {
                    field: name.clone(),
                    through: path_string(&r.through),
                });
                (String::new(), String::new(), None)
            }
        };
        let gfk = match (&r.gfk, sole) {
            (Some(g), _) => g.to_string(),
            (None, Some(g)) => g,
            (None, None) => {
                if !app_label.is_empty() {
                    unresolved.push(Unresolved::AmbiguousGfk {
                        field: name.clone(),
                        through: path_string(&r.through),
                    });
                }
                String::new()
            }
        };
        generic_relations.push(GenericRelationDef {
            name: name.into(),
            through_app_label: app_label.into(),
            through_model: model.into(),
            gfk: gfk.into(),
            related_query_name: r
                .related_query_name
                .as_ref()
                .map(|n| n.value.clone().into()),
            on_delete: r.on_delete.as_ref().map(|o| o.value),
        });
    }

    let primary_key = spec
        .primary_key()
        .map(|(_, c)| c.column.value.clone())
        .unwrap_or_default();
    let def = ModelDef {
        app_label: spec.app_label.value.clone().into(),
        model_name: spec.model_name.value.clone().into(),
        type_name: spec.ident.to_string().into(),
        verbose_name: spec.verbose_name.clone().into(),
        table: TableDef {
            name: table.into(),
            columns: columns.into(),
            primary_key: primary_key.into(),
            indexes: indexes.into(),
        },
        managed: spec.managed,
        renamed_from: spec.renamed_from.as_ref().map(|r| r.value.clone().into()),
        generic_foreign_keys: generic_foreign_keys.into(),
        generic_relations: generic_relations.into(),
    };
    (def, unresolved)
}

/// The declared index or unique constraint that serves a generic foreign key's lookups (its
/// first two fields are the content type and the object id): it stands in for the index the
/// framework adds otherwise.
pub fn gfk_covering_index<'a>(spec: &'a ModelSpec, gfk: &GfkSpec) -> Option<&'a Together> {
    let (ct, oid) = (field_name(&gfk.ct_field), field_name(&gfk.fk_field));
    spec.unique_together
        .iter()
        .chain(&spec.index_together)
        .find(|t| {
            t.fields.len() >= 2 && field_name(&t.fields[0]) == ct && field_name(&t.fields[1]) == oid
        })
}

fn given_name(name: &Option<Spanned<String>>) -> Option<Str> {
    name.as_ref().map(|n| n.value.clone().into())
}

/// An index with its given name, or the generated one.
fn index(
    table: &str,
    columns: Vec<String>,
    unique: bool,
    name: &Option<Spanned<String>>,
) -> IndexDef {
    let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    let generated = || names::index_name(table, &refs, if unique { "uniq" } else { "idx" });
    IndexDef {
        name: name
            .as_ref()
            .map(|n| n.value.clone())
            .unwrap_or_else(generated)
            .into(),
        columns: columns
            .into_iter()
            .map(Cow::Owned)
            .collect::<Vec<_>>()
            .into(),
        unique,
    }
}

/// `a::b::C` as written.
pub fn path_string(path: &Path) -> String {
    let mut out = String::new();
    if path.leading_colon.is_some() {
        out.push_str("::");
    }
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    out.push_str(&segments.join("::"));
    out
}

/// The natural keys of a generic foreign key's declared targets; none (any model) when one
/// of them cannot be resolved here (the derive writes them from the types themselves).
fn targets_of(g: &GfkSpec, resolver: &dyn Resolver) -> crate::ir::List<crate::ir::ModelKey> {
    let keys: Option<Vec<crate::ir::ModelKey>> = g
        .target_paths()
        .iter()
        .map(|path| {
            let t = resolver.through_model(path)?;
            (!t.app_label.is_empty()).then(|| crate::ir::ModelKey {
                app_label: t.app_label.into(),
                model: t.model.into(),
            })
        })
        .collect();
    keys.unwrap_or_default().into()
}
