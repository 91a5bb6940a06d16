use contenttypes::prelude::*;

// A flag takes no value.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    #[model(primary_key = true)]
    pub code: i64,
}

fn main() {}
