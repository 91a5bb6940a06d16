use contenttypes::prelude::*;

// PostgreSQL refuses a column named like one of its system columns.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    pub xmin: i32,
}

fn main() {}
