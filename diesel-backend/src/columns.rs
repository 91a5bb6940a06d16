//! A model's columns on a backend: reading a result row into the model and binding its
//! fields as query parameters, through Diesel's own `FromSql` and `ToSql` for whatever SQL
//! type each column has (the `table!` the model is attached to says which).
//!
//! `#[derive(Model)]` implements [`ReadColumns`] and [`BindColumns`] for every Diesel
//! backend whose `FromSql`/`ToSql` impls cover the model's field types, so a column type is
//! anything Diesel (or the user, for their own SQL types) can read and write. Framework code
//! generic over `DB: SupportedBackend` reaches those impls through
//! [`SupportedBackend::read_columns`](crate::SupportedBackend::read_columns) and
//! [`SupportedBackend::bind_column`](crate::SupportedBackend::bind_column); the traits
//! [`ReadsEverywhere`] and [`BindsEverywhere`] say "on every backend this build enables".

use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::query_builder::AstPass;
use diesel::row::{Field as _, Row};
use diesel::QueryResult;

/// One result row, read by column position, whatever its Diesel row type.
///
/// Object-safe, so a model's row decoder is one function per backend, callable for a model
/// known only at run time.
pub trait RawRow<DB: Backend + 'static> {
    /// Calls `f` with the raw value of the column at `index` (`None` for SQL `NULL`).
    fn with_value(
        &self,
        index: usize,
        f: &mut dyn FnMut(Option<DB::RawValue<'_>>) -> deserialize::Result<()>,
    ) -> deserialize::Result<()>;
}

/// A Diesel row seen through [`RawRow`].
pub(crate) struct RowRef<'r, R, DB>(pub(crate) &'r R, PhantomData<DB>);

impl<'r, R, DB> RowRef<'r, R, DB> {
    pub(crate) fn new(row: &'r R) -> Self {
        RowRef(row, PhantomData)
    }
}

impl<'a, R: Row<'a, DB>, DB: Backend + 'static> RawRow<DB> for RowRef<'_, R, DB> {
    #[inline]
    fn with_value(
        &self,
        index: usize,
        f: &mut dyn FnMut(Option<DB::RawValue<'_>>) -> deserialize::Result<()>,
    ) -> deserialize::Result<()> {
        let field = Row::get(self.0, index).ok_or_else(|| {
            format!("the query returned no column {index}; the model and its table disagree")
        })?;
        f(field.value())
    }
}

/// The columns of a row from `offset` on, as a row of their own: the joined model's columns
/// after the model's in a [`crate::query::JoinForeignKey`] read.
pub(crate) struct Offset<'r, DB: Backend + 'static> {
    pub(crate) row: &'r dyn RawRow<DB>,
    pub(crate) offset: usize,
}

impl<DB: Backend + 'static> RawRow<DB> for Offset<'_, DB> {
    fn with_value(
        &self,
        index: usize,
        f: &mut dyn FnMut(Option<DB::RawValue<'_>>) -> deserialize::Result<()>,
    ) -> deserialize::Result<()> {
        self.row.with_value(self.offset + index, f)
    }
}

impl<'r, DB: Backend + 'static> Offset<'r, DB> {
    /// Whether the column at `index` (from the offset) is NULL.
    pub(crate) fn is_null(&self, index: usize) -> deserialize::Result<bool> {
        let mut null = false;
        self.with_value(index, &mut |value| {
            null = value.is_none();
            Ok(())
        })?;
        Ok(null)
    }
}

/// Reads the column at `index` as `T`, through `T: FromSql<ST, DB>` (`Option<T>` for a
/// nullable column). Generated row decoders call it once per column.
#[doc(hidden)]
#[inline]
pub fn read_column<ST, T, DB, R>(row: &R, index: usize) -> deserialize::Result<T>
where
    DB: Backend + 'static,
    T: FromSql<ST, DB>,
    R: RawRow<DB> + ?Sized,
{
    let mut out = None;
    row.with_value(index, &mut |raw| {
        out = Some(T::from_nullable_sql(raw)?);
        Ok(())
    })?;
    out.ok_or_else(|| format!("column {index} was not read").into())
}

/// Builds a model from a row holding its columns in declaration order, on the backend `DB`.
/// Implemented by `#[derive(Model)]`.
#[diagnostic::on_unimplemented(
    message = "the columns of `{Self}` cannot be read on the Diesel backend `{DB}`",
    note = "each field's type must implement Diesel's `FromSql` for its column's SQL type on every enabled backend"
)]
pub trait ReadColumns<DB: Backend + 'static>: Sized {
    /// Generic over the row, so a typed read (a `RowRef`) is compiled for its row type and
    /// a dynamic one (`dyn RawRow`) goes through the vtable.
    #[doc(hidden)]
    fn __read_columns<R: RawRow<DB> + ?Sized>(row: &R) -> deserialize::Result<Self>;
}

/// Binds the value of one column (by declaration position) as a query parameter, on the
/// backend `DB`. Implemented by `#[derive(Model)]` for models and their insert structs.
#[diagnostic::on_unimplemented(
    message = "the columns of `{Self}` cannot be written on the Diesel backend `{DB}`",
    note = "each field's type must implement Diesel's `ToSql` for its column's SQL type on every enabled backend"
)]
pub trait BindColumns<DB: Backend> {
    #[doc(hidden)]
    fn __bind<'b>(&'b self, index: usize, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>;
}

/// Writes the database's current time in place of a bound value, for an `auto_now` or
/// `auto_now_add` column of SQL type `sql_type`.
#[doc(hidden)]
pub fn push_now<DB: crate::SupportedBackend>(
    out: &mut AstPass<'_, '_, DB>,
    sql_type: contenttypes_core::ir::SqlType,
) -> QueryResult<()> {
    match DB::DIALECT.now_sql(sql_type) {
        Some(now) => {
            out.push_sql(now);
            Ok(())
        }
        None => Err(diesel::result::Error::QueryBuilderError(
            format!("`auto_now` on a column of type {}", sql_type.name()).into(),
        )),
    }
}

/// The error for a column position past the end (a bug in generated code).
#[doc(hidden)]
pub fn column_out_of_range(index: usize) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("no column {index}; the model and its generated code disagree").into(),
    )
}

/// `$name`: `$tr<$db>` when the feature is on, nothing otherwise.
macro_rules! on_backend {
    ($name:ident: $tr:ident, $feature:literal, $db:ty) => {
        #[doc = concat!("[`", stringify!($tr), "`] on ", $feature, " (when the `", $feature, "` feature is on).")]
        #[cfg(feature = $feature)]
        pub trait $name: $tr<$db> {}
        #[cfg(feature = $feature)]
        impl<T: ?Sized + $tr<$db>> $name for T {}
        #[doc = concat!("[`", stringify!($tr), "`] on ", $feature, " (when the `", $feature, "` feature is on).")]
        #[cfg(not(feature = $feature))]
        pub trait $name {}
        #[cfg(not(feature = $feature))]
        impl<T: ?Sized> $name for T {}
    };
}

on_backend!(ReadsOnSqlite: ReadColumns, "sqlite", diesel::sqlite::Sqlite);
on_backend!(ReadsOnPostgres: ReadColumns, "postgres", diesel::pg::Pg);
on_backend!(ReadsOnMysql: ReadColumns, "mysql", diesel::mysql::Mysql);
on_backend!(BindsOnSqlite: BindColumns, "sqlite", diesel::sqlite::Sqlite);
on_backend!(BindsOnPostgres: BindColumns, "postgres", diesel::pg::Pg);
on_backend!(BindsOnMysql: BindColumns, "mysql", diesel::mysql::Mysql);

/// [`ReadColumns`] on every backend this build enables.
pub trait ReadsEverywhere: ReadsOnSqlite + ReadsOnPostgres + ReadsOnMysql {}
impl<T: ReadsOnSqlite + ReadsOnPostgres + ReadsOnMysql> ReadsEverywhere for T {}

/// [`BindColumns`] on every backend this build enables.
pub trait BindsEverywhere: BindsOnSqlite + BindsOnPostgres + BindsOnMysql {}
impl<T: ?Sized + BindsOnSqlite + BindsOnPostgres + BindsOnMysql> BindsEverywhere for T {}

/// A field type that fits its column: Diesel can read it from and write it to the column's
/// SQL type on every backend this build enables. The derive asserts it for each field, so a
/// mismatch with the `table!` is reported at the field.
#[diagnostic::on_unimplemented(
    message = "the field type `{Self}` does not match the column `{Col}` of SQL type `{ST}`",
    label = "this type cannot hold the values of `{Col}`",
    note = "a nullable column needs an `Option` field and a NOT NULL column a plain one; integer widths must match (`Integer` is `i32`, `BigInt` is `i64`)",
    note = "compare the field with the column in the `table!` the model is attached to"
)]
pub trait FitsColumn<ST, Col> {}
impl<T, ST, Col> FitsColumn<ST, Col> for T where
    T: FitsOnSqlite<ST> + FitsOnPostgres<ST> + FitsOnMysql<ST>
{
}

macro_rules! fits_on {
    ($name:ident, $feature:literal, $db:ty) => {
        #[doc = concat!("`FromSql` and `ToSql` on ", $feature, " (when the `", $feature, "` feature is on).")]
        #[cfg(feature = $feature)]
        pub trait $name<ST>:
            diesel::deserialize::FromSql<ST, $db> + diesel::serialize::ToSql<ST, $db>
        {
        }
        #[cfg(feature = $feature)]
        impl<T, ST> $name<ST> for T where
            T: diesel::deserialize::FromSql<ST, $db> + diesel::serialize::ToSql<ST, $db>
        {
        }
        #[doc = concat!("`FromSql` and `ToSql` on ", $feature, " (when the `", $feature, "` feature is on).")]
        #[cfg(not(feature = $feature))]
        pub trait $name<ST> {}
        #[cfg(not(feature = $feature))]
        impl<T, ST> $name<ST> for T {}
    };
}

fits_on!(FitsOnSqlite, "sqlite", diesel::sqlite::Sqlite);
fits_on!(FitsOnPostgres, "postgres", diesel::pg::Pg);
fits_on!(FitsOnMysql, "mysql", diesel::mysql::Mysql);

/// Names `T: FitsColumn<ST, C>` in a type, so the derive's per-field check is a
/// well-formedness error at the field, reported before anything that depends on it.
#[doc(hidden)]
pub struct AssertFits<T: ?Sized + FitsColumn<ST, C>, ST, C>(PhantomData<fn(&T, ST, C)>);
