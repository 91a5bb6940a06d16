//! The `GenericManyToMany<Through>` field, its manager and its descriptor.

use std::marker::PhantomData;

use crate::prefetch_cell::{cache_field_impls, PrefetchCell};

/// A generic many-to-many field: the cache of its prefetched targets.
pub struct GenericManyToMany<C> {
    cache: PrefetchCell,
    _through: PhantomData<fn() -> C>,
}

cache_field_impls!(GenericManyToMany, cache);

/// The manager of one source object's generic many-to-many relation.
pub struct GenericManyToManyManager<'a, P, C, const K: u64> {
    parent: &'a P,
    field: &'a GenericManyToMany<C>,
    name: &'static str,
}

impl<'a, P, C, const K: u64> GenericManyToManyManager<'a, P, C, K> {
    /// Used by the generated accessor.
    pub fn new(parent: &'a P, field: &'a GenericManyToMany<C>, name: &'static str) -> Self {
        GenericManyToManyManager {
            parent,
            field,
            name,
        }
    }
}

/// The generic many-to-many relation from `P` through `C`: `User::FAVOURITES`.
pub struct GenericManyToManyDescriptor<P, C, const K: u64> {
    name: &'static str,
    field: fn(&P) -> &GenericManyToMany<C>,
}

impl<P, C, const K: u64> GenericManyToManyDescriptor<P, C, K> {
    /// Used by the generated constant.
    pub const fn new(name: &'static str, field: fn(&P) -> &GenericManyToMany<C>) -> Self {
        GenericManyToManyDescriptor { name, field }
    }
}
