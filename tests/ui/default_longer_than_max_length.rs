use contenttypes::prelude::*;

// A text default must fit `max_length`.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(max_length = 2, default = "abc")]
    pub code: String,
}

fn main() {}
