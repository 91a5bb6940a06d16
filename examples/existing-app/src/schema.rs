// @generated automatically by Diesel CLI (`diesel print-schema`), as in the application
// before it adopted contenttypes. Nothing here was changed for it.

diesel::table! {
    blog_post (id) {
        id -> Integer,
        #[max_length = 200]
        title -> Varchar,
        body -> Text,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    blog_author (id) {
        id -> Integer,
        #[max_length = 100]
        name -> Varchar,
    }
}

diesel::allow_tables_to_appear_in_same_query!(blog_post, blog_author);
