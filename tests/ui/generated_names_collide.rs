use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    pub content_object: GenericForeignKey,
}

// Both foreign keys would make `Link::ITEM`.
#[derive(Model)]
#[model(app_label = "tagging")]
pub struct Link {
    pub id: i64,
    #[model(foreign_key = TaggedItem)]
    pub item_id: i64,
    #[model(foreign_key = TaggedItem)]
    pub item: i64,
}

fn main() {}
