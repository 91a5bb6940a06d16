//! How generated code names the models a model references.

use contenttypes_core::codegen::ast::ModelSpec;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::Path;

/// A foreign key target as generated code can name it: `Self` is the model itself (generated
/// code outside its impls cannot say `Self`).
pub fn target(spec: &ModelSpec, target: &Path) -> TokenStream {
    if target.is_ident("Self") {
        let ident = &spec.ident;
        quote_spanned!(target.span()=> #ident)
    } else {
        quote!(#target)
    }
}
