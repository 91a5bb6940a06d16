use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    pub name_: i32,
}

fn main() {}
