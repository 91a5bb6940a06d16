//! The content-type table (`django_content_type`) and its rows ([`ContentType`]); the cached
//! manager that finds and creates them is [`ContentTypes`](crate::ContentTypes), in
//! `content_types.rs`.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use contenttypes_core::content_type as ct_table;
use contenttypes_core::ir::ModelDef;
use contenttypes_core::keys::PkValue;
use contenttypes_core::names;
use contenttypes_core::registry::{Registered, Registration, Submission};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::query_builder::AstPass;
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Integer, Text};
use diesel::QueryResult;

use crate::columns::{column_out_of_range, read_column, BindColumns, RawRow, ReadColumns};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::mode::Mode;
use crate::model::{Model, ModelVTable, NewModel};
use crate::object::GenericObject;

/// Diesel's `table!` of the one description of `django_content_type` in
/// `contenttypes_core::content_type`.
macro_rules! diesel_table {
    ($key:ident: $key_ty:ident, $($name:ident: $ty:ident $(($n:literal))?,)*) => {
        diesel::table! {
            /// Django's content-type table, for use with Diesel's query builder.
            django_content_type ($key) {
                $key -> $key_ty,
                $($name -> $ty,)*
            }
        }
    };
}

contenttypes_core::__django_content_type_columns!(diesel_table);

/// A row of `django_content_type`: one registered model in one database.
#[derive(Clone)]
pub struct ContentType {
    /// The id, which differs between databases.
    pub id: i32,
    pub app_label: Cow<'static, str>,
    /// The lowercased model name.
    pub model: Cow<'static, str>,
    pub(crate) registration: Option<&'static Registration>,
}

impl PartialEq for ContentType {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.app_label == other.app_label && self.model == other.model
    }
}

impl Eq for ContentType {}

impl Hash for ContentType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.id, &self.app_label, &self.model).hash(state);
    }
}

impl fmt::Debug for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<ContentType {}: {}.{}>",
            self.id, self.app_label, self.model
        )
    }
}

/// Django's `str(content_type)`: `"<App verbose name> | <model verbose name>"`, or the raw
/// model name when the content type is stale.
impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.app_labeled_name())
    }
}

/// `ContentType::for_model::<T>(db)` and `ContentType::id_for_model::<T>(db)`: a trait
/// over the database (as Diesel's `RunQueryDsl` is over the connection), so that the model is
/// the only type named, on sync and async connections alike. In the prelude.
pub trait ContentTypeForModel<D: Db> {
    /// The content type of `T` in `db`'s database, created when missing (Django's
    /// `get_for_model`).
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut conn = connection();
    /// let ct = ContentType::for_model::<Article>(&mut conn)?;
    /// assert_eq!(ct.natural_key(), ("blog", "article"));
    /// assert_eq!(ct.to_string(), "Blog | article");
    /// # Ok(())
    /// # }
    /// ```
    fn for_model<T: Model>(db: &mut D) -> crate::Output<'_, D, Result<ContentType>>;

    /// The id of `T`'s content type in `db`'s database, created when missing: what
    /// [`Self::for_model`] returns, without copying it. Once cached it costs about one
    /// hash-map probe: no lock, no allocation, no query.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut conn = connection();
    /// let id = ContentType::id_for_model::<Article>(&mut conn)?;
    /// assert_eq!(id, ContentType::for_model::<Article>(&mut conn)?.id);
    /// # Ok(())
    /// # }
    /// ```
    fn id_for_model<T: Model>(db: &mut D) -> crate::Output<'_, D, Result<i32>>;
}

/// A cached content type is returned as it is, without driving a future: the hot path
/// costs a cache read, as before the async API.
impl<D: Db> ContentTypeForModel<D> for ContentType {
    #[inline]
    fn for_model<T: Model>(db: &mut D) -> crate::Output<'_, D, Result<ContentType>> {
        match db.connections().content_types().cached(T::DEF) {
            Some(ct) => <D::Mode as Mode>::ready(Ok(ct)),
            None => D::drive(ContentType::for_model_op::<T, D>(db)),
        }
    }

    #[inline]
    fn id_for_model<T: Model>(db: &mut D) -> crate::Output<'_, D, Result<i32>> {
        match db.connections().content_types().cached_id_of(T::DEF) {
            Some(id) => <D::Mode as Mode>::ready(Ok(id)),
            None => D::drive(ContentType::id_for_model_op::<T, D>(db)),
        }
    }
}

impl ContentType {
    pub(crate) async fn for_model_op<T: Model, D: Db>(db: &mut D) -> Result<ContentType> {
        let mut conns = db.connections();
        conns.content_types().for_def(&mut conns, T::DEF).await
    }

    #[inline]
    pub(crate) async fn id_for_model_op<T: Model, D: Db>(db: &mut D) -> Result<i32> {
        let mut conns = db.connections();
        conns.content_types().id_for_def(&mut conns, T::DEF).await
    }
    /// The content types of several models, in the order given, with at most one `SELECT`
    /// for all uncached ones (Django's `get_for_models`).
    pub fn for_models<'a, D: Db>(
        db: &'a mut D,
        models: &'a [&'static ModelDef],
    ) -> crate::Output<'a, D, Result<Vec<ContentType>>> {
        D::drive(Self::for_models_op(db, models))
    }

    pub(crate) async fn for_models_op<D: Db>(
        db: &mut D,
        models: &[&'static ModelDef],
    ) -> Result<Vec<ContentType>> {
        let mut conns = db.connections();
        conns.content_types().for_defs(&mut conns, models).await
    }

    /// The content type with this id; never creates one (Django's `get_for_id`).
    pub fn for_id<D: Db>(db: &mut D, id: i32) -> crate::Output<'_, D, Result<ContentType>> {
        D::drive(Self::for_id_op(db, id))
    }

    pub(crate) async fn for_id_op<D: Db>(db: &mut D, id: i32) -> Result<ContentType> {
        let mut conns = db.connections();
        conns.content_types().for_id(&mut conns, id).await
    }

    /// The content type with this natural key; never creates one (Django's
    /// `get_by_natural_key`).
    pub fn by_natural_key<'a, D: Db>(
        db: &'a mut D,
        app_label: &'a str,
        model: &'a str,
    ) -> crate::Output<'a, D, Result<ContentType>> {
        D::drive(Self::by_natural_key_op(db, app_label, model))
    }

    pub(crate) async fn by_natural_key_op<D: Db>(
        db: &mut D,
        app_label: &str,
        model: &str,
    ) -> Result<ContentType> {
        let mut conns = db.connections();
        conns
            .content_types()
            .by_natural_key(&mut conns, app_label, model)
            .await
    }

    /// `(app_label, model)`.
    pub fn natural_key(&self) -> (&str, &str) {
        (&self.app_label, &self.model)
    }

    /// The registered model, or `None` when the content type is stale (no registered model
    /// has its natural key). Django's `model_class()`.
    pub fn model_class(&self) -> Option<&'static Registration> {
        self.registration
    }

    /// The model's verbose name, or the raw model name when stale. Django's `name`.
    pub fn name(&self) -> Cow<'_, str> {
        match self.registration {
            Some(r) => Cow::Borrowed(r.def.verbose_name.as_ref()),
            None => Cow::Borrowed(self.model.as_ref()),
        }
    }

    /// `"<App verbose name> | <model verbose name>"`, or the raw model name when stale.
    /// Django's `app_labeled_name`.
    pub fn app_labeled_name(&self) -> String {
        match self.registration {
            Some(r) => format!(
                "{} | {}",
                names::app_verbose_name(&self.app_label),
                r.def.verbose_name
            ),
            None => self.model.to_string(),
        }
    }

    /// The object of this type with primary key `pk` (Django's `get_object_for_this_type`):
    /// a [`GenericObject`] to downcast. 1 query.
    pub fn get_object_for_this_type<'a, D: Db>(
        &'a self,
        db: &'a mut D,
        pk: impl Into<PkValue>,
    ) -> crate::Output<'a, D, Result<GenericObject>> {
        D::drive(self.get_object_for_this_type_op(db, pk.into()))
    }

    pub(crate) async fn get_object_for_this_type_op<D: Db>(
        &self,
        db: &mut D,
        pk: PkValue,
    ) -> Result<GenericObject> {
        let mut found = self
            .get_objects_for_this_type_op(db, std::slice::from_ref(&pk))
            .await?;
        found.pop().ok_or_else(|| Error::ObjectNotFound {
            model: self.label(),
            pk,
        })
    }

    /// The objects of this type with these primary keys, in no particular order; keys with
    /// no row are skipped. One query per [`crate::query::max_keys`] keys.
    pub fn get_objects_for_this_type<'a, D: Db>(
        &'a self,
        db: &'a mut D,
        pks: &'a [PkValue],
    ) -> crate::Output<'a, D, Result<Vec<GenericObject>>> {
        D::drive(self.get_objects_for_this_type_op(db, pks))
    }

    pub(crate) async fn get_objects_for_this_type_op<D: Db>(
        &self,
        db: &mut D,
        pks: &[PkValue],
    ) -> Result<Vec<GenericObject>> {
        let registration = self.registration.ok_or_else(|| self.stale())?;
        let found = crate::object::load_by_keys(
            db.connection_for_read(),
            registration,
            pks,
            &crate::query::NoFilter,
        )
        .await?;
        Ok(found.into_values().collect())
    }

    pub(crate) fn stale(&self) -> Error {
        Error::StaleContentType {
            app_label: self.app_label.to_string(),
            model: self.model.to_string(),
        }
    }

    pub(crate) fn label(&self) -> String {
        format!("{}.{}", self.app_label, self.model)
    }
}

/// The insert struct of [`ContentType`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewContentType {
    pub app_label: String,
    pub model: String,
}

static REGISTRATION: Registration = Registration {
    def: ct_table::DEF,
    type_id: std::any::TypeId::of::<ContentType>,
    type_path: std::any::type_name::<ContentType>,
    vtable: &VTABLE,
};
static VTABLE: ModelVTable = ModelVTable::of::<ContentType>();
contenttypes_core::__private::inventory::submit!(Submission(&REGISTRATION));

impl Registered for ContentType {
    const APP_LABEL: &'static str = ct_table::APP_LABEL;
    const MODEL_NAME: &'static str = "contenttype";
    const TABLE_NAME: &'static str = ct_table::TABLE;
    const PK_COLUMN: &'static str = "id";

    fn registration() -> &'static Registration {
        &REGISTRATION
    }
}

impl Model for ContentType {
    type Pk = i32;
    type New = NewContentType;
    type Table = django_content_type::table;
    const DEF: &'static ModelDef = ct_table::DEF;

    fn pk(&self) -> &i32 {
        &self.id
    }
}

impl<DB> ReadColumns<DB> for ContentType
where
    DB: Backend + 'static,
    i32: FromSql<Integer, DB>,
    String: FromSql<Text, DB>,
{
    fn __read_columns<R: RawRow<DB> + ?Sized>(row: &R) -> deserialize::Result<Self> {
        Ok(ContentType {
            id: read_column::<Integer, i32, DB, R>(row, 0)?,
            app_label: Cow::Owned(read_column::<Text, String, DB, R>(row, 1)?),
            model: Cow::Owned(read_column::<Text, String, DB, R>(row, 2)?),
            registration: None,
        })
    }
}

impl<DB> BindColumns<DB> for ContentType
where
    DB: Backend + HasSqlType<Integer> + HasSqlType<Text>,
    i32: ToSql<Integer, DB>,
    str: ToSql<Text, DB>,
{
    fn __bind<'b>(&'b self, index: usize, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()> {
        match index {
            0 => out.push_bind_param::<Integer, i32>(&self.id),
            1 => out.push_bind_param::<Text, str>(&self.app_label),
            2 => out.push_bind_param::<Text, str>(&self.model),
            _ => Err(column_out_of_range(index)),
        }
    }
}

impl<DB> BindColumns<DB> for NewContentType
where
    DB: Backend + HasSqlType<Text>,
    String: ToSql<Text, DB>,
{
    fn __bind<'b>(&'b self, index: usize, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()> {
        match index {
            0 => out.push_bind_param::<Text, String>(&self.app_label),
            1 => out.push_bind_param::<Text, String>(&self.model),
            _ => Err(column_out_of_range(index)),
        }
    }
}

impl NewModel for NewContentType {
    type Model = ContentType;

    fn __into_model(self, pk: i32) -> crate::Result<ContentType> {
        Ok(ContentType {
            id: pk,
            app_label: self.app_label.into(),
            model: self.model.into(),
            registration: None,
        })
    }

    fn __assign(self, row: &mut ContentType) -> crate::Result<()> {
        row.app_label = self.app_label.into();
        row.model = self.model.into();
        row.registration = None;
        Ok(())
    }

    fn __pk(&self) -> Option<i32> {
        None
    }
}
