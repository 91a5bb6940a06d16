use contenttypes::prelude::*;

// The `table!` module would shadow the crate `std` in this module.
#[derive(Model)]
#[model(app_label = "notes", table_name = "std")]
pub struct Note {
    pub id: i64,
}

fn main() {}
