// An aggregate takes a column of the related table: a column of another table does not
// compile (here the parent's own key instead of the through model's).
use contenttypes::prelude::*;
use contenttypes::Sum;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
    pub tags: GenericRelation<TaggedItem>,
}

fn sums(conn: &mut diesel::SqliteConnection) {
    let _ = Article::TAGS.annotate(Sum(blog_article::id)).load(conn);
}

fn main() {}
