use contenttypes::prelude::*;

// A given name cannot be the name generated for another index.
#[derive(Model)]
#[model(app_label = "shop", index(maker, code, name = "shop_product_price_idx"))]
pub struct Product {
    pub id: i64,
    pub maker: i32,
    pub code: i32,
    #[model(index)]
    pub price: i32,
}

fn main() {}
