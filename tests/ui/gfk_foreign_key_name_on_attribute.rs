use contenttypes::prelude::*;

// The content type's `on_delete` goes on its field, as Django writes it on the
// `ForeignKey(ContentType, on_delete=...)`.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    pub author_type_id: Option<i32>,
    pub author_id: Option<i64>,
    #[generic_foreign_key(ct_field = author_type_id, fk_field = author_id, on_delete = set_null)]
    pub author: GenericForeignKey,
}

fn main() {}
