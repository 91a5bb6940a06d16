use contenttypes::prelude::*;

#[derive(Model)]
#[model(
    app_label = "shop",
    index(maker, price, colour = "red"),
    unique(maker, price, name = "a", name = "b")
)]
pub struct Product {
    pub id: i64,
    pub maker: i32,
    pub price: i32,
}

fn main() {}
