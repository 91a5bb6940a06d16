use contenttypes::prelude::*;

// A MySQL row holds at most 65535 bytes (text and blobs apart).
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(max_length = 10000)]
    pub a: String,
    #[model(max_length = 10000)]
    pub b: String,
}

fn main() {}
