use contenttypes::prelude::*;

// A quoted field name must be a field name (it is not re-lexed).
#[derive(Model, Clone)]
#[model(app_label = "comments")]
pub struct Comment {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(ct_field = "content type")]
    pub content_object: GenericForeignKey,
}


fn main() {}
