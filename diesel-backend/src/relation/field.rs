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
    /// The prefetched rows with the rows a foreign key of theirs references, filled by
    /// [`GenericRelationDescriptor::prefetch_related`](super::GenericRelationDescriptor::prefetch_related).
    joined: RwLock<JoinedRows<C>>,
}

/// Prefetched rows joined with what a foreign key references, per foreign key column
/// (`Arc<Vec<(C, N::Joined<Arc<T>>)>>` behind `Any`).
struct JoinedRows<C> {
    by_column: Vec<(&'static str, Arc<dyn Any + Send + Sync>)>,
    /// Set when joined rows were stored without the plain ones: makes the plain rows from
    /// the first joined ones when they are first asked for, so a prefetch copies nothing.
    plain: Option<PlainRows<C>>,
}

/// Makes the plain rows from joined ones (see [`plain_rows`]).
type PlainRows<C> = fn(&(dyn Any + Send + Sync)) -> Option<Vec<C>>;

impl<C> Default for JoinedRows<C> {
    fn default() -> Self {
        JoinedRows {
            by_column: Vec::new(),
            plain: None,
        }
    }
}

impl<C> Clone for JoinedRows<C> {
    fn clone(&self) -> Self {
        JoinedRows {
            by_column: self.by_column.clone(),
            plain: self.plain,
        }
    }
}

/// The through rows of joined rows `Vec<(C, J)>` (the plain rows of a relation prefetched
/// with a foreign key).
fn plain_rows<C: Clone + 'static, J: 'static>(rows: &(dyn Any + Send + Sync)) -> Option<Vec<C>> {
    let rows = rows.downcast_ref::<Vec<(C, J)>>()?;
    Some(rows.iter().map(|(row, _)| row.clone()).collect())
}

impl<C> Default for GenericRelation<C> {
    fn default() -> Self {
        GenericRelation {
            cache: RwLock::new(None),
            joined: RwLock::new(JoinedRows::default()),
        }
    }
}

impl<C> Clone for GenericRelation<C> {
    fn clone(&self) -> Self {
        let joined = self.read_joined();
        GenericRelation {
            cache: RwLock::new(self.cache.read().unwrap_or_else(|p| p.into_inner()).clone()),
            joined: RwLock::new(joined.clone()),
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
        if let Some(rows) = self.cache.read().unwrap_or_else(|p| p.into_inner()).clone() {
            return Some(rows);
        }
        // Only joined rows were stored: make the plain ones once. The joined lock is held
        // throughout, so no store or clear runs in between (they take it first).
        let joined = self.read_joined();
        let plain = joined.plain?;
        let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
        if let Some(rows) = cache.as_ref() {
            return Some(rows.clone());
        }
        let rows = Arc::new(plain(&*joined.by_column.first()?.1)?);
        *cache = Some(rows.clone());
        Some(rows)
    }

    /// Whether rows are prefetched.
    pub fn is_prefetched(&self) -> bool {
        self.cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
            || self.read_joined().plain.is_some()
    }

    pub(crate) fn set_prefetched(&self, rows: Vec<C>) {
        let mut joined = self.write_joined();
        *joined = JoinedRows::default();
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(rows));
    }

    /// The prefetched rows joined with what the foreign key `column` references, if a
    /// prefetch stored them as `J`.
    pub(crate) fn prefetched_joined<J: Send + Sync + 'static>(
        &self,
        column: &str,
    ) -> Option<Arc<J>> {
        let joined = self.read_joined();
        let (_, rows) = joined.by_column.iter().find(|(c, _)| *c == column)?;
        rows.clone().downcast::<J>().ok()
    }

    /// Stores the prefetched rows joined with what the foreign key `column` references
    /// (`J` is that row, or an `Option` of it), replacing whatever was prefetched; the plain
    /// rows are made from them when first asked for.
    pub(crate) fn set_prefetched_joined_only<J: Send + Sync + 'static>(
        &self,
        column: &'static str,
        rows: Vec<(C, J)>,
    ) where
        C: Clone + Send + Sync + 'static,
    {
        let mut joined = self.write_joined();
        *joined = JoinedRows {
            by_column: vec![(column, Arc::new(rows))],
            plain: Some(plain_rows::<C, J>),
        };
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Drops the prefetched rows; the next read queries the database.
    pub fn clear_prefetched(&self) {
        let mut joined = self.write_joined();
        *joined = JoinedRows::default();
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn read_joined(&self) -> std::sync::RwLockReadGuard<'_, JoinedRows<C>> {
        self.joined.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write_joined(&self) -> std::sync::RwLockWriteGuard<'_, JoinedRows<C>> {
        self.joined.write().unwrap_or_else(|p| p.into_inner())
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
        GenericRelation::is_prefetched(self)
    }
}
