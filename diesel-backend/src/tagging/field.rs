//! The `Tags<Through>` field: the cache of an object's prefetched tags.

use std::any::Any;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::prefetch_cell::{cache_field_impls, PrefetchCell};
use crate::relation::ErasedRelationCache;

use super::TaggedItemModel;

/// A tag set field: declare it on any model and derive `GenericRelation`:
///
/// ```text
/// pub tags: Tags<TaggedItem>,
/// ```
///
/// The derive generates `article.tags()` (a [`TagManager`](super::TagManager)) and
/// `Article::TAGS` (a [`TagsDescriptor`](super::TagsDescriptor)). The field itself is the
/// cache of the prefetched tags: it compares equal to every other one and starts empty
/// when a row is loaded.
pub struct Tags<C> {
    cache: PrefetchCell,
    _through: PhantomData<fn() -> C>,
}

cache_field_impls!(Tags, cache);

impl<C: TaggedItemModel> Tags<C> {
    /// The prefetched tags, in the order they were added, if any.
    pub fn prefetched(&self) -> Option<Arc<Vec<C::Tag>>> {
        self.cache.get::<Vec<C::Tag>>()
    }

    /// Whether the tags are prefetched.
    pub fn is_prefetched(&self) -> bool {
        self.cache.is_set()
    }

    pub(crate) fn set_prefetched(&self, tags: Vec<C::Tag>) {
        self.cache.set(Arc::new(tags));
    }

    /// Drops the prefetched tags; the next read queries the database.
    pub fn clear_prefetched(&self) {
        self.cache.clear();
    }
}

impl<C: Send + Sync + 'static> ErasedRelationCache for Tags<C> {
    fn __set_erased(&self, _rows: Vec<Arc<dyn Any + Send + Sync>>) -> Result<()> {
        Err(Error::InvalidArgument(
            "a tag set is prefetched with its own descriptor (`Article::TAGS.prefetch(db, &articles)`), \
             not as a generic relation"
                .into(),
        ))
    }

    fn clear(&self) {
        self.cache.clear();
    }

    fn is_prefetched(&self) -> bool {
        self.cache.is_set()
    }
}
