use contenttypes::prelude::*;

// A declared index that starts with the content type and the object id serves the generic
// foreign key, and no index is added for it: there is nothing for `index_name` to name.
#[derive(Model)]
#[model(app_label = "tagging", index(content_type_id, object_id, rank))]
pub struct TaggedItem {
    pub id: i64,
    pub rank: i32,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(index_name = "tagging_tagged_ct_obj_idx")]
    pub content_object: GenericForeignKey,
}

fn main() {}
