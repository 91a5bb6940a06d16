use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    #[model(max_length = 10)]
    pub stock: i32,
}

fn main() {}
