use contenttypes::prelude::*;

// MySQL indexes unbounded text by a prefix: fine for an index, not for a unique
// constraint (values sharing the prefix would collide).
#[derive(Model)]
#[model(app_label = "tagging", unique(content_type_id, object_id))]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: String,
    pub content_object: GenericForeignKey,
}

fn main() {}
