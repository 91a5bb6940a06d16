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
    #[model(primary_key, max_length = 50)]
    pub name: String,
}

fn point(conn: &mut diesel::SqliteConnection, item: &mut TaggedItem, board: &Board) {
    // A text key does not fit an integer object id column.
    item.set_content_object(conn, board).unwrap();
}

fn main() {}
