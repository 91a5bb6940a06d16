//! Column defaults: a `default = ...` literal checked against the column it is for and
//! turned into the IR's [`DefaultValue`].

use syn::Lit;

use super::ast::*;
use crate::ir::DefaultValue;
use crate::names;

/// A column's `default = ...` as the IR stores it, or why it cannot be one: the literal must
/// have the column's type, an integer must fit it, a float must be finite in it, and text
/// must fit `max_length` and hold no NUL byte (so the DDL runs on every database).
pub(crate) fn column_default(
    lit: &Lit,
    base: BaseType,
    max_length: Option<u32>,
) -> Result<DefaultValue, String> {
    let mismatch = || {
        format!(
            "this default does not match the field's type `{}`",
            base.rust_name()
        )
    };
    let check_suffix = |suffix: &str| {
        if suffix.is_empty() || suffix == base.rust_name() {
            Ok(())
        } else {
            Err(format!(
                "this default has the suffix `{suffix}`, but the field is `{}`",
                base.rust_name()
            ))
        }
    };
    match lit {
        Lit::Bool(b) if base == BaseType::Bool => Ok(DefaultValue::Bool(b.value)),
        Lit::Int(i) if base.is_integer() => {
            check_suffix(i.suffix())?;
            let digits = i.base10_digits();
            let (min, max) = integer_range(base);
            match digits.parse::<i128>() {
                Ok(v) if (min..=max).contains(&v) => {
                    Ok(DefaultValue::Number(digits.to_string().into()))
                }
                _ => Err(format!(
                    "the default {digits} does not fit the field's type `{}` ({min}..={max})",
                    base.rust_name()
                )),
            }
        }
        Lit::Int(i) if matches!(base, BaseType::F32 | BaseType::F64) => {
            check_suffix(i.suffix())?;
            float_default(i.base10_digits(), base)
        }
        Lit::Float(f) if matches!(base, BaseType::F32 | BaseType::F64) => {
            check_suffix(f.suffix())?;
            float_default(f.base10_digits(), base)
        }
        Lit::Str(s) if base == BaseType::String => {
            let value = s.value();
            if let Err(e) = names::check_text(&value) {
                return Err(format!("invalid default: {e}"));
            }
            let chars = value.chars().count();
            if let Some(max) = max_length {
                if chars > max as usize {
                    return Err(format!(
                        "the default is {chars} characters long, but `max_length` is {max}"
                    ));
                }
            }
            Ok(DefaultValue::Text(value.into()))
        }
        _ => Err(mismatch()),
    }
}

/// The values of an integer type.
pub(super) fn integer_range(base: BaseType) -> (i128, i128) {
    match base {
        BaseType::I16 => (i16::MIN.into(), i16::MAX.into()),
        BaseType::I32 => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    }
}

/// A float default: finite in the column's type, and not a nonzero value that rounds to zero
/// (PostgreSQL refuses to store such a value).
pub(super) fn float_default(digits: &str, base: BaseType) -> Result<DefaultValue, String> {
    let (finite, zero) = if base == BaseType::F32 {
        let v = digits.parse::<f32>().map_err(|e| e.to_string())?;
        (v.is_finite(), v == 0.0)
    } else {
        let v = digits.parse::<f64>().map_err(|e| e.to_string())?;
        (v.is_finite(), v == 0.0)
    };
    let mantissa = digits.split(['e', 'E']).next().unwrap_or(digits);
    let written_zero = !mantissa.chars().any(|c| matches!(c, '1'..='9'));
    if !finite {
        Err(format!(
            "the default {digits} is out of the range of `{}`",
            base.rust_name()
        ))
    } else if zero && !written_zero {
        Err(format!(
            "the default {digits} is too small for `{}`: it would round to zero",
            base.rust_name()
        ))
    } else {
        Ok(DefaultValue::Number(digits.to_string().into()))
    }
}

// --- Names the derives generate -------------------------------------------------------------
