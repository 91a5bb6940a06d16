use contenttypes::prelude::*;

mod media {
    pub struct Article;
}

// Both errors are reported: a target listed twice, and two targets sharing a name (the
// generated enum's variants are named after them).
#[derive(Model)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(targets(Article, Video, Article, media::Article))]
    pub content_object: GenericForeignKey,
}

fn main() {}
