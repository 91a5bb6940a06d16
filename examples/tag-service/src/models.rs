//! The service's models: articles and videos, each a title, tagged with django-taggit's
//! default tag models (`contenttypes::tagging::{Tag, TaggedItem}`, tables `taggit_tag` and
//! `taggit_taggeditem`). `cargo build` writes their migrations (`build.rs`).

use contenttypes::prelude::*;
use contenttypes::tagging::TaggedItem;

/// The longest title, in characters (the column's `max_length`).
pub const TITLE_MAX: usize = 200;

/// An article.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub tags: Tags<TaggedItem>,
}

/// A video.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "media")]
pub struct Video {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub tags: Tags<TaggedItem>,
}
