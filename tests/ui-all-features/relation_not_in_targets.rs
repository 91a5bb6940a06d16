use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
}

#[derive(Model, Clone)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(targets(Article))]
    pub content_object: GenericForeignKey,
}

// The generic foreign key admits only articles: a relation from videos cannot reverse it.
#[derive(Model, GenericRelation, Clone)]
#[model(app_label = "media")]
pub struct Video {
    pub id: i64,
    pub tags: GenericRelation<TaggedItem>,
}

fn main() {}
