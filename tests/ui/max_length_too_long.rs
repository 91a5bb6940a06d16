use contenttypes::prelude::*;

// MySQL's longest varchar in utf8mb4 is 16383 characters.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(max_length = 20000)]
    pub body: String,
}

fn main() {}
