use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "tagging")]
#[generic_foreign_key(ct_field = content_type_id, fk_field = object_id)]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
}

fn main() {}
