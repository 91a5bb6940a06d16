use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop", unique(name, colour))]
pub struct Product {
    pub id: i64,
    #[model(max_length = 20)]
    pub name: String,
}

fn main() {}
