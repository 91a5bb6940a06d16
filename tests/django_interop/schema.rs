// Django's tables, as `diesel print-schema` prints them from the PostgreSQL database Django
// migrated, less `django_content_type` (the library's own) and `django_migrations`. One
// change: the note's key is `contenttypes::sql_types::Uuid` instead of Diesel's `Uuid`, so
// the same schema reads Django's `char(32)` keys on SQLite.

diesel::table! {
    interop_activity (id) {
        id -> Int8,
        #[max_length = 50]
        verb -> Varchar,
        actor_id -> Text,
        target_id -> Nullable<Text>,
        actor_ct_id -> Int4,
        target_ct_id -> Nullable<Int4>,
    }
}

diesel::table! {
    interop_article (id) {
        id -> Int8,
        #[max_length = 200]
        title -> Varchar,
    }
}

diesel::table! {
    interop_note (id) {
        id -> contenttypes::sql_types::Uuid,
        #[max_length = 100]
        title -> Varchar,
    }
}

diesel::table! {
    interop_tag (id) {
        id -> Int8,
        #[max_length = 50]
        name -> Varchar,
    }
}

diesel::table! {
    interop_taggeditem (id) {
        id -> Int8,
        object_id -> Text,
        content_type_id -> Int4,
        tag_id -> Int8,
    }
}

diesel::joinable!(interop_taggeditem -> interop_tag (tag_id));

diesel::allow_tables_to_appear_in_same_query!(
    interop_activity,
    interop_article,
    interop_note,
    interop_tag,
    interop_taggeditem,
);
