use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    pub content_object: GenericForeignKey,
}

#[derive(Model, Clone)]
#[model(app_label = "boards")]
pub struct Board {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
}

fn point(conn: &mut diesel::SqliteConnection, item: &mut TaggedItem, board: &NewBoard) {
    // An unsaved board is a `NewBoard`: it has no key, so it cannot be a target.
    item.set_content_object(conn, board).unwrap();
}

fn main() {}
