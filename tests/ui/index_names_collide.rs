use contenttypes::prelude::*;

// `unique(x, y)` and the unique column `x_y` would both be `notes_note_x_y_uniq`.
#[derive(Model)]
#[model(app_label = "notes", unique(x, y))]
pub struct Note {
    pub id: i64,
    pub x: i32,
    pub y: i32,
    #[model(unique)]
    pub x_y: i32,
}

fn main() {}
