use contenttypes::prelude::*;

pub struct Note {
    pub id: i64,
}

#[derive(Model, GenericRelation)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
    pub notes: GenericRelation<Note>,
}

fn main() {}
