use contenttypes::prelude::*;

// 768 characters fill a MySQL key: no room is left for a prefix of the text.
#[derive(Model)]
#[model(app_label = "shop", index(code, notes))]
pub struct Product {
    pub id: i64,
    #[model(max_length = 768)]
    pub code: String,
    pub notes: String,
}

fn main() {}
