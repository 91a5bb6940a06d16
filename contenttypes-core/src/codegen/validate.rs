//! Semantic checks on a parsed model: everything that can be wrong about a declaration as a
//! whole (Django's contenttypes.E001–E005 and fields.E001–E003, E308–E309, plus what MySQL
//! and the key rules need). Each error points at the user's token and says what to do.

use std::collections::HashMap;

use super::ast::*;
use super::ctxt::Ctxt;
use crate::names;

pub(crate) fn validate(spec: &ModelSpec, ctxt: &mut Ctxt) {
    check_names(spec, ctxt);
    check_primary_key(spec, ctxt);
    check_columns(spec, ctxt);
    check_together(spec, ctxt);
    check_generic_foreign_keys(spec, ctxt);
    check_generic_relations(spec, ctxt);
    check_custom_columns(spec, ctxt);
}

/// A column with `sql_type = ...` has no DDL the framework knows: a managed model must say
/// what to write (`db_type`). (Such a column cannot be a key: [`check_primary_key`].)
fn check_custom_columns(spec: &ModelSpec, ctxt: &mut Ctxt) {
    for (_, column) in spec.columns() {
        let Some(sql_type) = &column.sql_type else {
            continue;
        };
        if spec.managed && column.db_type.is_none() {
            ctxt.error_spanned_by(
                sql_type,
                "a column with `sql_type` in a managed model needs its DDL type too: \
                 add `db_type = \"...\"` (as in `CREATE TABLE`), or set `managed = false`",
            );
        }
    }
}

fn check_names(spec: &ModelSpec, ctxt: &mut Ctxt) {
    if let Err(e) = names::check_content_type_name(&spec.model_name.value) {
        let message = match e {
            names::NameError::TooLong { max, got } => {
                format!("Model names must be at most {max} characters (got {got}).")
            }
            e => format!("invalid model name `{}`: {e}", spec.model_name.value),
        };
        ctxt.error_at(spec.model_name.span, message);
    }
    if let Err(e) = names::check_content_type_name(&spec.app_label.value) {
        ctxt.error_at(
            spec.app_label.span,
            format!("invalid app_label `{}`: {e}", spec.app_label.value),
        );
    }
    if !spec.table_name_given {
        // Django's default: valid whenever the app label and the model name are.
    } else if let Err(e) = names::check_sql_name(&spec.table_name.value) {
        ctxt.error_at(
            spec.table_name.span,
            format!(
                "invalid table name `{}`: {e}; set `table_name = \"...\"`",
                spec.table_name.value
            ),
        );
    }
    if let Some(r) = &spec.renamed_from {
        if let Err(e) = names::check_content_type_name(&r.value) {
            ctxt.error_at(r.span, format!("invalid model name `{}`: {e}", r.value));
        }
    }
}

fn check_primary_key(spec: &ModelSpec, ctxt: &mut Ctxt) {
    let keys: Vec<_> = spec.columns().filter(|(_, c)| c.primary_key).collect();
    match keys.as_slice() {
        [] => ctxt.error_spanned_by(
            &spec.ident,
            format!(
                "`{}` has no primary key; add a field `id: i64` or mark one field `#[model(primary_key)]`",
                spec.ident
            ),
        ),
        [(field, column)] => {
            if column.nullable {
                ctxt.error_spanned_by(&field.ty, "a primary key cannot be an `Option`");
            }
            if !column.base.is_key() {
                ctxt.error_spanned_by(
                    &field.ty,
                    format!("primary keys must be {}", crate::keys::KEY_TYPES),
                );
            }
        }
        [_, rest @ ..] => {
            for (field, _) in rest {
                ctxt.error_spanned_by(&field.ident, "a model has one primary key; composite keys are not supported");
            }
        }
    }
}

fn check_columns(spec: &ModelSpec, ctxt: &mut Ctxt) {
    let mut seen: HashMap<&str, ()> = HashMap::new();
    for (field, column) in spec.columns() {
        if let Err(e) = names::check_sql_name(&column.column.value) {
            ctxt.error_at(
                column.column.span,
                format!("invalid column name `{}`: {e}", column.column.value),
            );
        }
        if seen.insert(column.column.value.as_str(), ()).is_some() {
            ctxt.error_at(
                column.column.span,
                format!("two fields use the column `{}`", column.column.value),
            );
        }
        let keyed = column.primary_key || column.unique || column.index;
        if keyed && column.base == BaseType::String && column.max_length.is_none() {
            ctxt.error_spanned_by(
                &field.ident,
                "an indexed, unique or primary key `String` column needs `#[model(max_length = N)]` \
                 (MySQL cannot index unbounded text)",
            );
        }
        if column.primary_key && (column.unique || column.index) {
            ctxt.error_spanned_by(
                &field.ident,
                "a primary key is already unique and indexed; drop `unique`/`index`",
            );
        }
        if let Some(fk) = &column.foreign_key {
            if !column.base.is_key() {
                ctxt.error_spanned_by(
                    &fk.target,
                    format!(
                        "a foreign key column must hold a key: {}",
                        crate::keys::KEY_TYPES
                    ),
                );
            }
        }
    }
}

fn check_together(spec: &ModelSpec, ctxt: &mut Ctxt) {
    for list in spec
        .unique_together
        .iter()
        .chain(spec.index_together.iter())
    {
        let mut seen = Vec::new();
        for ident in list {
            match spec.column_field(ident) {
                None => ctxt.error_spanned_by(ident, format!("`{ident}` is not a column field of `{}`", spec.ident)),
                Some((_, c)) if c.base == BaseType::String && c.max_length.is_none() => ctxt.error_spanned_by(
                    ident,
                    format!("`{ident}` is an unbounded `String`; give it `max_length` to index it (MySQL cannot index unbounded text)"),
                ),
                Some(_) => {}
            }
            if seen.contains(&ident) {
                ctxt.error_spanned_by(ident, format!("`{ident}` is listed twice"));
            }
            seen.push(ident);
        }
    }
}

fn check_generic_foreign_keys(spec: &ModelSpec, ctxt: &mut Ctxt) {
    let mut used: HashMap<String, String> = HashMap::new();
    for (field, gfk) in spec.generic_foreign_keys() {
        let name = field_name(&field.ident);
        let ct = spec.column_field(&gfk.ct_field);
        let oid = spec.column_field(&gfk.fk_field);
        match ct {
            None => ctxt.error_spanned_by(
                &gfk.ct_field,
                format!(
                    "The GenericForeignKey content type references the nonexistent field '{}.{}'; \
                     add `{}: i32` or set `ct_field`",
                    spec.ident, gfk.ct_field, gfk.ct_field
                ),
            ),
            Some((f, c)) => {
                if c.base != BaseType::I32 {
                    ctxt.error_spanned_by(
                        &f.ty,
                        format!(
                            "'{}.{}' must be an `i32` (or `Option<i32>`): it is the foreign key to \
                             django_content_type.id",
                            spec.ident, gfk.ct_field
                        ),
                    );
                }
                if let Some(fk) = &c.foreign_key {
                    ctxt.error_spanned_by(
                        &fk.target,
                        "a generic foreign key's content type column is a foreign key to django_content_type already; \
                         remove `foreign_key`",
                    );
                }
            }
        }
        match oid {
            None => ctxt.error_spanned_by(
                &gfk.fk_field,
                format!(
                    "The GenericForeignKey object ID references the nonexistent field '{}'; add it or set `fk_field`",
                    gfk.fk_field
                ),
            ),
            Some((f, c)) => {
                if !c.base.is_key() {
                    ctxt.error_spanned_by(&f.ty, format!("an object id column must hold keys: {}", crate::keys::KEY_TYPES));
                } else if c.base == BaseType::String && c.max_length.is_none() {
                    ctxt.error_spanned_by(
                        &f.ident,
                        "a `String` object id needs `#[model(max_length = N)]`: it is indexed with the content type \
                         (MySQL cannot index unbounded text)",
                    );
                }
                if c.primary_key {
                    ctxt.error_spanned_by(&f.ident, "the primary key cannot be an object id");
                }
            }
        }
        if let (Some((_, c)), Some((of, o))) = (ct, oid) {
            if c.nullable != o.nullable {
                ctxt.error_spanned_by(
                    &of.ident,
                    format!(
                        "`{}` and `{}` must both be `Option` or both not: a generic foreign key is set or unset as a whole",
                        gfk.ct_field, gfk.fk_field
                    ),
                );
            }
        }
        for column in [&gfk.ct_field, &gfk.fk_field] {
            if let Some(other) = used.insert(column.to_string(), name.clone()) {
                ctxt.error_spanned_by(
                    column,
                    format!("the column `{column}` is already used by the generic foreign key `{other}`"),
                );
            }
        }
    }
}

fn check_generic_relations(spec: &ModelSpec, ctxt: &mut Ctxt) {
    for (_, rel) in spec.generic_relations() {
        if let Some(name) = &rel.related_query_name {
            if let Err(e) = names::check_lookup_name(&name.value) {
                ctxt.error_at(
                    name.span,
                    format!("Reverse query name '{}' is invalid: {e}", name.value),
                );
            }
        }
    }
}
