//! The library's models over the tables Django's `interop` app created
//! (`tests/interop/django/interop/models.py`), declared as an application sharing Django's
//! database declares them: attached to Django's tables as `diesel print-schema` prints them
//! (`schema.rs`; Django's migrations own the tables, so no DDL is planned for them), text
//! object ids with no length, and Django's constraint and index names.

use contenttypes::prelude::*;

pub use crate::schema::*;

/// `interop.Tag`.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "interop", table_name = crate::schema::interop_tag)]
pub struct Tag {
    pub id: i64,
    #[model(unique, max_length = 50)]
    pub name: String,
}

/// `interop.TaggedItem`: Django's foreign key to `Tag` has no `ON DELETE` (Django cascades
/// in Python), so deleting a tag through the library must cascade in the framework.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(
    app_label = "interop",
    table_name = crate::schema::interop_taggeditem,
    unique(tag_id, content_type_id, object_id, name = "interop_taggeditem_unique_link"),
    index(content_type_id, object_id, name = "interop_tagged_ct_obj_idx")
)]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    /// Django's `TextField`: the text of a UUID or an integer key.
    pub object_id: String,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

/// `interop.Activity`: two generic foreign keys, the second one nullable; Django's model
/// says `on_delete=CASCADE` for both content-type columns.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(
    app_label = "interop",
    table_name = crate::schema::interop_activity,
    index(actor_ct_id, actor_id, name = "interop_activity_actor_idx"),
    index(target_ct_id, target_id, name = "interop_activity_target_idx")
)]
pub struct Activity {
    pub id: i64,
    #[model(max_length = 50)]
    pub verb: String,
    pub actor_ct_id: i32,
    pub actor_id: String,
    #[model(on_delete = cascade)]
    pub target_ct_id: Option<i32>,
    pub target_id: Option<String>,
    #[generic_foreign_key(ct_field = actor_ct_id, fk_field = actor_id)]
    pub actor: GenericForeignKey,
    #[generic_foreign_key(ct_field = target_ct_id, fk_field = target_id)]
    pub target: GenericForeignKey,
}

/// `interop.Note`: UUID-keyed (SQLite: 32 hex digits in `char(32)`, as Django stores it).
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "interop", table_name = crate::schema::interop_note)]
pub struct Note {
    #[model(primary_key)]
    pub id: uuid::Uuid,
    #[model(max_length = 100)]
    pub title: String,
    #[generic_relation(related_query_name = "note")]
    pub tags: GenericRelation<TaggedItem>,
    #[generic_relation(gfk = actor)]
    pub acted: GenericRelation<Activity>,
    #[generic_relation(gfk = target)]
    pub targeted: GenericRelation<Activity>,
}

/// `interop.Article`: integer-keyed (Django's `BigAutoField`).
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "interop", table_name = crate::schema::interop_article)]
pub struct Article {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    #[generic_relation(related_query_name = "article")]
    pub tags: GenericRelation<TaggedItem>,
    #[generic_relation(gfk = actor)]
    pub acted: GenericRelation<Activity>,
    #[generic_relation(gfk = target)]
    pub targeted: GenericRelation<Activity>,
}
