//! Generic relations: the reverse side of a generic foreign key (Django's
//! `GenericRelation`).
//!
//! A model declares `tags: GenericRelation<TaggedItem>` and `#[derive(GenericRelation)]`
//! generates:
//! - `article.tags()`: a [`RelatedManager`] over the rows of `TaggedItem` pointing at this
//!   article (`all`, `filter`, `count`, `exists`, `add`, `remove`, `clear`, `set`, `create`,
//!   `get_or_create`, `update_or_create`, `modify_or_create`);
//! - `Article::TAGS`: a [`GenericRelationDescriptor`] to filter articles by their related rows
//!   (`IN (SELECT ...)`), count them per article (`LEFT JOIN`), and prefetch them;
//! - with `related_query_name = "article"`, `TaggedItem::ARTICLE`: a
//!   [`ReverseGenericRelation`] to filter tagged items by the article they point at.
//!
//! The content type is always part of the join condition, so a row of another model with the
//! same key never matches.

mod aggregate;
mod annotate;
mod create;
mod descriptor;
mod field;
mod join;
mod manager;
mod related_scalar;
mod select_related;

use aggregate::AggregateAll;
pub use aggregate::{AggregateKind, Count, Direction, Having, IntegerSqlType, Max, Min, Sum};
pub use annotate::Annotate;
pub use descriptor::{GenericRelationDescriptor, ReverseGenericRelation};
pub use field::{ErasedRelationCache, GenericRelation};
pub(crate) use join::{generic_correlation, walk_join, walk_key_as_text, CtOf, CtRef, Link};
pub(crate) use manager::lock_row;
pub use manager::{RelatedManager, RelatedQuery};
pub use related_scalar::RelatedScalar;
pub use select_related::RelatedWith;

/// Implemented by `#[derive(GenericRelation)]`. A model with `GenericRelation` fields
/// needs it for their accessors.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has generic relation fields but no `#[derive(GenericRelation)]`",
    label = "the relation accessors are missing",
    note = "add `GenericRelation` to the derives of `{Self}`: `#[derive(Model, GenericRelation)]`"
)]
pub trait HasGenericRelations {}

/// Puts related rows in key order, in memory rather than with an `ORDER BY` (which can make
/// the database walk the whole key index instead of the relation's index: on SQLite every
/// row of the through table): one pass when they already are, as they mostly come.
pub(crate) fn in_key_order<R, C: crate::model::Model>(rows: &mut [R], through: impl Fn(&R) -> &C) {
    use contenttypes_core::keys::Key;
    let key = |r: &R| through(r).pk().to_pk_value();
    if !rows.is_sorted_by_key(key) {
        rows.sort_by_cached_key(key);
    }
}
