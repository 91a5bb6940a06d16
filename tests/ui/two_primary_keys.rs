use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    #[model(primary_key)]
    pub sku: i64,
    #[model(primary_key)]
    pub code: i64,
}

fn main() {}
