//! Recognising the Rust type of a field: `Option<T>`, `GenericRelation<T>`, and the column
//! base types by their path.

use syn::{GenericArgument, Path, PathArguments, Type};

use super::ast::*;

/// The last path segment's name of a type (`a::b::C<T>` → `C`).
pub fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
        Type::Group(g) => last_segment(&g.elem),
        Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

/// The single generic type argument of the last segment (`GenericRelation<T>` → `T`).
pub(super) fn generic_argument(ty: &Type) -> Option<Path> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(Type::Path(tp)) if tp.qself.is_none() => Some(tp.path.clone()),
        _ => None,
    });
    let first = types.next()?;
    types.next().is_none().then_some(first)
}

/// The `T` of `Option<T>`.
pub(super) fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

/// The column base type of a Rust type, recognised by its path (`String`,
/// `std::string::String`, `uuid::Uuid`...).
pub(super) fn base_type(ty: &Type) -> Option<BaseType> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    let name = last.ident.to_string();
    let no_args = matches!(last.arguments, PathArguments::None);
    Some(match name.as_str() {
        "bool" if no_args => BaseType::Bool,
        "i16" if no_args => BaseType::I16,
        "i32" if no_args => BaseType::I32,
        "i64" if no_args => BaseType::I64,
        "f32" if no_args => BaseType::F32,
        "f64" if no_args => BaseType::F64,
        "String" if no_args => BaseType::String,
        "Uuid" if no_args => BaseType::Uuid,
        "NaiveDate" if no_args => BaseType::NaiveDate,
        "NaiveTime" if no_args => BaseType::NaiveTime,
        "NaiveDateTime" if no_args => BaseType::NaiveDateTime,
        "PrimitiveDateTime" if no_args => BaseType::PrimitiveDateTime,
        "OffsetDateTime" if no_args => BaseType::OffsetDateTime,
        "BigDecimal" if no_args => BaseType::Decimal,
        "JsonValue" if no_args => BaseType::Json,
        "Value" if no_args && p.path.segments.iter().any(|s| s.ident == "serde_json") => {
            BaseType::Json
        }
        "Date" if no_args => BaseType::TimeDate,
        "Time" if no_args => BaseType::TimeTime,
        "DateTime" => {
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                GenericArgument::Type(Type::Path(tz))
                    if args.args.len() == 1
                        && tz.path.segments.last().is_some_and(|s| s.ident == "Utc") =>
                {
                    BaseType::DateTimeUtc
                }
                _ => return None,
            }
        }
        "Vec" => {
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                GenericArgument::Type(Type::Path(inner))
                    if inner.path.is_ident("u8") && args.args.len() == 1 =>
                {
                    BaseType::Bytes
                }
                _ => return None,
            }
        }
        _ => return None,
    })
}
