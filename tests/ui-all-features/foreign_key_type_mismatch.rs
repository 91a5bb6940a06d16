use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "shop")]
pub struct Category {
    pub id: i32,
    #[model(max_length = 50)]
    pub name: String,
}

// `Category`'s key is an `i32`: an `i64` column cannot reference it.
#[derive(Model)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    #[model(foreign_key = Category, on_delete = cascade)]
    pub category_id: i64,
}

fn main() {}
