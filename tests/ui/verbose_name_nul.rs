use contenttypes::prelude::*;

// No NUL byte in any text the framework keeps.
#[derive(Model)]
#[model(app_label = "notes", verbose_name = "a\0b")]
pub struct Note {
    pub id: i64,
}

fn main() {}
