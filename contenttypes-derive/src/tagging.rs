//! `#[model(tag)]` and `#[model(tagged_item(..))]`: the impls of `TagModel` and
//! `TaggedItemModel` the tag managers (`Tags<Through>` fields) rely on.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::model::Names;

pub(crate) fn impls(n: &Names) -> TokenStream {
    let mut out = TokenStream::new();
    let (p, ident, new_ident) = (&n.p, n.ident, &n.new_ident);
    let column = |field: &str| {
        n.spec
            .columns()
            .find(|(f, _)| f.ident == field)
            .map(|(_, c)| c.column.value.clone())
    };
    if let Some(tag) = &n.spec.tag {
        let (Some(name), Some(slug)) = (column("name"), column("slug")) else {
            return out; // reported by the parser
        };
        let ci = tag.case_insensitive;
        // The insert struct's other fields take their defaults; a field without one is a
        // compile error at `tag`, where creation values are declared.
        let others = n.spec.columns().any(|(f, c)| {
            !(c.primary_key && c.auto_increment) && f.ident != "name" && f.ident != "slug"
        });
        let rest = if others {
            quote_spanned!(tag.span=> ..::core::default::Default::default())
        } else {
            quote!()
        };
        out.extend(quote! {
            #[automatically_derived]
            impl #p::TagModel for #ident {
                const NAME_COLUMN: &'static str = #name;
                const SLUG_COLUMN: &'static str = #slug;
                const CASE_INSENSITIVE: bool = #ci;
                fn name(&self) -> &str {
                    &self.name
                }
                fn slug(&self) -> &str {
                    &self.slug
                }
                fn __new_tag(
                    name: ::std::string::String,
                    slug: ::std::string::String,
                ) -> #new_ident {
                    #new_ident { name, slug, #rest }
                }
            }
        });
    }
    if let Some(item) = &n.spec.tagged_item {
        let Some((_, tag_column)) = n.spec.column_field(&item.tag) else {
            return out;
        };
        let Some(fk) = &tag_column.foreign_key else {
            return out;
        };
        let tag_model = &fk.target;
        let tag_col = &tag_column.column.value;
        let tag_field = &item.tag;
        let set = match &item.set {
            Some(set) => match n.spec.column_field(set) {
                Some((_, c)) => {
                    let name = &c.column.value;
                    quote!(::core::option::Option::Some(#name))
                }
                None => return out,
            },
            None => quote!(::core::option::Option::None),
        };
        let set_value = match &item.set {
            Some(set) => quote!(::core::option::Option::Some(&self.#set)),
            None => quote!(::core::option::Option::None),
        };
        // The through row of a tag: the tag's key, the object, the set's name; every other
        // field its default (a field without one is a compile error at `tagged_item`, where
        // `add_with` is the way to give it).
        let Some((gfk, _)) = n.spec.generic_foreign_keys().next() else {
            return out;
        };
        let Some((content_object_ty, nullable)) = crate::insert_struct::target_parts(n, gfk) else {
            return out;
        };
        let fields = crate::insert_struct::new_fields(n)
            .into_iter()
            .map(|(f, _)| {
                if f == *tag_field {
                    quote!(#f: ::core::clone::Clone::clone(#p::Model::pk(tag)))
                } else if f == gfk.ident {
                    if nullable {
                        quote!(#f: ::core::option::Option::Some(content_object))
                    } else {
                        quote!(#f: content_object)
                    }
                } else if item.set.as_ref() == Some(&f) {
                    quote!(#f: ::std::string::ToString::to_string(set))
                } else {
                    quote_spanned!(item.span=> #f: ::core::default::Default::default())
                }
            });
        out.extend(quote_spanned! {item.span=>
            #[automatically_derived]
            impl #p::TaggedItemModel for #ident {
                type Tag = #tag_model;
                type ContentObject = #content_object_ty;
                const TAG_COLUMN: &'static str = #tag_col;
                const SET_COLUMN: ::core::option::Option<&'static str> = #set;
                fn __tag_key(&self) -> #p::PkValue {
                    #p::ct_core::keys::Key::to_pk_value(&self.#tag_field)
                }
                fn __set_name(&self) -> ::core::option::Option<&str> {
                    #set_value
                }
                fn __new_item(
                    tag: &Self::Tag,
                    set: &str,
                    content_object: Self::ContentObject,
                ) -> #new_ident {
                    let _ = set;
                    #new_ident { #(#fields,)* }
                }
            }
        });
    }
    out
}
