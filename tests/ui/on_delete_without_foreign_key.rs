use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    #[model(on_delete = cascade)]
    pub maker_id: i64,
}

fn main() {}
