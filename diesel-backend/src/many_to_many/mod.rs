//! Generic many-to-many relations (django-gm2m's `GM2MField`): a `GenericManyToMany<Through>`
//! field on a source model whose targets are rows of any mix of models, stored as rows of a
//! through model with a foreign key to the source and a generic foreign key to the target,
//! unique together.
//!
//! ```text
//! #[derive(Model)]
//! #[model(app_label = "library", unique(user_id, content_type_id, object_id))]
//! pub struct Favourite {
//!     pub id: i64,
//!     #[model(foreign_key = User, on_delete = cascade)]   // the source side's on_delete
//!     pub user_id: i64,
//!     pub content_type_id: i32,
//!     #[model(max_length = 64)]
//!     pub object_id: String,                              // text: int, UUID and text keys
//!     #[generic_foreign_key]                              // or targets(Movie, Book)
//!     pub target: GenericForeignKey,
//!     pub note: Option<String>,                           // other columns are allowed
//! }
//!
//! #[derive(Model, GenericRelation)]
//! #[model(app_label = "library")]
//! pub struct User { pub id: i64, pub favourites: GenericManyToMany<Favourite> }
//! ```
//!
//! - `user.favourites()`, a [`GenericManyToManyManager`]: `add`, `add_with`, `remove`,
//!   `clear`, `set`, `all`, `of::<Movie>()`, `count`, `contains`;
//! - `User::FAVOURITES`, a [`GenericManyToManyDescriptor`]: filters on the users
//!   (`contains`, `any_of`, `none_of`, `exists`, `none`), `prefetch` and `load_for`.
//!
//! The through model is an ordinary model: its table is migrated like any other, and its
//! source foreign key is found in its IR at run time (the one foreign key to the source
//! model; none or several is an [`Error::ManyToManyThrough`](crate::Error::ManyToManyThrough)).
//! Deleting a source deletes its links when that foreign key says `on_delete = cascade`
//! (`restrict` refuses the delete); deleting a target deletes the links to it when the target
//! model declares the reverse relation, `favourited_by: GenericRelation<Favourite>`, which
//! also filters and prefetches the other way.

mod descriptor;
mod field;
mod manager;
mod sql;
mod through;

pub use descriptor::GenericManyToManyDescriptor;
pub use field::GenericManyToMany;
pub use manager::GenericManyToManyManager;
pub use sql::LinkCondition;
