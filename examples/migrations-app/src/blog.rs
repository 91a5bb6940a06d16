//! The `blog` app: articles (taggable) and their comments.

use contenttypes::prelude::*;

use crate::tagging::TaggedItem;

/// An article. `subtitle` came in the second migration.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    #[model(max_length = 200)]
    pub subtitle: Option<String>,
    #[generic_relation(related_query_name = "article")]
    pub tags: GenericRelation<TaggedItem>,
}

/// A comment on an article, deleted with it.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "blog")]
pub struct Comment {
    pub id: i64,
    #[model(foreign_key = Article, on_delete = cascade)]
    pub article_id: i64,
    pub body: String,
}
