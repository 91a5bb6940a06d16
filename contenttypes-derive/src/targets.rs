//! The enum `#[derive(Model)]` generates for a generic foreign key declared with
//! `targets(Article, Video)`: one variant per target holding the shared object, the
//! conversions to and from `GenericObject`, the `TargetSet` that says which models are
//! admitted, an `Admits<Target>` per target, and the compile-time check that the object id
//! column holds each target's key (an error at the target in the attribute).

use contenttypes_core::codegen::ast::{field_name, FieldSpec, GfkSpec, ModelSpec};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{Ident, Type};

use crate::checks;

/// `TaggedItem` + `content_object` → `TaggedItemContentObject`.
pub fn enum_ident(spec: &ModelSpec, field: &FieldSpec) -> Ident {
    let camel: String = field_name(&field.ident)
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect();
    format_ident!("{}{}", spec.ident, camel)
}

/// The declared targets as written (`Article, media::Video`), when there are any.
pub fn listed(gfk: &GfkSpec) -> Option<String> {
    let paths = gfk.target_paths();
    (!paths.is_empty()).then(|| {
        paths
            .iter()
            .map(|p| quote!(#p).to_string().replace(' ', ""))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// The enum and its impls, when `gfk` declares targets; nothing otherwise.
pub fn targets_enum(
    p: &TokenStream,
    spec: &ModelSpec,
    field: &FieldSpec,
    gfk: &GfkSpec,
    object_id: &Type,
) -> TokenStream {
    let paths = gfk.target_paths();
    if paths.is_empty() {
        return TokenStream::new();
    }
    let ident = enum_ident(spec, field);
    let vis = &spec.vis;
    let types: Vec<TokenStream> = paths.iter().map(|t| checks::target(spec, t)).collect();
    let variants: Vec<Ident> = paths
        .iter()
        .map(|t| match t.segments.last() {
            Some(s) if t.is_ident("Self") => Ident::new(&spec.ident.to_string(), s.ident.span()),
            Some(s) => s.ident.clone(),
            None => Ident::new("Target", Span::call_site()),
        })
        .collect();
    let names: Vec<String> = variants.iter().map(ToString::to_string).collect();
    let list = names.join(" | ");
    let name = field_name(&field.ident);
    let doc = format!(
        "The targets of the generic foreign key `{}.{name}` (`targets({})`): what `{name}(db)` \
         returns. Convert it into a `GenericObject` with `From`.",
        spec.ident,
        listed(gfk).unwrap_or_default()
    );
    let variant_docs = names.iter().map(|n| format!("It points at a `{n}`."));
    let mut checks = TokenStream::new();
    for (path, ty) in paths.iter().zip(&types) {
        // Spanned at the target in the attribute, where the error is fixed.
        let span = path.span();
        checks.extend(checks::object_id_holds_key(
            p,
            &checks::respan(quote!(#object_id), span),
            &checks::respan(ty.clone(), span),
            span,
        ));
    }
    quote! {
        #[doc = #doc]
        #[derive(::core::clone::Clone)]
        #vis enum #ident {
            #( #[doc = #variant_docs] #variants(::std::sync::Arc<#types>), )*
        }

        /// The variant and the object as a `GenericObject` shows it (the targets need not
        /// implement `Debug`).
        #[automatically_derived]
        impl ::core::fmt::Debug for #ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let (variant, object) = match self {
                    #( #ident::#variants(object) => (#names, #p::GenericObject::from_shared(::core::clone::Clone::clone(object))), )*
                };
                f.debug_tuple(variant).field(&object).finish()
            }
        }

        /// The same row: the same model and primary key.
        #[automatically_derived]
        impl ::core::cmp::PartialEq for #ident {
            fn eq(&self, other: &Self) -> bool {
                #p::GenericObject::from(::core::clone::Clone::clone(self))
                    == #p::GenericObject::from(::core::clone::Clone::clone(other))
            }
        }

        #[automatically_derived]
        impl ::core::convert::From<#ident> for #p::GenericObject {
            fn from(target: #ident) -> Self {
                match target {
                    #( #ident::#variants(object) => #p::GenericObject::from_shared(object), )*
                }
            }
        }

        #[automatically_derived]
        impl ::core::convert::TryFrom<#p::GenericObject> for #ident {
            type Error = #p::ct_diesel::Error;
            fn try_from(object: #p::GenericObject) -> #p::Result<Self> {
                #(
                    if object.is::<#types>() {
                        return ::core::result::Result::Ok(#ident::#variants(object.downcast::<#types>()?));
                    }
                )*
                ::core::result::Result::Err(#p::targets::not_admitted(#list, &object))
            }
        }

        #[automatically_derived]
        impl #p::targets::TargetSet for #ident {
            type Target = Self;
            fn admits(model: &#p::ct_core::ir::ModelDef) -> bool {
                #( #p::targets::is_model::<#types>(model) )||*
            }
            fn from_object(object: #p::GenericObject) -> #p::Result<Self> {
                ::core::convert::TryFrom::try_from(object)
            }
            fn __load<'__a, __C, __F>(
                conn: &'__a mut __C,
                model: &'__a #p::ct_core::ir::ModelDef,
                keys: &'__a [#p::ct_diesel::field::Value],
                filter: &'__a __F,
                out: &'__a mut #p::targets::LoadedTargets,
            ) -> impl ::core::future::Future<Output = #p::Result<bool>> + ::core::marker::Send + '__a
            where
                __C: #p::ct_diesel::Conn,
                __F: #p::diesel::query_builder::QueryFragment<<__C as #p::ct_diesel::Conn>::Backend>
                    + ::core::marker::Sync
                    + ?::core::marker::Sized,
            {
                async move {
                    #(
                        if #p::targets::is_model::<#types>(model) {
                            return #p::targets::load_as::<#types, __C, __F>(conn, keys, filter, out).await;
                        }
                    )*
                    ::core::result::Result::Ok(false)
                }
            }
        }

        #(
            #[automatically_derived]
            impl #p::targets::Admits<#types> for #ident {}
        )*

        #checks
    }
}
