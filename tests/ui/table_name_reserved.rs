use contenttypes::prelude::*;

// The content-type table belongs to the framework.
#[derive(Model)]
#[model(app_label = "notes", table_name = "django_content_type")]
pub struct Note {
    pub id: i64,
}

fn main() {}
