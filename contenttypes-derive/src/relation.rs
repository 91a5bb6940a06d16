//! `#[derive(GenericRelation)]`: per `GenericRelation<Through>` field, the manager accessor,
//! the relation descriptor constant, the reverse descriptor on the through model
//! (`related_query_name`) and the compile-time check that the through model's object id
//! column can hold this model's primary key.

use contenttypes_core::codegen::ast::{field_name, ModelSpec, RelationKind};
use contenttypes_core::names;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::util;

pub fn derive(input: TokenStream) -> TokenStream {
    match util::parse(input) {
        Ok((_, spec)) => expand(&spec),
        // `#[derive(Model)]` on the same struct reports the errors; reporting them twice
        // would only double the noise. Without it, the struct is not a model at all.
        Err((Some(input), _)) => {
            let p = util::private(None);
            let ident = &input.ident;
            quote!(impl #p::HasGenericRelations for #ident {})
        }
        Err((None, error)) => error.into_compile_error(),
    }
}

pub fn expand(spec: &ModelSpec) -> TokenStream {
    let p = util::private(Some(spec));
    let ident = &spec.ident;
    let vis = &spec.vis;
    let mut inherent = TokenStream::new();
    let mut outside = TokenStream::new();
    for (field, rel) in spec.relation_fields() {
        let name = field_name(&field.ident);
        let fident = &field.ident;
        let through = &rel.through;
        let key = match &rel.gfk {
            Some(g) => {
                let k = util::gfk_key(&g.to_string());
                quote_spanned!(g.span()=> #k)
            }
            None => {
                quote_spanned!(through.span()=> { <#through as #p::SoleGenericForeignKey>::KEY })
            }
        };
        let const_ident = util::ident(&names::constant_name(&name), Span::call_site());
        let through_name = through_name(through);
        match rel.kind {
            RelationKind::Generic => {
                let manager_doc = format!(
                    "The `{name}` of this object: the rows of [`{through_name}`] whose generic foreign key points here. \
                     Reads use the prefetched rows when there are any."
                );
                let const_doc = format!(
                    "The generic relation `{name}`: filter by related rows (`{ident}::{const_ident}.any(...)`), count \
                     them per object, or prefetch them."
                );
                inherent.extend(quote! {
                    #[doc = #manager_doc]
                    #vis fn #fident(&self) -> #p::RelatedManager<'_, #ident, #through, #key> {
                        #p::RelatedManager::new(self, &self.#fident, #name)
                    }

                    #[doc = #const_doc]
                    #vis const #const_ident: #p::GenericRelationDescriptor<#ident, #through, #key> =
                        #p::GenericRelationDescriptor::new(#name, |__parent: &#ident| &__parent.#fident);
                });
            }
            RelationKind::Tags => {
                let manager_doc = format!(
                    "The tag set `{name}` of this object (through [`{through_name}`]): add, remove, set, \
                     read its names. Reads use the prefetched tags when there are any."
                );
                let const_doc = format!(
                    "The tag set `{name}`: filter objects by their tags (`{ident}::{const_ident}.any(..)`, \
                     `all`, `none`), the most common tags, bulk tagging, prefetching."
                );
                inherent.extend(quote! {
                    #[doc = #manager_doc]
                    #vis fn #fident(&self) -> #p::TagManager<'_, #ident, #through, #key> {
                        #p::TagManager::new(self, &self.#fident, #name)
                    }

                    #[doc = #const_doc]
                    #vis const #const_ident: #p::TagsDescriptor<#ident, #through, #key> =
                        #p::TagsDescriptor::new(#name, |__parent: &#ident| &__parent.#fident);
                });
                // The through model must be a tagged item: said at the field's type.
                let ty_span = field.ty.span();
                outside.extend(quote_spanned! {ty_span=>
                    const _: fn() = || {
                        fn __is_a_tagged_item<__T: #p::TaggedItemModel>() {}
                        __is_a_tagged_item::<#through>();
                    };
                });
            }
            RelationKind::ManyToMany => {
                let manager_doc = format!(
                    "The `{name}` of this object: the targets, of any model, of the rows of [`{through_name}`] \
                     whose foreign key points here (django-gm2m's `GM2MField`)."
                );
                let const_doc = format!(
                    "The generic many-to-many relation `{name}`: filter objects by their targets, prefetch them."
                );
                inherent.extend(quote! {
                    #[doc = #manager_doc]
                    #vis fn #fident(&self) -> #p::GenericManyToManyManager<'_, #ident, #through, #key> {
                        #p::GenericManyToManyManager::new(self, &self.#fident, #name)
                    }

                    #[doc = #const_doc]
                    #vis const #const_ident: #p::GenericManyToManyDescriptor<#ident, #through, #key> =
                        #p::GenericManyToManyDescriptor::new(#name, |__parent: &#ident| &__parent.#fident);
                });
                // The targets are any models: their keys are checked where they are added.
                continue;
            }
        }
        let ty_span = field.ty.span();
        // Spanned at the field's type, so an error points at `GenericRelation<Through>`.
        let model = quote_spanned!(ty_span=> #ident);
        outside.extend(crate::checks::object_id_holds_key(
            &p,
            &quote_spanned!(ty_span=> <#through as #p::GenericForeignKeyField<#key>>::ObjectId),
            &model,
            ty_span,
        ));
        // A generic foreign key with `targets(..)` reverses only from the listed models.
        outside.extend(crate::checks::admits(
            &p,
            &quote_spanned!(ty_span=> <#through as #p::GenericForeignKeyField<#key>>::Targets),
            &model,
            ty_span,
        ));
        if let Some(rqn) = &rel.related_query_name {
            let reverse_ident = util::ident(&names::constant_name(&rqn.value), rqn.span);
            let reverse_doc = format!(
                "The `{}` a row points at through the generic relation `{ident}.{name}` \
                 (`related_query_name = \"{}\"`): filter rows by it.",
                ident, rqn.value
            );
            outside.extend(quote! {
                #[automatically_derived]
                impl #through {
                    #[doc = #reverse_doc]
                    #vis const #reverse_ident: #p::ReverseGenericRelation<#through, #ident, #key> =
                        #p::ReverseGenericRelation::new(#name);
                }
            });
        }
    }
    outside.extend(several_sets_need_a_set_column(spec, &p));
    quote! {
        #[automatically_derived]
        impl #p::HasGenericRelations for #ident {}

        #[automatically_derived]
        impl #ident {
            #inherent
        }

        #outside
    }
}

fn through_name(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// Two `Tags` fields over one through model read the same rows unless the through model
/// names the set of each row: a compile error (at the second field) when it does not.
fn several_sets_need_a_set_column(spec: &ModelSpec, p: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    let tags: Vec<_> = spec
        .relation_fields()
        .filter(|(_, r)| r.kind == RelationKind::Tags)
        .collect();
    for (i, (field, rel)) in tags.iter().enumerate() {
        let through = &rel.through;
        let key = quote!(#through).to_string();
        if tags[..i].iter().any(|(_, r)| {
            let other = &r.through;
            quote!(#other).to_string() == key
        }) {
            let message = format!(
                "`{}` has several `Tags<{}>` fields: give `{}` a column naming each row's tag set, \
                 `#[model(tagged_item(tag = .., set = tag_set))]` with `tag_set: String`",
                spec.ident,
                through_name(through),
                through_name(through)
            );
            out.extend(quote_spanned! {field.ty.span()=>
                const _: () = ::core::assert!(
                    <#through as #p::TaggedItemModel>::SET_COLUMN.is_some(),
                    #message
                );
            });
        }
    }
    out
}
