use contenttypes::prelude::*;

// Diesel's `table!` refuses a column named like its table.
#[derive(Model)]
#[model(app_label = "notes", table_name = "notes")]
pub struct Note {
    pub id: i64,
    pub notes: String,
}

fn main() {}
