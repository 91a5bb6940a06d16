use contenttypes::prelude::*;

// `self` cannot be a Rust identifier, not even `r#self`: no Diesel table module can have it.
#[derive(Model)]
#[model(app_label = "notes", table_name = "self")]
pub struct Note {
    pub id: i64,
}

fn main() {}
