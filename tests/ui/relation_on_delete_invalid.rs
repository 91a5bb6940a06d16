use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "ui")]
pub struct Note {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation)]
#[model(app_label = "ui")]
pub struct Page {
    pub id: i64,
    #[generic_relation(on_delete = protect)]
    pub notes: GenericRelation<Note>,
}

// A generic many-to-many relation's source side is the through model's foreign key.
#[derive(Model, GenericRelation)]
#[model(app_label = "ui")]
pub struct Reader {
    pub id: i64,
    #[generic_relation(on_delete = cascade)]
    pub likes: GenericManyToMany<Note>,
}

fn main() {}
