use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(on_delete = set_null)]
    pub content_type_id: i32,
    pub object_id: i64,
    pub content_object: GenericForeignKey,
}

fn main() {}
