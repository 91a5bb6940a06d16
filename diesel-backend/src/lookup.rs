//! Lookups by column for a model known only by its content type: Django's
//! `user_type.get_object_for_this_type(username="Guido")`. Each column is checked against the
//! model's IR (it exists, the value fits its type, `NULL` only where it may be NULL) and every
//! value is bound.

use std::fmt;

use contenttypes_core::ir::ModelDef;

use crate::error::{Error, Result};
use crate::field::Value;
use crate::query::{Col, Cond};

/// Equality on columns, by name (the field name or the column name): for
/// [`ContentType::get_object_by`](crate::ContentType::get_object_by) and
/// [`ContentType::get_all_objects_by`](crate::ContentType::get_all_objects_by).
///
/// ```
/// use contenttypes::Lookup;
/// let lookup = Lookup::new().eq("name", "rust").eq("id", 1_i64);
/// assert_eq!(lookup.to_string(), "name = \"rust\" AND id = 1");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lookup {
    terms: Vec<(String, Value)>,
}

impl Lookup {
    /// A lookup matching every row.
    pub fn new() -> Self {
        Lookup::default()
    }

    /// Also requires `column = value` (`IS NULL` for `None`).
    pub fn eq(mut self, column: impl Into<String>, value: impl Into<Value>) -> Self {
        self.terms.push((column.into(), value.into()));
        self
    }

    /// The condition on `model`'s table, or a typed error naming the first column that does
    /// not exist, or a value that does not fit its column.
    pub(crate) fn condition(&self, model: &'static ModelDef) -> Result<Cond> {
        let mut terms = Vec::with_capacity(self.terms.len());
        for (name, value) in &self.terms {
            let column = model
                .table
                .columns
                .iter()
                .find(|c| c.field == name.as_str())
                .or_else(|| model.column(name))
                .ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "`{}` has no column or field `{name}`",
                        model.type_name
                    ))
                })?;
            if !value.fits(column.sql_type) || (*value == Value::Null && !column.nullable) {
                return Err(Error::InvalidArgument(format!(
                    "`{}.{name}` is a {}column of type {:?}; {value:?} does not fit it",
                    model.type_name,
                    if column.nullable { "nullable " } else { "" },
                    column.sql_type
                )));
            }
            terms.push(Cond::Eq(
                Col::of(model, column.name.as_ref()),
                value.clone(),
            ));
        }
        Ok(Cond::And(terms))
    }
}

impl fmt::Display for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.terms.is_empty() {
            return f.write_str("(every row)");
        }
        for (i, (column, value)) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(" AND ")?;
            }
            match value {
                Value::Null => write!(f, "{column} IS NULL")?,
                Value::Bool(v) => write!(f, "{column} = {v}")?,
                Value::SmallInt(v) => write!(f, "{column} = {v}")?,
                Value::Integer(v) => write!(f, "{column} = {v}")?,
                Value::BigInt(v) => write!(f, "{column} = {v}")?,
                Value::Float(v) => write!(f, "{column} = {v}")?,
                Value::Double(v) => write!(f, "{column} = {v}")?,
                Value::Text(v) => write!(f, "{column} = {v:?}")?,
                Value::Binary(v) => write!(f, "{column} = <{} bytes>", v.len())?,
                #[cfg(feature = "uuid")]
                Value::Uuid(v) => write!(f, "{column} = {v}")?,
            }
        }
        Ok(())
    }
}
