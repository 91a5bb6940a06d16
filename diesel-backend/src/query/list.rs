//! Key lists in a condition: `<column> IN (?, ..., ?)` on SQLite and MySQL, one parameter
//! per key; on PostgreSQL `<column> = ANY($1)` with the keys in ONE array parameter, so the
//! statement's SQL is the same for any number of keys and Diesel keeps it prepared.
//! [`key_chunks`] splits a list only where its keys are separate parameters.

use diesel::query_builder::AstPass;
use diesel::QueryResult;

use crate::backend::SupportedBackend;
use crate::field::Value;

/// ` IN (?, ..., ?)`: one parameter per value (`values` is not empty).
pub(crate) fn walk_in_list<'b, DB: SupportedBackend>(
    out: &mut AstPass<'_, 'b, DB>,
    values: &'b [Value],
) -> QueryResult<()> {
    out.push_sql(" IN (");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_sql(", ");
        }
        v.bind(out)?;
    }
    out.push_sql(")");
    Ok(())
}

/// The element type of a list that binds as one array: every value a key of one type, no
/// `NULL` (other lists keep `IN (...)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) enum ArrayOf {
    SmallInt,
    Integer,
    BigInt,
    Text,
    #[cfg(feature = "uuid")]
    Uuid,
}

#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
impl ArrayOf {
    fn of_value(value: &Value) -> Option<ArrayOf> {
        Some(match value {
            Value::SmallInt(_) => ArrayOf::SmallInt,
            Value::Integer(_) => ArrayOf::Integer,
            Value::BigInt(_) => ArrayOf::BigInt,
            Value::Text(_) => ArrayOf::Text,
            #[cfg(feature = "uuid")]
            Value::Uuid(_) => ArrayOf::Uuid,
            _ => return None,
        })
    }

    /// The array a list binds as, if it binds as one.
    pub(crate) fn of(values: &[Value]) -> Option<ArrayOf> {
        let first = ArrayOf::of_value(values.first()?)?;
        values[1..]
            .iter()
            .all(|v| ArrayOf::of_value(v) == Some(first))
            .then_some(first)
    }
}

/// The runs of a key list, one per statement: the whole list where the backend binds it as
/// one parameter (PostgreSQL), else the fewest runs of equal size that fit the backend's
/// parameter cap beside the statement's `others` parameters.
pub(crate) fn key_chunks<DB: SupportedBackend>(
    values: &[Value],
    others: usize,
) -> std::slice::Chunks<'_, Value> {
    if DB::list_is_one_bind(values) {
        return values.chunks(values.len().max(1));
    }
    super::balanced_chunks(values, max_keys(DB::DIALECT, others))
}

/// How many keys one list may hold in a statement that binds `others` parameters besides:
/// the backend's cap less those.
pub fn max_keys(dialect: crate::backend::Dialect, others: usize) -> usize {
    dialect.max_binds().saturating_sub(others).max(1)
}

/// The most parameters a framework statement binds beside its key list (a content type id,
/// an object id, the columns an `UPDATE` sets), with room to spare.
pub const FRAMEWORK_BINDS: usize = 16;

#[cfg(feature = "postgres")]
pub(crate) use pg::walk_pg_list;

#[cfg(feature = "postgres")]
mod pg {
    use diesel::pg::Pg;
    use diesel::query_builder::AstPass;
    use diesel::serialize::{self, Output, ToSql};
    use diesel::sql_types::{Array, BigInt, Integer, SmallInt, Text};
    use diesel::QueryResult;

    use super::{walk_in_list, ArrayOf};
    use crate::field::Value;

    /// ` = ANY($1)`, the list as one array parameter; ` IN (...)` for a list of mixed types
    /// or with `NULL`.
    pub(crate) fn walk_pg_list<'b>(
        out: &mut AstPass<'_, 'b, Pg>,
        values: &'b [Value],
    ) -> QueryResult<()> {
        let Some(of) = ArrayOf::of(values) else {
            return walk_in_list(out, values);
        };
        out.push_sql(" = ANY(");
        match of {
            ArrayOf::SmallInt => out.push_bind_param::<Array<SmallInt>, [Value]>(values)?,
            ArrayOf::Integer => out.push_bind_param::<Array<Integer>, [Value]>(values)?,
            ArrayOf::BigInt => out.push_bind_param::<Array<BigInt>, [Value]>(values)?,
            ArrayOf::Text => out.push_bind_param::<Array<Text>, [Value]>(values)?,
            #[cfg(feature = "uuid")]
            ArrayOf::Uuid => {
                out.push_bind_param::<Array<crate::sql_types::Uuid>, [Value]>(values)?
            }
        }
        out.push_sql(")");
        Ok(())
    }

    /// A [`Value`] as an element of an array of `ST` (Diesel's `[T]: ToSql<Array<ST>, Pg>`);
    /// [`ArrayOf::of`] has checked that every element has that type.
    macro_rules! element {
        ($($st:ty => $variant:ident),* $(,)?) => {$(
            impl ToSql<$st, Pg> for Value {
                fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                    match self {
                        Value::$variant(v) => ToSql::<$st, Pg>::to_sql(v, out),
                        other => Err(format!(
                            "{other:?} in a list of {}",
                            stringify!($variant)
                        )
                        .into()),
                    }
                }
            }
        )*};
    }

    element!(SmallInt => SmallInt, Integer => Integer, BigInt => BigInt, Text => Text);
    #[cfg(feature = "uuid")]
    element!(crate::sql_types::Uuid => Uuid);
}
