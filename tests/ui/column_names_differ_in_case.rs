use contenttypes::prelude::*;

// SQLite and MySQL compare column names without case.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    pub name: String,
    #[allow(non_snake_case)]
    pub Name: String,
}

fn main() {}
