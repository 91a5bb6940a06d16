use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "my-shop")]
pub struct Product {
    pub id: i64,
}

fn main() {}
