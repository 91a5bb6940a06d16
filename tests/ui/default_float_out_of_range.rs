use contenttypes::prelude::*;

// A float default must be finite in the column's type.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(default = 1e39)]
    pub score: f32,
}

fn main() {}
