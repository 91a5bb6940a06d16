use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    pub sku: i64,
    pub name: String,
}

fn main() {}
