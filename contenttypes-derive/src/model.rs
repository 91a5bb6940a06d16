//! `#[derive(Model)]`: the Diesel `table!` schema, the insert struct `New<Model>`, the IR, the
//! registration, the Diesel query-builder impls and the generic foreign key accessors.

use contenttypes_core::codegen::ast::{AutoNow, ColumnSpec, FieldKind, FieldSpec, ModelSpec};
use contenttypes_core::codegen::lower;
use contenttypes_core::ir::ModelDef;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use crate::insert_struct::{role, target_columns, target_type, Role};
use crate::ir_tokens::{self, Symbolic};
use crate::{fallback, util};

pub fn derive(input: TokenStream) -> TokenStream {
    match util::parse(input) {
        Ok((_, spec)) => expand(&spec),
        Err((input, error)) => {
            let mut out = error.into_compile_error();
            out.extend(input.as_ref().map(fallback::model));
            out
        }
    }
}

/// The names generated code uses for one model.
pub(crate) struct Names<'a> {
    pub(crate) p: TokenStream,
    pub(crate) spec: &'a ModelSpec,
    pub(crate) def: ModelDef,
    pub(crate) ident: &'a Ident,
    pub(crate) new_ident: Ident,
    /// The `table!` module: generated (named after the table) or the user's path.
    pub(crate) table_mod: TokenStream,
}

pub fn expand(spec: &ModelSpec) -> TokenStream {
    let (def, _) = lower::to_ir(spec, &Symbolic);
    let names = Names {
        p: util::private(Some(spec)),
        new_ident: format_ident!("New{}", spec.ident),
        table_mod: match &spec.table_path {
            Some(path) => quote!(#path),
            None => {
                let ident = util::ident_for(&def.table.name);
                quote!(#ident)
            }
        },
        ident: &spec.ident,
        spec,
        def,
    };
    // An unmanaged model attaches to a `table!` the user declared (and named after the table):
    // no schema is generated for it, here or in the migrations.
    let table = if names.def.managed && spec.table_path.is_none() {
        table(&names)
    } else {
        TokenStream::new()
    };
    let new_struct = crate::insert_struct::new_struct(&names);
    let model = model_impls(&names);
    let diesel = diesel_impls(&names);
    let columns = columns_impls(&names);
    let gfks = crate::gfk::generic_foreign_keys(&names);
    let relations_check = relations_need_derive(&names);
    let tagging = crate::tagging::impls(&names);
    let manifest_check = crate::manifest::check(spec);
    quote! {
        #manifest_check
        #table
        #new_struct
        #gfks
        #[doc(hidden)]
        #[allow(non_upper_case_globals, non_snake_case, clippy::all)]
        const _: () = {
            #columns
            #model
            #diesel
            #relations_check
            #tagging
        };
    }
}

/// The column fields, each with its position in the IR.
fn columns<'a>(n: &'a Names) -> Vec<(usize, &'a FieldSpec, &'a ColumnSpec)> {
    n.spec
        .columns()
        .enumerate()
        .map(|(i, (f, c))| (i, f, c))
        .collect()
}

/// The fields that are not columns (generic foreign keys and relations, skipped fields):
/// `field: Default::default()` when a row is built, spanned at the field's type (which must
/// implement `Default`).
fn non_columns(n: &Names) -> Vec<TokenStream> {
    n.spec
        .fields
        .iter()
        .filter(|f| !matches!(f.kind, FieldKind::Column(_)))
        .map(|f| {
            let (fident, ty) = (&f.ident, &f.ty);
            quote_spanned!(f.ty_span()=> #fident: <#ty as ::core::default::Default>::default())
        })
        .collect()
}

/// Inserted columns: every column but a database-generated key.
pub(crate) fn inserted<'a>(n: &'a Names) -> Vec<(usize, &'a FieldSpec, &'a ColumnSpec)> {
    columns(n)
        .into_iter()
        .filter(|(_, _, c)| !(c.primary_key && c.auto_increment))
        .collect()
}

/// The identifier of a column inside the `table!` module.
fn column_ident(c: &ColumnSpec) -> Ident {
    util::ident_for(&c.column.value)
}

fn table(n: &Names) -> TokenStream {
    let p = &n.p;
    let table_mod = &n.table_mod;
    let pk = n
        .spec
        .primary_key()
        .map(|(_, c)| column_ident(c))
        .unwrap_or_else(|| format_ident!("id"));
    let doc = format!(
        "The `{}` table of [`{}`], for Diesel's query builder.",
        n.def.table.name, n.ident
    );
    let columns = columns(n).into_iter().map(|(_, _, c)| {
        let ident = column_ident(c);
        let ty = util::diesel_sql_type(p, c);
        quote!(#ident -> #ty,)
    });
    quote! {
        #p::diesel::table! {
            #[doc = #doc]
            #table_mod (#pk) {
                #(#columns)*
            }
        }
    }
}

fn model_impls(n: &Names) -> TokenStream {
    let (p, ident, new_ident, table_mod) = (&n.p, n.ident, &n.new_ident, &n.table_mod);
    let def_tokens = ir_tokens::model_def(p, n.spec, &n.def);
    let (app_label, model_name, table_name) = (
        n.def.app_label.as_ref(),
        n.def.model_name.as_ref(),
        n.def.table.name.as_ref(),
    );
    let Some((pk_field, pk_col)) = n.spec.primary_key() else {
        return fallback::model_from_spec(n.spec);
    };
    let pk_column = pk_col.column.value.as_str();
    let pk_ident = &pk_field.ident;
    let pk_ty = &pk_field.ty;
    let others = non_columns(n);

    let auto = pk_col.auto_increment;
    let database_fills = n.spec.columns().any(|(_, c)| c.auto_now != AutoNow::Never);
    let clock = inserted(n)
        .into_iter()
        .enumerate()
        .filter(|(_, (_, _, c))| c.auto_now != AutoNow::Never)
        .map(|(j, _)| j);
    let targets = target_columns(n);
    let into_fields = inserted(n).into_iter().map(|(_, f, _)| {
        let fident = &f.ident;
        match role(n, f) {
            Role::Plain => quote!(#fident: self.#fident,),
            Role::Ct(g) => {
                let var = format_ident!("__target_{}", g.ident);
                quote!(#fident: #var.0,)
            }
            Role::Oid(g) => {
                let var = format_ident!("__target_{}", g.ident);
                quote!(#fident: ::core::clone::Clone::clone(&#var.1),)
            }
        }
    });
    let assigned = inserted(n)
        .into_iter()
        .filter(|(_, _, c)| c.auto_now == AutoNow::Never && !c.primary_key)
        .map(|(_, f, _)| {
            let fident = &f.ident;
            match role(n, f) {
                Role::Plain => quote!(__row.#fident = self.#fident;),
                Role::Ct(g) => {
                    let var = format_ident!("__target_{}", g.ident);
                    quote!(__row.#fident = #var.0;)
                }
                Role::Oid(g) => {
                    let var = format_ident!("__target_{}", g.ident);
                    quote!(__row.#fident = ::core::clone::Clone::clone(&#var.1);)
                }
            }
        });
    let resolves = targets
        .iter()
        .map(|g| quote!(#p::TargetField::__resolve(&self.#g, __db).await?;));
    let target_vars: Vec<TokenStream> = targets
        .iter()
        .map(|g| {
            let var = format_ident!("__target_{}", g);
            quote!(let #var = #p::target::__columns(&self.#g)?;)
        })
        .collect();
    let (into_pk, new_pk) = if auto {
        (
            quote!(#pk_ident: __pk,),
            quote!(::core::option::Option::None),
        )
    } else {
        (
            quote!(),
            quote!(::core::option::Option::Some(::core::clone::Clone::clone(&self.#pk_ident))),
        )
    };
    let gfk_values = n.spec.generic_foreign_keys().filter_map(|(f, g)| {
        let name = contenttypes_core::codegen::ast::field_name(&f.ident);
        let key = util::gfk_key(&name);
        n.spec.column_field(&g.fk_field)?;
        Some(quote!(#name => ::core::option::Option::Some((
            <Self as #p::GenericForeignKeyField<#key>>::__content_type_id(self),
            <Self as #p::GenericForeignKeyField<#key>>::__object_id(self).map(#p::ct_core::keys::Key::to_pk_value),
        )),))
    });
    let relations = n.spec.generic_relations().map(|(f, _)| {
        let fident = &f.ident;
        let name = contenttypes_core::codegen::ast::field_name(fident);
        quote!(#name => ::core::option::Option::Some(&self.#fident),)
    });

    quote! {
        // A static, so the def has one address (the content-type cache keys on it).
        static __DEF: #p::ct_core::ir::ModelDef = #def_tokens;
        static __REGISTRATION: #p::ct_core::registry::Registration = #p::ct_core::registry::Registration {
            def: <#ident as #p::Model>::DEF,
            type_id: ::core::any::TypeId::of::<#ident>,
            type_path: ::core::any::type_name::<#ident>,
            vtable: &__VTABLE,
        };
        static __VTABLE: #p::ModelVTable = #p::ModelVTable::of::<#ident>();
        #p::inventory::submit! { #p::ct_core::registry::Submission(&__REGISTRATION) }

        #[automatically_derived]
        impl #p::ct_core::registry::Registered for #ident {
            const APP_LABEL: &'static str = #app_label;
            const MODEL_NAME: &'static str = #model_name;
            const TABLE_NAME: &'static str = #table_name;
            const PK_COLUMN: &'static str = #pk_column;

            fn registration() -> &'static #p::ct_core::registry::Registration {
                &__REGISTRATION
            }
        }

        #[automatically_derived]
        impl #p::Model for #ident {
            type Pk = #pk_ty;
            type New = #new_ident;
            type Table = #table_mod::table;
            const DEF: &'static #p::ct_core::ir::ModelDef = &__DEF;

            fn pk(&self) -> &#pk_ty {
                &self.#pk_ident
            }

            fn __relation(&self, __name: &str) -> ::core::option::Option<&dyn #p::ErasedRelationCache> {
                match __name {
                    #(#relations)*
                    _ => ::core::option::Option::None,
                }
            }

            fn __generic_foreign_key(
                &self,
                __name: &str,
            ) -> ::core::option::Option<(::core::option::Option<i32>, ::core::option::Option<#p::ct_core::keys::PkValue>)> {
                match __name {
                    #(#gfk_values)*
                    _ => ::core::option::Option::None,
                }
            }
        }

        #[automatically_derived]
        impl #p::NewModel for #new_ident {
            type Model = #ident;

            #[allow(unused_variables)]
            fn __into_model(self, __pk: #pk_ty) -> #p::Result<#ident> {
                #(#target_vars)*
                ::core::result::Result::Ok(#ident {
                    #into_pk
                    #(#into_fields)*
                    #(#others,)*
                })
            }

            #[allow(unused_variables)]
            fn __resolve_targets<'__a, __D: #p::Db>(
                &'__a self,
                __db: &'__a mut __D,
            ) -> impl ::core::future::Future<Output = #p::Result<()>> + ::core::marker::Send + '__a {
                async move {
                    #(#resolves)*
                    ::core::result::Result::Ok(())
                }
            }

            #[allow(unused_variables)]
            fn __assign(self, __row: &mut #ident) -> #p::Result<()> {
                #(#target_vars)*
                #(#assigned)*
                ::core::result::Result::Ok(())
            }

            fn __pk(&self) -> ::core::option::Option<#pk_ty> {
                #new_pk
            }

            const __DATABASE_FILLS: bool = #database_fills;
            const __CLOCK: &'static [usize] = &[#(#clock),*];
        }
    }
}

/// The Diesel SQL type of a column, as its `table!` declares it (nullability included).
fn column_sql_type(n: &Names, c: &ColumnSpec) -> TokenStream {
    let (p, table_mod) = (&n.p, &n.table_mod);
    let col = column_ident(c);
    quote!(<#table_mod::#col as #p::diesel::Expression>::SqlType)
}

/// Reading and binding the columns through Diesel's `FromSql`/`ToSql` for each column's SQL
/// type, on every backend whose impls cover the field types; and a check per field, at the
/// field, that its type fits its column on every enabled backend.
fn columns_impls(n: &Names) -> TokenStream {
    let (p, ident, new_ident, table_mod) = (&n.p, n.ident, &n.new_ident, &n.table_mod);
    let cols = columns(n);
    let others = non_columns(n);
    let checks = cols.iter().map(|(_, f, c)| {
        let ty = &f.ty;
        let st = column_sql_type(n, c);
        let col = column_ident(c);
        // The alias is named with the field's span, so the error points at the field.
        quote_spanned! {f.ty_span()=>
            const _: ::core::option::Option<__AssertFits<#ty, #st, #table_mod::#col>> =
                ::core::option::Option::None;
        }
    });
    let read_bounds = cols.iter().map(|(_, f, c)| {
        let (ty, st) = (&f.ty, column_sql_type(n, c));
        quote!(#ty: #p::diesel::deserialize::FromSql<#st, __DB>,)
    });
    let reads = cols.iter().map(|(i, f, c)| {
        let (fident, ty, st) = (&f.ident, &f.ty, column_sql_type(n, c));
        quote!(#fident: #p::read_column::<#st, #ty, __DB, __R>(__row, #i)?,)
    });
    // `BindColumns` for `target` over these fields, by position.
    // `BindColumns` for `target` over these fields, by position; the columns `now` says
    // are written with the database's current time instead (`auto_now`, `auto_now_add`).
    let bind_impl = |target: &Ident,
                     fields: &[(usize, &FieldSpec, &ColumnSpec)],
                     now: fn(AutoNow) -> bool| {
        let mut bounds: Vec<TokenStream> = fields
            .iter()
            .map(|(_, f, c)| {
                let (ty, st) = (&f.ty, column_sql_type(n, c));
                quote!(#ty: #p::diesel::serialize::ToSql<#st, __DB>, __DB: #p::diesel::sql_types::HasSqlType<#st>,)
            })
            .collect();
        if fields.iter().any(|(_, _, c)| now(c.auto_now)) {
            bounds.push(quote!(__DB: #p::SupportedBackend,));
        }
        let binds = fields.iter().enumerate().map(|(j, (_, f, c))| {
            let (fident, ty, st) = (&f.ident, &f.ty, column_sql_type(n, c));
            let role = if target == new_ident { role(n, f) } else { Role::Plain };
            if now(c.auto_now) {
                let ir_type =
                    crate::ir_tokens::sql_type(p, c.base.sql_type(c.max_length, c.decimal));
                quote!(#j => #p::push_now(__out, #ir_type),)
            } else {
                match role {
                    Role::Plain => quote!(#j => __out.push_bind_param::<#st, #ty>(&self.#fident),),
                    Role::Ct(g) => {
                        let g = &g.ident;
                        quote!(#j => __out.push_bind_param::<#st, #ty>(#p::TargetField::__ct(&self.#g)?),)
                    }
                    Role::Oid(g) => {
                        let g = &g.ident;
                        quote!(#j => __out.push_bind_param::<#st, #ty>(#p::TargetField::__oid(&self.#g)),)
                    }
                }
            }
        });
        quote! {
            #[automatically_derived]
            impl<__DB: #p::diesel::backend::Backend> #p::BindColumns<__DB> for #target
            where
                #(#bounds)*
            {
                #[allow(unused_variables)]
                fn __bind<'__b>(
                    &'__b self,
                    __index: usize,
                    __out: &mut #p::diesel::query_builder::AstPass<'_, '__b, __DB>,
                ) -> #p::diesel::QueryResult<()> {
                    match __index {
                        #(#binds)*
                        _ => ::core::result::Result::Err(#p::column_out_of_range(__index)),
                    }
                }
            }
        }
    };
    let model_binds = bind_impl(ident, &cols, |a| a == AutoNow::OnSave);
    let new_binds = bind_impl(new_ident, &inserted(n), |a| a != AutoNow::Never);
    quote! {
        use #p::AssertFits as __AssertFits;
        #(#checks)*

        #[automatically_derived]
        impl<__DB: #p::diesel::backend::Backend + 'static> #p::ReadColumns<__DB> for #ident
        where
            #(#read_bounds)*
        {
            fn __read_columns<__R: #p::RawRow<__DB> + ?::core::marker::Sized>(
                __row: &__R,
            ) -> #p::diesel::deserialize::Result<Self> {
                ::core::result::Result::Ok(Self {
                    #(#reads)*
                    #(#others,)*
                })
            }
        }

        #model_binds

        #new_binds
    }
}

fn diesel_impls(n: &Names) -> TokenStream {
    let (p, ident, new_ident, table_mod) = (&n.p, n.ident, &n.new_ident, &n.table_mod);
    let Some((pk_field, _)) = n.spec.primary_key() else {
        return quote!();
    };
    let (pk_ident, pk_ty) = (&pk_field.ident, &pk_field.ty);
    let cols = columns(n);
    let others = non_columns(n);
    let col_idents: Vec<Ident> = cols.iter().map(|(_, _, c)| column_ident(c)).collect();
    let col_types: Vec<&syn::Type> = cols.iter().map(|(_, f, _)| &f.ty).collect();
    let sts: Vec<Ident> = (0..cols.len())
        .map(|i| format_ident!("__ST{}", i))
        .collect();
    let builds = cols.iter().enumerate().map(|(i, (_, f, _))| {
        let fident = &f.ident;
        let index = syn::Index::from(i);
        quote!(#fident: __row.#index,)
    });

    let eq = |fields: &[(usize, &FieldSpec, &ColumnSpec)],
              by_ref: bool,
              insert: bool|
     -> (Vec<TokenStream>, Vec<TokenStream>) {
        fields
            .iter()
            .map(|(_, f, c)| {
                let (fident, ty) = (&f.ident, &f.ty);
                let col = column_ident(c);
                let st = column_sql_type(n, c);
                // The insert struct holds a generic foreign key's columns in one `Target`
                // field; the model (a changeset) holds them as they are.
                let target = match if insert { role(n, f) } else { Role::Plain } {
                    Role::Plain => None,
                    Role::Ct(g) => Some((quote!(#p::target::CtColumn), g)),
                    Role::Oid(g) => Some((quote!(#p::target::OidColumn), g)),
                };
                let (value_ty, value) = match (target, by_ref) {
                    (Some((wrap, g)), true) => {
                        let gty = target_type(n, g);
                        let g = &g.ident;
                        (quote!(#wrap<&'__a #gty>), quote!(#wrap(&self.#g)))
                    }
                    (Some((wrap, g)), false) => {
                        let gty = target_type(n, g);
                        let g = &g.ident;
                        (quote!(#wrap<#gty>), quote!(#wrap(::core::clone::Clone::clone(&self.#g))))
                    }
                    (None, true) => (quote!(&'__a #ty), quote!(&self.#fident)),
                    (None, false) => (quote!(#ty), quote!(self.#fident)),
                };
                (
                    quote!(#p::diesel::dsl::Eq<#table_mod::#col, #p::Bound<#st, #value_ty>>),
                    quote!(#p::diesel::ExpressionMethods::eq(#table_mod::#col, #p::Bound::<#st, #value_ty>::new(#value))),
                )
            })
            .unzip()
    };
    let inserted = inserted(n);
    let (ins_types, ins_values) = eq(&inserted, false, true);
    let (ins_ref_types, ins_ref_values) = eq(&inserted, true, true);
    // Diesel has no `Insertable` for `()`: a model whose only column is a generated key is
    // inserted with `insert_into(table).default_values()` (or `Objects::insert`).
    let insertable = if inserted.is_empty() {
        quote!()
    } else {
        quote! {
            #[automatically_derived]
            impl #p::diesel::Insertable<#table_mod::table> for #new_ident {
                type Values = <(#(#ins_types,)*) as #p::diesel::Insertable<#table_mod::table>>::Values;
                fn values(self) -> Self::Values {
                    #p::diesel::Insertable::values((#(#ins_values,)*))
                }
            }

            #[automatically_derived]
            impl<'__a> #p::diesel::Insertable<#table_mod::table> for &'__a #new_ident {
                type Values = <(#(#ins_ref_types,)*) as #p::diesel::Insertable<#table_mod::table>>::Values;
                fn values(self) -> Self::Values {
                    #p::diesel::Insertable::values((#(#ins_ref_values,)*))
                }
            }

            // Lets Diesel insert a `Vec` of new rows in one statement.
            #[automatically_derived]
            impl #p::diesel::internal::derives::insertable::UndecoratedInsertRecord<#table_mod::table> for #new_ident {}
        }
    };
    let changed: Vec<_> = cols
        .iter()
        .filter(|(_, _, c)| !c.primary_key)
        .cloned()
        .collect();
    let changeset = if changed.is_empty() {
        quote!()
    } else {
        let (types, values) = eq(&changed, true, false);
        quote! {
            #[automatically_derived]
            impl<'__a> #p::diesel::AsChangeset for &'__a #ident {
                type Target = #table_mod::table;
                type Changeset = <(#(#types,)*) as #p::diesel::AsChangeset>::Changeset;

                fn as_changeset(self) -> Self::Changeset {
                    #p::diesel::AsChangeset::as_changeset((#(#values,)*))
                }
            }
        }
    };

    quote! {
        #[automatically_derived]
        impl #p::diesel::associations::HasTable for #ident {
            type Table = #table_mod::table;
            fn table() -> Self::Table {
                #table_mod::table
            }
        }

        #[automatically_derived]
        impl<'__a> #p::diesel::associations::Identifiable for &'__a #ident {
            type Id = &'__a #pk_ty;
            fn id(self) -> Self::Id {
                &self.#pk_ident
            }
        }

        #[automatically_derived]
        impl<__DB: #p::diesel::backend::Backend> #p::diesel::Selectable<__DB> for #ident {
            type SelectExpression = (#(#table_mod::#col_idents,)*);
            fn construct_selection() -> Self::SelectExpression {
                (#(#table_mod::#col_idents,)*)
            }
        }

        #[automatically_derived]
        impl<__DB: #p::diesel::backend::Backend, #(#sts,)*> #p::diesel::Queryable<(#(#sts,)*), __DB> for #ident
        where
            (#(#col_types,)*): #p::diesel::deserialize::FromStaticSqlRow<(#(#sts,)*), __DB>,
        {
            type Row = (#(#col_types,)*);
            fn build(__row: Self::Row) -> #p::diesel::deserialize::Result<Self> {
                ::core::result::Result::Ok(Self {
                    #(#builds)*
                    #(#others,)*
                })
            }
        }

        #insertable

        #changeset
    }
}

/// A model with generic relation fields needs `#[derive(GenericRelation)]` for their
/// accessors; say so instead of leaving the fields silently inert.
fn relations_need_derive(n: &Names) -> TokenStream {
    let Some((field, _)) = n.spec.relation_fields().next() else {
        return quote!();
    };
    let (p, ident) = (&n.p, n.ident);
    quote_spanned! {field.ident.span()=>
        const _: fn() = || {
            fn __requires_generic_relation_derive<__T: #p::HasGenericRelations>() {}
            __requires_generic_relation_derive::<#ident>();
        };
    }
}

pub(crate) trait TySpan {
    fn ty_span(&self) -> Span;
}

impl TySpan for FieldSpec {
    fn ty_span(&self) -> Span {
        syn::spanned::Spanned::span(&self.ty)
    }
}
