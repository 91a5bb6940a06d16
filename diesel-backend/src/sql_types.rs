//! SQL types the framework adds to Diesel's.

/// A UUID column on every backend: PostgreSQL's native `uuid`, and `char(36)` holding the
/// hyphenated lowercase form on SQLite and MySQL (Diesel's own `Uuid` type is
/// PostgreSQL-only). Generated `table!` definitions use it for `uuid::Uuid` fields.
///
/// Diesel's blanket impls leave no room for `uuid::Uuid: AsExpression<Uuid>`, so compare a
/// column with a value through [`uuid`]: `table::id.eq(contenttypes::sql_types::uuid(id))`.
#[cfg(feature = "uuid")]
#[derive(
    Clone, Copy, Debug, Default, diesel::query_builder::QueryId, diesel::sql_types::SqlType,
)]
pub struct Uuid;

/// A UUID as a bound query parameter of type [`Uuid`].
#[cfg(feature = "uuid")]
pub fn uuid(
    value: uuid::Uuid,
) -> diesel::internal::derives::as_expression::Bound<Uuid, uuid::Uuid> {
    diesel::internal::derives::as_expression::Bound::new(value)
}

#[cfg(feature = "uuid")]
mod uuid_impls {
    use std::io::Write as _;

    use diesel::deserialize::{self, FromSql};
    use diesel::serialize::{self, IsNull, Output, ToSql};
    use diesel::sql_types::HasSqlType;

    use super::Uuid;

    /// Loading a UUID column with Diesel's query builder.
    impl<DB> diesel::deserialize::Queryable<Uuid, DB> for uuid::Uuid
    where
        DB: diesel::backend::Backend,
        uuid::Uuid: FromSql<Uuid, DB>,
    {
        type Row = Self;
        fn build(row: Self) -> deserialize::Result<Self> {
            Ok(row)
        }
    }

    #[cfg(feature = "postgres")]
    mod pg {
        use super::*;
        use diesel::pg::{Pg, PgTypeMetadata, PgValue};

        impl HasSqlType<Uuid> for Pg {
            fn metadata(_: &mut Self::MetadataLookup) -> PgTypeMetadata {
                PgTypeMetadata::new(2950, 2951)
            }
        }

        impl FromSql<Uuid, Pg> for uuid::Uuid {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                Ok(uuid::Uuid::from_slice(value.as_bytes())?)
            }
        }

        impl ToSql<Uuid, Pg> for uuid::Uuid {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.as_bytes())?;
                Ok(IsNull::No)
            }
        }
    }

    #[cfg(feature = "sqlite")]
    mod sqlite {
        use super::*;
        use diesel::sql_types::Text;
        use diesel::sqlite::{Sqlite, SqliteType, SqliteValue};

        impl HasSqlType<Uuid> for Sqlite {
            fn metadata(_: &mut ()) -> SqliteType {
                SqliteType::Text
            }
        }

        impl FromSql<Uuid, Sqlite> for uuid::Uuid {
            fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
                Ok(uuid::Uuid::parse_str(&text)?)
            }
        }

        impl ToSql<Uuid, Sqlite> for uuid::Uuid {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.hyphenated().to_string());
                Ok(IsNull::No)
            }
        }
    }

    #[cfg(feature = "mysql")]
    mod mysql {
        use super::*;
        use diesel::mysql::{Mysql, MysqlType, MysqlValue};

        impl HasSqlType<Uuid> for Mysql {
            fn metadata(_: &mut ()) -> MysqlType {
                MysqlType::String
            }
        }

        impl FromSql<Uuid, Mysql> for uuid::Uuid {
            fn from_sql(value: MysqlValue<'_>) -> deserialize::Result<Self> {
                Ok(uuid::Uuid::try_parse_ascii(value.as_bytes())?)
            }
        }

        impl ToSql<Uuid, Mysql> for uuid::Uuid {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
                write!(out, "{}", self.hyphenated())?;
                Ok(IsNull::No)
            }
        }
    }
}
