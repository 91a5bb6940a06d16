use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Maker {
    #[model(primary_key, max_length = 50)]
    pub code: String,
}

// A foreign key column has the referenced key's type; MySQL cannot make one of text.
#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    #[model(foreign_key = Maker)]
    pub maker_code: String,
}

fn main() {}
