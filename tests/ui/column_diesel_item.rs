use contenttypes::prelude::*;

// Diesel's `table!` declares its own `table` in the table module.
#[derive(Model)]
#[model(app_label = "furniture")]
pub struct Note {
    pub id: i64,
    #[model(max_length = 20)]
    pub table: String,
}

fn main() {}
