use contenttypes::prelude::*;

// A suffix on a string literal is a mistake.
#[derive(Model)]
#[model(app_label = "notes"x)]
pub struct Note {
    pub id: i64,
}

fn main() {}
