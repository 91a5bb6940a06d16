//! Reads a model struct and its attributes into a [`ModelSpec`], collecting every error.
//!
//! Grammar (every key optional unless stated):
//!
//! ```text
//! #[model(app_label = "blog", model_name = "article", table_name = "blog_article",
//!         verbose_name = "article", managed = false, renamed_from = "post",
//!         unique(a, b, name = "x"), index(a, b, name = "y"), crate = "::contenttypes")]
//! struct Article {
//!     #[model(primary_key, auto_increment = false, unique, index, max_length = 200,
//!             column = "title", default = "x", foreign_key = Tag, on_delete = cascade,
//!             renamed_from = "old", index_name = "x", foreign_key_name = "y", skip)]
//!     field: Type,
//!     #[model(on_delete = set_null, foreign_key_name = "z")] // a content-type field
//!     content_type_id: Option<i32>,
//!     #[generic_foreign_key(ct_field = content_type_id, fk_field = object_id, index_name = "w")]
//!     content_object: GenericForeignKey,
//!     #[generic_relation(gfk = content_object, related_query_name = "article")]
//!     tags: GenericRelation<TaggedItem>,
//! }
//! ```

use syn::spanned::Spanned as _;
use syn::{Attribute, Fields, Generics, Ident, LitStr, Path, Visibility};

use super::ast::*;
use super::attr::*;
use super::ctxt::Ctxt;
use super::field::*;
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
        tag: container.tag,
        tagged_item: container.tagged_item,
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

#[derive(Default)]
pub(super) struct ContainerAttrs {
    app_label: Option<Spanned<String>>,
    model_name: Option<Spanned<String>>,
    table_name: Option<Spanned<String>>,
    verbose_name: Option<String>,
    managed: Option<bool>,
    renamed_from: Option<Spanned<String>>,
    unique_together: Vec<Together>,
    index_together: Vec<Together>,
    crate_path: Option<Path>,
    table_path: Option<Path>,
    tag: Option<TagSpec>,
    tagged_item: Option<TaggedItemSpec>,
}

pub(super) const CONTAINER_KEYS: &str =
    "app_label, model_name, table_name, verbose_name, managed, renamed_from, unique(..), index(..), crate, tag, tagged_item(..)";

pub(super) fn parse_container_attrs(attrs: &[Attribute], ctxt: &mut Ctxt) -> ContainerAttrs {
    let mut app_label = Once::new("app_label");
    let mut model_name = Once::new("model_name");
    let mut table_name = Once::new("table_name");
    let mut verbose_name = Once::new("verbose_name");
    let mut managed = Once::new("managed");
    let mut renamed_from = Once::new("renamed_from");
    let mut crate_path = Once::new("crate");
    let mut tag = Once::new("tag");
    let mut tagged_item = Once::new("tagged_item");
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
                out.unique_together.push(together_list(&meta)?);
            } else if meta.path.is_ident("index") {
                out.index_together.push(together_list(&meta)?);
            } else if meta.path.is_ident("tag") {
                tag.set(ctxt, span, tag_options(&meta)?);
            } else if meta.path.is_ident("tagged_item") {
                tagged_item.set(ctxt, span, tagged_item_options(&meta)?);
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
    out.tag = tag.value;
    out.tagged_item = tagged_item.value;
    out
}

/// `tag` or `tag(case_insensitive)`.
fn tag_options(meta: &syn::meta::ParseNestedMeta) -> syn::Result<TagSpec> {
    let mut spec = TagSpec {
        span: meta.path.span(),
        case_insensitive: false,
    };
    if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| {
            if inner.path.is_ident("case_insensitive") {
                spec.case_insensitive = true;
                Ok(())
            } else {
                Err(inner.error(format!(
                    "unknown tag option `{}`; expected `case_insensitive`",
                    path_name(&inner.path)
                )))
            }
        })?;
    }
    Ok(spec)
}

/// `tagged_item(tag = tag_id)` or `tagged_item(tag = tag_id, set = tag_set)`.
fn tagged_item_options(meta: &syn::meta::ParseNestedMeta) -> syn::Result<TaggedItemSpec> {
    let span = meta.path.span();
    let mut tag = None;
    let mut set = None;
    if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| {
            if inner.path.is_ident("tag") {
                tag = Some(ident_value(&inner)?);
            } else if inner.path.is_ident("set") {
                set = Some(ident_value(&inner)?);
            } else {
                return Err(inner.error(format!(
                    "unknown tagged_item option `{}`; expected `tag` or `set`",
                    path_name(&inner.path)
                )));
            }
            Ok(())
        })?;
    }
    let tag = tag.ok_or_else(|| {
        syn::Error::new(
            span,
            "`tagged_item` names the foreign key to the tag model: `tagged_item(tag = tag_id)`",
        )
    })?;
    Ok(TaggedItemSpec { span, tag, set })
}
