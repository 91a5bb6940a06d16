use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(targets())]
    pub content_object: GenericForeignKey,
}

fn main() {}
