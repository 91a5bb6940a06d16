use contenttypes::prelude::*;

// Every given name is checked, and every bad one reported.
#[derive(Model)]
#[model(app_label = "tagging", unique(tag_id, label, name = "unique link"))]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = Tag, foreign_key_name = "tag-fk")]
    pub tag_id: i64,
    #[model(index, index_name = "9_by_label", max_length = 50)]
    pub label: String,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(index_name = "")]
    pub content_object: GenericForeignKey,
}

#[derive(Model)]
#[model(app_label = "tagging")]
pub struct Tag {
    pub id: i64,
}

fn main() {}
