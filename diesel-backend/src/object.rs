//! [`GenericObject`]: a model object whose type is known only at run time, as a generic
//! foreign key's target is.

use std::fmt;
use std::sync::Arc;

use contenttypes_core::ir::ModelDef;
use contenttypes_core::keys::PkValue;

use crate::error::{Error, Result};
use crate::model::{AnyModel, Model};

/// A model object of any registered type. Downcast it to use it as its model:
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// let article = Article::insert(&mut conn, NewArticle { title: "Hello".into() })?;
/// let ct = ContentType::for_model::<Article>(&mut conn)?;
/// let object = ct.get_object_for_this_type(&mut conn, article.id)?;
/// assert!(object.is::<Article>());
/// assert_eq!(object.downcast_ref::<Article>()?.title, "Hello");
/// assert!(object.downcast_ref::<Tag>().is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct GenericObject(Arc<dyn AnyModel>);

impl GenericObject {
    /// Wraps a model object.
    pub fn new<T: Model>(object: T) -> Self {
        GenericObject(Arc::new(object))
    }

    pub(crate) fn from_arc(object: Arc<dyn AnyModel>) -> Self {
        GenericObject(object)
    }

    /// The object's model.
    pub fn model_def(&self) -> &'static ModelDef {
        self.0.model_def()
    }

    /// The object's primary key.
    pub fn pk(&self) -> PkValue {
        self.0.pk_value()
    }

    /// The object, for code that handles models of any type.
    pub fn as_any_model(&self) -> &dyn AnyModel {
        &*self.0
    }

    /// Whether the object is a `T`.
    pub fn is<T: Model>(&self) -> bool {
        self.0.as_any().is::<T>()
    }

    /// The object as a `T`, or [`Error::WrongType`].
    pub fn downcast_ref<T: Model>(&self) -> Result<&T> {
        self.0
            .as_any()
            .downcast_ref::<T>()
            .ok_or_else(|| self.wrong_type::<T>())
    }

    /// The shared object as a `T`, or [`Error::WrongType`].
    pub fn downcast<T: Model>(self) -> Result<Arc<T>> {
        if !self.is::<T>() {
            return Err(self.wrong_type::<T>());
        }
        let error = self.wrong_type::<T>();
        self.0.into_any_arc().downcast::<T>().map_err(|_| error)
    }

    /// Whether two handles share one object (Django's identity: the same cached instance).
    pub fn ptr_eq(a: &GenericObject, b: &GenericObject) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }

    fn wrong_type<T: Model>(&self) -> Error {
        Error::WrongType {
            expected: T::DEF.type_name.to_string(),
            found: self.model_def().type_name.to_string(),
        }
    }
}

/// Equal when they are the same row: the same model and the same primary key (Django's
/// model equality).
impl PartialEq for GenericObject {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.model_def(), other.model_def()) && self.pk() == other.pk()
    }
}

impl fmt::Debug for GenericObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}
