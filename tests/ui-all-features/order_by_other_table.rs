// Ordering a filter by a column of another model's table does not compile.
use contenttypes::prelude::*;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "shop")]
pub struct Order {
    pub id: i64,
    pub quantity: i32,
}

fn page(conn: &mut diesel::SqliteConnection) {
    let _ = Product::filter(contenttypes::NoFilter)
        .order_by(shop_order::quantity)
        .load(conn);
}

fn main() {}
