//! Reads a model struct and its attributes into a [`ModelSpec`], collecting every error.
//!
//! Grammar (every key optional unless stated):
//!
//! ```text
//! #[model(app_label = "blog", model_name = "article", table_name = "blog_article",
//!         verbose_name = "article", managed = false, renamed_from = "post",
//!         unique(a, b), index(a, b), crate = "::contenttypes")]
//! struct Article {
//!     #[model(primary_key, auto_increment = false, unique, index, max_length = 200,
//!             column = "title", default = "x", foreign_key = Tag, on_delete = cascade,
//!             renamed_from = "old", skip)]
//!     field: Type,
//!     #[generic_foreign_key(ct_field = content_type_id, fk_field = object_id)]
//!     content_object: GenericForeignKey,
//!     #[generic_relation(gfk = content_object, related_query_name = "article")]
//!     tags: GenericRelation<TaggedItem>,
//! }
//! ```

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{
    Attribute, Fields, GenericArgument, Generics, Ident, Lit, LitStr, Path, PathArguments, Token,
    Type, Visibility,
};

use super::ast::*;
use super::ctxt::Ctxt;
use crate::ir::OnDelete;
use crate::names;

/// What the parser needs to know about the crate being compiled.
#[derive(Clone, Debug)]
pub struct ParseContext {
    /// The `app_label` of models that do not declare one: the crate name.
    pub default_app_label: String,
    /// The most columns a model may have: what Diesel's `table!` supports with the enabled
    /// `*-column-tables` features. The derive sets it from its own features; the build
    /// helper, which cannot see them, allows Diesel's largest ([`names::MAX_COLUMNS`]) and
    /// leaves the rest to the derive.
    pub max_columns: usize,
}

impl ParseContext {
    /// A context with this default app label and Diesel's largest column limit.
    pub fn new(default_app_label: impl Into<String>) -> Self {
        ParseContext {
            default_app_label: default_app_label.into(),
            max_columns: names::MAX_COLUMNS,
        }
    }

    /// The context of the crate being compiled: the app label the migrations build helper
    /// recorded in `OUT_DIR` (its `default_app_label`), else the crate name
    /// (`CARGO_PKG_NAME`). The derive calls this, so the build helper and the derive always
    /// agree on the default app label.
    pub fn from_env() -> Self {
        let out_dir = std::env::var_os("OUT_DIR").map(std::path::PathBuf::from);
        Self::from_out_dir(out_dir.as_deref()).unwrap_or_else(Self::for_crate)
    }

    /// The context the build helper recorded in `out_dir`, if it did.
    pub fn from_out_dir(out_dir: Option<&std::path::Path>) -> Option<Self> {
        let label = std::fs::read_to_string(out_dir?.join(APP_LABEL_FILE)).ok()?;
        let label = label.trim();
        (!label.is_empty()).then(|| ParseContext::new(label))
    }

    /// The context from the crate name alone (`CARGO_PKG_NAME`, which Cargo sets for both
    /// the compiler and build scripts): Django's default app label.
    pub fn for_crate() -> Self {
        let name = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "app".to_string());
        ParseContext::new(names::app_label_from_crate(&name))
    }

    /// The default app label.
    pub fn default_app_label(&self) -> &str {
        &self.default_app_label
    }
}

/// The file in `OUT_DIR` where the build helper records the default app label it used.
pub const APP_LABEL_FILE: &str = "contenttypes_app_label";

/// The attribute names the framework owns.
pub const MODEL_ATTR: &str = "model";
pub const GFK_ATTR: &str = "generic_foreign_key";
pub const RELATION_ATTR: &str = "generic_relation";

/// Parses a struct given to `#[derive(Model)]`.
pub fn parse_derive_input(
    input: &syn::DeriveInput,
    cx: &ParseContext,
) -> Result<ModelSpec, syn::Error> {
    match &input.data {
        syn::Data::Struct(data) => parse_struct(
            &input.attrs,
            &input.vis,
            &input.ident,
            &input.generics,
            &data.fields,
            cx,
        ),
        syn::Data::Enum(e) => Err(syn::Error::new(
            e.enum_token.span,
            "`#[derive(Model)]` works on structs with named fields; a model is one table row",
        )),
        syn::Data::Union(u) => Err(syn::Error::new(
            u.union_token.span,
            "`#[derive(Model)]` works on structs with named fields; a model is one table row",
        )),
    }
}

/// Parses a struct found by the build helper's source scan.
pub fn parse_item_struct(
    item: &syn::ItemStruct,
    cx: &ParseContext,
) -> Result<ModelSpec, syn::Error> {
    parse_struct(
        &item.attrs,
        &item.vis,
        &item.ident,
        &item.generics,
        &item.fields,
        cx,
    )
}

fn parse_struct(
    attrs: &[Attribute],
    vis: &Visibility,
    ident: &Ident,
    generics: &Generics,
    fields: &Fields,
    cx: &ParseContext,
) -> Result<ModelSpec, syn::Error> {
    let mut ctxt = Ctxt::new();
    if !generics.params.is_empty() || generics.where_clause.is_some() {
        ctxt.error_spanned_by(
            generics,
            "models cannot be generic: a model is one concrete table",
        );
    }
    let named = match fields {
        Fields::Named(named) => Some(named),
        Fields::Unnamed(f) => {
            ctxt.error_spanned_by(f, "models need named fields: each field names a column");
            None
        }
        Fields::Unit => {
            ctxt.error_spanned_by(ident, "models need named fields: each field names a column");
            None
        }
    };

    let container = parse_container_attrs(attrs, &mut ctxt);
    let type_name = ident.to_string();
    // A default comes from the crate name: a problem with it is reported at the model.
    let app_label = container
        .app_label
        .unwrap_or_else(|| Spanned::new(cx.default_app_label.clone(), ident.span()));
    let model_name = container
        .model_name
        .map(|m| Spanned::new(m.value.to_lowercase(), m.span))
        .unwrap_or_else(|| Spanned::new(names::default_model_name(&type_name), ident.span()));
    let table_name_given = container.table_name.is_some();
    let table_path = container.table_path;
    let table_name = container.table_name.unwrap_or_else(|| {
        Spanned::new(
            names::default_table_name(&app_label.value, &model_name.value),
            ident.span(),
        )
    });

    let mut spec = ModelSpec {
        ident: ident.clone(),
        vis: vis.clone(),
        verbose_name: container
            .verbose_name
            .unwrap_or_else(|| names::default_verbose_name(&type_name)),
        app_label,
        model_name,
        table_name,
        table_name_given,
        // A table from the user's schema is the user's: no DDL unless `managed = true`.
        managed: container.managed.unwrap_or(table_path.is_none()),
        table_path,
        renamed_from: container
            .renamed_from
            .map(|r| Spanned::new(r.value.to_lowercase(), r.span)),
        unique_together: container.unique_together,
        index_together: container.index_together,
        crate_path: container.crate_path,
        fields: Vec::new(),
    };

    if let Some(named) = named {
        for field in &named.named {
            let Some(ident) = field.ident.clone() else {
                continue;
            };
            if let Some(kind) = parse_field(field, &ident, &mut ctxt) {
                spec.fields.push(FieldSpec {
                    ident,
                    ty: field.ty.clone(),
                    kind,
                });
            }
        }
    }

    // Django's implicit primary key: without an explicit one, a field named `id` is it
    // (database-generated when it is an integer).
    if spec.primary_key().is_none() {
        if let Some(FieldKind::Column(column)) = spec
            .fields
            .iter_mut()
            .find(|f| f.ident == "id")
            .map(|f| &mut f.kind)
        {
            column.primary_key = true;
            column.auto_increment = column.base.is_integer();
        }
    }

    // Without named fields there is nothing more to check that would help.
    if named.is_some() {
        super::validate::validate(&spec, cx, &mut ctxt);
    }
    ctxt.finish()?;
    Ok(spec)
}

/// One option that may be given at most once.
struct Once<T> {
    name: &'static str,
    value: Option<T>,
}

impl<T> Once<T> {
    fn new(name: &'static str) -> Self {
        Once { name, value: None }
    }

    fn set(&mut self, ctxt: &mut Ctxt, span: Span, value: T) {
        if self.value.is_some() {
            ctxt.error_at(
                span,
                format!("duplicate `{}` option; give it once", self.name),
            );
        } else {
            self.value = Some(value);
        }
    }
}

#[derive(Default)]
struct ContainerAttrs {
    app_label: Option<Spanned<String>>,
    model_name: Option<Spanned<String>>,
    table_name: Option<Spanned<String>>,
    verbose_name: Option<String>,
    managed: Option<bool>,
    renamed_from: Option<Spanned<String>>,
    unique_together: Vec<Vec<Ident>>,
    index_together: Vec<Vec<Ident>>,
    crate_path: Option<Path>,
    table_path: Option<Path>,
}

const CONTAINER_KEYS: &str =
    "app_label, model_name, table_name, verbose_name, managed, renamed_from, unique(..), index(..), crate";

fn parse_container_attrs(attrs: &[Attribute], ctxt: &mut Ctxt) -> ContainerAttrs {
    let mut app_label = Once::new("app_label");
    let mut model_name = Once::new("model_name");
    let mut table_name = Once::new("table_name");
    let mut verbose_name = Once::new("verbose_name");
    let mut managed = Once::new("managed");
    let mut renamed_from = Once::new("renamed_from");
    let mut crate_path = Once::new("crate");
    let mut out = ContainerAttrs::default();

    for attr in attrs {
        if attr.path().is_ident(GFK_ATTR) || attr.path().is_ident(RELATION_ATTR) {
            ctxt.error_spanned_by(
                attr.path(),
                format!(
                    "`#[{}]` goes on a field, not on the struct",
                    attr.path()
                        .get_ident()
                        .map(|i| i.to_string())
                        .unwrap_or_default()
                ),
            );
            continue;
        }
        if !attr.path().is_ident(MODEL_ATTR) {
            continue;
        }
        let result = parse_items(attr, ctxt, |meta, ctxt| {
            let span = meta.path.span();
            if meta.path.is_ident("app_label") {
                let lit = string_value(&meta)?;
                app_label.set(ctxt, span, Spanned::new(lit.value(), lit.span()));
            } else if meta.path.is_ident("model_name") {
                let lit = string_value(&meta)?;
                model_name.set(ctxt, span, Spanned::new(lit.value(), lit.span()));
            } else if meta.path.is_ident("table_name") {
                let value = meta.value()?;
                if value.peek(LitStr) {
                    let lit = string_value_of(value)?;
                    table_name.set(ctxt, span, Spanned::new(lit.value(), lit.span()));
                } else {
                    // A path to the user's `table!` (Diesel's own spelling, as in
                    // `#[diesel(table_name = crate::schema::posts)]`).
                    let path: Path = value.parse()?;
                    let name = path.segments.last().map(|s| field_name(&s.ident));
                    let name = name.unwrap_or_default();
                    table_name.set(ctxt, span, Spanned::new(name, path.span()));
                    out.table_path = Some(path);
                }
            } else if meta.path.is_ident("verbose_name") {
                let lit = string_value(&meta)?;
                if let Err(e) = names::check_text(&lit.value()) {
                    return Err(syn::Error::new(
                        lit.span(),
                        format!("invalid verbose_name: {e}"),
                    ));
                }
                verbose_name.set(ctxt, span, lit.value());
            } else if meta.path.is_ident("managed") {
                let lit: syn::LitBool = meta.value()?.parse()?;
                managed.set(ctxt, span, lit.value);
            } else if meta.path.is_ident("renamed_from") {
                let lit = string_value(&meta)?;
                renamed_from.set(ctxt, span, Spanned::new(lit.value(), lit.span()));
            } else if meta.path.is_ident("crate") {
                let lit = string_value(&meta)?;
                crate_path.set(ctxt, span, crate_path_value(&lit)?);
            } else if meta.path.is_ident("unique") {
                out.unique_together.push(ident_list(&meta)?);
            } else if meta.path.is_ident("index") {
                out.index_together.push(ident_list(&meta)?);
            } else if is_field_only_key(&meta.path) {
                return Err(meta.error(format!(
                    "`{}` is a field option; put it on a field's `#[model(...)]`",
                    path_name(&meta.path)
                )));
            } else {
                return Err(meta.error(format!(
                    "unknown model option `{}`; expected one of: {CONTAINER_KEYS}",
                    path_name(&meta.path)
                )));
            }
            Ok(())
        });
        if let Err(e) = result {
            ctxt.syn_error(e);
        }
    }

    out.app_label = app_label.value;
    out.model_name = model_name.value;
    out.table_name = table_name.value;
    out.verbose_name = verbose_name.value;
    out.managed = managed.value;
    out.renamed_from = renamed_from.value;
    out.crate_path = crate_path.value;
    out
}

const FIELD_KEYS: &str = "primary_key, auto_increment, unique, index, max_length, max_digits, decimal_places, column, default, foreign_key, on_delete, renamed_from, sql_type, db_type, skip";

fn is_field_only_key(path: &Path) -> bool {
    FIELD_KEYS.split(", ").any(|k| path.is_ident(k))
}

fn parse_field(field: &syn::Field, ident: &Ident, ctxt: &mut Ctxt) -> Option<FieldKind> {
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
    if type_name.as_deref() == Some("GenericRelation") || rel_attr.is_some() {
        let Some(through) = generic_argument(&field.ty) else {
            ctxt.error_spanned_by(
                &field.ty,
                "a generic relation field must have the type `GenericRelation<Through>`",
            );
            return None;
        };
        if let Some(a) = gfk_attr.or(model_attrs.first().copied()) {
            ctxt.error_spanned_by(
                a,
                "a `GenericRelation` field takes only `#[generic_relation(...)]`",
            );
        }
        return Some(FieldKind::GenericRelation(parse_relation_attr(
            rel_attr, through, ctxt,
        )));
    }
    parse_column(field, ident, &model_attrs, ctxt)
}

fn parse_gfk_attr(attr: Option<&Attribute>, ident: &Ident, ctxt: &mut Ctxt) -> GfkSpec {
    let mut ct_field = Once::new("ct_field");
    let mut fk_field = Once::new("fk_field");
    if let Some(attr) = attr {
        if !matches!(attr.meta, syn::Meta::Path(_)) {
            let result = parse_items(attr, ctxt, |meta, ctxt| {
                let span = meta.path.span();
                if meta.path.is_ident("ct_field") {
                    ct_field.set(ctxt, span, ident_value(&meta)?);
                } else if meta.path.is_ident("fk_field") {
                    fk_field.set(ctxt, span, ident_value(&meta)?);
                } else {
                    return Err(meta.error(format!(
                        "unknown generic foreign key option `{}`; expected `ct_field` or `fk_field`",
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
    GfkSpec {
        ct_field: ct_field
            .value
            .unwrap_or_else(|| Ident::new("content_type_id", span)),
        fk_field: fk_field
            .value
            .unwrap_or_else(|| Ident::new("object_id", span)),
    }
}

fn parse_relation_attr(attr: Option<&Attribute>, through: Path, ctxt: &mut Ctxt) -> RelationSpec {
    let mut gfk = Once::new("gfk");
    let mut related_query_name = Once::new("related_query_name");
    if let Some(attr) = attr {
        if !matches!(attr.meta, syn::Meta::Path(_)) {
            let result = parse_items(attr, ctxt, |meta, ctxt| {
                let span = meta.path.span();
                if meta.path.is_ident("gfk") {
                    gfk.set(ctxt, span, ident_value(&meta)?);
                } else if meta.path.is_ident("related_query_name") {
                    let lit = string_value(&meta)?;
                    related_query_name.set(ctxt, span, Spanned::new(lit.value(), lit.span()));
                } else {
                    return Err(meta.error(format!(
                        "unknown generic relation option `{}`; expected `gfk` or `related_query_name`",
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
        through,
        gfk: gfk.value,
        related_query_name: related_query_name.value,
    }
}

fn parse_column(
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
    let mut renamed_from = Once::new("renamed_from");
    let mut skip = Once::new("skip");
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
                super::validate::check_max_length(n)
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
                let value: Ident = meta.value()?.parse()?;
                match OnDelete::from_name(&value.to_string()) {
                    Some(o) => on_delete.set(ctxt, span, Spanned::new(o, value.span())),
                    None => {
                        return Err(syn::Error::new(
                            value.span(),
                            format!("unknown `on_delete` action `{value}`; expected cascade, restrict, set_null or no_action"),
                        ))
                    }
                }
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
    let on_delete_value = on_delete.value;
    let foreign_key = foreign_key.value.map(|target| ForeignKeySpec {
        target,
        on_delete: on_delete_value
            .as_ref()
            .map(|o| o.value)
            .unwrap_or(OnDelete::Cascade),
    });
    if let Some(o) = &on_delete_value {
        if foreign_key.is_none() {
            ctxt.error_at(
                o.span,
                "`on_delete` needs `foreign_key = Target` on the same field",
            );
        } else if o.value == OnDelete::SetNull && !nullable {
            ctxt.error_at(
                o.span,
                "`on_delete = set_null` needs a nullable column; make the field an `Option`",
            );
        }
    }

    let max_length_value = max_length.value;
    if let Some(m) = &max_length_value {
        if base != BaseType::String {
            ctxt.error_at(m.span, "`max_length` applies to `String` fields only");
        }
    }

    let default = default.value.and_then(|lit| {
        match super::validate::column_default(
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

    Some(FieldKind::Column(ColumnSpec {
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
        renamed_from: renamed_from.value,
    }))
}

/// Parses the items of a `#[key(...)]` attribute with `item`. An item's error is recorded
/// and the rest of that item skipped, so that the items after it are read (and their errors
/// reported) too.
fn parse_items(
    attr: &Attribute,
    ctxt: &mut Ctxt,
    mut item: impl FnMut(ParseNestedMeta, &mut Ctxt) -> syn::Result<()>,
) -> syn::Result<()> {
    attr.parse_nested_meta(|meta| {
        let input = meta.input;
        if let Err(e) = item(meta, ctxt) {
            ctxt.syn_error(e);
            skip_item(input)?;
        }
        Ok(())
    })
}

/// Skips tokens up to the `,` that ends the current item (groups are skipped whole).
fn skip_item(input: ParseStream) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

/// A flag (`unique`), which takes no value.
fn no_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        Ok(())
    } else {
        let name = path_name(&meta.path);
        Err(meta.error(format!("`{name}` takes no value; write `{name}` alone")))
    }
}

/// `key = "string"`, without a suffix.
fn string_value(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    string_value_of(meta.value()?)
}

fn string_value_of(input: ParseStream) -> syn::Result<LitStr> {
    let lit: LitStr = input.parse()?;
    if !lit.suffix().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            format!("unexpected suffix `{}` on a string literal", lit.suffix()),
        ));
    }
    Ok(lit)
}

/// `key = ident` or `key = "ident"`. A quoted name is not re-lexed (the compiler's lexer
/// aborts the derive on text such as an unclosed quote), so it must be an ASCII identifier;
/// any field can be named unquoted.
fn ident_value(meta: &ParseNestedMeta) -> syn::Result<Ident> {
    let value = meta.value()?;
    if !value.peek(LitStr) {
        return value.parse();
    }
    let lit = string_value_of(value)?;
    let text = lit.value();
    let name = text.strip_prefix("r#").unwrap_or(&text);
    match names::rust_spelling(name) {
        Ok(names::RustSpelling::Plain) => Ok(Ident::new(name, lit.span())),
        Ok(names::RustSpelling::Raw) => Ok(Ident::new_raw(name, lit.span())),
        Err(_) => Err(syn::Error::new(
            lit.span(),
            format!(
                "`{}` must name a field; write the field name without quotes, as in `{} = content_type_id`",
                text.escape_debug(),
                path_name(&meta.path)
            ),
        )),
    }
}

/// `crate = "::contenttypes"`: a path of ASCII identifiers, checked before it is parsed
/// (re-lexing arbitrary text can abort the derive).
fn crate_path_value(lit: &LitStr) -> syn::Result<Path> {
    let text = lit.value();
    let body = text.trim();
    let body = body.strip_prefix("::").unwrap_or(body);
    let plain = !body.is_empty()
        && body.split("::").all(|segment| {
            let segment = segment.trim();
            names::is_ascii_identifier(segment.strip_prefix("r#").unwrap_or(segment))
        });
    if !plain {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "`crate = \"{}\"` must be a path to the contenttypes crate, such as \"::contenttypes\" or \"my_crate::contenttypes\"",
                text.escape_debug()
            ),
        ));
    }
    lit.parse()
}

/// `key(a, b, c)`.
fn ident_list(meta: &ParseNestedMeta) -> syn::Result<Vec<Ident>> {
    let content;
    syn::parenthesized!(content in meta.input);
    let list = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
    if list.len() < 2 {
        return Err(meta.error(format!(
            "`{}(...)` takes two or more fields; for one field use the field option",
            path_name(&meta.path)
        )));
    }
    Ok(list.into_iter().collect())
}

fn path_name(path: &Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// The last path segment's name of a type (`a::b::C<T>` → `C`).
pub fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
        Type::Group(g) => last_segment(&g.elem),
        Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

/// The single generic type argument of the last segment (`GenericRelation<T>` → `T`).
fn generic_argument(ty: &Type) -> Option<Path> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(Type::Path(tp)) if tp.qself.is_none() => Some(tp.path.clone()),
        _ => None,
    });
    let first = types.next()?;
    types.next().is_none().then_some(first)
}

/// The `T` of `Option<T>`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

/// The column base type of a Rust type, recognised by its path (`String`,
/// `std::string::String`, `uuid::Uuid`...).
fn base_type(ty: &Type) -> Option<BaseType> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    let name = last.ident.to_string();
    let no_args = matches!(last.arguments, PathArguments::None);
    Some(match name.as_str() {
        "bool" if no_args => BaseType::Bool,
        "i16" if no_args => BaseType::I16,
        "i32" if no_args => BaseType::I32,
        "i64" if no_args => BaseType::I64,
        "f32" if no_args => BaseType::F32,
        "f64" if no_args => BaseType::F64,
        "String" if no_args => BaseType::String,
        "Uuid" if no_args => BaseType::Uuid,
        "NaiveDate" if no_args => BaseType::NaiveDate,
        "NaiveTime" if no_args => BaseType::NaiveTime,
        "NaiveDateTime" if no_args => BaseType::NaiveDateTime,
        "PrimitiveDateTime" if no_args => BaseType::PrimitiveDateTime,
        "OffsetDateTime" if no_args => BaseType::OffsetDateTime,
        "BigDecimal" if no_args => BaseType::Decimal,
        "JsonValue" if no_args => BaseType::Json,
        "Value" if no_args && p.path.segments.iter().any(|s| s.ident == "serde_json") => {
            BaseType::Json
        }
        "Date" if no_args => BaseType::TimeDate,
        "Time" if no_args => BaseType::TimeTime,
        "DateTime" => {
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                GenericArgument::Type(Type::Path(tz))
                    if args.args.len() == 1
                        && tz.path.segments.last().is_some_and(|s| s.ident == "Utc") =>
                {
                    BaseType::DateTimeUtc
                }
                _ => return None,
            }
        }
        "Vec" => {
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                GenericArgument::Type(Type::Path(inner))
                    if inner.path.is_ident("u8") && args.args.len() == 1 =>
                {
                    BaseType::Bytes
                }
                _ => return None,
            }
        }
        _ => return None,
    })
}
