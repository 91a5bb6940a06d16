use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    pub content_object: GenericForeignKey,
}

// A related_query_name also names a constant on the through model.
#[derive(Model, GenericRelation)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
    #[generic_relation(related_query_name = "has space")]
    pub tags: GenericRelation<TaggedItem>,
}

fn main() {}
