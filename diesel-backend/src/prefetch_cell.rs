//! The cache behind the `Tags<T>` and `GenericManyToMany<T>` fields: prefetched values of a
//! type the field's declaration cannot name without bounds (the through model's tag type,
//! the target set's enum), stored once and shared.

use std::any::Any;
use std::sync::{Arc, RwLock};

/// Prefetched values of one type, or nothing. It is a cache, not data: every two compare
/// equal, and a row starts with an empty one.
#[derive(Default)]
pub(crate) struct PrefetchCell(RwLock<Option<Arc<dyn Any + Send + Sync>>>);

impl PrefetchCell {
    /// The values, when some of type `T` are stored.
    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let held = self.0.read().unwrap_or_else(|p| p.into_inner()).clone()?;
        held.downcast::<T>().ok()
    }

    /// Stores the values, replacing whatever was there.
    pub(crate) fn set<T: Send + Sync + 'static>(&self, values: Arc<T>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Some(values);
    }

    /// Drops the values: the next read queries the database.
    pub(crate) fn clear(&self) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Whether values are stored.
    pub(crate) fn is_set(&self) -> bool {
        self.0.read().unwrap_or_else(|p| p.into_inner()).is_some()
    }
}

impl Clone for PrefetchCell {
    fn clone(&self) -> Self {
        PrefetchCell(RwLock::new(
            self.0.read().unwrap_or_else(|p| p.into_inner()).clone(),
        ))
    }
}

/// The field-type impls every prefetch-cache field shares: `Default`, `Clone`, equality
/// that always holds, a hash of nothing, and a `Debug` saying whether it holds values.
macro_rules! cache_field_impls {
    ($ty:ident, $cell:ident) => {
        impl<C> Default for $ty<C> {
            fn default() -> Self {
                $ty {
                    $cell: Default::default(),
                    _through: std::marker::PhantomData,
                }
            }
        }

        impl<C> Clone for $ty<C> {
            fn clone(&self) -> Self {
                $ty {
                    $cell: self.$cell.clone(),
                    _through: std::marker::PhantomData,
                }
            }
        }

        impl<C> PartialEq for $ty<C> {
            fn eq(&self, _: &Self) -> bool {
                true
            }
        }

        impl<C> Eq for $ty<C> {}

        impl<C> std::hash::Hash for $ty<C> {
            fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
        }

        impl<C> std::fmt::Debug for $ty<C> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                if self.$cell.is_set() {
                    write!(f, "{}(prefetched)", stringify!($ty))
                } else {
                    write!(f, "{}(not prefetched)", stringify!($ty))
                }
            }
        }
    };
}
pub(crate) use cache_field_impls;
