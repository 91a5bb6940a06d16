//! The derives of the contenttypes framework. Use them through the `contenttypes` crate,
//! which documents their attributes.
//!
//! Each entry point is thin: it parses with the parser shared with the migrations build
//! helper (`contenttypes_core::codegen`), lowers to the IR, and generates code from it. On an
//! error it emits the error and stub impls, so the user sees the real mistake instead of a
//! cascade of "trait not implemented" errors.

#![forbid(unsafe_code)]

use proc_macro::TokenStream;

mod checks;
#[cfg(test)]
mod corpus_tests;
mod fallback;
mod gfk;
mod insert_struct;
mod ir_tokens;
mod manifest;
mod model;
mod relation;
mod tagging;
mod targets;
#[cfg(test)]
mod tests;
mod util;

/// `#[derive(Model)]`: see the `contenttypes` crate.
#[proc_macro_derive(Model, attributes(model, generic_foreign_key, generic_relation))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    model::derive(input.into()).into()
}

/// `#[derive(GenericRelation)]`: see the `contenttypes` crate.
#[proc_macro_derive(
    GenericRelation,
    attributes(model, generic_foreign_key, generic_relation)
)]
pub fn derive_generic_relation(input: TokenStream) -> TokenStream {
    relation::derive(input.into()).into()
}
