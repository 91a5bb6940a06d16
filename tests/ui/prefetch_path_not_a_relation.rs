// A prefetch step names a generic relation by its descriptor: a foreign key descriptor is
// not one, and a relation that does not exist is not a constant.
use contenttypes::prelude::*;
use contenttypes::GenericPrefetch;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "ui")]
pub struct Label {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "ui")]
pub struct Item {
    pub id: i64,
    #[model(foreign_key = Label)]
    pub label_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "ui")]
pub struct Note {
    pub id: i64,
    pub items: GenericRelation<Item>,
}

fn main() {
    let _ = GenericPrefetch::<diesel::sqlite::Sqlite>::new().then(Item::LABEL);
    let _ = GenericPrefetch::<diesel::sqlite::Sqlite>::new().then(Note::ITEM);
}
