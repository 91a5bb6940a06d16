use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
}

#[derive(Model, Clone)]
#[model(app_label = "boards")]
pub struct Board {
    #[model(primary_key, max_length = 50)]
    pub name: String,
}

// A text key does not fit the integer object id: an error at `Board` in `targets(..)`.
#[derive(Model, Clone)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(targets(Article, Board))]
    pub content_object: GenericForeignKey,
}

fn main() {}
