use contenttypes::prelude::*;

// Django's contenttypes.E003: the content type column must be the foreign key to
// django_content_type.id, an i32.
#[derive(Model)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: String,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

fn main() {}
