//! [`Target`]: what the generic foreign key of a new row points at. A generic foreign key is
//! part of creating a row: the insert struct `New<Model>` holds it as one field named after
//! the `GenericForeignKey` field (`content_object: Target<i64>`, or
//! `Option<Target<i64>>` when the columns are nullable), so a row created without its target
//! does not compile.
//!
//! [`Target::to`] points at a saved row and checks at compile time that its key fits the
//! object id column; its content type is looked up when the row is inserted (through the
//! cached [`ContentTypes`](crate::ContentTypes), so building a `Target` needs no database).
//! [`Target::from_ids`] takes the two column values as they are.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::OnceLock;

use contenttypes_core::ir::ModelDef;
use contenttypes_core::keys::ObjectIdFor;
use diesel::backend::Backend;
use diesel::serialize::{self, Output, ToSql};
use diesel::QueryResult;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::model::{Model, PrimaryKey};
use crate::targets::{Admits, Open};

/// The target of a new row's generic foreign key: a content type and an object id.
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// use contenttypes::Target;
/// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
/// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
/// let item = TaggedItem::insert(
///     &mut conn,
///     NewTaggedItem { tag_id: rust.id, content_object: Target::to(&article) },
/// )?;
/// assert_eq!(item.object_id, article.id);
/// assert_eq!(item.content_type_id, ContentType::for_model::<Article>(&mut conn)?.id);
/// # Ok(())
/// # }
/// ```
///
/// `S` is the generic foreign key's [`TargetSet`](crate::TargetSet): [`Open`] (any model),
/// or the enum `#[derive(Model)]` generates for `targets(..)`, in which case `Target::to` of
/// a model outside the list does not compile.
pub struct Target<Oid, S = Open> {
    model: Option<&'static ModelDef>,
    /// The content type id, once known (given, or looked up at insert time).
    content_type_id: OnceLock<Option<i32>>,
    /// Always `Some`: kept as an `Option` so a nullable column binds it by reference.
    object_id: Option<Oid>,
    _targets: PhantomData<fn() -> S>,
}

impl<Oid: PrimaryKey, S> Target<Oid, S> {
    /// Points at the saved row `target`. Its key must fit the object id column, and its
    /// model must be one of the generic foreign key's `targets(..)` when it lists them
    /// (both checked at compile time); its content type is looked up when the row is
    /// inserted (0 queries once cached).
    pub fn to<T: Model>(target: &T) -> Self
    where
        Oid: ObjectIdFor<T, T::Pk>,
        S: Admits<T>,
    {
        Target {
            model: Some(T::DEF),
            content_type_id: OnceLock::new(),
            object_id: Some(<Oid as ObjectIdFor<T, T::Pk>>::from_key(target.pk())),
            _targets: PhantomData,
        }
    }

    /// Points at the row `object_id` of the content type `content_type_id`, as the two
    /// column values are (Django's `content_type_id=..., object_id=...`). Nothing checks that
    /// the content type or the row exists.
    pub fn from_ids(content_type_id: i32, object_id: Oid) -> Self {
        Target {
            model: None,
            content_type_id: OnceLock::from(Some(content_type_id)),
            object_id: Some(object_id),
            _targets: PhantomData,
        }
    }

    /// The content type id: `None` until a [`Target::to`] is resolved by an insert.
    pub fn content_type_id(&self) -> Option<i32> {
        self.content_type_id.get().copied().flatten()
    }

    /// The object id.
    pub fn object_id(&self) -> &Oid {
        match &self.object_id {
            Some(oid) => oid,
            None => unreachable_object_id(),
        }
    }

    /// Looks the content type up (once).
    async fn resolve<D: Db>(&self, db: &mut D) -> Result<()> {
        if self.content_type_id.get().is_some() {
            return Ok(());
        }
        let Some(model) = self.model else {
            return Ok(());
        };
        let mut conns = db.connections();
        let ct = conns.content_types().id_for_def(&mut conns, model).await?;
        let _ = self.content_type_id.set(Some(ct));
        Ok(())
    }

    fn resolved(&self) -> QueryResult<&Option<i32>> {
        self.content_type_id.get().ok_or_else(|| {
            diesel::result::Error::QueryBuilderError(
                "the content type of a `Target::to` is looked up when the row is inserted \
                 through the framework (`Objects::insert`...); for Diesel's own `insert_into`, \
                 build the target with `Target::from_ids`"
                    .into(),
            )
        })
    }
}

/// `object_id` is `Some` by construction; this is never reached.
#[cold]
fn unreachable_object_id<T>() -> &'static T {
    unreachable!("a Target always holds an object id")
}

impl<Oid: Clone, S> Clone for Target<Oid, S> {
    fn clone(&self) -> Self {
        Target {
            model: self.model,
            content_type_id: self.content_type_id.clone(),
            object_id: self.object_id.clone(),
            _targets: PhantomData,
        }
    }
}

impl<Oid: PartialEq, S> PartialEq for Target<Oid, S> {
    /// Two targets are equal when they point at the same row: the same object id, and the
    /// same model or (when one is given by ids) the same content type id.
    fn eq(&self, other: &Self) -> bool {
        let same_type = match (self.model, other.model) {
            (Some(a), Some(b)) => std::ptr::eq(a, b) || a.natural_key() == b.natural_key(),
            _ => self.content_type_id.get() == other.content_type_id.get(),
        };
        same_type && self.object_id == other.object_id
    }
}

impl<Oid: fmt::Debug, S> fmt::Debug for Target<Oid, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Target");
        if let Some(model) = self.model {
            s.field("model", &model.type_name);
        }
        if let Some(Some(ct)) = self.content_type_id.get() {
            s.field("content_type_id", ct);
        }
        s.field("object_id", &self.object_id).finish()
    }
}

/// A generic foreign key field of an insert struct: [`Target`], or `Option<Target>` for
/// nullable columns. Used by the generated code.
#[doc(hidden)]
pub trait TargetField: Send + Sync {
    /// The content type column's value (`i32`, or `Option<i32>`).
    type Ct: fmt::Debug;
    /// The object id column's value (`Oid`, or `Option<Oid>`).
    type Oid: fmt::Debug;

    /// Looks up the content type of a [`Target::to`] (once).
    fn __resolve<'a, D: Db>(
        &'a self,
        db: &'a mut D,
    ) -> impl Future<Output = Result<()>> + Send + 'a;
    /// The content type column's value; an error before [`TargetField::__resolve`].
    fn __ct(&self) -> QueryResult<&Self::Ct>;
    /// The object id column's value.
    fn __oid(&self) -> &Self::Oid;
}

impl<Oid: PrimaryKey, S> TargetField for Target<Oid, S> {
    type Ct = i32;
    type Oid = Oid;

    fn __resolve<'a, D: Db>(
        &'a self,
        db: &'a mut D,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        self.resolve(db)
    }

    fn __ct(&self) -> QueryResult<&i32> {
        self.resolved()?.as_ref().ok_or_else(|| {
            diesel::result::Error::QueryBuilderError("a target without a content type".into())
        })
    }

    fn __oid(&self) -> &Oid {
        self.object_id()
    }
}

impl<Oid: PrimaryKey, S> TargetField for Option<Target<Oid, S>> {
    type Ct = Option<i32>;
    type Oid = Option<Oid>;

    async fn __resolve<D: Db>(&self, db: &mut D) -> Result<()> {
        match self {
            Some(t) => t.resolve(db).await,
            None => Ok(()),
        }
    }

    fn __ct(&self) -> QueryResult<&Option<i32>> {
        match self {
            Some(t) => t.resolved(),
            None => Ok(&None),
        }
    }

    fn __oid(&self) -> &Option<Oid> {
        match self {
            Some(t) => &t.object_id,
            None => &None,
        }
    }
}

impl<F: TargetField> TargetField for &F {
    type Ct = F::Ct;
    type Oid = F::Oid;

    fn __resolve<'a, D: Db>(
        &'a self,
        db: &'a mut D,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        (**self).__resolve(db)
    }

    fn __ct(&self) -> QueryResult<&F::Ct> {
        (**self).__ct()
    }

    fn __oid(&self) -> &F::Oid {
        (**self).__oid()
    }
}

/// The two column values of a target, once inserted (the content type resolved).
#[doc(hidden)]
pub fn __columns<F: TargetField>(field: &F) -> Result<(F::Ct, F::Oid)>
where
    F::Ct: Clone,
    F::Oid: Clone,
{
    let ct = field.__ct().map_err(|e| Error::Internal(e.to_string()))?;
    Ok((ct.clone(), field.__oid().clone()))
}

/// The content type column of a target, as a value Diesel binds (for the insert struct's
/// `Insertable`).
#[doc(hidden)]
#[derive(Debug)]
pub struct CtColumn<F>(pub F);

/// The object id column of a target, as a value Diesel binds.
#[doc(hidden)]
#[derive(Debug)]
pub struct OidColumn<F>(pub F);

impl<F, ST, DB> ToSql<ST, DB> for CtColumn<F>
where
    F: TargetField + fmt::Debug,
    F::Ct: ToSql<ST, DB>,
    DB: Backend,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.__ct()?.to_sql(out)
    }
}

impl<F, ST, DB> ToSql<ST, DB> for OidColumn<F>
where
    F: TargetField + fmt::Debug,
    F::Oid: ToSql<ST, DB>,
    DB: Backend,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.__oid().to_sql(out)
    }
}
