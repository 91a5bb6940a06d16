//! The objects of a content type looked up by any column (Django's
//! `get_object_for_this_type(**kw)` and `get_all_objects_for_this_type(**kw)`): dynamic, by
//! column name and value ([`Lookup`]) when only the content type is known, or typed, by a
//! Diesel filter, when the model is known.

use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;

use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::lookup::Lookup;
use crate::model::{load_dyn, LoadedDyn, Model, ModelVTable};
use crate::object::GenericObject;
use crate::objects::Objects;
use crate::query::Select;

impl ContentType {
    /// The one object of this type matching `lookup` (Django's
    /// `user_type.get_object_for_this_type(username="Guido")`): [`Error::DoesNotExist`] when
    /// none does, [`Error::MultipleObjectsReturned`] when several do. Columns are checked
    /// against the model (a typo is an [`Error::InvalidArgument`] before any query) and values
    /// are bound. 1 query.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// use contenttypes::{ContentType, Lookup};
    /// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// # contenttypes::create_content_types(&mut conn)?;
    /// let tag_type = ContentType::by_natural_key(&mut conn, "tagging", "tag")?;
    /// let found = tag_type.get_object_by(&mut conn, &Lookup::new().eq("name", "rust"))?;
    /// assert_eq!(found.downcast_ref::<Tag>()?, &rust);
    /// assert!(tag_type.get_object_by(&mut conn, &Lookup::new().eq("nmae", "rust")).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn get_object_by<'a, D: Db>(
        &'a self,
        db: &'a mut D,
        lookup: &'a Lookup,
    ) -> crate::Output<'a, D, Result<GenericObject>> {
        D::drive(self.get_object_by_op(db, lookup))
    }

    pub(crate) async fn get_object_by_op<D: Db>(
        &self,
        db: &mut D,
        lookup: &Lookup,
    ) -> Result<GenericObject> {
        let found = self.load_by(db, lookup, Some(2)).await?;
        self.exactly_one(found, || lookup.to_string())
    }

    /// Every object of this type matching `lookup`, ordered by key (Django's
    /// `get_all_objects_for_this_type(**kw)`). 1 query.
    pub fn get_all_objects_by<'a, D: Db>(
        &'a self,
        db: &'a mut D,
        lookup: &'a Lookup,
    ) -> crate::Output<'a, D, Result<Vec<GenericObject>>> {
        D::drive(self.get_all_objects_by_op(db, lookup))
    }

    pub(crate) async fn get_all_objects_by_op<D: Db>(
        &self,
        db: &mut D,
        lookup: &Lookup,
    ) -> Result<Vec<GenericObject>> {
        self.load_by(db, lookup, None).await
    }

    async fn load_by<D: Db>(
        &self,
        db: &mut D,
        lookup: &Lookup,
        limit: Option<i64>,
    ) -> Result<Vec<GenericObject>> {
        let registration = self.model_class().ok_or_else(|| self.stale())?;
        let def = registration.def;
        let vtable = ModelVTable::of_registration(registration)
            .ok_or_else(|| Error::NotRegistered { model: def.label() })?;
        let mut query = Select::new(def, lookup.condition(def)?);
        query.limit = limit;
        let rows: Vec<LoadedDyn> =
            load_dyn(vtable, db.connection_for_read().load_rows(query)).await?;
        Ok(rows
            .into_iter()
            .map(|r| GenericObject::from_arc(r.0))
            .collect())
    }

    /// The one object of this type matching a Diesel filter, typed, when the model is known
    /// and this content type must be its: [`Error::WrongType`] when it is another model's,
    /// [`Error::DoesNotExist`] / [`Error::MultipleObjectsReturned`] as
    /// [`ContentType::get_object_by`]. 1 query.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// use diesel::prelude::*;
    /// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// let tag_type = contenttypes::ContentType::for_model::<Tag>(&mut conn)?;
    /// let found: Tag = tag_type.get_object_where(&mut conn, tagging_tag::name.eq("rust"))?;
    /// assert_eq!(found, rust);
    /// # Ok(())
    /// # }
    /// ```
    pub fn get_object_where<'a, T, D, E>(
        &'a self,
        db: &'a mut D,
        filter: E,
    ) -> crate::Output<'a, D, Result<T>>
    where
        T: Model,
        D: Db,
        E: Expression + AppearsOnTable<T::Table> + QueryFragment<D::Backend> + Send + 'a,
    {
        D::drive(self.get_object_where_op::<T, D, E>(db, filter))
    }

    pub(crate) async fn get_object_where_op<T, D, E>(&self, db: &mut D, filter: E) -> Result<T>
    where
        T: Model,
        D: Db,
        E: Expression + AppearsOnTable<T::Table> + QueryFragment<D::Backend> + Send,
    {
        self.check_is::<T>()?;
        let found = T::filter(filter).limit(2).load_op(db).await?;
        self.exactly_one(found, || format!("a filter on `{}`", T::DEF.table.name))
    }

    /// Every object of this type matching a Diesel filter, typed, ordered by key;
    /// [`Error::WrongType`] when this content type is another model's. 1 query.
    pub fn get_all_objects_where<'a, T, D, E>(
        &'a self,
        db: &'a mut D,
        filter: E,
    ) -> crate::Output<'a, D, Result<Vec<T>>>
    where
        T: Model,
        D: Db,
        E: Expression + AppearsOnTable<T::Table> + QueryFragment<D::Backend> + Send + 'a,
    {
        D::drive(self.get_all_objects_where_op::<T, D, E>(db, filter))
    }

    pub(crate) async fn get_all_objects_where_op<T, D, E>(
        &self,
        db: &mut D,
        filter: E,
    ) -> Result<Vec<T>>
    where
        T: Model,
        D: Db,
        E: Expression + AppearsOnTable<T::Table> + QueryFragment<D::Backend> + Send,
    {
        self.check_is::<T>()?;
        T::filter(filter).load_op(db).await
    }

    /// The one row of at most two read (Django's `get`): none is [`Error::DoesNotExist`],
    /// two are [`Error::MultipleObjectsReturned`].
    fn exactly_one<R>(&self, mut found: Vec<R>, lookup: impl Fn() -> String) -> Result<R> {
        match (found.pop(), found.is_empty()) {
            (Some(object), true) => Ok(object),
            (Some(_), false) => Err(Error::MultipleObjectsReturned {
                model: self.label(),
                lookup: lookup(),
            }),
            (None, _) => Err(Error::DoesNotExist {
                model: self.label(),
                lookup: lookup(),
            }),
        }
    }

    /// This content type is `T`'s.
    fn check_is<T: Model>(&self) -> Result<()> {
        let registration = self.model_class().ok_or_else(|| self.stale())?;
        if std::ptr::eq(registration.def, T::DEF) || *registration.def == *T::DEF {
            Ok(())
        } else {
            Err(Error::WrongType {
                expected: T::DEF.type_name.to_string(),
                found: registration.def.type_name.to_string(),
            })
        }
    }
}
