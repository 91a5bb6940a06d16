//! The Diesel backend of the contenttypes framework: everything that talks to a database.
//!
//! Users depend on the `contenttypes` facade crate, which re-exports this one; see its
//! documentation for the guide.

#![forbid(unsafe_code)]

pub mod backend;
pub mod columns;
pub mod conn;
pub mod content_type;
pub mod content_types;
pub mod create;
#[cfg(feature = "r2d2")]
pub mod databases;
pub mod db;
mod delete;
pub mod error;
pub mod field;
pub mod filter;
pub mod filtered;
pub mod foreign_key;
mod fxhash;
pub mod gfk;
mod insert;
pub mod lifecycle;
mod load_targets;
pub mod lookup;
pub mod many_to_many;
pub mod migrations;
pub mod mode;
pub mod model;
pub mod object;
mod object_ids;
pub mod objects;
pub mod ordering;
pub mod prefetch;
mod prefetch_cell;
pub mod query;
pub mod relation;
pub mod route;
#[cfg(feature = "r2d2")]
pub mod router;
pub mod schema;
#[cfg(feature = "serde")]
mod serde_impls;
pub mod sql_types;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod tagging;
pub mod target;
pub mod targets;
pub mod testing;
mod transaction;
mod type_objects;
pub mod values;

pub use backend::SupportedBackend;
pub use conn::Conn;
pub use content_type::{ContentType, ContentTypeForModel, NewContentType};
pub use content_types::{create_content_types, ContentTypes};
pub use create::LookupColumns;
pub use db::{Db, Routed, Using};
pub use delete::Deleted;
pub use error::{Error, ProtectedRows, Result};
pub use field::{FieldType, Value};
pub use filter::RelationFilter;
pub use filtered::Filtered;
pub use foreign_key::{ForeignKeyDescriptor, Nullability, Nullable, Required};
pub use gfk::{
    GenericForeignKey, GenericForeignKeyDescriptor, GenericForeignKeyField, SoleGenericForeignKey,
};
pub use lookup::Lookup;
pub use many_to_many::{GenericManyToMany, GenericManyToManyDescriptor, GenericManyToManyManager};
pub use mode::{AsyncMode, Mode, Output, SyncMode};
pub use model::{AnyModel, Model, NewModel, PrimaryKey};
pub use object::GenericObject;
pub use objects::Objects;
pub use ordering::{nulls_first, nulls_last, Nulls, OrderTerm};
pub use prefetch::{
    prefetch_relations, strict_loading, GenericPrefetch, IntoRelationPath, Prefetched,
    RelationPath, StrictLoading,
};
pub use relation::{
    AggregateKind, Annotate, Count, Direction, GenericRelation, GenericRelationDescriptor,
    HasGenericRelations, Having, IntegerSqlType, Max, Min, RelatedManager, RelatedQuery,
    RelatedScalar, RelatedWith, ReverseGenericRelation, Sum,
};
pub use route::Connections;
pub use tagging::{TagManager, TagModel, TaggedItemModel, Tags, TagsDescriptor};
pub use target::Target;
pub use targets::{Admits, Open, TargetSet};
pub use values::Values;

/// Items the generated code names. Not a public API: they change without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::backend::{Binds, Handles, SupportedBackend};
    pub use crate::columns::{
        column_out_of_range, push_now, read_column, AssertFits, BindColumns, FitsColumn, RawRow,
        ReadColumns,
    };
    pub use crate::field::FieldType;
    pub use crate::foreign_key::AssertForeignKey;
    pub use crate::gfk;
    pub use crate::model::{Model, ModelVTable, NewModel};
    pub use crate::relation::ErasedRelationCache;
    pub use crate::target::{self, Target, TargetField};
    pub use crate::targets;
    pub use diesel;
    pub use diesel::internal::derives::as_expression::Bound;
}
