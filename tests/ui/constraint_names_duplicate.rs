use contenttypes::prelude::*;

// Two indexes or constraints of one model cannot share a name; MySQL compares them
// without case.
#[derive(Model)]
#[model(
    app_label = "shop",
    unique(maker, code, name = "shop_product_link"),
    index(code, maker, name = "SHOP_PRODUCT_LINK")
)]
pub struct Product {
    pub id: i64,
    pub maker: i32,
    pub code: i32,
    #[model(index, index_name = "shop_product_link")]
    pub price: i32,
}

fn main() {}
