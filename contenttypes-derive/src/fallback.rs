//! What `#[derive(Model)]` emits next to its errors: stub impls of the traits the rest of
//! the user's code relies on, so the compiler reports the real mistake and not a cascade of
//! "`Model` is not implemented" errors (thiserror's `fallback.rs`). The bodies are never run:
//! a crate with the error does not compile.

use contenttypes_core::codegen::ast::ModelSpec;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::util;

/// Stubs for a struct whose declaration has errors.
pub fn model(input: &syn::DeriveInput) -> TokenStream {
    // Stubs for a generic struct would need its generics and add errors of their own.
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    stubs(&input.ident, &input.vis, util::private(None))
}

/// Stubs for a spec that parsed but cannot be generated (no primary key).
pub fn model_from_spec(spec: &ModelSpec) -> TokenStream {
    stubs(&spec.ident, &spec.vis, util::private(Some(spec)))
}

fn stubs(ident: &syn::Ident, vis: &syn::Visibility, p: TokenStream) -> TokenStream {
    let new_ident = format_ident!("New{}", ident);
    quote! {
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default, ::core::cmp::PartialEq)]
        #vis struct #new_ident;

        const _: () = {
            impl #p::ct_core::registry::Registered for #ident {
                const APP_LABEL: &'static str = "";
                const MODEL_NAME: &'static str = "";
                const TABLE_NAME: &'static str = "";
                const PK_COLUMN: &'static str = "";
                fn registration() -> &'static #p::ct_core::registry::Registration {
                    ::core::unreachable!()
                }
            }

            impl #p::Model for #ident {
                type Pk = i64;
                type New = #new_ident;
                type Table = #p::ct_diesel::content_type::django_content_type::table;
                const DEF: &'static #p::ct_core::ir::ModelDef = #p::ct_core::content_type::DEF;
                fn pk(&self) -> &i64 {
                    ::core::unreachable!()
                }
            }

            impl<__DB: #p::diesel::backend::Backend + 'static> #p::ReadColumns<__DB> for #ident {
                fn __read_columns<__R: #p::RawRow<__DB> + ?::core::marker::Sized>(
                    _: &__R,
                ) -> #p::diesel::deserialize::Result<Self> {
                    ::core::unreachable!()
                }
            }

            impl<__DB: #p::diesel::backend::Backend> #p::BindColumns<__DB> for #ident {
                fn __bind<'__b>(
                    &'__b self,
                    _: usize,
                    _: &mut #p::diesel::query_builder::AstPass<'_, '__b, __DB>,
                ) -> #p::diesel::QueryResult<()> {
                    ::core::unreachable!()
                }
            }

            impl<__DB: #p::diesel::backend::Backend> #p::BindColumns<__DB> for #new_ident {
                fn __bind<'__b>(
                    &'__b self,
                    _: usize,
                    _: &mut #p::diesel::query_builder::AstPass<'_, '__b, __DB>,
                ) -> #p::diesel::QueryResult<()> {
                    ::core::unreachable!()
                }
            }

            impl #p::NewModel for #new_ident {
                type Model = #ident;
                fn __into_model(self, _: i64) -> #p::Result<#ident> {
                    ::core::unreachable!()
                }
                fn __assign(self, _: &mut #ident) -> #p::Result<()> {
                    ::core::unreachable!()
                }
                fn __pk(&self) -> ::core::option::Option<i64> {
                    ::core::unreachable!()
                }
            }
        };
    }
}
