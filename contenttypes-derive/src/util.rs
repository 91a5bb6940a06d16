//! Small helpers shared by the generators.

use contenttypes_core::codegen::ast::{BaseType, ColumnSpec, ModelSpec};
use contenttypes_core::codegen::{parse_derive_input, ParseContext};
use contenttypes_core::names::{self, NameError, RustSpelling};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

/// The path of the `__private` module of the facade crate (`::contenttypes::__private`, or
/// under `#[model(crate = "...")]`).
pub fn private(spec: Option<&ModelSpec>) -> TokenStream {
    match spec.and_then(|s| s.crate_path.as_ref()) {
        Some(path) => quote!(#path::__private),
        None => quote!(::contenttypes::__private),
    }
}

/// The path of the `contenttypes` crate itself, for types that appear in public signatures.
pub fn public(spec: Option<&ModelSpec>) -> TokenStream {
    match spec.and_then(|s| s.crate_path.as_ref()) {
        Some(path) => quote!(#path),
        None => quote!(::contenttypes),
    }
}

/// The most columns a model may have: what Diesel's `table!`, and the tuples the derive
/// implements Diesel's traits for, support with the features the facade forwards here.
pub const MAX_COLUMNS: usize = if cfg!(feature = "64-column-tables") {
    64
} else {
    32
};

/// The identifier Diesel's `table!` gives a SQL name: raw when the name is a Rust keyword
/// (`type` → `r#type`). The parser refuses names that cannot be one (`self`, `Self`,
/// `crate`, `super`, `_`, non-identifiers, see `names::rust_spelling`); should one get here
/// anyway, it becomes a placeholder instead of a panic.
pub fn ident_for(name: &str) -> Ident {
    match names::rust_spelling(name) {
        Ok(RustSpelling::Plain) => Ident::new(name, Span::call_site()),
        Ok(RustSpelling::Raw) => Ident::new_raw(name, Span::call_site()),
        Err(_) => placeholder(name),
    }
}

/// An identifier made from a field name (`CONTENT_OBJECT` from `content_object`), checked
/// first so that it cannot panic; the parser's checks keep the placeholder unused.
pub fn ident(name: &str, span: Span) -> Ident {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c))
        && chars.all(unicode_ident::is_xid_continue)
        && name != "_";
    match names::rust_spelling(name) {
        Ok(RustSpelling::Raw) => Ident::new_raw(name, span),
        Err(NameError::NotRawIdentifier(_)) => placeholder(name),
        _ if valid => Ident::new(name, span),
        _ => placeholder(name),
    }
}

fn placeholder(name: &str) -> Ident {
    format_ident!(
        "__contenttypes_invalid_name_{:016x}",
        names::fnv1a64(name.as_bytes())
    )
}

/// The Diesel SQL type of a column in a generated `table!`.
pub fn diesel_sql_type(p: &TokenStream, column: &ColumnSpec) -> TokenStream {
    let st = match column.base {
        BaseType::Bool => quote!(#p::diesel::sql_types::Bool),
        BaseType::I16 => quote!(#p::diesel::sql_types::SmallInt),
        BaseType::I32 => quote!(#p::diesel::sql_types::Integer),
        BaseType::I64 => quote!(#p::diesel::sql_types::BigInt),
        BaseType::F32 => quote!(#p::diesel::sql_types::Float),
        BaseType::F64 => quote!(#p::diesel::sql_types::Double),
        BaseType::String => quote!(#p::diesel::sql_types::Text),
        BaseType::Bytes => quote!(#p::diesel::sql_types::Binary),
        BaseType::Uuid => quote!(#p::sql_types::Uuid),
        BaseType::NaiveDate | BaseType::TimeDate => quote!(#p::diesel::sql_types::Date),
        BaseType::NaiveTime | BaseType::TimeTime => quote!(#p::diesel::sql_types::Time),
        BaseType::NaiveDateTime | BaseType::PrimitiveDateTime => {
            quote!(#p::diesel::sql_types::Timestamp)
        }
        BaseType::DateTimeUtc | BaseType::OffsetDateTime => quote!(#p::sql_types::TimestampTz),
        BaseType::Json => quote!(#p::sql_types::Json),
        BaseType::Decimal => quote!(#p::diesel::sql_types::Numeric),
        BaseType::Custom => match &column.sql_type {
            Some(path) => quote!(#path),
            None => quote!(#p::diesel::sql_types::Text),
        },
    };
    if column.nullable {
        quote!(#p::diesel::sql_types::Nullable<#st>)
    } else {
        st
    }
}

/// The type-level name of a generic foreign key: a hash of its field name, shared by the
/// model that declares it and the relations that reverse it.
pub fn gfk_key(name: &str) -> u64 {
    contenttypes_core::names::fnv1a64(name.as_bytes())
}

/// Parses a derive's input into a model spec with the shared parser. On failure, the error
/// and, when the input was at least a Rust item, the item (for stub impls).
#[allow(clippy::result_large_err)]
pub fn parse(
    input: TokenStream,
) -> Result<(syn::DeriveInput, ModelSpec), (Option<syn::DeriveInput>, syn::Error)> {
    let input: syn::DeriveInput = syn::parse2(input).map_err(|e| (None, e))?;
    let cx = ParseContext {
        max_columns: MAX_COLUMNS,
        ..ParseContext::from_env()
    };
    match parse_derive_input(&input, &cx) {
        Ok(spec) => Ok((input, spec)),
        Err(e) => Err((Some(input), e)),
    }
}
