//! The `GenericRelation` field: the cache of a parent's prefetched related rows.

use std::any::Any;
use std::fmt;
use std::sync::{Arc, RwLock};

use crate::error::{Error, Result};

/// A generic relation field's prefetch cache, reached without knowing the through model's
/// type (nested prefetches across models).
pub trait ErasedRelationCache: Send + Sync {
    /// Stores prefetched rows; each must be a freshly loaded row of the through model.
    #[doc(hidden)]
    fn __set_erased(&self, rows: Vec<Arc<dyn Any + Send + Sync>>) -> Result<()>;
    /// Drops prefetched rows.
    fn clear(&self);
    /// Whether rows are prefetched.
    fn is_prefetched(&self) -> bool;
}

/// A generic relation field: the cache of its prefetched rows. Declare it on the model the
/// relation belongs to and derive `GenericRelation`:
///
/// ```text
/// #[generic_relation(related_query_name = "article")]
/// pub tags: GenericRelation<TaggedItem>,
/// ```
///
/// It compares equal to every other one (it is a cache, not data) and starts empty when a
/// row is loaded.
pub struct GenericRelation<C> {
    cache: RwLock<Option<Arc<Vec<C>>>>,
    /// The prefetched rows with the rows a foreign key of theirs references, per foreign key
    /// column (`Arc<Vec<(C, N::Joined<T>)>>` behind `Any`), filled by
    /// [`GenericRelationDescriptor::prefetch_related`](super::GenericRelationDescriptor::prefetch_related).
    joined: RwLock<Vec<(&'static str, Arc<dyn Any + Send + Sync>)>>,
}

impl<C> Default for GenericRelation<C> {
    fn default() -> Self {
        GenericRelation {
            cache: RwLock::new(None),
            joined: RwLock::new(Vec::new()),
        }
    }
}

impl<C> Clone for GenericRelation<C> {
    fn clone(&self) -> Self {
        GenericRelation {
            cache: RwLock::new(self.prefetched()),
            joined: RwLock::new(
                self.joined
                    .read()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone(),
            ),
        }
    }
}

impl<C> PartialEq for GenericRelation<C> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<C> Eq for GenericRelation<C> {}

impl<C> std::hash::Hash for GenericRelation<C> {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl<C> fmt::Debug for GenericRelation<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefetched() {
            Some(rows) => write!(f, "GenericRelation({} prefetched)", rows.len()),
            None => f.write_str("GenericRelation(not prefetched)"),
        }
    }
}

impl<C> GenericRelation<C> {
    /// The prefetched rows, if any.
    pub fn prefetched(&self) -> Option<Arc<Vec<C>>> {
        self.cache.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn set_prefetched(&self, rows: Vec<C>) {
        self.joined
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(rows));
    }

    /// The prefetched rows joined with what the foreign key `column` references, if a
    /// prefetch stored them as `J`.
    pub(crate) fn prefetched_joined<J: Send + Sync + 'static>(
        &self,
        column: &str,
    ) -> Option<Arc<J>> {
        let joined = self.joined.read().unwrap_or_else(|p| p.into_inner());
        let (_, rows) = joined.iter().find(|(c, _)| *c == column)?;
        rows.clone().downcast::<J>().ok()
    }

    /// Stores rows joined with what the foreign key `column` references, after
    /// [`GenericRelation::set_prefetched`] stored the rows themselves.
    pub(crate) fn set_prefetched_joined<J: Send + Sync + 'static>(
        &self,
        column: &'static str,
        rows: J,
    ) {
        let mut joined = self.joined.write().unwrap_or_else(|p| p.into_inner());
        joined.retain(|(c, _)| *c != column);
        joined.push((column, Arc::new(rows)));
    }

    /// Drops the prefetched rows; the next read queries the database.
    pub fn clear_prefetched(&self) {
        self.joined
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl<C: Send + Sync + 'static> ErasedRelationCache for GenericRelation<C> {
    fn __set_erased(&self, rows: Vec<Arc<dyn Any + Send + Sync>>) -> Result<()> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let row = row.downcast::<C>().map_err(|_| Error::WrongType {
                expected: std::any::type_name::<C>().to_string(),
                found: "another model".to_string(),
            })?;
            match Arc::try_unwrap(row) {
                Ok(row) => out.push(row),
                Err(_) => {
                    return Err(Error::Internal(
                        "a prefetched row is still shared while it is stored".into(),
                    ))
                }
            }
        }
        self.set_prefetched(out);
        Ok(())
    }

    fn clear(&self) {
        self.clear_prefetched();
    }

    fn is_prefetched(&self) -> bool {
        self.prefetched().is_some()
    }
}
