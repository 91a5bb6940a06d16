use contenttypes::prelude::*;

// Django's contenttypes.E001 and E002.
#[derive(Model)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

fn main() {}
