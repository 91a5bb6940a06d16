//! The seed walkthrough: tags on articles and videos through one generic many-to-many
//! through model, queried both ways, prefetched without N+1, with the constraints and
//! cascades that keep the data honest.
//!
//! ```text
//! cargo run --example tagging                                  # an SQLite file, tagging.db
//! cargo run --example tagging --features postgres -- postgres://postgres@127.0.0.1/test
//! cargo run --example tagging --features mysql -- mysql://root@127.0.0.1/test
//! ```
//!
//! The URL may also come from `DATABASE_URL`. On a server database the example drops and
//! recreates the tables of its models (never `django_content_type`).

use contenttypes::prelude::*;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "tagging")]
pub struct Tag {
    pub id: i64,
    #[model(unique, max_length = 50)]
    pub name: String,
}

/// The through model: a foreign key to `Tag` and a generic foreign key to an article or a
/// video (`targets(..)`: reads return the enum `TaggedItemContentObject`, and pointing it at
/// another model does not compile). The derive adds the foreign key from `content_type_id`
/// to `django_content_type` and the composite `(content_type_id, object_id)` index by itself.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "tagging", unique(tag_id, content_type_id, object_id))]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(ct_field = content_type_id, fk_field = object_id, targets(Article, Video))]
    pub content_object: GenericForeignKey,
}

/// A like on an article or a video, kept honest by the database itself as well
/// (`db_constraint`): triggers the migrations create delete a target's likes whoever deletes
/// the target (raw SQL, psql, another service), and refuse a like pointing at nothing.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "tagging")]
pub struct Like {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(db_constraint, targets(Article, Video))]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    #[generic_relation(related_query_name = "article")]
    pub tags: GenericRelation<TaggedItem>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "media")]
pub struct Video {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub seconds: i32,
    #[generic_relation(related_query_name = "video")]
    pub tags: GenericRelation<TaggedItem>,
}

#[macro_use]
#[path = "../shared/main_by_url.rs"]
mod main_by_url;

per_backend!("walkthrough.rs");
main_by_url!("tagging.db", walkthrough);
