//! The `GenericManyToMany<Through>` field: the cache of an object's prefetched targets.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::prefetch_cell::{cache_field_impls, PrefetchCell};

/// A generic many-to-many field (django-gm2m's `GM2MField`): declare it on the source model
/// and derive `GenericRelation`:
///
/// ```text
/// pub favourites: GenericManyToMany<Favourite>,
/// ```
///
/// The derive generates `user.favourites()` (a
/// [`GenericManyToManyManager`](super::GenericManyToManyManager)) and `User::FAVOURITES` (a
/// [`GenericManyToManyDescriptor`](super::GenericManyToManyDescriptor)). The field itself is
/// the cache of the prefetched targets: it compares equal to every other one and starts
/// empty when a row is loaded.
pub struct GenericManyToMany<C> {
    cache: PrefetchCell,
    _through: PhantomData<fn() -> C>,
}

cache_field_impls!(GenericManyToMany, cache);

impl<C> GenericManyToMany<C> {
    /// Whether the targets are prefetched.
    pub fn is_prefetched(&self) -> bool {
        self.cache.is_set()
    }

    /// Drops the prefetched targets; the next read queries the database.
    pub fn clear_prefetched(&self) {
        self.cache.clear();
    }

    /// The prefetched targets, when they are of type `T` (the through model's target type).
    pub(crate) fn prefetched<T: Send + Sync + 'static>(&self) -> Option<Arc<Vec<T>>> {
        self.cache.get::<Vec<T>>()
    }

    pub(crate) fn set_prefetched<T: Send + Sync + 'static>(&self, targets: Vec<T>) {
        self.cache.set(Arc::new(targets));
    }
}
