use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "blog")]
pub struct Post {
    pub id: i64,
    // `auto_now` writes the current time: a text field cannot take it.
    #[model(auto_now)]
    pub title: String,
}

fn main() {}
