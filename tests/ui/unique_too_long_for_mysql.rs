use contenttypes::prelude::*;

// A MySQL index key holds at most 3072 bytes, 768 characters of utf8mb4.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(unique, max_length = 1000)]
    pub code: String,
}

fn main() {}
