use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    #[model(foreign_key_name = "shop_product_maker_fk")]
    pub maker_id: i64,
}

fn main() {}
