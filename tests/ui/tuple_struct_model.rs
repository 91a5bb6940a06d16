use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product(i64, String);

fn main() {}
