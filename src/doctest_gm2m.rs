// Models and a connection for the generic many-to-many documentation's examples, included by
// each of them (`# include!("../../../src/doctest_gm2m.rs");`). Not compiled into the library.
use contenttypes::prelude::*;
#[allow(unused_imports)]
use diesel::prelude::*;

/// The through model: a foreign key to the user, a generic foreign key to a movie or a book.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "library", unique(user_id, content_type_id, object_id))]
pub struct Favourite {
    pub id: i64,
    #[model(foreign_key = User, on_delete = cascade)]
    pub user_id: i64,
    pub content_type_id: i32,
    #[model(max_length = 64)]
    pub object_id: String,
    #[generic_foreign_key(targets(Movie, Book))]
    pub target: GenericForeignKey,
    pub note: Option<String>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "library")]
pub struct User {
    pub id: i64,
    #[model(max_length = 100)]
    pub name: String,
    pub favourites: GenericManyToMany<Favourite>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "library")]
pub struct Movie {
    pub id: i64,
    #[model(max_length = 100)]
    pub title: String,
    pub favourited_by: GenericRelation<Favourite>,
}

/// A text key.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "library")]
pub struct Book {
    #[model(primary_key, max_length = 20)]
    pub isbn: String,
    #[model(max_length = 100)]
    pub title: String,
    pub favourited_by: GenericRelation<Favourite>,
}

#[allow(dead_code)]
fn connection() -> diesel::SqliteConnection {
    let mut conn = diesel::SqliteConnection::establish(":memory:").expect("an in-memory SQLite database");
    contenttypes::create_tables(&mut conn).expect("the tables");
    conn
}
