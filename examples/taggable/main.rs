//! The seed story told with the taggable field: tags on articles and videos, django-taggit
//! style (`article.tags().add(db, ["rust", "django"])`), with two tag sets on videos, the
//! filters, the most common tags, similar objects, bulk tagging and maintenance, and the
//! statements each step takes.
//!
//! ```text
//! cargo run --example taggable                                  # an SQLite file, taggable.db
//! cargo run --example taggable --features postgres -- postgres://postgres@127.0.0.1/test
//! cargo run --example taggable --features mysql -- mysql://root@127.0.0.1/test
//! ```
//!
//! The URL may also come from `DATABASE_URL`. On a server database the example drops and
//! recreates its own tables (never `django_content_type`).

use contenttypes::prelude::*;

/// A tag: a unique name and a unique slug (`#[model(tag)]`, django-taggit's `Tag`).
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "tagging", tag)]
pub struct Tag {
    pub id: i64,
    #[model(unique, max_length = 100)]
    pub name: String,
    #[model(unique, max_length = 100)]
    pub slug: String,
}

/// The through model of every tag set: the tag, the object (an article or a video), and
/// which of the object's tag sets the row is in, so one table holds them all.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(
    app_label = "tagging",
    tagged_item(tag = tag_id, set = tag_set),
    unique(content_type_id, object_id, tag_set, tag_id)
)]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[model(max_length = 30)]
    pub tag_set: String,
    #[generic_foreign_key(targets(Article, Video))]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub tags: Tags<TaggedItem>,
}

/// Two tag sets: what a video is about, and who it is for.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "media")]
pub struct Video {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub tags: Tags<TaggedItem>,
    pub audiences: Tags<TaggedItem>,
}

pub const MODELS: [&contenttypes::ir::ModelDef; 4] =
    [Tag::DEF, TaggedItem::DEF, Article::DEF, Video::DEF];

#[macro_use]
#[path = "../shared/main_by_url.rs"]
mod main_by_url;

per_backend!("story.rs");
main_by_url!("taggable.db", story);
