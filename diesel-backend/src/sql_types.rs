//! SQL types the framework adds to Diesel's, for Rust types whose storage Diesel spells
//! differently per backend. Each stores what Django stores, so a database shared with a
//! Django project reads the same values:
//!
//! | type | PostgreSQL | SQLite | MySQL/MariaDB | Rust types |
//! |---|---|---|---|---|
//! | [`Uuid`] | `uuid` | `char(32)`, 32 lowercase hex digits | `char(32)`, likewise | `uuid::Uuid` |
//! | [`TimestampTz`] | `timestamp with time zone` | `datetime`, UTC text | `datetime(6)`, UTC | `chrono::DateTime<Utc>`, `time::OffsetDateTime` |
//! | [`Json`] | `jsonb` | `text` | `json` | `serde_json::Value` |
//!
//! Other column types use Diesel's own SQL types (`Timestamp` for `NaiveDateTime` and
//! `PrimitiveDateTime`, `Date`, `Time`, `Numeric` for `BigDecimal`...), so Diesel's `chrono`,
//! `time`, `serde_json`, `numeric` and `uuid` features work as they do without this crate.

#![allow(unused_imports)] // which imports are used depends on the features

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::HasSqlType;

/// A UUID column on every backend: PostgreSQL's native `uuid`, and `char(32)` holding the
/// 32 lowercase hex digits on SQLite and MySQL, as Django stores it (reads accept the
/// hyphenated form too). Generated `table!` definitions use it for `uuid::Uuid` fields.
///
/// Diesel's blanket impls leave no room for `uuid::Uuid: AsExpression<Uuid>`, so compare a
/// column with a value through [`uuid()`]: `table::id.eq(contenttypes::sql_types::uuid(id))`.
#[derive(
    Clone, Copy, Debug, Default, diesel::query_builder::QueryId, diesel::sql_types::SqlType,
)]
pub struct Uuid;

/// A point in time: `timestamp with time zone` on PostgreSQL; UTC date and time on SQLite
/// (text, as Django writes it) and MySQL (`datetime(6)`). Generated `table!` definitions use
/// it for `chrono::DateTime<Utc>` and `time::OffsetDateTime` fields.
#[derive(
    Clone, Copy, Debug, Default, diesel::query_builder::QueryId, diesel::sql_types::SqlType,
)]
pub struct TimestampTz;

/// A JSON document: `jsonb` on PostgreSQL, `json` on MySQL, text on SQLite (Django's
/// `JSONField`). Generated `table!` definitions use it for `serde_json::Value` fields.
#[derive(
    Clone, Copy, Debug, Default, diesel::query_builder::QueryId, diesel::sql_types::SqlType,
)]
pub struct Json;

/// A UUID as a bound query parameter of type [`Uuid`].
#[cfg(feature = "uuid")]
pub fn uuid(
    value: uuid::Uuid,
) -> diesel::internal::derives::as_expression::Bound<Uuid, uuid::Uuid> {
    diesel::internal::derives::as_expression::Bound::new(value)
}

/// `HasSqlType<$st> for $db` with the metadata of Diesel's `$like`.
macro_rules! metadata_like {
    ($st:ty, $db:ty, $like:ty) => {
        impl HasSqlType<$st> for $db {
            fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
                <$db as HasSqlType<$like>>::metadata(lookup)
            }
        }
    };
}

/// `$t` as `$st` on `$db` is `$t` as Diesel's `$like`.
#[allow(unused_macros)] // unused without the column-type features
macro_rules! same_as {
    ($t:ty, $st:ty, $db:ty, $like:ty) => {
        impl FromSql<$st, $db> for $t {
            fn from_sql(value: <$db as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <$t as FromSql<$like, $db>>::from_sql(value)
            }
        }
        impl ToSql<$st, $db> for $t {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, $db>) -> serialize::Result {
                <$t as ToSql<$like, $db>>::to_sql(self, out)
            }
        }
    };
}

#[cfg(feature = "postgres")]
mod pg {
    use super::*;
    use diesel::pg::Pg;
    use diesel::sql_types as d;

    metadata_like!(Uuid, Pg, d::Uuid);
    metadata_like!(TimestampTz, Pg, d::Timestamptz);
    metadata_like!(Json, Pg, d::Jsonb);

    #[cfg(feature = "uuid")]
    same_as!(uuid::Uuid, Uuid, Pg, d::Uuid);
    #[cfg(feature = "chrono")]
    same_as!(
        chrono::DateTime<chrono::Utc>,
        TimestampTz,
        Pg,
        d::Timestamptz
    );
    #[cfg(feature = "time")]
    same_as!(time::OffsetDateTime, TimestampTz, Pg, d::Timestamptz);
    #[cfg(feature = "serde_json")]
    same_as!(serde_json::Value, Json, Pg, d::Jsonb);
}

/// `YYYY-MM-DD HH:MM:SS.ffffff`: how Django writes a UTC datetime on SQLite.
#[cfg(feature = "sqlite")]
#[allow(dead_code)] // unused without `chrono` and `time`
fn utc_text(
    (year, month, day): (i32, u32, u32),
    (hour, minute, second): (u32, u32, u32),
    micros: u32,
) -> String {
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{micros:06}")
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use diesel::sql_types as d;
    use diesel::sqlite::{Sqlite, SqliteValue};

    metadata_like!(Uuid, Sqlite, d::Text);
    metadata_like!(TimestampTz, Sqlite, d::Text);
    metadata_like!(Json, Sqlite, d::Json);

    #[cfg(feature = "serde_json")]
    same_as!(serde_json::Value, Json, Sqlite, d::Json);

    #[cfg(feature = "uuid")]
    impl FromSql<Uuid, Sqlite> for uuid::Uuid {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            let text = <String as FromSql<d::Text, Sqlite>>::from_sql(value)?;
            Ok(uuid::Uuid::parse_str(text.trim())?)
        }
    }

    #[cfg(feature = "uuid")]
    impl ToSql<Uuid, Sqlite> for uuid::Uuid {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
            out.set_value(self.simple().to_string());
            Ok(IsNull::No)
        }
    }

    #[cfg(feature = "chrono")]
    impl FromSql<TimestampTz, Sqlite> for chrono::DateTime<chrono::Utc> {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            // Django writes UTC without an offset; text with an offset is read as written.
            let text = <String as FromSql<d::Text, Sqlite>>::from_sql(value)?;
            if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
                return Ok(at.with_timezone(&chrono::Utc));
            }
            let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f")
                .or_else(|_| {
                    chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f")
                })?;
            Ok(naive.and_utc())
        }
    }

    #[cfg(feature = "chrono")]
    impl ToSql<TimestampTz, Sqlite> for chrono::DateTime<chrono::Utc> {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
            use chrono::{Datelike, Timelike};
            out.set_value(utc_text(
                (self.year(), self.month(), self.day()),
                (self.hour(), self.minute(), self.second()),
                self.nanosecond() / 1000,
            ));
            Ok(IsNull::No)
        }
    }

    #[cfg(feature = "time")]
    impl FromSql<TimestampTz, Sqlite> for time::OffsetDateTime {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            <time::OffsetDateTime as FromSql<d::TimestamptzSqlite, Sqlite>>::from_sql(value)
        }
    }

    #[cfg(feature = "time")]
    impl ToSql<TimestampTz, Sqlite> for time::OffsetDateTime {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
            let utc = self.to_offset(time::UtcOffset::UTC);
            out.set_value(utc_text(
                (utc.year(), u8::from(utc.month()).into(), utc.day().into()),
                (utc.hour().into(), utc.minute().into(), utc.second().into()),
                utc.microsecond(),
            ));
            Ok(IsNull::No)
        }
    }
}

#[cfg(feature = "mysql")]
mod mysql {
    use super::*;
    use diesel::mysql::{Mysql, MysqlValue};
    use diesel::sql_types as d;
    use std::io::Write as _;

    metadata_like!(Uuid, Mysql, d::Text);
    metadata_like!(TimestampTz, Mysql, d::Datetime);
    metadata_like!(Json, Mysql, d::Json);

    #[cfg(feature = "serde_json")]
    same_as!(serde_json::Value, Json, Mysql, d::Json);
    #[cfg(feature = "time")]
    same_as!(time::OffsetDateTime, TimestampTz, Mysql, d::Datetime);

    #[cfg(feature = "uuid")]
    impl FromSql<Uuid, Mysql> for uuid::Uuid {
        fn from_sql(value: MysqlValue<'_>) -> deserialize::Result<Self> {
            Ok(uuid::Uuid::try_parse_ascii(value.as_bytes().trim_ascii())?)
        }
    }

    #[cfg(feature = "uuid")]
    impl ToSql<Uuid, Mysql> for uuid::Uuid {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
            write!(out, "{}", self.simple())?;
            Ok(IsNull::No)
        }
    }

    #[cfg(feature = "chrono")]
    impl FromSql<TimestampTz, Mysql> for chrono::DateTime<chrono::Utc> {
        fn from_sql(value: MysqlValue<'_>) -> deserialize::Result<Self> {
            let naive = <chrono::NaiveDateTime as FromSql<d::Datetime, Mysql>>::from_sql(value)?;
            Ok(naive.and_utc())
        }
    }

    #[cfg(feature = "chrono")]
    impl ToSql<TimestampTz, Mysql> for chrono::DateTime<chrono::Utc> {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
            let naive = self.naive_utc();
            <chrono::NaiveDateTime as ToSql<d::Datetime, Mysql>>::to_sql(
                &naive,
                &mut out.reborrow(),
            )
        }
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    #[test]
    fn utc_text_is_djangos_format() {
        assert_eq!(
            super::utc_text((2024, 3, 9), (7, 5, 0), 42),
            "2024-03-09 07:05:00.000042"
        );
    }
}
