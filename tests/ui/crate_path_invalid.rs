use contenttypes::prelude::*;

// `crate` must be a path (it is checked before it is parsed).
#[derive(Model)]
#[model(app_label = "notes", crate = "my crate")]
pub struct Note {
    pub id: i64,
}

fn main() {}
