//! The `tagging` app: tags, and the through model that attaches them to anything.

use contenttypes::prelude::*;

/// A tag.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "tagging")]
pub struct Tag {
    pub id: i64,
    #[model(max_length = 50, unique)]
    pub name: String,
}

/// A tag on any object: a foreign key to the tag and a generic foreign key to the object.
/// The migrations give it UNIQUE(tag_id, content_type_id, object_id), the composite
/// `(content_type_id, object_id)` index and both foreign keys.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "tagging", unique(tag_id, content_type_id, object_id))]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}
