//! The migrations workflow, end to end (see `docs/migrations.md`):
//!
//! 1. the models live in `src/blog.rs` and `src/tagging.rs` (two apps);
//! 2. `cargo build` runs `build.rs`, which writes `migrations/<dialect>/<version>_<name>/`
//!    when the models changed (the committed ones were written that way);
//! 3. this program applies them with the embedded runner, which then creates the
//!    content-type rows, and uses the models. `diesel migration run --migration-dir
//!    migrations/sqlite --database-url app.db` applies the same folders.
//!
//! Run: `cargo run -p migrations-app [-- DATABASE_URL]` (default: an in-memory SQLite
//! database; `postgres://...` and `mysql://...` URLs with the `postgres` / `mysql` features).
//! The models are in the crate's library (`src/lib.rs`), which the command-line tool
//! (`src/bin/contenttypes.rs`) links too.

use std::error::Error;

use contenttypes::migrations::{self, MigrationHarness, PerDialect};
use contenttypes::prelude::*;
use diesel::Connection;

use migrations_app::blog::{Article, NewArticle};
use migrations_app::tagging::{NewTag, NewTaggedItem, Tag};

/// The migrations, embedded at compile time, one directory per dialect.
const MIGRATIONS: PerDialect = contenttypes::embed_migrations! {
    sqlite: "migrations/sqlite",
    postgres: "migrations/postgres",
    mysql: "migrations/mysql",
};

fn main() -> Result<(), Box<dyn Error>> {
    let url = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("DATABASE_URL").ok())
        .unwrap_or_else(|| ":memory:".to_string());
    #[cfg(feature = "postgres")]
    if url.starts_with("postgres") {
        return run(&mut diesel::PgConnection::establish(&url)?);
    }
    #[cfg(feature = "mysql")]
    if url.starts_with("mysql") {
        return run(&mut diesel::MysqlConnection::establish(&url)?);
    }
    #[cfg(feature = "sqlite")]
    {
        let conn = &mut diesel::SqliteConnection::establish(&url)?;
        contenttypes::sqlite::configure(conn)?;
        run(conn)
    }
    #[cfg(not(feature = "sqlite"))]
    Err(format!("no backend feature for {url}").into())
}

fn run<C>(conn: &mut C) -> Result<(), Box<dyn Error>>
where
    C: contenttypes::conn::SyncConn + MigrationHarness<<C as contenttypes::Conn>::Backend>,
{
    let applied = migrations::run_pending_migrations(conn, MIGRATIONS)?;
    println!("applied migrations: {:?}", applied.migrations);
    println!("created content types: {:?}", applied.content_types);

    let rust = match Tag::all(conn)?.into_iter().find(|t| t.name == "rust") {
        Some(tag) => tag,
        None => Tag::insert(
            conn,
            NewTag {
                name: "rust".into(),
            },
        )?,
    };
    let article = Article::insert(
        conn,
        NewArticle {
            title: "Migrations from cargo build".into(),
            subtitle: Some("and the diesel CLI".into()),
        },
    )?;
    article
        .tags()
        .create(conn, |content_object| NewTaggedItem {
            tag_id: rust.id,
            content_object,
        })?;
    let ct = ContentType::for_model::<Article>(conn)?;
    println!(
        "article {} ({}) has {} tag(s)",
        article.id,
        ct.app_labeled_name(),
        article.tags().count(conn)?
    );
    Ok(())
}
