use contenttypes::prelude::*;

// `on_delete = set_null` on a generic foreign key sets both of its columns to NULL when the
// target row is deleted: they must both be `Option`.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(on_delete = set_null)]
    pub subject: GenericForeignKey,
}

fn main() {}
