use contenttypes::prelude::*;

// PostgreSQL keeps 63 bytes of a name, MySQL 64: a name must fit both.
#[derive(Model)]
#[model(
    app_label = "shop",
    index(maker, price, name = "shop_product_maker_price_index_with_a_name_that_goes_on_and_on_and_on")
)]
pub struct Product {
    pub id: i64,
    pub maker: i32,
    pub price: i32,
}

fn main() {}
