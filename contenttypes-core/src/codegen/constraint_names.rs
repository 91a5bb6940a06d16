//! Index and constraint names. A model may give them (`unique(a, b, name = "...")`,
//! `index(..., name = "...")`, a field's `index_name` and `foreign_key_name`, a generic
//! foreign key's `index_name`), so that it can carry the names a Django project uses for the
//! same schema; the others are generated ([`crate::names::index_name`]). Each given name must
//! be a valid identifier on every database and name something, and no two indexes or
//! constraints of a model may end up with the same name (MySQL compares them without case).

use std::collections::HashMap;

use proc_macro2::Span;

use super::ast::*;
use super::ctxt::Ctxt;
use super::lower::{gfk_covering_index, to_ir, Resolver, ThroughModel};
use crate::ddl;
use crate::ir::ModelDef;
use crate::names;

pub(super) fn check(spec: &ModelSpec, ctxt: &mut Ctxt) {
    let given = given_names(spec);
    check_given(spec, &given, ctxt);
    let def = lower(spec);
    check_targets(spec, &def, ctxt);
    if !ctxt.has_errors() {
        check_collisions(spec, &def, &given, ctxt);
    }
}

/// A name the model gives, where, and to what.
struct Given<'a> {
    name: &'a Spanned<String>,
    what: &'static str,
}

fn given_names(spec: &ModelSpec) -> Vec<Given<'_>> {
    let mut out = Vec::new();
    let lists = spec
        .unique_together
        .iter()
        .map(|t| (t, "unique constraint"))
        .chain(spec.index_together.iter().map(|t| (t, "index")));
    for (list, what) in lists {
        if let Some(name) = &list.name {
            out.push(Given { name, what });
        }
    }
    for (_, column) in spec.columns() {
        if let Some(name) = &column.index_name {
            let what = if column.unique {
                "unique constraint"
            } else {
                "index"
            };
            out.push(Given { name, what });
        }
        if let Some(name) = &column.foreign_key_name {
            out.push(Given {
                name,
                what: "foreign key constraint",
            });
        }
    }
    for (_, gfk) in spec.generic_foreign_keys() {
        if let Some(name) = &gfk.index_name {
            out.push(Given {
                name,
                what: "index",
            });
        }
    }
    out
}

/// Each given name is an identifier every database takes, not SQLite's, not the table's
/// (PostgreSQL and SQLite keep tables and indexes in one namespace), and given once.
fn check_given(spec: &ModelSpec, given: &[Given<'_>], ctxt: &mut Ctxt) {
    let table = &spec.table_name.value;
    let mut seen: HashMap<String, &str> = HashMap::new();
    for Given { name, what } in given {
        let text = &name.value;
        let problem = if let Err(e) = names::check_sql_name(text) {
            Some(e.to_string())
        } else if text
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("sqlite_"))
        {
            Some("SQLite reserves names that start with `sqlite_`".to_string())
        } else if text.eq_ignore_ascii_case(table) {
            Some(
                "it is the table's name, and PostgreSQL and SQLite keep indexes and tables in one \
                 namespace"
                    .to_string(),
            )
        } else {
            None
        };
        if let Some(problem) = problem {
            ctxt.error_at(
                name.span,
                format!("invalid {what} name `{}`: {problem}", text.escape_debug()),
            );
            continue;
        }
        // The first of the names that MySQL takes for one.
        let other = *seen.entry(text.to_ascii_lowercase()).or_insert(text);
        if !std::ptr::eq(other, text.as_str()) {
            ctxt.error_at(
                name.span,
                format!(
                    "two indexes or constraints of `{table}` are named `{text}`{}; give each its own name",
                    if other == text {
                        String::new()
                    } else {
                        format!(" (MySQL does not tell it from `{other}`)")
                    }
                ),
            );
        }
    }
}

/// Each given name names something: a field's `index_name` its own index, a
/// `foreign_key_name` a foreign key, a generic foreign key's `index_name` the index the
/// framework adds for it.
fn check_targets(spec: &ModelSpec, def: &ModelDef, ctxt: &mut Ctxt) {
    let content_type_of = |field: &FieldSpec| {
        spec.generic_foreign_keys()
            .find(|(_, g)| g.ct_field == field.ident)
    };
    for (field, column) in spec.columns() {
        let name = field_name(&field.ident);
        if let Some(given) = &column.foreign_key_name {
            if column.foreign_key.is_none() && content_type_of(field).is_none() {
                ctxt.error_at(
                    given.span,
                    "`foreign_key_name` names a foreign key: it needs `foreign_key = Target` on the \
                     same field (or the field must be a generic foreign key's content-type field)",
                );
            }
        }
        let Some(given) = &column.index_name else {
            continue;
        };
        let lowered = def.column(&column.column.value);
        if lowered.is_some_and(|c| !c.primary_key && (c.unique || c.indexed)) {
            continue;
        }
        let message = if column.primary_key {
            "a primary key has no index of its own to name".to_string()
        } else if let Some((gfk, _)) = content_type_of(field) {
            format!(
                "the content-type column is indexed by the generic foreign key's `(content type, \
                 object id)` index: name that one, `#[generic_foreign_key(index_name = \"...\")] {}`",
                field_name(&gfk.ident)
            )
        } else if column.foreign_key.is_some() {
            format!(
                "the foreign key column `{name}` has no index of its own: a declared index starts \
                 with it and serves its lookups; name that one (`name = \"...\"`)"
            )
        } else {
            format!(
                "`index_name` names the column's own index, and `{name}` has none: add `index` or \
                 `unique`"
            )
        };
        ctxt.error_at(given.span, message);
    }
    for (_, gfk) in spec.generic_foreign_keys() {
        if let (Some(given), Some(covering)) = (&gfk.index_name, gfk_covering_index(spec, gfk)) {
            let kind = if spec
                .unique_together
                .iter()
                .any(|t| std::ptr::eq(t, covering))
            {
                "unique"
            } else {
                "index"
            };
            let fields: Vec<String> = covering.fields.iter().map(field_name).collect();
            ctxt.error_at(
                given.span,
                format!(
                    "the declared `{kind}({})` serves this generic foreign key, so no index is \
                     added for it: name that one (`{kind}({}, name = \"...\")`)",
                    fields.join(", "),
                    fields.join(", ")
                ),
            );
        }
    }
}

/// No two indexes or constraints share a name, given or generated (generated names are
/// shortened with a hash past the identifier limit, and may meet a given one).
fn check_collisions(spec: &ModelSpec, def: &ModelDef, given: &[Given<'_>], ctxt: &mut Ctxt) {
    let table = def.table.name.as_ref();
    // The same model with every name generated: the slots line up with `def`'s.
    let mut unnamed = spec.clone();
    for list in unnamed
        .unique_together
        .iter_mut()
        .chain(&mut unnamed.index_together)
    {
        list.name = None;
    }
    for field in &mut unnamed.fields {
        match &mut field.kind {
            FieldKind::Column(c) => {
                c.index_name = None;
                c.foreign_key_name = None;
            }
            FieldKind::GenericForeignKey(g) => g.index_name = None,
            _ => {}
        }
    }
    let generated = ddl::index_and_constraint_names(&lower(&unnamed));
    let given_span = |name: &str| {
        given
            .iter()
            .find(|g| g.name.value == name)
            .map(|g| g.name.span)
    };
    let mut seen: HashMap<String, (String, bool)> = HashMap::new();
    for ((name, columns), (generated_name, _)) in ddl::index_and_constraint_names(def)
        .into_iter()
        .zip(generated)
    {
        let is_given = name != generated_name;
        let Some((other, other_given)) =
            seen.insert(name.to_ascii_lowercase(), (name.clone(), is_given))
        else {
            continue;
        };
        if is_given && other_given {
            continue; // reported with the given names
        }
        let column_span = || {
            columns
                .first()
                .and_then(|c| spec.columns().find(|(_, cs)| cs.column.value == *c))
                .map(|(f, _)| f.ident.span())
                .unwrap_or_else(|| spec.ident.span())
        };
        let (span, message): (Span, String) = match (is_given, other_given) {
            (false, false) => (
                column_span(),
                format!(
                    "two indexes or constraints of `{table}` would both be named `{name}`; rename a \
                     column, or give one a name"
                ),
            ),
            _ => {
                let given_name = if is_given { &name } else { &other };
                (
                    given_span(given_name).unwrap_or_else(column_span),
                    format!(
                        "`{given_name}` is the name generated for another index or constraint of \
                         `{table}`; choose another"
                    ),
                )
            }
        };
        ctxt.error_at(span, message);
    }
}

/// The model lowered on its own: references to other models are left empty.
fn lower(spec: &ModelSpec) -> ModelDef {
    struct Unknown;
    impl Resolver for Unknown {
        fn foreign_key_target(&self, _: &syn::Path) -> Option<(String, String)> {
            Some((String::new(), String::new()))
        }
        fn through_model(&self, _: &syn::Path) -> Option<ThroughModel> {
            None
        }
    }
    to_ir(spec, &Unknown).0
}
