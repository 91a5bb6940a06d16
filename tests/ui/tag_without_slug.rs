use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "ui", tag)]
pub struct Label {
    pub id: i64,
    #[model(unique, max_length = 50)]
    pub name: String,
}

fn main() {}
