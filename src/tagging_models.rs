//! The default tag models (feature `taggit`): django-taggit's `Tag` and `TaggedItem` tables
//! (`taggit_tag`, `taggit_taggeditem`), and through models for UUID and text object ids
//! (django-taggit's `GenericUUIDTaggedItemBase` and `CommonGenericTaggedItemBase`).
//!
//! This file is also read by the migrations build helper
//! ([`TAG_MODELS`](crate::build::TAG_MODELS)), with the same parser as the derive: the models
//! are described once.

use crate::{GenericForeignKey, Model};

/// A tag: a unique name and a unique slug (django-taggit's `taggit.Tag`).
#[derive(Model, Clone, Debug, PartialEq, Eq, Hash)]
#[model(app_label = "taggit", tag)]
pub struct Tag {
    pub id: i64,
    #[model(unique, max_length = 100)]
    pub name: String,
    #[model(unique, max_length = 100)]
    pub slug: String,
}

/// A tag on an object with an integer key (django-taggit's `taggit.TaggedItem`): declare
/// `pub tags: Tags<TaggedItem>` on the model.
#[derive(Model, Clone, Debug, PartialEq, Eq)]
#[model(
    app_label = "taggit",
    tagged_item(tag = tag_id),
    unique(content_type_id, object_id, tag_id)
)]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = crate::tagging::Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

/// A tag on an object with a UUID key (django-taggit's `GenericUUIDTaggedItemBase`).
#[cfg(feature = "uuid")]
#[derive(Model, Clone, Debug, PartialEq, Eq)]
#[model(
    app_label = "taggit",
    tagged_item(tag = tag_id),
    unique(content_type_id, object_id, tag_id)
)]
pub struct UuidTaggedItem {
    pub id: i64,
    #[model(foreign_key = crate::tagging::Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: uuid::Uuid,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

/// A tag on an object with any key, stored as text (django-taggit's
/// `CommonGenericTaggedItemBase` with a `CharField`): models with integer, UUID and text keys
/// share it.
#[derive(Model, Clone, Debug, PartialEq, Eq)]
#[model(
    app_label = "taggit",
    tagged_item(tag = tag_id),
    unique(content_type_id, object_id, tag_id)
)]
pub struct TextTaggedItem {
    pub id: i64,
    #[model(foreign_key = crate::tagging::Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    #[model(max_length = 64)]
    pub object_id: String,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}
