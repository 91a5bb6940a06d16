use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
}

#[derive(Model, Clone)]
#[model(app_label = "media")]
pub struct Video {
    pub id: i64,
}

#[derive(Model, Clone)]
#[model(app_label = "zoo")]
pub struct Animal {
    pub id: i64,
}

#[derive(Model, Clone)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(targets(Article, Video))]
    pub content_object: GenericForeignKey,
}

fn point(conn: &mut diesel::SqliteConnection, item: &mut TaggedItem, lion: &Animal) {
    // `Animal` is not in `targets(..)`: on a row, and on a new row.
    item.set_content_object(conn, lion).unwrap();
    let _new = NewTaggedItem { content_object: Target::to(lion) };
}

fn main() {}
