use contenttypes::prelude::*;

// A renamed column had a column name.
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(renamed_from = "old title")]
    pub title: String,
}

fn main() {}
