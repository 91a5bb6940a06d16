use contenttypes::prelude::*;

// The constraint's name belongs to the content type's foreign key, so it goes on that
// field (`on_delete` on the generic foreign key is the targets' policy, not this).
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    pub author_type_id: Option<i32>,
    pub author_id: Option<i64>,
    #[generic_foreign_key(ct_field = author_type_id, fk_field = author_id, foreign_key_name = "notes_author_fk")]
    pub author: GenericForeignKey,
}

fn main() {}
