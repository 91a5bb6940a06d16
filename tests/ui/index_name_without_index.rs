use contenttypes::prelude::*;

// `index_name` names the column's own index: a column without one has nothing to name (a
// plain column, a content-type column, a foreign key that a declared index starts with).
#[derive(Model)]
#[model(app_label = "tagging", unique(tag_id, rank))]
pub struct TaggedItem {
    pub id: i64,
    #[model(index_name = "tagging_taggeditem_rank")]
    pub rank: i32,
    #[model(foreign_key = Tag, index_name = "tagging_taggeditem_tag")]
    pub tag_id: i64,
    #[model(index_name = "tagging_taggeditem_ct")]
    pub content_type_id: i32,
    pub object_id: i64,
    pub content_object: GenericForeignKey,
}

#[derive(Model)]
#[model(app_label = "tagging")]
pub struct Tag {
    pub id: i64,
}

fn main() {}
