//! Typed targets of a generic foreign key. A generic foreign key declared with
//! `targets(Article, Video)` may point only at those models: `#[derive(Model)]` generates an
//! enum with one variant per target, reads return it (for an exhaustive `match`), setting a
//! target outside the list does not compile ([`Admits`]), and prefetching and lazy reads
//! query only the listed models' tables. Without `targets`, the generic foreign key is
//! [`Open`] and reads return a [`GenericObject`].
//!
//! ```
//! # include!("../../src/doctest_setup.rs");
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut conn = connection();
//! // #[generic_foreign_key(targets(Article, Tag))]
//! // pub subject: GenericForeignKey,      (on `Bookmark`)
//! let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
//! let bookmark = Bookmark::insert(&mut conn, NewBookmark { subject: Target::to(&article) })?;
//! match bookmark.subject(&mut conn)? {
//!     Some(BookmarkSubject::Article(a)) => assert_eq!(a.title, "Hi"),
//!     Some(BookmarkSubject::Tag(t)) => unreachable!("{t:?}"),
//!     None => unreachable!(),
//! }
//! // The dynamic object, when a `GenericObject` is wanted:
//! let object: GenericObject = bookmark.subject(&mut conn)?.unwrap().into();
//! assert!(object.is::<Article>());
//! # Ok(())
//! # }
//! ```

use std::future::Future;

use contenttypes_core::ir::ModelDef;
use contenttypes_core::keys::PkValue;
use diesel::query_builder::QueryFragment;

use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::field::Value;
use crate::fxhash::FxHashMap;
use crate::model::Model;
use crate::object::GenericObject;

/// The models a generic foreign key may point at: [`Open`] (any model), or the enum
/// `#[derive(Model)]` generates for `targets(..)`.
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// # fn main() {
/// use contenttypes::targets::{Open, TargetSet};
/// // #[generic_foreign_key(targets(Article, Tag))] pub subject: GenericForeignKey,
/// assert!(BookmarkSubject::admits(Article::DEF));
/// assert!(!BookmarkSubject::admits(TaggedItem::DEF));
/// assert!(Open::admits(TaggedItem::DEF));
/// # }
/// ```
pub trait TargetSet: Send + Sync + 'static {
    /// What a read of the generic foreign key returns: the generated enum, or
    /// [`GenericObject`] for an open generic foreign key.
    type Target: Clone + std::fmt::Debug + Into<GenericObject> + Send + Sync + 'static;

    /// Whether objects of `model` may be targets. A row whose content type is another
    /// model's reads as `None`, and that model's table is not queried.
    fn admits(model: &ModelDef) -> bool;

    /// `object` as a target ([`Error::WrongType`] for a model not admitted).
    fn from_object(object: GenericObject) -> Result<Self::Target>;

    /// Loads into `out` the rows of `model` with these keys (matching `filter`), decoded as
    /// that model, when the set names it; `Ok(false)` when it does not, and the registry's
    /// dynamic loader serves (an [`Open`] set).
    #[doc(hidden)]
    fn __load<'a, C, F>(
        conn: &'a mut C,
        model: &'a ModelDef,
        keys: &'a [Value],
        filter: &'a F,
        out: &'a mut LoadedTargets,
    ) -> impl Future<Output = Result<bool>> + Send + 'a
    where
        C: Conn,
        F: QueryFragment<C::Backend> + Sync + ?Sized,
    {
        let _ = (conn, model, keys, filter, out);
        async { Ok(false) }
    }
}

/// The targets a batch loaded, by key ([`TargetSet::__load`]).
#[doc(hidden)]
#[derive(Default)]
pub struct LoadedTargets(pub(crate) FxHashMap<PkValue, GenericObject>);

/// The rows of a registered model with these keys (matching `filter`), by key: decoded as
/// the model when the set `S` names it, else through the registry's dynamic loader.
pub(crate) async fn load_targets_of<S: TargetSet, C, F>(
    conn: &mut C,
    registration: &'static contenttypes_core::registry::Registration,
    mut keys: Vec<Value>,
    filter: &F,
) -> Result<FxHashMap<PkValue, GenericObject>>
where
    C: Conn,
    F: QueryFragment<C::Backend> + Sync + ?Sized,
{
    keys.dedup();
    let mut out = LoadedTargets(FxHashMap::with_capacity_and_hasher(
        keys.len(),
        Default::default(),
    ));
    if S::__load(conn, registration.def, &keys, filter, &mut out).await? {
        return Ok(out.0);
    }
    crate::object::load_by_values(conn, registration, keys, filter).await
}

/// Loads the rows of `T` with these keys (the generated [`TargetSet::__load`], for the
/// variant of `T`).
#[doc(hidden)]
pub async fn load_as<T: Model, C, F>(
    conn: &mut C,
    keys: &[Value],
    filter: &F,
    out: &mut LoadedTargets,
) -> Result<bool>
where
    C: Conn,
    F: QueryFragment<C::Backend> + Sync + ?Sized,
{
    crate::object::load_typed::<T, C, F>(conn, keys, filter, &mut out.0).await?;
    Ok(true)
}

/// The targets of a generic foreign key declared without `targets(..)`: any model.
#[derive(Clone, Copy, Debug)]
pub enum Open {}

impl TargetSet for Open {
    type Target = GenericObject;

    fn admits(_: &ModelDef) -> bool {
        true
    }

    fn from_object(object: GenericObject) -> Result<GenericObject> {
        Ok(object)
    }
}

/// `T` may be a target: implemented for every model by [`Open`], and by the generated
/// enum for each model in `targets(..)`. Setting a generic foreign key requires it, so a
/// target outside the list does not compile.
#[diagnostic::on_unimplemented(
    message = "`{T}` is not one of the targets of this generic foreign key",
    label = "`{T}` is not in `targets(..)`",
    note = "the generic foreign key may point only at the variants of `{Self}`; add `{T}` to its `targets(..)`, or remove `targets` to allow any model"
)]
pub trait Admits<T: Model> {}

impl<T: Model> Admits<T> for Open {}

/// Whether `model` is `T`'s (the generated `TargetSet::admits`).
#[doc(hidden)]
pub fn is_model<T: Model>(model: &ModelDef) -> bool {
    std::ptr::eq(model, T::DEF) || *model == *T::DEF
}

/// The error of converting an object of a model not admitted (the generated
/// `TryFrom<GenericObject>`).
#[doc(hidden)]
pub fn not_admitted(targets: &'static str, object: &GenericObject) -> Error {
    Error::WrongType {
        expected: targets.to_string(),
        found: object.model_def().type_name.to_string(),
    }
}
