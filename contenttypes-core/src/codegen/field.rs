//! Reading one field: a column with its `#[model(...)]` options, a generic foreign key or a
//! generic relation.

use syn::spanned::Spanned as _;
use syn::{Attribute, Ident, Lit, Path};

use super::ast::*;
use super::ctxt::Ctxt;
use crate::ir::OnDelete;
use crate::names;

use super::attr::*;
use super::parse::*;
use super::types::*;

pub(super) const FIELD_KEYS: &str = "primary_key, auto_increment, unique, index, index_name, max_length, max_digits, decimal_places, column, default, foreign_key, on_delete, foreign_key_name, renamed_from, sql_type, db_type, auto_now, auto_now_add, skip";

pub(super) fn is_field_only_key(path: &Path) -> bool {
    FIELD_KEYS.split(", ").any(|k| path.is_ident(k))
}

pub(super) fn parse_field(field: &syn::Field, ident: &Ident, ctxt: &mut Ctxt) -> Option<FieldKind> {
    let name = field_name(ident);
    if let Err(e) = names::check_field_name(&name) {
        ctxt.error_spanned_by(ident, format!("invalid field name `{name}`: {e}"));
    }

    let type_name = last_segment(&field.ty);
    let gfk_attr = field.attrs.iter().find(|a| a.path().is_ident(GFK_ATTR));
    let rel_attr = field
        .attrs
        .iter()
        .find(|a| a.path().is_ident(RELATION_ATTR));
    let model_attrs: Vec<&Attribute> = field
        .attrs
        .iter()
        .filter(|a| a.path().is_ident(MODEL_ATTR))
        .collect();

    if type_name.as_deref() == Some("GenericForeignKey") || gfk_attr.is_some() {
        if type_name.as_deref() != Some("GenericForeignKey") {
            ctxt.error_spanned_by(
                &field.ty,
                "a `#[generic_foreign_key]` field must have the type `GenericForeignKey`",
            );
            return None;
        }
        if let Some(a) = rel_attr.or(model_attrs.first().copied()) {
            ctxt.error_spanned_by(
                a,
                "a `GenericForeignKey` field takes only `#[generic_foreign_key(...)]`",
            );
        }
        return Some(FieldKind::GenericForeignKey(parse_gfk_attr(
            gfk_attr, ident, ctxt,
        )));
    }
    let relation_kind = type_name.as_deref().and_then(RelationKind::of_type_name);
    if relation_kind.is_some() || rel_attr.is_some() {
        let (Some(kind), Some(through)) = (relation_kind, generic_argument(&field.ty)) else {
            ctxt.error_spanned_by(
                &field.ty,
                "a relation field must have the type `GenericRelation<Through>`, `Tags<Through>` or \
                 `GenericManyToMany<Through>`",
            );
            return None;
        };
        if let Some(a) = gfk_attr.or(model_attrs.first().copied()) {
            ctxt.error_spanned_by(
                a,
                format!(
                    "a `{}` field takes only `#[generic_relation(...)]`",
                    kind.type_name()
                ),
            );
        }
        return Some(FieldKind::GenericRelation(parse_relation_attr(
            rel_attr, kind, through, ctxt,
        )));
    }
    parse_column(field, ident, &model_attrs, ctxt)
}

pub(super) fn parse_gfk_attr(attr: Option<&Attribute>, ident: &Ident, ctxt: &mut Ctxt) -> GfkSpec {
    let mut ct_field = Once::new("ct_field");
    let mut fk_field = Once::new("fk_field");
    let mut index_name = Once::new("index_name");
    let mut targets = Once::new("targets");
    let mut on_delete = Once::new("on_delete");
    let mut db_constraint = Once::new("db_constraint");
    // Options of the content-type field's foreign key, written here by mistake.
    let mut misplaced: Vec<(proc_macro2::Span, String)> = Vec::new();
    if let Some(attr) = attr {
        if !matches!(attr.meta, syn::Meta::Path(_)) {
            let result = parse_items(attr, ctxt, |meta, ctxt| {
                let span = meta.path.span();
                if meta.path.is_ident("ct_field") {
                    ct_field.set(ctxt, span, ident_value(&meta)?);
                } else if meta.path.is_ident("fk_field") {
                    fk_field.set(ctxt, span, ident_value(&meta)?);
                } else if meta.path.is_ident("index_name") {
                    index_name.set(ctxt, span, name_value(&meta)?);
                } else if meta.path.is_ident("targets") {
                    targets.set(ctxt, span, Spanned::new(path_list(&meta)?, span));
                } else if meta.path.is_ident("on_delete") {
                    on_delete.set(ctxt, span, on_delete_value(&meta)?);
                } else if meta.path.is_ident("db_constraint") {
                    db_constraint.set(ctxt, span, span);
                } else if meta.path.is_ident("foreign_key_name") {
                    misplaced.push((span, path_name(&meta.path)));
                    skip_item(meta.input)?;
                } else {
                    return Err(meta.error(format!(
                        "unknown generic foreign key option `{}`; expected `ct_field`, `fk_field`, `index_name`, `targets`, `on_delete` or `db_constraint`",
                        path_name(&meta.path)
                    )));
                }
                Ok(())
            });
            if let Err(e) = result {
                ctxt.syn_error(e);
            }
        }
    }
    let span = ident.span();
    let ct_field = ct_field
        .value
        .unwrap_or_else(|| Ident::new("content_type_id", span));
    for (span, option) in misplaced {
        ctxt.error_at(
            span,
            format!(
                "`{option}` belongs to the content-type field's foreign key, as in Django: write it on \
                 that field, `#[model({option} = ...)] {}`",
                field_name(&ct_field)
            ),
        );
    }
    GfkSpec {
        ct_field,
        fk_field: fk_field
            .value
            .unwrap_or_else(|| Ident::new("object_id", span)),
        index_name: index_name.value,
        targets: targets.value,
        on_delete: on_delete.value,
        db_constraint: db_constraint.value,
    }
}

pub(super) fn parse_relation_attr(
    attr: Option<&Attribute>,
    kind: RelationKind,
    through: Path,
    ctxt: &mut Ctxt,
) -> RelationSpec {
    let mut gfk = Once::new("gfk");
    let mut related_query_name = Once::new("related_query_name");
    let mut on_delete = Once::new("on_delete");
    if let Some(attr) = attr {
        if !matches!(attr.meta, syn::Meta::Path(_)) {
            let result = parse_items(attr, ctxt, |meta, ctxt| {
                let span = meta.path.span();
                if meta.path.is_ident("gfk") {
                    gfk.set(ctxt, span, ident_value(&meta)?);
                } else if meta.path.is_ident("on_delete") && kind != RelationKind::ManyToMany {
                    on_delete.set(ctxt, span, on_delete_value(&meta)?);
                } else if meta.path.is_ident("related_query_name")
                    && kind != RelationKind::ManyToMany
                {
                    let lit = string_value(&meta)?;
                    related_query_name.set(ctxt, span, Spanned::new(lit.value(), lit.span()));
                } else {
                    let expected = match kind {
                        RelationKind::ManyToMany => "expected `gfk` (the source side's `on_delete` is the through model's foreign key's)",
                        _ => "expected `gfk`, `related_query_name` or `on_delete`",
                    };
                    return Err(meta.error(format!(
                        "unknown `{}` option `{}`; {expected}",
                        kind.type_name(),
                        path_name(&meta.path)
                    )));
                }
                Ok(())
            });
            if let Err(e) = result {
                ctxt.syn_error(e);
            }
        }
    }
    RelationSpec {
        kind,
        through,
        on_delete: on_delete.value,
        gfk: gfk.value,
        related_query_name: related_query_name.value,
    }
}

pub(super) fn parse_column(
    field: &syn::Field,
    ident: &Ident,
    attrs: &[&Attribute],
    ctxt: &mut Ctxt,
) -> Option<FieldKind> {
    let mut primary_key = Once::new("primary_key");
    let mut auto_increment = Once::new("auto_increment");
    let mut unique = Once::new("unique");
    let mut index = Once::new("index");
    let mut max_length = Once::new("max_length");
    let mut column = Once::new("column");
    let mut default = Once::new("default");
    let mut foreign_key = Once::new("foreign_key");
    let mut on_delete = Once::new("on_delete");
    let mut index_name = Once::new("index_name");
    let mut foreign_key_name = Once::new("foreign_key_name");
    let mut renamed_from = Once::new("renamed_from");
    let mut skip = Once::new("skip");
    let mut auto_now = Once::new("auto_now");
    let mut auto_now_add = Once::new("auto_now_add");
    let mut max_digits = Once::new("max_digits");
    let mut decimal_places = Once::new("decimal_places");
    let mut sql_type = Once::new("sql_type");
    let mut db_type = Once::new("db_type");

    for attr in attrs {
        let result = parse_items(attr, ctxt, |meta, ctxt| {
            let span = meta.path.span();
            if meta.path.is_ident("primary_key") {
                primary_key.set(ctxt, span, span);
                no_value(&meta)?;
            } else if meta.path.is_ident("auto_increment") {
                let lit: syn::LitBool = meta.value()?.parse()?;
                auto_increment.set(ctxt, span, Spanned::new(lit.value, lit.span));
            } else if meta.path.is_ident("unique") {
                unique.set(ctxt, span, span);
                no_value(&meta)?;
            } else if meta.path.is_ident("index") {
                index.set(ctxt, span, span);
                no_value(&meta)?;
            } else if meta.path.is_ident("max_length") {
                let lit: syn::LitInt = meta.value()?.parse()?;
                let n: u32 = lit.base10_parse()?;
                super::mysql_limits::check_max_length(n)
                    .map_err(|message| syn::Error::new(lit.span(), message))?;
                max_length.set(ctxt, span, Spanned::new(n, lit.span()));
            } else if meta.path.is_ident("column") {
                let lit = string_value(&meta)?;
                column.set(ctxt, span, Spanned::new(lit.value(), lit.span()));
            } else if meta.path.is_ident("default") {
                let lit: Lit = meta.value()?.parse()?;
                default.set(ctxt, span, lit);
            } else if meta.path.is_ident("foreign_key") {
                let path: Path = meta.value()?.parse()?;
                foreign_key.set(ctxt, span, path);
            } else if meta.path.is_ident("on_delete") {
                on_delete.set(ctxt, span, on_delete_value(&meta)?);
            } else if meta.path.is_ident("index_name") {
                index_name.set(ctxt, span, name_value(&meta)?);
            } else if meta.path.is_ident("foreign_key_name") {
                foreign_key_name.set(ctxt, span, name_value(&meta)?);
            } else if meta.path.is_ident("renamed_from") {
                let lit = string_value(&meta)?;
                if let Err(e) = names::check_sql_name(&lit.value()) {
                    return Err(syn::Error::new(
                        lit.span(),
                        format!("invalid column name `{}`: {e}", lit.value().escape_debug()),
                    ));
                }
                renamed_from.set(ctxt, span, lit.value());
            } else if meta.path.is_ident("skip") {
                skip.set(ctxt, span, span);
                no_value(&meta)?;
            } else if meta.path.is_ident("auto_now") {
                auto_now.set(ctxt, span, span);
                no_value(&meta)?;
            } else if meta.path.is_ident("auto_now_add") {
                auto_now_add.set(ctxt, span, span);
                no_value(&meta)?;
            } else if meta.path.is_ident("max_digits") || meta.path.is_ident("decimal_places") {
                let lit: syn::LitInt = meta.value()?.parse()?;
                let n: u16 = lit.base10_parse()?;
                let value = Spanned::new(n, lit.span());
                if meta.path.is_ident("max_digits") {
                    max_digits.set(ctxt, span, value);
                } else {
                    decimal_places.set(ctxt, span, value);
                }
            } else if meta.path.is_ident("sql_type") {
                let path: Path = meta.value()?.parse()?;
                sql_type.set(ctxt, span, path);
            } else if meta.path.is_ident("db_type") {
                let lit = string_value(&meta)?;
                db_type.set(ctxt, span, Spanned::new(lit.value(), lit.span()));
            } else if CONTAINER_KEYS
                .split(", ")
                .any(|k| meta.path.is_ident(k.trim_end_matches("(..)")))
            {
                return Err(meta.error(format!(
                    "`{}` is a model option; put it on the struct's `#[model(...)]`",
                    path_name(&meta.path)
                )));
            } else {
                return Err(meta.error(format!(
                    "unknown field option `{}`; expected one of: {FIELD_KEYS}",
                    path_name(&meta.path)
                )));
            }
            Ok(())
        });
        if let Err(e) = result {
            ctxt.syn_error(e);
        }
    }

    if skip.value.is_some() {
        return Some(FieldKind::Skip);
    }

    let (base_ty, nullable) = match option_inner(&field.ty) {
        Some(inner) => (inner.clone(), true),
        None => (field.ty.clone(), false),
    };
    let base = if sql_type.value.is_some() {
        BaseType::Custom
    } else if let Some(base) = base_type(&base_ty) {
        base
    } else {
        ctxt.error_spanned_by(
            &field.ty,
            "unsupported column type; use bool, i16, i32, i64, f32, f64, String, Vec<u8>, \
             uuid::Uuid, chrono's NaiveDate/NaiveTime/NaiveDateTime/DateTime<Utc>, time's \
             Date/Time/PrimitiveDateTime/OffsetDateTime, serde_json::Value or \
             bigdecimal::BigDecimal (or an `Option` of one); map any other type with \
             `#[model(sql_type = path::to::DieselSqlType, db_type = \"...\")]`, or mark the \
             field `#[model(skip)]`",
        );
        return None;
    };
    if let Some(d) = &db_type.value {
        if base != BaseType::Custom {
            ctxt.error_at(
                d.span,
                "`db_type` goes with `sql_type = ...`; the column type of this field is known",
            );
        }
    }
    let decimal = match (max_digits.value, decimal_places.value) {
        (Some(d), Some(p)) => {
            if base != BaseType::Decimal {
                ctxt.error_at(d.span, "`max_digits` applies to decimal fields only");
            } else if d.value == 0 || d.value > 65 {
                // PostgreSQL's largest is 1000.
                ctxt.error_at(
                    d.span,
                    "`max_digits` must be between 1 and 65 (MySQL's largest precision)",
                );
            } else if p.value > 30 {
                ctxt.error_at(
                    p.span,
                    "`decimal_places` must be at most 30 (MySQL's largest scale)",
                );
            } else if p.value > d.value {
                ctxt.error_at(p.span, "`decimal_places` cannot exceed `max_digits`");
            }
            Some((d.value, p.value))
        }
        (Some(d), None) => {
            ctxt.error_at(d.span, "`max_digits` needs `decimal_places` too");
            None
        }
        (None, Some(p)) => {
            ctxt.error_at(p.span, "`decimal_places` needs `max_digits` too");
            None
        }
        (None, None) => {
            if base == BaseType::Decimal {
                ctxt.error_spanned_by(
                    &field.ty,
                    "a decimal field needs its precision, as in Django: \
                     `#[model(max_digits = 10, decimal_places = 2)]`",
                );
            }
            None
        }
    };

    let name = field_name(ident);
    // Where `on_delete` may go (a foreign key, or a generic foreign key's content-type
    // field) is checked with the whole model.
    let on_delete_value = on_delete.value;
    let foreign_key = foreign_key.value.map(|target| ForeignKeySpec {
        target,
        on_delete: on_delete_value
            .as_ref()
            .map(|o| o.value)
            .unwrap_or(OnDelete::Cascade),
    });

    let max_length_value = max_length.value;
    if let Some(m) = &max_length_value {
        if base != BaseType::String {
            ctxt.error_at(m.span, "`max_length` applies to `String` fields only");
        }
    }

    let default = default.value.and_then(|lit| {
        match super::defaults::column_default(
            &lit,
            base,
            max_length_value.as_ref().map(|m| m.value),
        ) {
            Ok(v) => Some(v),
            Err(message) => {
                ctxt.error_spanned_by(&lit, message);
                None
            }
        }
    });

    let primary_key_span = primary_key.value;
    let auto_increment_value = auto_increment.value;
    let is_primary_key = primary_key_span.is_some();
    if let Some(a) = &auto_increment_value {
        if !is_primary_key || !base.is_integer() {
            ctxt.error_at(
                a.span,
                "`auto_increment` applies to integer primary keys only",
            );
        }
    }
    let auto_increment = is_primary_key
        && base.is_integer()
        && auto_increment_value
            .as_ref()
            .map(|a| a.value)
            .unwrap_or(true);

    let auto_now = match (auto_now.value, auto_now_add.value) {
        (Some(_), Some(add)) => {
            ctxt.error_at(
                add,
                "`auto_now` already sets the value on creation; give `auto_now` or `auto_now_add`, not both",
            );
            AutoNow::OnSave
        }
        (Some(span), None) | (None, Some(span)) if !base.is_temporal() || is_primary_key => {
            ctxt.error_at(
                span,
                "`auto_now` and `auto_now_add` apply to date, time and timestamp fields that are not the primary key",
            );
            AutoNow::Never
        }
        (Some(_), None) => AutoNow::OnSave,
        (None, Some(_)) => AutoNow::OnCreate,
        (None, None) => AutoNow::Never,
    };
    Some(FieldKind::Column(ColumnSpec {
        auto_now,
        column: column
            .value
            .unwrap_or_else(|| Spanned::new(name, ident.span())),
        base,
        base_ty,
        nullable,
        primary_key: is_primary_key,
        auto_increment,
        unique: unique.value.is_some(),
        index: index.value.is_some(),
        max_length: max_length_value.map(|m| m.value),
        decimal,
        sql_type: sql_type.value,
        db_type: db_type.value.map(|d| d.value),
        default,
        foreign_key,
        on_delete: on_delete_value,
        index_name: index_name.value,
        foreign_key_name: foreign_key_name.value,
        renamed_from: renamed_from.value,
    }))
}
