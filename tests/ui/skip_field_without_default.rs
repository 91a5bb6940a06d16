use contenttypes::prelude::*;

struct Cache;

// A skipped field is filled with `Default::default()` when a row is read.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(skip)]
    pub cache: Cache,
}

fn main() {}
