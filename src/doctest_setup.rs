// Models and a connection for the documentation's examples, included by each of them
// (`# include!("doctest_setup.rs");`). Not compiled into the library: models declared here
// would be registered in every program that links it.
use contenttypes::prelude::*;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "tagging")]
pub struct Tag {
    pub id: i64,
    #[model(unique, max_length = 50)]
    pub name: String,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "tagging", unique(tag_id, content_type_id, object_id))]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = Tag)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    #[generic_relation(related_query_name = "article")]
    pub tags: GenericRelation<TaggedItem>,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "bookmarks")]
pub struct Bookmark {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(targets(Article, Tag))]
    pub subject: GenericForeignKey,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "library", table_name = "books")]
pub struct Book {
    pub id: i64,
    #[model(unique, max_length = 20)]
    pub isbn: String,
    #[model(max_length = 200)]
    pub title: String,
}

/// An in-memory SQLite database with the tables of every registered model.
pub fn connection() -> diesel::SqliteConnection {
    use diesel::Connection;
    let mut conn = diesel::SqliteConnection::establish(":memory:").expect("in-memory SQLite");
    contenttypes::create_tables(&mut conn).expect("tables");
    conn
}
