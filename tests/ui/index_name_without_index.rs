use contenttypes::prelude::*;

// `index_name` names the column's own index: a column without one has nothing to name.
#[derive(Model)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    #[model(index_name = "tagging_taggeditem_rank")]
    pub rank: i32,
    #[model(index_name = "tagging_taggeditem_ct")]
    pub content_type_id: i32,
    pub object_id: i64,
    pub content_object: GenericForeignKey,
}

fn main() {}
