use contenttypes::prelude::*;

// A suffixed literal must have the field's type.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(default = 5u8)]
    pub stars: i32,
}

fn main() {}
