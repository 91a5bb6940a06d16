//! Reading attribute values: options given at most once, items that keep going after an
//! error, and the value forms (`= "string"`, `= ident`, `(a, b)`).

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::{Attribute, Ident, LitStr, Path, Token};

use super::ast::{Spanned, Together};
use super::ctxt::Ctxt;
use crate::names;

/// One option that may be given at most once.
pub(super) struct Once<T> {
    name: &'static str,
    pub(super) value: Option<T>,
}

impl<T> Once<T> {
    pub(super) fn new(name: &'static str) -> Self {
        Once { name, value: None }
    }

    pub(super) fn set(&mut self, ctxt: &mut Ctxt, span: Span, value: T) {
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

/// Parses the items of a `#[key(...)]` attribute with `item`. An item's error is recorded
/// and the rest of that item skipped, so that the items after it are read (and their errors
/// reported) too.
pub(super) fn parse_items(
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
pub(super) fn skip_item(input: ParseStream) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

/// A flag (`unique`), which takes no value.
pub(super) fn no_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        Ok(())
    } else {
        let name = path_name(&meta.path);
        Err(meta.error(format!("`{name}` takes no value; write `{name}` alone")))
    }
}

/// `key = "string"`, without a suffix.
pub(super) fn string_value(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    string_value_of(meta.value()?)
}

pub(super) fn string_value_of(input: ParseStream) -> syn::Result<LitStr> {
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
pub(super) fn ident_value(meta: &ParseNestedMeta) -> syn::Result<Ident> {
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
pub(super) fn crate_path_value(lit: &LitStr) -> syn::Result<Path> {
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

/// `key(a, b, c)`, with an optional `name = "..."` among the fields (Django's
/// `models.Index(fields=[...], name=...)`). A field named `name` is listed as `name` alone.
pub(super) fn together_list(meta: &ParseNestedMeta) -> syn::Result<Together> {
    let key = path_name(&meta.path);
    let content;
    syn::parenthesized!(content in meta.input);
    let result = together_items(&key, &content);
    // Whatever an error left unread is skipped (syn reports unread tokens otherwise).
    while !content.is_empty() {
        content.parse::<proc_macro2::TokenTree>()?;
    }
    let (fields, name) = result?;
    if fields.len() < 2 {
        return Err(meta.error(format!(
            "`{key}(...)` takes two or more fields; for one field use the field option"
        )));
    }
    Ok(Together { fields, name })
}

type TogetherItems = (Vec<Ident>, Option<Spanned<String>>);

fn together_items(key: &str, content: ParseStream) -> syn::Result<TogetherItems> {
    let mut fields = Vec::new();
    let mut name: Option<Spanned<String>> = None;
    while !content.is_empty() {
        let ident: Ident = content.parse()?;
        if content.peek(Token![=]) {
            content.parse::<Token![=]>()?;
            if ident != "name" {
                return Err(syn::Error::new(
                    ident.span(),
                    format!("unknown `{key}(...)` option `{ident}`; it takes fields and `name = \"...\"`"),
                ));
            }
            let lit = string_value_of(content)?;
            if name.is_some() {
                return Err(syn::Error::new(
                    ident.span(),
                    "duplicate `name` option; give it once",
                ));
            }
            name = Some(Spanned::new(lit.value(), lit.span()));
        } else {
            fields.push(ident);
        }
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok((fields, name))
}

/// `key(A, b::B, ...)`: a list of paths (possibly empty: the caller checks the length).
pub(super) fn path_list(meta: &ParseNestedMeta) -> syn::Result<Vec<Path>> {
    let content;
    syn::parenthesized!(content in meta.input);
    let paths = content.parse_terminated(Path::parse_mod_style, Token![,])?;
    Ok(paths.into_iter().collect())
}

/// `key = "name"`: the name of an index or constraint (checked with the model's others).
pub(super) fn name_value(meta: &ParseNestedMeta) -> syn::Result<Spanned<String>> {
    let lit = string_value(meta)?;
    Ok(Spanned::new(lit.value(), lit.span()))
}

pub(super) fn path_name(path: &Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// `on_delete = cascade | restrict | set_null | no_action`.
pub(super) fn on_delete_value(meta: &ParseNestedMeta) -> syn::Result<Spanned<crate::ir::OnDelete>> {
    let value: Ident = meta.value()?.parse()?;
    match crate::ir::OnDelete::from_name(&value.to_string()) {
        Some(o) => Ok(Spanned::new(o, value.span())),
        None => Err(syn::Error::new(
            value.span(),
            format!("unknown `on_delete` action `{value}`; expected cascade, restrict, set_null or no_action"),
        )),
    }
}
