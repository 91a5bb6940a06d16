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
//! contenttypes::create_tables(&mut conn)?; // or run the generated migrations
//!
//! let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
//! let article = Article::insert(&mut conn, NewArticle { title: "Generic relations".into() })?;
//! article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
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

#![forbid(unsafe_code)]

// The derive's generated code names `::contenttypes`; this lets the crate's own examples
// and doctests use it.
extern crate self as contenttypes;

pub use contenttypes_core::check::{check_registrations, CheckMessage};
pub use contenttypes_core::ddl::Dialect;
// Internals the tests and tools of this repository read; not a public API.
pub use contenttypes_core::keys::{Key, ObjectIdFor, PkValue};
pub use contenttypes_core::registry::{
    Registered, Registration, Registry, RegistryBuilder, RegistryError,
};
#[doc(hidden)]
pub use contenttypes_core::{check, ddl, generic_on_delete, ir};

/// Declares a model: a struct that is one table row.
///
/// Generates, next to the struct:
/// - the Diesel schema: `diesel::table!` in a module named after the table (unless
///   `managed = false`, where the user's own `table!` of that name is used);
/// - `New<Model>`: the insert struct, every field but a database-generated key; each
///   generic foreign key is one field of type [`Target`] (`Option<Target<..>>` when
///   nullable), so a row created without its target does not compile. It implements
///   `Default` when every field does (no required generic foreign key), so
///   `NewTag { name: "x".into(), ..Default::default() }` works;
/// - the traits [`Model`](trait@Model) (hence [`Objects`]: `insert`, `get`, `filter`, `save`,
///   `delete`...), and Diesel's `Queryable`, `Selectable`, `Insertable`, `Identifiable`,
///   `AsChangeset`, `HasTable`;
/// - the model's registration, so [`ContentType::for_model`] and [`Registry::global`] know it;
/// - for each `GenericForeignKey` field `name`: `name(db)`, `set_name(db, &target)`,
///   `clear_name()` when nullable, and the constant `NAME`;
/// - for each foreign key field `x_id`: the constant `X`, a filter by the referenced row.
///
/// ```
/// use contenttypes::prelude::*;
///
/// #[derive(Model, Clone, Debug, PartialEq)]
/// #[model(app_label = "shop", unique(sku, warehouse))]
/// pub struct Item {
///     pub id: i64,                      // the primary key (generated by the database)
///     #[model(max_length = 20)]
///     pub sku: String,
///     #[model(max_length = 20, column = "warehouse_code")]
///     pub warehouse: String,
///     pub price: Option<f64>,           // a nullable column
///     #[model(skip)]
///     pub basket_position: usize,       // not stored; Default when loaded
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use diesel::prelude::*;
/// let mut conn = SqliteConnection::establish(":memory:")?;
/// contenttypes::create_tables(&mut conn)?;
/// let item = Item::insert(&mut conn, NewItem { sku: "A-1".into(), warehouse: "north".into(), price: None })?;
/// assert_eq!(Item::DEF.table.name, "shop_item");
/// assert_eq!(ContentType::for_model::<Item>(&mut conn)?.natural_key(), ("shop", "item"));
/// // Diesel's own query builder works on the generated schema.
/// let skus: Vec<String> = shop_item::table.select(shop_item::sku).load(&mut conn)?;
/// assert_eq!(skus, ["A-1"]);
/// # let _ = item;
/// # Ok(())
/// # }
/// ```
///
/// Mistakes (an unknown attribute, no primary key, an unsupported type, a name Django
/// forbids...) are compile errors at the offending token.
///
#[doc = include_str!("../docs/attributes.md")]
#[cfg(feature = "runtime")]
pub use contenttypes_derive::Model;

/// Generates the accessors of a model's `GenericRelation<Through>` fields: per field `name`,
/// the manager `name()` ([`RelatedManager`]), the descriptor constant `NAME`
/// ([`GenericRelationDescriptor`]) and, with `related_query_name = "x"`, the reverse
/// descriptor `Through::X` ([`ReverseGenericRelation`]). It also checks, at compile time,
/// that the through model's object id column can hold this model's primary key.
///
/// `#[generic_relation(gfk = field)]` names the through model's generic foreign key when it
/// has several.
///
/// ```
/// use contenttypes::prelude::*;
///
/// #[derive(Model, Clone, Debug, PartialEq)]
/// #[model(app_label = "social")]
/// pub struct Like {
///     pub id: i64,
///     pub content_type_id: i32,
///     pub object_id: i64,
///     pub content_object: GenericForeignKey,
/// }
///
/// #[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
/// #[model(app_label = "social")]
/// pub struct Photo {
///     pub id: i64,
///     #[generic_relation(related_query_name = "photo")]
///     pub likes: GenericRelation<Like>,
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use diesel::prelude::*;
/// # let mut conn = SqliteConnection::establish(":memory:")?;
/// # contenttypes::create_tables(&mut conn)?;
/// let photo = Photo::insert(&mut conn, NewPhoto {})?;
/// photo.likes().create(&mut conn, |content_object| NewLike { content_object })?;
/// assert_eq!(photo.likes().count(&mut conn)?, 1);
/// let liked = Photo::filter(Photo::LIKES.exists()).load(&mut conn)?;
/// assert_eq!(liked, vec![photo]);
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "runtime")]
pub use contenttypes_derive::GenericRelation;

#[cfg(feature = "runtime")]
#[doc(hidden)]
pub use contenttypes_diesel::{backend, schema};

/// Creates the tables of every registered managed model that lacks one, and the content-type
/// table (for tests and prototypes; applications run the generated migrations).
#[cfg(feature = "runtime")]
pub use contenttypes_diesel::schema::create_tables;

#[cfg(feature = "runtime")]
pub use contenttypes_diesel::{
    create_content_types, nulls_first, nulls_last, prefetch_relations, sql_types, strict_loading,
    targets, testing, Admits, AggregateKind, Annotate, AnyModel, ContentType, ContentTypeForModel,
    ContentTypes, Count, Db, Deleted, Direction, Error, FieldType, Filtered, ForeignKeyDescriptor,
    GenericForeignKey, GenericForeignKeyDescriptor, GenericForeignKeyField, GenericObject,
    GenericPrefetch, GenericRelation, GenericRelationDescriptor, HasGenericRelations, Having,
    IntegerSqlType, IntoRelationPath, Lookup, LookupColumns, Max, Min, Model, NewContentType,
    NewModel, Nullability, Nullable, Nulls, Objects, OrderTerm, Prefetched, PrimaryKey,
    ProtectedRows, RelatedManager, RelatedQuery, RelatedScalar, RelatedWith, RelationFilter,
    RelationPath, Required, Result, ReverseGenericRelation, SoleGenericForeignKey, StrictLoading,
    Sum, SupportedBackend, Target, TargetSet, Using, Value, Values,
};

// Sync and async connections: what a connection must do (`Conn`), and what operations return
// on it (`Output`: the value on a sync connection, a `Send` future on an async one).
#[cfg(feature = "runtime")]
pub use contenttypes_diesel::{conn, mode, AsyncMode, Conn, Mode, Output, SyncMode};

// Databases with read replicas: which connection a statement goes to (`route`), the `Db` of
// a primary and a replica (`Routed`, made by `ContentTypes::routed`).
#[cfg(feature = "runtime")]
pub use contenttypes_diesel::{route, Connections, Routed};

// Connection pools (feature `r2d2`): named logical databases, each a primary, replicas and
// its own content-type cache (`databases::Databases`), and the `router::Router` that picks
// their replicas.
#[cfg(feature = "r2d2")]
pub use contenttypes_diesel::{databases, router};

/// Tagging, django-taggit's `TaggableManager` done here (with feature `taggit`, its default
/// models too: [`tagging::Tag`], [`tagging::TaggedItem`], `UuidTaggedItem`, `TextTaggedItem`): a `Tags<Through>` field on any model,
/// its manager ([`TagManager`](tagging::TagManager): `article.tags().add(db, ["rust"])`), its
/// descriptor ([`TagsDescriptor`](tagging::TagsDescriptor): `Article::TAGS.all(["rust",
/// "web"])`, `most_common`, `tag_many`), maintenance (orphans, merging) and names (slugs,
/// django-taggit's string format).
#[cfg(feature = "runtime")]
pub mod tagging {
    #[cfg(feature = "taggit")]
    pub use crate::tagging_models::*;
    pub use contenttypes_diesel::tagging::*;
}

#[cfg(feature = "taggit")]
mod tagging_models;

#[cfg(feature = "runtime")]
pub use contenttypes_diesel::tagging::{TagModel, TaggedItemModel, Tags};

/// Generic many-to-many relations, django-gm2m's `GM2MField` done here: a
/// `GenericManyToMany<Through>` field whose targets are rows of any mix of models, its
/// manager ([`GenericManyToManyManager`]: `user.favourites().add(db, [Target::to(&movie)])`)
/// and its descriptor ([`GenericManyToManyDescriptor`]: `User::FAVOURITES.contains(&movie)`,
/// `prefetch`).
#[cfg(feature = "runtime")]
pub use contenttypes_diesel::many_to_many;

#[cfg(feature = "runtime")]
pub use contenttypes_diesel::many_to_many::{
    GenericManyToMany, GenericManyToManyDescriptor, GenericManyToManyManager,
};

/// Stale content types and orphaned generic rows: [`lifecycle::stale_content_types`] (the
/// dry run) and [`lifecycle::remove_stale_content_types`], Django's
/// `remove_stale_contenttypes`; [`lifecycle::orphans`] and [`lifecycle::sweep_orphans`] for
/// generic rows whose target row is gone.
#[cfg(feature = "runtime")]
pub use contenttypes_diesel::lifecycle;

#[cfg(feature = "sqlite")]
pub use contenttypes_diesel::sqlite;

#[cfg(feature = "runtime")]
pub use contenttypes_diesel::query::NoFilter;
#[doc(hidden)]
#[cfg(feature = "runtime")]
pub use contenttypes_diesel::query::{max_keys, MAX_BINDS};

// The command-line tool (feature `cli`): `check`, `migrate`, `stale`, `sweep`, for a
// project's own three-line binary; documented in `src/cli/mod.rs`.
#[cfg(feature = "cli")]
pub mod cli;

/// The content-type table for Diesel's query builder.
#[cfg(feature = "runtime")]
pub use contenttypes_diesel::content_type::django_content_type;

/// Running the generated migrations: [`migrations::run_pending_migrations`] (then the
/// content-type rows are created) and [`embed_migrations!`].
#[cfg(feature = "runtime")]
pub use contenttypes_diesel::{embed_migrations, migrations};

/// The migrations build helper, for `build.rs` (feature `build`; as a build dependency,
/// with `default-features = false`).
///
/// ```no_run
/// // build.rs
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// contenttypes::build::Migrations::new().run()?;
/// # Ok(())
/// # }
/// ```
///
/// Each `cargo build` compares the models with `migrations/contenttypes-state.json` and, when
/// they changed, writes `migrations/{sqlite,postgres,mysql}/<version>_<name>/` for the diesel
/// CLI or [`embed_migrations!`]. `CONTENTTYPES_MIGRATIONS=check` fails the build instead when
/// a migration is missing (for CI). See [`Migrations`](build::Migrations).
#[cfg(feature = "build")]
pub mod build {
    #[doc(hidden)]
    pub use contenttypes_core::codegen::{parse_derive_input, parse_item_struct, ParseContext};
    pub use contenttypes_core::ddl::Dialect;
    /// The steps the helper is made of (scan, state, plan, render, version, manifest):
    /// internals, not a public API.
    #[doc(hidden)]
    pub use contenttypes_core::migrate;
    pub use contenttypes_core::migrate::{
        BuildError, Migrations, Mode, ModelSource, Outcome, MODE_VAR, TIME_VAR,
    };

    /// The default tag models (`contenttypes::tagging::{Tag, TaggedItem, UuidTaggedItem,
    /// TextTaggedItem}`, feature `taggit` at run time), for the migrations of the crate that
    /// uses them: `Migrations::new().models_from(contenttypes::build::TAG_MODELS).run()`.
    pub const TAG_MODELS: ModelSource = ModelSource {
        path: "contenttypes::tagging",
        text: include_str!("tagging_models.rs"),
    };
}

/// `use contenttypes::prelude::*;`: the derives, the field types and the traits whose
/// methods models use.
#[cfg(feature = "runtime")]
pub mod prelude {
    pub use crate::{
        ContentType, ContentTypeForModel, ContentTypes, Db, GenericForeignKey, GenericManyToMany,
        GenericObject, GenericRelation, Model, Objects, SyncMode, Tags, Target,
    };
}

/// Items the generated code names. Not a public API: they change without notice.
#[cfg(feature = "runtime")]
#[doc(hidden)]
pub mod __private {
    pub use contenttypes_core as ct_core;
    pub use contenttypes_core::__private::inventory;
    pub use contenttypes_core::keys::PkValue;
    pub use contenttypes_core::keys::{Key, ObjectIdFor};
    pub use contenttypes_diesel as ct_diesel;
    pub use contenttypes_diesel::__private::*;
    pub use contenttypes_diesel::many_to_many::{
        GenericManyToManyDescriptor, GenericManyToManyManager,
    };
    pub use contenttypes_diesel::sql_types;
    pub use contenttypes_diesel::tagging::{TagManager, TagModel, TaggedItemModel, TagsDescriptor};
    pub use contenttypes_diesel::{
        Db, ForeignKeyDescriptor, GenericForeignKey, GenericForeignKeyDescriptor,
        GenericForeignKeyField, GenericObject, GenericRelationDescriptor, HasGenericRelations,
        Nullable, Output, RelatedManager, Result, ReverseGenericRelation, SoleGenericForeignKey,
        Target,
    };
    pub use std::borrow::Cow;
    pub use std::future::Future;
}
