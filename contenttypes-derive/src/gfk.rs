//! The generic foreign key accessors `#[derive(Model)]` generates (`name(db)`,
//! `set_name(db, &target)`, `clear_name()`, the descriptor `NAME`), and the foreign key
//! descriptors and their key-type checks.

use contenttypes_core::codegen::ast::{FieldSpec, GfkSpec};
use contenttypes_core::names;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::model::{Names, TySpan};
use crate::util;

/// Per generic foreign key: the field impl the relations and prefetching use, the
/// descriptor constant, and the accessors `name(db)`, `set_name(db, &target)` and (when
/// nullable) `clear_name()`.
pub(crate) fn generic_foreign_keys(n: &Names) -> TokenStream {
    let (p, ident) = (&n.p, n.ident);
    let gfks: Vec<(&FieldSpec, &GfkSpec)> = n.spec.generic_foreign_keys().collect();
    let mut out = TokenStream::new();
    let mut inherent = TokenStream::new();
    for (field, gfk) in &gfks {
        let (Some((ct_field, ct)), Some((oid_field, oid))) = (
            n.spec.column_field(&gfk.ct_field),
            n.spec.column_field(&gfk.fk_field),
        ) else {
            continue;
        };
        let name = contenttypes_core::codegen::ast::field_name(&field.ident);
        let key = util::gfk_key(&name);
        let fident = &field.ident;
        let (ct_ident, oid_ident) = (&ct_field.ident, &oid_field.ident);
        let oid_ty = &oid.base_ty;
        let nullable = ct.nullable;
        let (get_ct, get_oid, set_some, set_none, set_new) = if nullable {
            (
                quote!(self.#ct_ident),
                quote!(::core::option::Option::as_ref(&self.#oid_ident)),
                quote! {
                    self.#ct_ident = ::core::option::Option::Some(__ct);
                    self.#oid_ident = ::core::option::Option::Some(__oid);
                },
                quote! {
                    self.#ct_ident = ::core::option::Option::None;
                    self.#oid_ident = ::core::option::Option::None;
                    true
                },
                quote!(__new.#fident = ::core::option::Option::Some(__target);),
            )
        } else {
            (
                quote!(::core::option::Option::Some(self.#ct_ident)),
                quote!(::core::option::Option::Some(&self.#oid_ident)),
                quote! {
                    self.#ct_ident = __ct;
                    self.#oid_ident = __oid;
                },
                quote!(false),
                quote!(__new.#fident = __target;),
            )
        };
        let const_ident = util::ident(&names::constant_name(&name), Span::call_site());
        let set_ident = format_ident!("set_{}", name);
        let clear_ident = format_ident!("clear_{}", name);
        let vis = &n.spec.vis;
        let new_ident = &n.new_ident;
        // With `targets(..)`: the generated enum, which reads return; else any model.
        let (targets_ty, read_ty, admits) = if gfk.target_paths().is_empty() {
            let open = quote!(#p::targets::Open);
            (open, quote!(#p::GenericObject), TokenStream::new())
        } else {
            let e = crate::targets::enum_ident(n.spec, field);
            (
                quote!(#e),
                quote!(#e),
                quote!(#e: #p::targets::Admits<__T>,),
            )
        };
        out.extend(crate::targets::targets_enum(p, n.spec, field, gfk, oid_ty));
        out.extend(quote! {
            #[automatically_derived]
            impl #p::GenericForeignKeyField<#key> for #ident {
                type ObjectId = #oid_ty;
                type Targets = #targets_ty;
                const NAME: &'static str = #name;
                const NULLABLE: bool = #nullable;

                fn __content_type_id(&self) -> ::core::option::Option<i32> {
                    #get_ct
                }
                fn __object_id(&self) -> ::core::option::Option<&#oid_ty> {
                    #get_oid
                }
                fn __set(&mut self, __ct: i32, __oid: #oid_ty) {
                    #set_some
                }
                fn __clear(&mut self) -> bool {
                    #set_none
                }
                fn __set_new(__new: &mut #new_ident, __target: #p::Target<#oid_ty, #targets_ty>) {
                    #set_new
                }
                fn __cache(&self) -> &#p::GenericForeignKey {
                    &self.#fident
                }
            }
        });
        // With `targets(..)`, what the docs add: the listed models only.
        let (read_extra, set_extra) = match crate::targets::listed(gfk) {
            Some(list) => (
                format!(", or when it points at a model outside `targets({list})`"),
                format!(
                    " Its model must be one of `targets({list})`, also checked at compile time."
                ),
            ),
            None => (String::new(), String::new()),
        };
        let read_doc = format!(
            "The target of the generic foreign key `{name}` (cached on this row; `None` when unset \
             or when the target row is gone{read_extra}). At most 1 query, 0 once cached or prefetched."
        );
        let set_doc = format!(
            "Points the generic foreign key `{name}` at `target` (sets `{}` and `{}`) and caches it. \
             The target must be saved; its key must fit `{}` (checked at compile time).{set_extra} \
             0 queries once the target's content type is cached.",
            ct_ident, oid_ident, oid_ident
        );
        let const_doc = format!("The generic foreign key `{name}`: prefetch it over many rows.");
        inherent.extend(quote! {
            #[doc = #const_doc]
            #vis const #const_ident: #p::GenericForeignKeyDescriptor<#ident, #key> = #p::GenericForeignKeyDescriptor::new();

            #[doc = #read_doc]
            #vis fn #fident<'__a, __D: #p::Db>(
                &'__a self,
                db: &'__a mut __D,
            ) -> #p::ct_diesel::Output<'__a, __D, #p::Result<::core::option::Option<#read_ty>>> {
                <__D as #p::Db>::drive(#p::gfk::get::<#ident, #key, __D>(self, db))
            }

            #[doc = #set_doc]
            #vis fn #set_ident<'__a, __D: #p::Db, __T: #p::Model + ::core::clone::Clone>(
                &'__a mut self,
                db: &'__a mut __D,
                target: &'__a __T,
            ) -> #p::ct_diesel::Output<'__a, __D, #p::Result<()>>
            where
                #oid_ty: #p::ObjectIdFor<__T, <__T as #p::Model>::Pk>,
                #admits
            {
                <__D as #p::Db>::drive(#p::gfk::set::<#ident, #key, __D, __T>(self, db, target))
            }
        });
        if nullable {
            let clear_doc =
                format!("Unsets the generic foreign key `{name}` (both columns become NULL).");
            inherent.extend(quote! {
                #[doc = #clear_doc]
                #vis fn #clear_ident(&mut self) {
                    #p::gfk::clear::<#ident, #key>(self)
                }
            });
        }
    }
    for (field, column) in n.spec.columns() {
        let Some(fk) = &column.foreign_key else {
            continue;
        };
        let name = contenttypes_core::codegen::ast::field_name(&field.ident);
        let const_ident = util::ident(&names::foreign_key_constant_name(&name), Span::call_site());
        let target = &fk.target;
        let column_name = column.column.value.as_str();
        let vis = &n.spec.vis;
        let doc = format!(
            "The foreign key `{name}`: filter rows by the row it references, or load those rows."
        );
        let key_ty = &column.base_ty;
        let check_target = crate::checks::target(n.spec, target);
        // Named with the field's span, so a key type mismatch is an error at the field.
        let check = quote_spanned! {field.ty_span()=>
            const _: ::core::option::Option<__AssertForeignKey<#key_ty, #check_target>> =
                ::core::option::Option::None;
        };
        out.extend(quote! {
            const _: () = {
                use #p::AssertForeignKey as __AssertForeignKey;
                #check
            };
        });
        let field_ident = &field.ident;
        let key = if column.nullable {
            quote! { |row: &#ident| row.#field_ident.as_ref().map(#p::Key::to_pk_value) }
        } else {
            quote! { |row: &#ident| ::core::option::Option::Some(#p::Key::to_pk_value(&row.#field_ident)) }
        };
        let nullability = if column.nullable {
            quote!(, #p::Nullable)
        } else {
            TokenStream::new()
        };
        inherent.extend(quote! {
            #[doc = #doc]
            #vis const #const_ident: #p::ForeignKeyDescriptor<#ident, #target #nullability> =
                #p::ForeignKeyDescriptor::new(#column_name, #key);
        });
    }
    if let [(field, _)] = gfks.as_slice() {
        let name = contenttypes_core::codegen::ast::field_name(&field.ident);
        let key = util::gfk_key(&name);
        out.extend(quote! {
            #[automatically_derived]
            impl #p::SoleGenericForeignKey for #ident {
                const NAME: &'static str = #name;
                const KEY: u64 = #key;
            }
        });
    }
    if !inherent.is_empty() {
        out.extend(quote! {
            #[automatically_derived]
            impl #ident {
                #inherent
            }
        });
    }
    out
}
