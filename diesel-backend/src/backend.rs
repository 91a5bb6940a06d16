//! The one sealed trait behind which every backend bound hides.
//!
//! Framework code is generic over `DB: SupportedBackend` and needs nothing else: the trait's
//! supertraits carry "this backend reads and binds this Rust type" for every column type the
//! framework supports, and [`SupportedBackend::DIALECT`] picks the SQL spelling where the
//! dialects differ. It is implemented for SQLite, PostgreSQL and MySQL (each behind its
//! feature) and cannot be implemented outside this crate.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Binary, Bool, Double, Float, HasSqlType, Integer, SmallInt, Text};
use diesel::QueryResult;
use std::sync::Arc;

use crate::columns::{BindsEverywhere, RawRow, ReadsEverywhere};
use crate::model::{AnyModel, ModelVTable};

pub use contenttypes_core::ddl::Dialect;

pub(crate) mod sealed {
    use diesel::backend::Backend;
    use diesel::query_builder::AstPass;
    use diesel::QueryResult;

    use crate::field::Value;

    /// What only the framework may implement, and how a backend takes a key list.
    pub trait Sealed: Backend {
        /// Whether `values` go into one bound parameter (a PostgreSQL array), so that the
        /// list's SQL is the same for any number of keys.
        fn list_is_one_bind(_values: &[Value]) -> bool {
            false
        }

        /// ` IN (?, ..., ?)` after a column, or this backend's form of a key list (`values`
        /// is not empty).
        fn walk_list<'b>(out: &mut AstPass<'_, 'b, Self>, values: &'b [Value]) -> QueryResult<()>
        where
            Self: super::SupportedBackend,
        {
            crate::query::walk_in_list(out, values)
        }
    }
}

/// Binds values of the Rust type `T` as query parameters on this backend.
pub trait Binds<T: ?Sized>: Backend {
    fn bind<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b T) -> QueryResult<()>;
}

/// Reads and binds values of the Rust type `T` on this backend. One impl per (backend,
/// type) pair, so generic code can rely on it through [`SupportedBackend`]'s supertraits.
pub trait Handles<T>: Binds<T> {
    /// Decodes a non-NULL value.
    fn decode(value: Self::RawValue<'_>) -> deserialize::Result<T>;
}

/// Generic over every Diesel backend that can read and write `T` as `ST`.
macro_rules! handles {
    ($($t:ty => $st:ty),* $(,)?) => {$(
        impl<DB> Binds<$t> for DB
        where
            DB: Backend + HasSqlType<$st>,
            $t: ToSql<$st, DB>,
        {
            fn bind<'b>(out: &mut AstPass<'_, 'b, DB>, value: &'b $t) -> QueryResult<()> {
                out.push_bind_param::<$st, $t>(value)
            }
        }

        impl<DB> Handles<$t> for DB
        where
            DB: Backend + HasSqlType<$st>,
            $t: FromSql<$st, DB> + ToSql<$st, DB>,
        {
            fn decode(value: DB::RawValue<'_>) -> deserialize::Result<$t> {
                <$t as FromSql<$st, DB>>::from_sql(value)
            }
        }
    )*};
}

handles! {
    bool => Bool,
    i16 => SmallInt,
    i32 => Integer,
    i64 => BigInt,
    f32 => Float,
    f64 => Double,
    String => Text,
    Vec<u8> => Binary,
}

impl<DB> Binds<str> for DB
where
    DB: Backend + HasSqlType<Text>,
    str: ToSql<Text, DB>,
{
    fn bind<'b>(out: &mut AstPass<'_, 'b, DB>, value: &'b str) -> QueryResult<()> {
        out.push_bind_param::<Text, str>(value)
    }
}

#[cfg(feature = "uuid")]
handles! { uuid::Uuid => crate::sql_types::Uuid }

/// UUID columns, when the `uuid` feature is on.
#[cfg(feature = "uuid")]
pub trait UuidColumns: Handles<uuid::Uuid> {}
#[cfg(feature = "uuid")]
impl<T: Handles<uuid::Uuid>> UuidColumns for T {}
/// UUID columns, when the `uuid` feature is on.
#[cfg(not(feature = "uuid"))]
pub trait UuidColumns {}
#[cfg(not(feature = "uuid"))]
impl<T> UuidColumns for T {}

/// A Diesel backend the framework runs on: SQLite, PostgreSQL or MySQL.
#[diagnostic::on_unimplemented(
    message = "contenttypes does not support the Diesel backend `{Self}`",
    note = "supported backends are SQLite, PostgreSQL and MySQL/MariaDB (features `sqlite`, `postgres`, `mysql`)"
)]
pub trait SupportedBackend:
    Backend
    + 'static
    + sealed::Sealed
    + Handles<bool>
    + Handles<i16>
    + Handles<i32>
    + Handles<i64>
    + Handles<f32>
    + Handles<f64>
    + Handles<String>
    + Binds<str>
    + Handles<Vec<u8>>
    + UuidColumns
{
    /// How this backend spells SQL where dialects differ.
    const DIALECT: Dialect;

    /// Builds `M` from a row, through its [`ReadColumns`](crate::columns::ReadColumns) impl
    /// for this backend.
    #[doc(hidden)]
    fn read_columns<M: ReadsEverywhere, R: RawRow<Self> + ?Sized>(
        row: &R,
    ) -> deserialize::Result<M>;

    /// Binds the column at `index` of `row`, through its
    /// [`BindColumns`](crate::columns::BindColumns) impl for this backend.
    #[doc(hidden)]
    fn bind_column<'b, M: BindsEverywhere + ?Sized>(
        row: &'b M,
        index: usize,
        out: &mut AstPass<'_, 'b, Self>,
    ) -> QueryResult<()>;

    /// How many parameters `fragment` binds, read off its SQL (its `?` or `$n`
    /// placeholders; a literal holding one only over-counts, which shortens a key list).
    #[doc(hidden)]
    fn binds_in<F: QueryFragment<Self> + ?Sized>(fragment: &F) -> usize;

    /// Builds the model of `vtable` from a row.
    #[doc(hidden)]
    fn read_dyn(
        vtable: &ModelVTable,
        row: &dyn RawRow<Self>,
    ) -> deserialize::Result<Arc<dyn AnyModel>>;
}

/// `SupportedBackend` for a Diesel backend: the dispatch to the per-backend column impls.
macro_rules! supported_backend {
    ($feature:literal, $db:ty, $dialect:expr, $vtable_field:ident) => {
        #[cfg(feature = $feature)]
        impl SupportedBackend for $db {
            const DIALECT: Dialect = $dialect;

            fn binds_in<F: QueryFragment<Self> + ?Sized>(fragment: &F) -> usize {
                use diesel::query_builder::QueryBuilder;
                let mut sql = <Self as Backend>::QueryBuilder::default();
                match fragment.to_sql(&mut sql, &<$db>::default()) {
                    Ok(()) => sql.finish().matches(['?', '$']).count(),
                    // A fragment that cannot render fails its statement anyway.
                    Err(_) => 0,
                }
            }

            #[inline]
            fn read_columns<M: ReadsEverywhere, R: RawRow<Self> + ?Sized>(
                row: &R,
            ) -> deserialize::Result<M> {
                <M as crate::columns::ReadColumns<Self>>::__read_columns(row)
            }

            fn bind_column<'b, M: BindsEverywhere + ?Sized>(
                row: &'b M,
                index: usize,
                out: &mut AstPass<'_, 'b, Self>,
            ) -> QueryResult<()> {
                <M as crate::columns::BindColumns<Self>>::__bind(row, index, out)
            }

            fn read_dyn(
                vtable: &ModelVTable,
                row: &dyn RawRow<Self>,
            ) -> deserialize::Result<Arc<dyn AnyModel>> {
                (vtable.$vtable_field)(row)
            }
        }
    };
}

#[cfg(feature = "sqlite")]
impl sealed::Sealed for diesel::sqlite::Sqlite {}
#[cfg(feature = "mysql")]
impl sealed::Sealed for diesel::mysql::Mysql {}
/// PostgreSQL takes a key list as one array parameter (`= ANY($1)`).
#[cfg(feature = "postgres")]
impl sealed::Sealed for diesel::pg::Pg {
    fn list_is_one_bind(values: &[crate::field::Value]) -> bool {
        crate::query::ArrayOf::of(values).is_some()
    }

    fn walk_list<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        values: &'b [crate::field::Value],
    ) -> QueryResult<()> {
        crate::query::walk_pg_list(out, values)
    }
}

supported_backend!("sqlite", diesel::sqlite::Sqlite, Dialect::Sqlite, sqlite);
supported_backend!("postgres", diesel::pg::Pg, Dialect::Postgres, postgres);
supported_backend!("mysql", diesel::mysql::Mysql, Dialect::Mysql, mysql);
