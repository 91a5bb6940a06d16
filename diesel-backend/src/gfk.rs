//! Generic foreign keys: a content-type column and an object-id column that together point
//! at a row of any registered model (Django's `GenericForeignKey`).
//!
//! The field itself ([`GenericForeignKey`]) holds no data, only the cache of the target; the
//! two columns are ordinary fields of the model. `#[derive(Model)]` generates, for a field
//! `content_object: GenericForeignKey`, the accessors `content_object(db)`,
//! `set_content_object(db, &target)` and, when the columns are nullable,
//! `clear_content_object()`, plus the constant `CONTENT_OBJECT` for prefetching. A new row
//! gets its target when it is built: `NewTaggedItem { content_object: Target::to(&article), .. }`
//! (see [`crate::Target`]).
//!
//! Reading costs at most one query (plus one for the content type on a cold cache): the
//! target is cached with the column values it was read for, so a changed content type or
//! object id reloads it, and a missing target is cached as `None` like a found one.

use std::fmt;
use std::marker::PhantomData;
use std::sync::RwLock;

use contenttypes_core::keys::{Key, ObjectIdFor, PkValue};

use crate::content_type::ContentType;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::model::{Model, PrimaryKey};
use crate::object::GenericObject;
use crate::targets::{Admits, TargetSet};

/// The cache of one generic foreign key on one row. Declare it as a field of the model that
/// holds the two columns:
///
/// ```text
/// #[generic_foreign_key(ct_field = content_type_id, fk_field = object_id)]
/// pub content_object: GenericForeignKey,
/// ```
///
/// It compares equal to every other one (it is a cache, not data) and starts empty when a
/// row is loaded.
#[derive(Default)]
pub struct GenericForeignKey {
    cache: RwLock<Option<Cached>>,
}

#[derive(Clone)]
struct Cached {
    content_type_id: i32,
    object_id: PkValue,
    target: Option<GenericObject>,
}

impl GenericForeignKey {
    /// The cached target without touching the database: `None` when nothing is cached,
    /// `Some(None)` when the target is known to be missing.
    pub fn cached(&self) -> Option<Option<GenericObject>> {
        self.read().as_ref().map(|c| c.target.clone())
    }

    /// Forgets the cached target.
    pub fn clear_cache(&self) {
        *self.write() = None;
    }

    /// The cached target if it was cached for these column values.
    pub(crate) fn lookup(
        &self,
        content_type_id: i32,
        object_id: &PkValue,
    ) -> Option<Option<GenericObject>> {
        let cache = self.read();
        let cached = cache.as_ref()?;
        (cached.content_type_id == content_type_id && cached.object_id == *object_id)
            .then(|| cached.target.clone())
    }

    pub(crate) fn store(
        &self,
        content_type_id: i32,
        object_id: PkValue,
        target: Option<GenericObject>,
    ) {
        *self.write() = Some(Cached {
            content_type_id,
            object_id,
            target,
        });
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Option<Cached>> {
        self.cache.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Option<Cached>> {
        self.cache.write().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clone for GenericForeignKey {
    fn clone(&self) -> Self {
        GenericForeignKey {
            cache: RwLock::new(self.read().clone()),
        }
    }
}

impl PartialEq for GenericForeignKey {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for GenericForeignKey {}

impl std::hash::Hash for GenericForeignKey {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for GenericForeignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.read().as_ref() {
            None => f.write_str("GenericForeignKey(not loaded)"),
            Some(c) => match &c.target {
                Some(t) => write!(f, "GenericForeignKey({t:?})"),
                None => f.write_str("GenericForeignKey(None)"),
            },
        }
    }
}

/// A generic foreign key of the model `Self`, named at the type level by `KEY` (a hash of
/// its field name). Implemented by `#[derive(Model)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no generic foreign key with the name given in this generic relation",
    label = "no such generic foreign key",
    note = "check `gfk = ...` in `#[generic_relation(...)]`: it names a `GenericForeignKey` field of `{Self}`"
)]
pub trait GenericForeignKeyField<const KEY: u64>: Model {
    /// The object id column's type.
    type ObjectId: PrimaryKey;
    /// The models it may point at: the enum generated for `targets(..)`, or
    /// [`crate::targets::Open`].
    type Targets: TargetSet;
    /// The field name.
    const NAME: &'static str;
    /// Whether the two columns are nullable.
    const NULLABLE: bool;

    #[doc(hidden)]
    fn __content_type_id(&self) -> Option<i32>;
    #[doc(hidden)]
    fn __object_id(&self) -> Option<&Self::ObjectId>;
    #[doc(hidden)]
    fn __set(&mut self, content_type_id: i32, object_id: Self::ObjectId);
    /// Sets both columns to NULL; `false` (and nothing changes) when they are not nullable.
    #[doc(hidden)]
    fn __clear(&mut self) -> bool;
    /// Points the generic foreign key of a new row at `target` (a relation manager's
    /// `create`, which points it at the manager's parent).
    #[doc(hidden)]
    fn __set_new(new: &mut Self::New, target: crate::Target<Self::ObjectId, Self::Targets>);
    #[doc(hidden)]
    fn __cache(&self) -> &GenericForeignKey;

    /// The generic foreign key's IR.
    fn gfk_def() -> Result<&'static contenttypes_core::ir::GenericForeignKeyDef> {
        Self::DEF.generic_foreign_key(Self::NAME).ok_or_else(|| {
            Error::Internal(format!(
                "`{}` declares no generic foreign key `{}` in its IR",
                Self::DEF.type_name,
                Self::NAME
            ))
        })
    }
}

/// The model's only generic foreign key, which a generic relation reverses when it names
/// none. Implemented by `#[derive(Model)]` for models with exactly one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not have exactly one generic foreign key",
    label = "which generic foreign key does this relation reverse?",
    note = "give `{Self}` a `GenericForeignKey` field, or name the one to use: `#[generic_relation(gfk = field_name)]`"
)]
pub trait SoleGenericForeignKey {
    const NAME: &'static str;
    const KEY: u64;
}

/// The generic foreign key `KEY` of `M`, as a value: what the generated `M::CONTENT_OBJECT`
/// constant is. Prefetch with it.
pub struct GenericForeignKeyDescriptor<M, const KEY: u64>(PhantomData<fn() -> M>);

impl<M, const KEY: u64> GenericForeignKeyDescriptor<M, KEY> {
    pub const fn new() -> Self {
        GenericForeignKeyDescriptor(PhantomData)
    }
}

impl<M, const KEY: u64> Default for GenericForeignKeyDescriptor<M, KEY> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M, const KEY: u64> Clone for GenericForeignKeyDescriptor<M, KEY> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, const KEY: u64> Copy for GenericForeignKeyDescriptor<M, KEY> {}

impl<M, const KEY: u64> fmt::Debug for GenericForeignKeyDescriptor<M, KEY>
where
    M: GenericForeignKeyField<KEY>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GenericForeignKey({}.{})", M::DEF.type_name, M::NAME)
    }
}

/// Reads the target of a generic foreign key (the body of the generated `name(db)`
/// accessor, which drives it): the generated enum when it declares `targets(..)`, else a
/// [`GenericObject`].
pub async fn get<M, const KEY: u64, D: Db>(
    row: &M,
    db: &mut D,
) -> Result<Option<<M::Targets as TargetSet>::Target>>
where
    M: GenericForeignKeyField<KEY>,
{
    get_object::<M, KEY, D>(row, db)
        .await?
        .map(<M::Targets as TargetSet>::from_object)
        .transpose()
}

/// The target of a generic foreign key as a dynamic object. A content type of a model the
/// generic foreign key does not admit reads as `None` without querying that model's table.
pub(crate) async fn get_object<M, const KEY: u64, D: Db>(
    row: &M,
    db: &mut D,
) -> Result<Option<GenericObject>>
where
    M: GenericForeignKeyField<KEY>,
{
    let (Some(ct_id), Some(object_id)) = (row.__content_type_id(), row.__object_id()) else {
        return Ok(None);
    };
    let object_id = object_id.to_pk_value();
    if let Some(cached) = row.__cache().lookup(ct_id, &object_id) {
        return Ok(cached);
    }
    crate::prefetch::check_lazy_load(M::DEF, M::NAME)?;
    let mut conns = db.connections();
    // A stale content type (no registered model has it) reads as a missing target, as in a
    // prefetch; `ContentType::for_id(..)?.model_class()` tells the two apart.
    let registration = conns
        .content_types()
        .for_id(&mut conns, ct_id)
        .await?
        .model_class();
    let Some(registration) = registration.filter(|r| <M::Targets as TargetSet>::admits(r.def))
    else {
        row.__cache().store(ct_id, object_id, None);
        return Ok(None);
    };
    let found = crate::object::load_by_keys(
        conns.for_read(),
        registration,
        std::slice::from_ref(&object_id),
        &crate::query::NoFilter,
    )
    .await?;
    let target = found.into_values().next();
    row.__cache().store(ct_id, object_id, target.clone());
    Ok(target)
}

/// Points a generic foreign key at `target` (the body of the generated
/// `set_name(db, &target)`, which drives it).
pub async fn set<M, const KEY: u64, D: Db, T>(row: &mut M, db: &mut D, target: &T) -> Result<()>
where
    M: GenericForeignKeyField<KEY>,
    T: Model + Clone,
    M::ObjectId: ObjectIdFor<T, T::Pk>,
    M::Targets: Admits<T>,
{
    let (ct, object_id) = columns_for::<M, KEY, D, T>(db, target).await?;
    let key = object_id.to_pk_value();
    row.__set(ct, object_id);
    row.__cache()
        .store(ct, key, Some(GenericObject::new(target.clone())));
    Ok(())
}

/// The content type id and object id that point at `target`. A model value stands for a
/// saved row (an unsaved one is its `New*` struct, which cannot be a target).
async fn columns_for<M, const KEY: u64, D: Db, T>(
    db: &mut D,
    target: &T,
) -> Result<(i32, M::ObjectId)>
where
    M: GenericForeignKeyField<KEY>,
    T: Model,
    M::ObjectId: ObjectIdFor<T, T::Pk>,
{
    let ct = ContentType::id_for_model_op::<T, D>(db).await?;
    Ok((
        ct,
        <M::ObjectId as ObjectIdFor<T, T::Pk>>::from_key(target.pk()),
    ))
}

/// Unsets a nullable generic foreign key (the generated `clear_name()`).
pub fn clear<M, const KEY: u64>(row: &mut M)
where
    M: GenericForeignKeyField<KEY>,
{
    if row.__clear() {
        row.__cache().clear_cache();
    }
}
