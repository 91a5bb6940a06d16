//! Generic many-to-many relations (django-gm2m's `GM2MField`): a `GenericManyToMany<Through>`
//! field on a source model whose targets are rows of any mix of models, stored as rows of a
//! through model with a foreign key to the source and a generic foreign key to the target.

mod field;

pub use field::{GenericManyToMany, GenericManyToManyDescriptor, GenericManyToManyManager};
