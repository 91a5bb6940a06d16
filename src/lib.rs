//! # contenttypes: Django's contenttypes framework for Diesel
//!
//! One registry of every model; generic foreign keys that point at a row of any model;
//! reverse generic relations with full managers; generic many-to-many through models (tags,
//! likes, comments on anything); prefetching with no N+1; on SQLite, PostgreSQL and
//! MySQL/MariaDB. What Django checks late or never (key types, misconfigured relations) is
//! checked at compile time here.
//!
//! ```
//! use contenttypes::prelude::*;
//! use diesel::prelude::*;
//!
//! #[derive(Model, Clone, Debug, PartialEq)]
//! #[model(app_label = "tagging")]
//! pub struct Tag {
//!     pub id: i64,
//!     #[model(unique, max_length = 50)]
//!     pub name: String,
//! }
//!
//! // The through model: a foreign key to `Tag` and a generic foreign key to anything.
//! #[derive(Model, Clone, Debug, PartialEq)]
//! #[model(app_label = "tagging", unique(tag_id, content_type_id, object_id))]
//! pub struct TaggedItem {
//!     pub id: i64,
//!     #[model(foreign_key = Tag, on_delete = cascade)]
//!     pub tag_id: i64,
//!     pub content_type_id: i32,
//!     pub object_id: i64,
//!     #[generic_foreign_key(ct_field = content_type_id, fk_field = object_id)]
//!     pub content_object: GenericForeignKey,
//! }
//!
//! #[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
//! #[model(app_label = "blog")]
//! pub struct Article {
//!     pub id: i64,
//!     #[model(max_length = 200)]
//!     pub title: String,
//!     #[generic_relation(related_query_name = "article")]
//!     pub tags: GenericRelation<TaggedItem>,
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut conn = SqliteConnection::establish(":memory:")?;
//! contenttypes::schema::create_tables(&mut conn)?; // or run the generated migrations
//!
//! let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
//! let article = Article::insert(&mut conn, NewArticle { title: "Generic relations".into() })?;
//! article.tags().create(&mut conn, NewTaggedItem { tag_id: rust.id, ..Default::default() })?;
//!
//! // Forward: the item's target, of whatever model it is.
//! let item = &article.tags().all(&mut conn)?[0];
//! assert_eq!(item.content_object(&mut conn)?.unwrap().downcast_ref::<Article>()?, &article);
//!
//! // Reverse: articles with the tag, in Diesel's query builder.
//! let tagged: Vec<Article> = blog_article::table
//!     .filter(Article::TAGS.any(tagging_taggeditem::tag_id.eq(rust.id)))
//!     .load(&mut conn)?;
//! assert_eq!(tagged, vec![article]);
//! # Ok(())
//! # }
//! ```
//!
//! ## The pieces
//!
//! - [`derive@Model`] declares a model: it generates the Diesel `table!` schema (module named
//!   after the table), the insert struct `New<Model>`, Diesel's `Queryable`, `Selectable`,
//!   `Insertable`, `Identifiable` and `AsChangeset` impls, and registers the model.
//! - [`ContentType`] and [`ContentTypes`]: the `django_content_type` rows and their cached
//!   manager (`ContentType::for_model::<Article>(conn)`).
//! - [`GenericForeignKey`] fields and [`derive@GenericRelation`] fields with their managers
//!   ([`RelatedManager`]) and descriptors ([`GenericRelationDescriptor`]).
//! - [`Objects`]: `insert`, `get`, `save`, `delete` (with the generic cascade) on every model.
//! - Prefetching: [`GenericForeignKeyDescriptor::prefetch`],
//!   [`GenericRelationDescriptor::prefetch`], [`GenericPrefetch`], [`strict_loading`].
//!
//! Every operation takes `db: &mut impl Db`: a Diesel connection (the process-wide content
//! type cache of the default database), or `ContentTypes::using(conn)` for another database.
//!
//! A crate using `#[derive(Model)]` depends on `diesel` itself (the generated `table!` names
//! it), as every Diesel project does.

// The derive's generated code names `::contenttypes`; this lets the crate's own examples
// and doctests use it.
extern crate self as contenttypes;

pub use contenttypes_core::check::{self, check_registrations, CheckMessage};
pub use contenttypes_core::ddl::{self, Dialect};
pub use contenttypes_core::ir;
pub use contenttypes_core::keys::{Key, ObjectIdFor, PkValue};
pub use contenttypes_core::registry::{
    Registered, Registration, Registry, RegistryBuilder, RegistryError,
};

#[cfg(feature = "runtime")]
pub use contenttypes_derive::{GenericRelation, Model};

#[cfg(feature = "runtime")]
pub use contenttypes_diesel::{
    backend, create_content_types, prefetch_relation, schema, sql_types, strict_loading, testing,
    Aggregate, Annotate, AnyModel, ContentType, ContentTypes, Db, Error, FieldType, Filtered,
    ForeignKeyDescriptor, ForeignKeyExists, GenericForeignKey, GenericForeignKeyDescriptor,
    GenericForeignKeyField, GenericObject, GenericPrefetch, GenericRelation,
    GenericRelationDescriptor, HasGenericRelations, Having, Model, NewContentType, NewModel,
    Objects, PrimaryKey, RelatedExists, RelatedManager, RelatedQuery, Result, ReverseExists,
    ReverseGenericRelation, SoleGenericForeignKey, StrictLoading, SupportedBackend, Using, Value,
};

/// How many parameters one statement binds at most; larger batches are split.
#[cfg(feature = "runtime")]
pub use contenttypes_diesel::query::{NoFilter, MAX_BINDS};

/// The content-type table for Diesel's query builder.
#[cfg(feature = "runtime")]
pub use contenttypes_diesel::content_type::django_content_type;

/// The migrations build helper, for `build.rs`.
#[cfg(feature = "build")]
pub mod build {
    pub use contenttypes_core::codegen::{parse_derive_input, parse_item_struct, ParseContext};
}

/// `use contenttypes::prelude::*;`: the derives, the field types and the traits whose
/// methods models use.
#[cfg(feature = "runtime")]
pub mod prelude {
    pub use crate::{
        ContentType, ContentTypes, Db, GenericForeignKey, GenericObject, GenericRelation, Model,
        Objects,
    };
}

/// Items the generated code names. Not a public API: they change without notice.
#[cfg(feature = "runtime")]
#[doc(hidden)]
pub mod __private {
    pub use contenttypes_core as ct_core;
    pub use contenttypes_core::__private::inventory;
    pub use contenttypes_core::keys::ObjectIdFor;
    pub use contenttypes_diesel as ct_diesel;
    pub use contenttypes_diesel::__private::*;
    pub use contenttypes_diesel::sql_types;
    pub use contenttypes_diesel::{
        Db, ForeignKeyDescriptor, GenericForeignKey, GenericForeignKeyDescriptor,
        GenericForeignKeyField, GenericObject, GenericRelationDescriptor, HasGenericRelations,
        RelatedManager, Result, ReverseGenericRelation, SoleGenericForeignKey,
    };
    pub use std::borrow::Cow;
}
