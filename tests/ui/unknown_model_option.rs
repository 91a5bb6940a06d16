use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop", colour = "red")]
pub struct Product {
    pub id: i64,
}

fn main() {}
