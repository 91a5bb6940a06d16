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

#[derive(Model, Clone)]
#[model(app_label = "ui", tagged_item(tag = label_id), unique(content_type_id, object_id, label_id))]
pub struct Labelled {
    pub id: i64,
    #[model(foreign_key = Label)]
    pub label_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation)]
#[model(app_label = "ui")]
pub struct Person {
    pub id: i64,
    pub skills: Tags<Labelled>,
    pub interests: Tags<Labelled>,
}

fn main() {}
