use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Maker {
    pub id: i64,
}

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    #[model(foreign_key = Maker, on_delete = set_null)]
    pub maker_id: i64,
}

fn main() {}
