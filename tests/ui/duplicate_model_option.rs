use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop", app_label = "store")]
pub struct Product {
    pub id: i64,
}

fn main() {}
