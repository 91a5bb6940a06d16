//! How generated code names the models a model references.

use contenttypes_core::codegen::ast::ModelSpec;
use proc_macro2::{Span, TokenStream};
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

/// A compile-time check, spanned at `span`, that a generic foreign key's object id column
/// (of type `object_id`) can hold `target`'s primary key.
pub fn object_id_holds_key(
    p: &TokenStream,
    object_id: &TokenStream,
    target: &TokenStream,
    span: Span,
) -> TokenStream {
    quote_spanned! {span=>
        const _: fn() = || {
            fn __object_id_holds_primary_key<__O: #p::ObjectIdFor<__T, __K>, __T, __K>() {}
            __object_id_holds_primary_key::<#object_id, #target, <#target as #p::Model>::Pk>();
        };
    }
}

/// A compile-time check, spanned at `span`, that a generic foreign key whose targets are
/// `targets` (a `TargetSet`) may point at `target`.
pub fn admits(
    p: &TokenStream,
    targets: &TokenStream,
    target: &TokenStream,
    span: Span,
) -> TokenStream {
    quote_spanned! {span=>
        const _: fn() = || {
            fn __is_a_target<__S: #p::targets::Admits<__T>, __T: #p::Model>() {}
            __is_a_target::<#targets, #target>();
        };
    }
}

/// `tokens` with every token (and group) at `span`, so that an error about the type they
/// spell points there.
pub fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(g) = &tree {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tree = proc_macro2::TokenTree::Group(group);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}
