//! Column values: the Rust types a model field can have ([`FieldType`]), reading them out of
//! a row without knowing the backend ([`RowReader`]), and dynamic values for code that
//! handles many models at once ([`Value`]).

use contenttypes_core::ir::SqlType;
use contenttypes_core::keys::PkValue;
use diesel::deserialize::{self, QueryableByName};
use diesel::query_builder::AstPass;
use diesel::row::{Field as _, NamedRow, Row};
use diesel::QueryResult;

use crate::backend::{Binds, Handles, SupportedBackend};
use crate::columns::RowRef;

/// Reads column values of a result row by position, whatever the backend.
///
/// Object-safe, so a model's row decoder is one plain function shared by every backend and
/// callable for a model known only at run time.
pub trait RowReader {
    fn read_bool(&self, index: usize) -> deserialize::Result<Option<bool>>;
    fn read_i16(&self, index: usize) -> deserialize::Result<Option<i16>>;
    fn read_i32(&self, index: usize) -> deserialize::Result<Option<i32>>;
    fn read_i64(&self, index: usize) -> deserialize::Result<Option<i64>>;
    fn read_f32(&self, index: usize) -> deserialize::Result<Option<f32>>;
    fn read_f64(&self, index: usize) -> deserialize::Result<Option<f64>>;
    fn read_string(&self, index: usize) -> deserialize::Result<Option<String>>;
    fn read_bytes(&self, index: usize) -> deserialize::Result<Option<Vec<u8>>>;
    #[cfg(feature = "uuid")]
    fn read_uuid(&self, index: usize) -> deserialize::Result<Option<uuid::Uuid>>;
}

impl<'a, R: Row<'a, DB>, DB: SupportedBackend> RowRef<'_, R, DB> {
    fn read<T>(&self, index: usize) -> deserialize::Result<Option<T>>
    where
        DB: Handles<T>,
    {
        let field = Row::get(self.0, index).ok_or_else(|| {
            format!("the query returned no column {index}; the model and its table disagree")
        })?;
        let value = match field.value() {
            None => Ok(None),
            Some(raw) => <DB as Handles<T>>::decode(raw).map(Some),
        };
        value
    }
}

impl<'a, R: Row<'a, DB>, DB: SupportedBackend> RowReader for RowRef<'_, R, DB> {
    fn read_bool(&self, index: usize) -> deserialize::Result<Option<bool>> {
        self.read(index)
    }
    fn read_i16(&self, index: usize) -> deserialize::Result<Option<i16>> {
        self.read(index)
    }
    fn read_i32(&self, index: usize) -> deserialize::Result<Option<i32>> {
        self.read(index)
    }
    fn read_i64(&self, index: usize) -> deserialize::Result<Option<i64>> {
        self.read(index)
    }
    fn read_f32(&self, index: usize) -> deserialize::Result<Option<f32>> {
        self.read(index)
    }
    fn read_f64(&self, index: usize) -> deserialize::Result<Option<f64>> {
        self.read(index)
    }
    fn read_string(&self, index: usize) -> deserialize::Result<Option<String>> {
        self.read(index)
    }
    fn read_bytes(&self, index: usize) -> deserialize::Result<Option<Vec<u8>>> {
        self.read(index)
    }
    #[cfg(feature = "uuid")]
    fn read_uuid(&self, index: usize) -> deserialize::Result<Option<uuid::Uuid>> {
        self.read(index)
    }
}

/// A Rust type a model field can have: `bool`, `i16`, `i32`, `i64`, `f32`, `f64`, `String`,
/// `Vec<u8>`, `uuid::Uuid` (feature `uuid`), or an `Option` of one (a nullable column).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a supported column type",
    label = "unsupported column type",
    note = "columns are bool, i16, i32, i64, f32, f64, String, Vec<u8>, uuid::Uuid (feature `uuid`), or an Option of one"
)]
pub trait FieldType: Sized + Send + Sync + 'static {
    /// The SQL type of a (non-null) column of this type.
    const SQL_TYPE: SqlType;

    /// Reads a non-null value.
    #[doc(hidden)]
    fn __read(row: &dyn RowReader, index: usize) -> deserialize::Result<Self>;

    /// Reads a value that may be NULL.
    #[doc(hidden)]
    fn __read_nullable(row: &dyn RowReader, index: usize) -> deserialize::Result<Option<Self>>;

    /// Binds the value as a query parameter (`NULL` is written literally).
    #[doc(hidden)]
    fn __bind<'b, DB: SupportedBackend>(&'b self, out: &mut AstPass<'_, 'b, DB>)
        -> QueryResult<()>;

    /// The value as a dynamic [`Value`].
    fn to_value(&self) -> Value;
}

fn unexpected_null(index: usize) -> Box<dyn std::error::Error + Send + Sync> {
    format!(
        "unexpected NULL in column {index}; make the field an `Option` if the column is nullable"
    )
    .into()
}

macro_rules! field_type {
    ($($t:ty => $read:ident, $sql:expr, $variant:ident;)*) => {$(
        impl FieldType for $t {
            const SQL_TYPE: SqlType = $sql;

            fn __read(row: &dyn RowReader, index: usize) -> deserialize::Result<Self> {
                row.$read(index)?.ok_or_else(|| unexpected_null(index))
            }

            fn __read_nullable(row: &dyn RowReader, index: usize) -> deserialize::Result<Option<Self>> {
                row.$read(index)
            }

            fn __bind<'b, DB: SupportedBackend>(&'b self, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()> {
                <DB as Binds<$t>>::bind(out, self)
            }

            fn to_value(&self) -> Value {
                Value::$variant(self.clone())
            }
        }
    )*};
}

field_type! {
    bool => read_bool, SqlType::Bool, Bool;
    i16 => read_i16, SqlType::SmallInt, SmallInt;
    i32 => read_i32, SqlType::Integer, Integer;
    i64 => read_i64, SqlType::BigInt, BigInt;
    f32 => read_f32, SqlType::Float, Float;
    f64 => read_f64, SqlType::Double, Double;
    String => read_string, SqlType::Text, Text;
    Vec<u8> => read_bytes, SqlType::Binary, Binary;
}

#[cfg(feature = "uuid")]
field_type! {
    uuid::Uuid => read_uuid, SqlType::Uuid, Uuid;
}

impl<T: FieldType> FieldType for Option<T> {
    const SQL_TYPE: SqlType = T::SQL_TYPE;

    fn __read(row: &dyn RowReader, index: usize) -> deserialize::Result<Self> {
        T::__read_nullable(row, index)
    }

    fn __read_nullable(row: &dyn RowReader, index: usize) -> deserialize::Result<Option<Self>> {
        T::__read_nullable(row, index).map(Some)
    }

    fn __bind<'b, DB: SupportedBackend>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        match self {
            Some(v) => v.__bind(out),
            None => {
                out.push_sql("NULL");
                Ok(())
            }
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
}

/// A column value of any supported type, for code that builds queries over models known
/// only at run time.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Value {
    Null,
    Bool(bool),
    SmallInt(i16),
    Integer(i32),
    BigInt(i64),
    Float(f32),
    Double(f64),
    Text(String),
    Binary(Vec<u8>),
    #[cfg(feature = "uuid")]
    Uuid(uuid::Uuid),
}

impl Value {
    /// Binds the value as a query parameter (`NULL` is written literally).
    pub(crate) fn bind<'b, DB: SupportedBackend>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        match self {
            Value::Null => {
                out.push_sql("NULL");
                Ok(())
            }
            Value::Bool(v) => <DB as Binds<bool>>::bind(out, v),
            Value::SmallInt(v) => <DB as Binds<i16>>::bind(out, v),
            Value::Integer(v) => <DB as Binds<i32>>::bind(out, v),
            Value::BigInt(v) => <DB as Binds<i64>>::bind(out, v),
            Value::Float(v) => <DB as Binds<f32>>::bind(out, v),
            Value::Double(v) => <DB as Binds<f64>>::bind(out, v),
            Value::Text(v) => <DB as Binds<String>>::bind(out, v),
            Value::Binary(v) => <DB as Binds<Vec<u8>>>::bind(out, v),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => <DB as Binds<uuid::Uuid>>::bind(out, v),
        }
    }

    /// A key converted to the value a column of type `sql_type` stores, or `None` when the
    /// key does not fit (text that is not a number for an integer column...).
    pub fn from_key(sql_type: SqlType, key: &PkValue) -> Option<Value> {
        use contenttypes_core::keys::Key;
        Some(match sql_type {
            SqlType::SmallInt => Value::SmallInt(i16::from_pk_value(key)?),
            SqlType::Integer => Value::Integer(i32::from_pk_value(key)?),
            SqlType::BigInt => Value::BigInt(i64::from_pk_value(key)?),
            SqlType::Text | SqlType::Varchar(_) => Value::Text(key.to_string()),
            #[cfg(feature = "uuid")]
            SqlType::Uuid => Value::Uuid(uuid::Uuid::from_pk_value(key)?),
            _ => return None,
        })
    }

    /// The key this value holds, if it is one.
    pub fn to_key(&self) -> Option<PkValue> {
        Some(match self {
            Value::SmallInt(v) => PkValue::Int((*v).into()),
            Value::Integer(v) => PkValue::Int((*v).into()),
            Value::BigInt(v) => PkValue::Int(*v),
            Value::Text(v) => PkValue::Text(v.clone()),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => PkValue::Uuid(*v),
            _ => return None,
        })
    }
}

macro_rules! value_from {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl From<$ty> for Value {
            fn from(v: $ty) -> Self {
                Value::$variant(v.into())
            }
        }
    )*};
}

value_from!(
    bool => Bool, i16 => SmallInt, i32 => Integer, i64 => BigInt, f32 => Float, f64 => Double,
    String => Text, &str => Text, Vec<u8> => Binary, &[u8] => Binary,
);

#[cfg(feature = "uuid")]
value_from!(uuid::Uuid => Uuid);

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl Value {
    /// Whether a column of type `sql_type` can hold this value as it is bound (`NULL` fits
    /// any column; the lookup checks nullability).
    pub(crate) fn fits(&self, sql_type: SqlType) -> bool {
        match self {
            Value::Null => true,
            Value::Bool(_) => sql_type == SqlType::Bool,
            Value::SmallInt(_) => sql_type == SqlType::SmallInt,
            Value::Integer(_) => sql_type == SqlType::Integer,
            Value::BigInt(_) => sql_type == SqlType::BigInt,
            Value::Float(_) => sql_type == SqlType::Float,
            Value::Double(_) => sql_type == SqlType::Double,
            Value::Text(_) => matches!(sql_type, SqlType::Text | SqlType::Varchar(_)),
            Value::Binary(_) => sql_type == SqlType::Binary,
            #[cfg(feature = "uuid")]
            Value::Uuid(_) => sql_type == SqlType::Uuid,
        }
    }
}

/// A one-column result row (`COUNT(*)`, a key), for the framework's own queries.
pub(crate) struct Scalar<T>(pub(crate) T);

impl<DB: SupportedBackend, T: FieldType> QueryableByName<DB> for Scalar<T> {
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        Ok(Scalar(T::__read(&RowRef::<_, DB>::new(row), 0)?))
    }
}
