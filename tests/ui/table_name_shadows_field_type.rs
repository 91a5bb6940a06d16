use contenttypes::prelude::*;

// The `table!` module would shadow `String` in this module.
#[derive(Model)]
#[model(app_label = "notes", table_name = "String")]
pub struct Note {
    pub id: i64,
    pub title: String,
}

fn main() {}
