use contenttypes::prelude::*;

// PostgreSQL cannot store a NUL byte in text.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(default = "a\0b")]
    pub title: String,
}

fn main() {}
