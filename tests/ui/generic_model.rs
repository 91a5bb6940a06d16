use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product<T> {
    pub id: i64,
    pub extra: T,
}

fn main() {}
