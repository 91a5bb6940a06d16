//! Adding contenttypes to an existing Diesel application (docs/existing-diesel-app.md).
//!
//! The application already has its tables, created by its own Diesel migrations and
//! described by `src/schema.rs` from `diesel print-schema`. Its structs become models by
//! pointing `table_name` at the schema's tables: no `table!` is generated for them, no DDL
//! is planned for them, and each field is checked against its column at compile time.
//! New models (the comments) are the framework's own.
//!
//! ```text
//! cargo run -p existing-app                                        # an SQLite file
//! cargo run -p existing-app --features postgres -- postgres://...  # or mysql://...
//! ```

mod schema;

use std::error::Error;

use contenttypes::prelude::*;
use diesel::prelude::*;

use schema::{blog_author, blog_post};

/// An existing table, now a model: `table_name` is the print-schema table.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "blog", table_name = crate::schema::blog_post)]
pub struct Post {
    pub id: i32,
    #[model(max_length = 200)]
    pub title: String,
    pub body: String,
    pub published_at: Option<chrono::NaiveDateTime>,
    #[generic_relation(related_query_name = "post")]
    pub comments: GenericRelation<Comment>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "blog", table_name = crate::schema::blog_author)]
pub struct Author {
    pub id: i32,
    #[model(max_length = 100)]
    pub name: String,
    #[generic_relation(related_query_name = "author")]
    pub comments: GenericRelation<Comment>,
}

/// A new model, owned by the framework: comments on posts, authors, anything.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "discussion")]
pub struct Comment {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[model(max_length = 500)]
    pub text: String,
    pub content_object: GenericForeignKey,
}

/// What the application's own migrations created before contenttypes arrived.
fn existing_tables(dialect: contenttypes::Dialect) -> [String; 2] {
    let key = match dialect {
        contenttypes::Dialect::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        contenttypes::Dialect::Postgres => "SERIAL PRIMARY KEY",
        contenttypes::Dialect::Mysql => "INTEGER AUTO_INCREMENT PRIMARY KEY",
    };
    [
        format!("CREATE TABLE blog_post (id {key}, title VARCHAR(200) NOT NULL, body TEXT NOT NULL, published_at TIMESTAMP NULL)"),
        format!("CREATE TABLE blog_author (id {key}, name VARCHAR(100) NOT NULL)"),
    ]
}

/// The program, for one concrete connection type (Diesel's query builder is not generic
/// over backends).
macro_rules! run {
    ($conn:expr, $dialect:expr) => {{
        let conn = $conn;
        for table in ["discussion_comment", "blog_post", "blog_author"] {
            diesel::sql_query(format!("DROP TABLE IF EXISTS {table}")).execute(conn)?;
        }
        for statement in existing_tables($dialect) {
            diesel::sql_query(statement).execute(conn)?;
        }
        // The framework's tables: `django_content_type` and the comments (with the build
        // helper, these come from generated migrations instead; see docs/migrations.md).
        contenttypes::create_tables(conn)?;

        let post = Post::insert(
            conn,
            NewPost {
                title: "Hello".into(),
                body: "...".into(),
                published_at: None,
            },
        )?;
        let author = Author::insert(conn, NewAuthor { name: "Ada".into() })?;
        post.comments().create(conn, |content_object| NewComment {
            text: "first".into(),
            content_object,
        })?;
        post.comments().create(conn, |content_object| NewComment {
            text: "second".into(),
            content_object,
        })?;
        author
            .comments()
            .create(conn, |content_object| NewComment {
                text: "hi Ada".into(),
                content_object,
            })?;
        println!(
            "post {:?} has {} comments",
            post.title,
            post.comments().count(conn)?
        );

        // Diesel's query builder over the print-schema tables, with the relation filter.
        let commented: Vec<Post> = blog_post::table
            .filter(Post::COMMENTS.exists())
            .select(Post::as_select())
            .load(conn)?;
        let titles: Vec<&String> = commented.iter().map(|p| &p.title).collect();
        println!("posts with comments: {titles:?}");
        let names: Vec<String> = blog_author::table.select(blog_author::name).load(conn)?;
        println!("authors: {names:?}");

        let first = &Comment::all(conn)?[0];
        let target = first
            .content_object(conn)?
            .ok_or("the first comment has no target")?;
        println!(
            "the first comment is on {:?}",
            target.downcast_ref::<Post>().map(|p| &p.title)
        );
        if commented != vec![post.refresh(conn)?] {
            return Err("the relation filter found the wrong posts".into());
        }
        Ok(())
    }};
}

fn main() -> Result<(), Box<dyn Error>> {
    let url = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("DATABASE_URL").ok())
        .unwrap_or_else(|| "existing-app.db".into());
    #[cfg(feature = "postgres")]
    if url.starts_with("postgres") {
        let conn = &mut diesel::PgConnection::establish(&url)?;
        return run!(conn, contenttypes::Dialect::Postgres);
    }
    #[cfg(feature = "mysql")]
    if url.starts_with("mysql") {
        let conn = &mut diesel::MysqlConnection::establish(&url)?;
        return run!(conn, contenttypes::Dialect::Mysql);
    }
    #[cfg(feature = "sqlite")]
    #[allow(clippy::needless_return)] // not the last statement without the feature
    {
        let conn = &mut diesel::SqliteConnection::establish(&url)?;
        contenttypes::sqlite::configure(conn)?;
        return run!(conn, contenttypes::Dialect::Sqlite);
    }
    #[cfg(not(feature = "sqlite"))]
    Err(format!("no backend feature for {url}").into())
}
