use contenttypes::prelude::*;

diesel::table! {
    blog_post (id) {
        id -> Integer,
        title -> Text,
        subtitle -> Nullable<Text>,
    }
}

// The key is `Integer` in the table (i32) but i64 here, and `subtitle` is nullable but
// not an `Option`: each is an error at the field, naming the column and both types.
#[derive(Model)]
#[model(app_label = "blog", table_name = "blog_post", managed = false)]
pub struct Post {
    pub id: i64,
    pub title: String,
    pub subtitle: String,
}

fn main() {}
