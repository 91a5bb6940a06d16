use contenttypes::prelude::*;

// SQLite reserves `sqlite_` names; PostgreSQL and SQLite keep indexes and tables in one
// namespace.
#[derive(Model)]
#[model(app_label = "shop", index(maker, price, name = "sqlite_by_maker"))]
pub struct Product {
    pub id: i64,
    pub maker: i32,
    #[model(index, index_name = "shop_product")]
    pub price: i32,
}

fn main() {}
