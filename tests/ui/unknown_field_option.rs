use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    #[model(size = 3)]
    pub name: String,
}

fn main() {}
