use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop", max_length = 3)]
pub struct Product {
    pub id: i64,
}

fn main() {}
