use contenttypes::prelude::*;

// MySQL cannot index BLOB columns.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(index)]
    pub data: Vec<u8>,
}

fn main() {}
