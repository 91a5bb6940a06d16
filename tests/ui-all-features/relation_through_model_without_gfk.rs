use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "geology")]
pub struct Mineral {
    pub id: i64,
}

// Django's contenttypes.E004: the through model has no generic foreign key.
#[derive(Model, GenericRelation)]
#[model(app_label = "geology")]
pub struct Rock {
    pub id: i64,
    pub minerals: GenericRelation<Mineral>,
}

fn main() {}
