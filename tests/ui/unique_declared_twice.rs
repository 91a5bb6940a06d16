use contenttypes::prelude::*;

// The same constraint twice would be two indexes of one name.
#[derive(Model)]
#[model(app_label = "notes", unique(a, b), unique(a, b))]
pub struct Note {
    pub id: i64,
    pub a: i32,
    pub b: i32,
}

fn main() {}
