use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    #[model(primary_key)]
    pub code: String,
}

fn main() {}
