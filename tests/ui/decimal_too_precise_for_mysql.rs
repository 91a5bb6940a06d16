use contenttypes::prelude::*;

// MySQL's decimals have at most 65 digits.
#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    #[model(max_digits = 80, decimal_places = 2)]
    pub price: bigdecimal::BigDecimal,
}

fn main() {}
