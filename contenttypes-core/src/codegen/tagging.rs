//! The checks of the tagging options: `#[model(tag)]` needs a `name` and a `slug`,
//! `#[model(tagged_item(tag = .., set = ..))]` a foreign key, a text column and a generic
//! foreign key.

use super::ast::{BaseType, ModelSpec};
use super::ctxt::Ctxt;

pub(super) fn check(spec: &ModelSpec, ctxt: &mut Ctxt) {
    if let Some(tag) = &spec.tag {
        for wanted in ["name", "slug"] {
            let column = spec.columns().find(|(f, _)| f.ident == wanted);
            match column {
                Some((_, c)) if c.base == BaseType::String && !c.nullable && c.unique => {}
                Some((f, c)) if c.base == BaseType::String && !c.nullable => ctxt.error_spanned_by(
                    &f.ident,
                    format!(
                        "the `{wanted}` of a tag model is unique: add `#[model(unique)]` (concurrent \
                         callers creating one tag then get one row, not two)"
                    ),
                ),
                Some((f, _)) => ctxt.error_spanned_by(
                    &f.ty,
                    format!("the `{wanted}` of a tag model is a `String`"),
                ),
                None => ctxt.error_at(
                    tag.span,
                    format!(
                        "a tag model has a `{wanted}: String` field (unique, as django-taggit's `TagBase`)"
                    ),
                ),
            }
        }
    }
    if let Some(item) = &spec.tagged_item {
        match spec.column_field(&item.tag) {
            Some((_, c)) if c.foreign_key.is_some() && !c.nullable => {}
            Some(_) => ctxt.error_spanned_by(
                &item.tag,
                "the `tag` of a tagged item is a required foreign key to the tag model: \
                 `#[model(foreign_key = Tag, on_delete = cascade)]`",
            ),
            None => ctxt.error_spanned_by(
                &item.tag,
                format!("no column field `{}` on this model", item.tag),
            ),
        }
        if let Some(set) = &item.set {
            match spec.column_field(set) {
                Some((_, c)) if c.base == BaseType::String && !c.nullable => {}
                Some(_) => ctxt.error_spanned_by(
                    set,
                    "the `set` of a tagged item is a `String` column (the tag set's name)",
                ),
                None => {
                    ctxt.error_spanned_by(set, format!("no column field `{set}` on this model"))
                }
            }
        }
        match spec.generic_foreign_keys().next() {
            None => ctxt.error_at(
                item.span,
                "a tagged item has a `GenericForeignKey` field: the object it tags",
            ),
            Some((_, gfk)) => {
                // Adding a tag twice, or from two callers at once, must make one row.
                let mut wanted = vec![
                    item.tag.to_string(),
                    gfk.ct_field.to_string(),
                    gfk.fk_field.to_string(),
                ];
                wanted.extend(item.set.iter().map(|s| s.to_string()));
                wanted.sort();
                let covered = spec.unique_together.iter().any(|u| {
                    let mut fields: Vec<String> = u.fields.iter().map(|f| f.to_string()).collect();
                    fields.sort();
                    fields == wanted
                });
                if !covered {
                    ctxt.error_at(
                        item.span,
                        format!(
                            "a tagged item is unique per tag and object: add `unique({})` to its `#[model(...)]`",
                            wanted_in_order(item, gfk)
                        ),
                    );
                }
            }
        }
    }
}

/// The unique constraint a tagged item needs, as the user would write it.
fn wanted_in_order(item: &super::ast::TaggedItemSpec, gfk: &super::ast::GfkSpec) -> String {
    let mut fields = vec![gfk.ct_field.to_string(), gfk.fk_field.to_string()];
    fields.extend(item.set.iter().map(|s| s.to_string()));
    fields.push(item.tag.to_string());
    fields.join(", ")
}
