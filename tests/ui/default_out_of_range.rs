use contenttypes::prelude::*;

// An integer default must fit the column (MySQL refuses the DDL otherwise).
#[derive(Model)]
#[model(app_label = "notes")]
pub struct Note {
    pub id: i64,
    #[model(default = 99999)]
    pub stars: i16,
}

fn main() {}
