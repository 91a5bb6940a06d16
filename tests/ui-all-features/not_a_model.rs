use contenttypes::prelude::*;

pub struct Invoice {
    pub id: i64,
}

fn lookup(conn: &mut diesel::SqliteConnection) {
    let _ = ContentType::for_model::<Invoice>(conn);
}

fn main() {}
