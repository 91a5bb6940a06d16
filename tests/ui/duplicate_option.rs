use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    #[model(max_length = 20, max_length = 30)]
    pub name: String,
}

fn main() {}
