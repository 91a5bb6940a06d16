use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "ui", tag)]
pub struct Label {
    pub id: i64,
    #[model(unique, max_length = 50)]
    pub name: String,
    #[model(unique, max_length = 50)]
    pub slug: String,
}

// No unique constraint, a set column that is not text, and a tag that is no foreign key.
#[derive(Model)]
#[model(app_label = "ui", tagged_item(tag = label_id, set = weight))]
pub struct Labelled {
    pub id: i64,
    pub label_id: i64,
    pub weight: i32,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

// `tagged_item` names the foreign key to the tag.
#[derive(Model)]
#[model(app_label = "ui", tagged_item)]
pub struct Unnamed {
    pub id: i64,
}

fn main() {}
