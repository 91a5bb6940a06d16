//! The model registry and the content-type manager: `cargo run --example registry`.
//!
//! Lists every registered model with its table and natural key, runs the system checks,
//! creates the content-type rows (Django's `create_contenttypes`) and looks them up, with
//! the number of queries each lookup costs.

use contenttypes::prelude::*;
use contenttypes::testing::QueryLog;
use contenttypes::{check_registrations, create_content_types, Registry};
use diesel::Connection;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "library")]
pub struct Book {
    pub id: i32,
    #[model(max_length = 200)]
    pub title: String,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "library", verbose_name = "book review")]
pub struct Review {
    pub id: i64,
    pub stars: i16,
    pub content_type_id: i32,
    pub object_id: i64,
    pub subject: GenericForeignKey,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "accounts")]
pub struct Member {
    #[model(primary_key, max_length = 30)]
    pub username: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registry = Registry::global()?;
    println!("Registered models, in natural-key order:");
    for model in registry.models() {
        let def = model.def;
        println!(
            "  {:<28} table {:<22} key {} ({})",
            def.label(),
            def.table.name,
            def.table.primary_key,
            def.primary_key()
                .map(|c| c.sql_type.name())
                .unwrap_or_default()
        );
    }
    let problems = check_registrations();
    println!(
        "\nSystem checks: {}",
        if problems.is_empty() {
            "no problems".to_string()
        } else {
            format!("{problems:?}")
        }
    );

    let mut conn = diesel::SqliteConnection::establish(":memory:")?;
    contenttypes::create_tables(&mut conn)?;
    let log = QueryLog::attach(&mut conn);
    let created = create_content_types(&mut conn)?;
    println!(
        "\ncreate_content_types: {} rows in {} queries",
        created.len(),
        log.count()
    );
    log.reset();

    let ct = ContentType::for_model::<Review>(&mut conn)?;
    println!(
        "\nContentType::for_model::<Review>()  -> {ct} (id {}) in {} query",
        ct.id,
        log.count()
    );
    log.reset();
    let again = ContentType::for_model::<Review>(&mut conn)?;
    println!(
        "again, cached                       -> {again} in {} queries",
        log.count()
    );
    let by_key = ContentType::by_natural_key(&mut conn, "accounts", "member")?;
    let by_id = ContentType::for_id(&mut conn, by_key.id)?;
    println!(
        "by natural key, then by id          -> {by_id:?}, model class {:?}",
        by_id.model_class().map(|r| r.def.type_name.as_ref())
    );
    let book = Book::insert(
        &mut conn,
        NewBook {
            title: "Dune".into(),
        },
    )?;
    let object =
        ContentType::for_model::<Book>(&mut conn)?.get_object_for_this_type(&mut conn, book.id)?;
    println!(
        "get_object_for_this_type            -> {object:?}, downcast: {:?}",
        object.downcast_ref::<Book>()?.title
    );
    Ok(())
}
