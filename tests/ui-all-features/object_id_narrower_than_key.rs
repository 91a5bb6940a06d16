use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i32,
    pub content_object: GenericForeignKey,
}

// An i64 key does not fit an i32 object id column.
#[derive(Model, GenericRelation)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
    pub tags: GenericRelation<TaggedItem>,
}

fn main() {}
