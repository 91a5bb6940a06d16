// Models and a connection for the tagging documentation's examples, included by each of
// them (`# include!("../../../src/doctest_tagging.rs");`). Not compiled into the library.
use contenttypes::prelude::*;
#[allow(unused_imports)]
use contenttypes::tagging::TagRef;
#[allow(unused_imports)]
use diesel::prelude::*;

/// django-taggit's `Tag`.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "docs_tags", tag)]
pub struct Tag {
    pub id: i64,
    #[model(unique, max_length = 100)]
    pub name: String,
    #[model(unique, max_length = 100)]
    pub slug: String,
}

/// django-taggit's `TaggedItem`, with a column for the tag set.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(
    app_label = "docs_tags",
    tagged_item(tag = tag_id, set = tag_set),
    unique(content_type_id, object_id, tag_set, tag_id)
)]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[model(max_length = 50)]
    pub tag_set: String,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "blog")]
pub struct Post {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub tags: Tags<TaggedItem>,
}

#[allow(dead_code)]
fn connection() -> diesel::SqliteConnection {
    let mut conn = diesel::SqliteConnection::establish(":memory:").expect("an in-memory SQLite database");
    contenttypes::create_tables(&mut conn).expect("the tables");
    conn
}
