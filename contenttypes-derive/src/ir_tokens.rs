//! The IR as a Rust `const` expression. The derive lowers a model with the same function as
//! the build helper ([`contenttypes_core::codegen::lower::to_ir`]) and writes the result out
//! here, so the run-time IR and the migrations IR are one.
//!
//! References to other models cannot be known by a derive, which sees one struct: a foreign
//! key's target table and a relation's through model are written as references to the other
//! model's `Registered` constants, resolved by the compiler.

use std::borrow::Cow;

use contenttypes_core::codegen::ast::{FieldKind, ModelSpec};
use contenttypes_core::codegen::lower::{Resolver, ThroughModel};
use contenttypes_core::ir::*;
use proc_macro2::TokenStream;
use quote::quote;
use syn::Path;

/// The resolver of a derive: references stay symbolic and are filled in by [`model_def`].
pub struct Symbolic;

impl Resolver for Symbolic {
    fn foreign_key_target(&self, _: &Path) -> Option<(String, String)> {
        Some((String::new(), String::new()))
    }

    fn through_model(&self, _: &Path) -> Option<ThroughModel> {
        Some(ThroughModel {
            app_label: String::new(),
            model: String::new(),
            sole_gfk: Some(String::new()),
        })
    }
}

fn s(p: &TokenStream, v: &str) -> TokenStream {
    quote!(#p::Cow::Borrowed(#v))
}

fn opt_s(p: &TokenStream, v: &Option<Cow<'static, str>>) -> TokenStream {
    match v {
        Some(v) => {
            let v = s(p, v);
            quote!(::core::option::Option::Some(#v))
        }
        None => quote!(::core::option::Option::None),
    }
}

pub(crate) fn sql_type(p: &TokenStream, t: SqlType) -> TokenStream {
    let ir = quote!(#p::ct_core::ir::SqlType);
    match t {
        SqlType::Bool => quote!(#ir::Bool),
        SqlType::SmallInt => quote!(#ir::SmallInt),
        SqlType::Integer => quote!(#ir::Integer),
        SqlType::BigInt => quote!(#ir::BigInt),
        SqlType::Float => quote!(#ir::Float),
        SqlType::Double => quote!(#ir::Double),
        SqlType::Text => quote!(#ir::Text),
        SqlType::Varchar(n) => quote!(#ir::Varchar(#n)),
        SqlType::Binary => quote!(#ir::Binary),
        SqlType::Uuid => quote!(#ir::Uuid),
        SqlType::Date => quote!(#ir::Date),
        SqlType::Time => quote!(#ir::Time),
        SqlType::DateTime => quote!(#ir::DateTime),
        SqlType::DateTimeTz => quote!(#ir::DateTimeTz),
        SqlType::Json => quote!(#ir::Json),
        SqlType::Decimal { digits, places } => {
            quote!(#ir::Decimal { digits: #digits, places: #places })
        }
        SqlType::Custom => quote!(#ir::Custom),
    }
}

fn on_delete(p: &TokenStream, o: OnDelete) -> TokenStream {
    let ir = quote!(#p::ct_core::ir::OnDelete);
    match o {
        OnDelete::Cascade => quote!(#ir::Cascade),
        OnDelete::Restrict => quote!(#ir::Restrict),
        OnDelete::SetNull => quote!(#ir::SetNull),
        OnDelete::NoAction => quote!(#ir::NoAction),
    }
}

fn default_value(p: &TokenStream, d: &Option<DefaultValue>) -> TokenStream {
    let ir = quote!(#p::ct_core::ir::DefaultValue);
    match d {
        None => quote!(::core::option::Option::None),
        Some(DefaultValue::Bool(b)) => quote!(::core::option::Option::Some(#ir::Bool(#b))),
        Some(DefaultValue::Number(n)) => {
            let n = s(p, n);
            quote!(::core::option::Option::Some(#ir::Number(#n)))
        }
        Some(DefaultValue::Text(t)) => {
            let t = s(p, t);
            quote!(::core::option::Option::Some(#ir::Text(#t)))
        }
    }
}

/// The `ModelDef` of a model, as a const expression (the initializer of its `static`).
pub fn model_def(p: &TokenStream, spec: &ModelSpec, def: &ModelDef) -> TokenStream {
    let ir = quote!(#p::ct_core::ir);
    let column_fields: Vec<&contenttypes_core::codegen::ast::ColumnSpec> = spec
        .fields
        .iter()
        .filter_map(|f| match &f.kind {
            FieldKind::Column(c) => Some(c),
            _ => None,
        })
        .collect();
    let columns = def.table.columns.iter().zip(column_fields).map(|(c, spec_col)| {
        let name = s(p, &c.name);
        let field = s(p, &c.field);
        let st = sql_type(p, c.sql_type);
        let (nullable, primary_key, auto_increment, unique, indexed) =
            (c.nullable, c.primary_key, c.auto_increment, c.unique, c.indexed);
        let default = default_value(p, &c.default);
        let renamed_from = opt_s(p, &c.renamed_from);
        let db_type = opt_s(p, &c.db_type);
        let index_name = opt_s(p, &c.index_name);
        let foreign_key = match (&c.foreign_key, &spec_col.foreign_key) {
            (Some(fk), Some(target)) => {
                let target = crate::checks::target(spec, &target.target);
                let od = on_delete(p, fk.on_delete);
                let fk_name = opt_s(p, &fk.name);
                quote!(::core::option::Option::Some(#ir::ForeignKeyDef {
                    table: #p::Cow::Borrowed(<#target as #p::ct_core::registry::Registered>::TABLE_NAME),
                    column: #p::Cow::Borrowed(<#target as #p::ct_core::registry::Registered>::PK_COLUMN),
                    on_delete: #od,
                    name: #fk_name,
                }))
            }
            (Some(fk), None) => {
                let table = s(p, &fk.table);
                let column = s(p, &fk.column);
                let od = on_delete(p, fk.on_delete);
                let fk_name = opt_s(p, &fk.name);
                quote!(::core::option::Option::Some(#ir::ForeignKeyDef { table: #table, column: #column, on_delete: #od, name: #fk_name }))
            }
            (None, _) => quote!(::core::option::Option::None),
        };
        quote!(#ir::ColumnDef {
            name: #name,
            field: #field,
            sql_type: #st,
            nullable: #nullable,
            primary_key: #primary_key,
            auto_increment: #auto_increment,
            unique: #unique,
            indexed: #indexed,
            default: #default,
            foreign_key: #foreign_key,
            renamed_from: #renamed_from,
            db_type: #db_type,
            index_name: #index_name,
        })
    });
    let indexes = def.table.indexes.iter().map(|i| {
        let name = s(p, &i.name);
        let cols = i.columns.iter().map(|c| s(p, c));
        let unique = i.unique;
        quote!(#ir::IndexDef { name: #name, columns: #p::Cow::Borrowed(&[#(#cols),*]), unique: #unique })
    });
    let gfk_specs: Vec<_> = spec.generic_foreign_keys().collect();
    let gfks = def
        .generic_foreign_keys
        .iter()
        .zip(gfk_specs)
        .map(|(g, (_, gs))| {
            let (name, ct, fk) = (s(p, &g.name), s(p, &g.ct_column), s(p, &g.fk_column));
            let on_delete = on_delete(p, g.on_delete);
            // The targets' natural keys, from the types themselves.
            let targets = gs.target_paths().iter().map(|t| {
                let registered = quote!(<#t as #p::ct_core::registry::Registered>);
                quote!(#ir::ModelKey {
                    app_label: #p::Cow::Borrowed(#registered::APP_LABEL),
                    model: #p::Cow::Borrowed(#registered::MODEL_NAME),
                })
            });
            let db_constraint = g.db_constraint;
            quote!(#ir::GenericForeignKeyDef {
                name: #name,
                ct_column: #ct,
                fk_column: #fk,
                on_delete: #on_delete,
                targets: #p::Cow::Borrowed(&[#(#targets),*]),
                db_constraint: #db_constraint,
            })
        });
    let relation_specs: Vec<_> = spec.generic_relations().collect();
    let relations = def
        .generic_relations
        .iter()
        .zip(relation_specs)
        .map(|(r, (_, rs))| {
            let name = s(p, &r.name);
            let through = &rs.through;
            let registered = quote!(<#through as #p::ct_core::registry::Registered>);
            let gfk = match &rs.gfk {
                Some(g) => {
                    let g = g.to_string();
                    quote!(#p::Cow::Borrowed(#g))
                }
                None => quote!(#p::Cow::Borrowed(<#through as #p::SoleGenericForeignKey>::NAME)),
            };
            let rqn = opt_s(p, &r.related_query_name);
            let on_delete = match r.on_delete {
                Some(o) => {
                    let o = on_delete(p, o);
                    quote!(::core::option::Option::Some(#o))
                }
                None => quote!(::core::option::Option::None),
            };
            quote!(#ir::GenericRelationDef {
                name: #name,
                through_app_label: #p::Cow::Borrowed(#registered::APP_LABEL),
                through_model: #p::Cow::Borrowed(#registered::MODEL_NAME),
                gfk: #gfk,
                related_query_name: #rqn,
                on_delete: #on_delete,
            })
        });
    let app_label = s(p, &def.app_label);
    let model_name = s(p, &def.model_name);
    let type_name = s(p, &def.type_name);
    let verbose_name = s(p, &def.verbose_name);
    let table = s(p, &def.table.name);
    let pk = s(p, &def.table.primary_key);
    let managed = def.managed;
    let renamed_from = opt_s(p, &def.renamed_from);
    quote!(#ir::ModelDef {
        app_label: #app_label,
        model_name: #model_name,
        type_name: #type_name,
        verbose_name: #verbose_name,
        table: #ir::TableDef {
            name: #table,
            columns: #p::Cow::Borrowed(&[#(#columns),*]),
            primary_key: #pk,
            indexes: #p::Cow::Borrowed(&[#(#indexes),*]),
        },
        managed: #managed,
        renamed_from: #renamed_from,
        generic_foreign_keys: #p::Cow::Borrowed(&[#(#gfks),*]),
        generic_relations: #p::Cow::Borrowed(&[#(#relations),*]),
    })
}
