use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "ui")]
pub struct Note {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation)]
#[model(app_label = "ui")]
pub struct Page {
    pub id: i64,
    pub tags: Tags<Note>,
}

fn main() {
    let page = Page { id: 1, tags: Default::default() };
    let _ = page.tags();
}
