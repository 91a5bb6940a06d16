use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    pub content_object: GenericForeignKey,
}

// A UUID key does not fit an integer object id column.
#[derive(Model, GenericRelation)]
#[model(app_label = "docs")]
pub struct Document {
    pub id: uuid::Uuid,
    pub tags: GenericRelation<TaggedItem>,
}

fn main() {}
