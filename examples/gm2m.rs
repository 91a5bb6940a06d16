//! Generic many-to-many (django-gm2m's `GM2MField`): users favourite movies, documentaries
//! and books through one through model, `Favourite` (a foreign key to the user, a generic
//! foreign key to the target, unique together). Each step prints the statements it took.
//!
//! ```text
//! cargo run --example gm2m                                  # an SQLite file, gm2m.db
//! cargo run --example gm2m --features postgres -- postgres://postgres@127.0.0.1/test
//! cargo run --example gm2m --features mysql -- mysql://root@127.0.0.1/test
//! ```
//!
//! The URL may also come from `DATABASE_URL`. On a server database the example drops and
//! recreates its own five tables (never `django_content_type`).

use std::error::Error;

use contenttypes::prelude::*;
use diesel::prelude::*;

/// The through model. The object id is text, so targets with integer and text keys mix in
/// one relation (PostgreSQL gets the casts it needs); `note` is an extra column.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "library", unique(user_id, content_type_id, object_id))]
pub struct Favourite {
    pub id: i64,
    /// The source side's `on_delete`: deleting a user deletes their favourites.
    #[model(foreign_key = User, on_delete = cascade)]
    pub user_id: i64,
    pub content_type_id: i32,
    #[model(max_length = 64)]
    pub object_id: String,
    #[generic_foreign_key]
    pub target: GenericForeignKey,
    pub note: Option<String>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "library")]
pub struct User {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
    /// `user.favourites()` and `User::FAVOURITES`.
    pub favourites: GenericManyToMany<Favourite>,
}

/// Integer keys. The reverse relation makes deleting a movie delete the links to it.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "library")]
pub struct Movie {
    pub id: i64,
    #[model(max_length = 100)]
    pub title: String,
    pub favourited_by: GenericRelation<Favourite>,
}

/// Text keys.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "library")]
pub struct Documentary {
    #[model(primary_key, max_length = 40)]
    pub slug: String,
    #[model(max_length = 100)]
    pub title: String,
    pub favourited_by: GenericRelation<Favourite>,
}

/// Text keys too (ISBNs).
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "library")]
pub struct Book {
    #[model(primary_key, max_length = 20)]
    pub isbn: String,
    #[model(max_length = 100)]
    pub title: String,
    pub favourited_by: GenericRelation<Favourite>,
}

pub const MODELS: [&contenttypes::ir::ModelDef; 5] = [
    User::DEF,
    Favourite::DEF,
    Movie::DEF,
    Documentary::DEF,
    Book::DEF,
];

// Diesel code with operators (`.eq`, `.like`...) is written against a concrete connection,
// so the walkthrough is stamped once per backend.
macro_rules! walkthrough {
    ($conn:ty) => {
        use contenttypes::testing::QueryLog;
        use contenttypes::{strict_loading, NoFilter, SupportedBackend};

        use super::*;

        pub fn walkthrough(db: &mut $conn) -> Result<(), Box<dyn Error>> {
            let dialect = <<$conn as Connection>::Backend as SupportedBackend>::DIALECT;
            let log = QueryLog::attach(db);
            println!("== generic many-to-many on {}\n", dialect.name());
            // Every registered model's table: a delete applies the policy of every generic foreign
            // key that can point at the deleted rows, so their tables must all be there.
            contenttypes::schema::drop_tables(db)?;
            contenttypes::schema::create_tables(db)?;
            contenttypes::create_content_types(db)?;
            log.reset();

            let ada = User::insert(db, NewUser { name: "ada".into() })?;
            let bob = User::insert(db, NewUser { name: "bob".into() })?;
            let cy = User::insert(db, NewUser { name: "cy".into() })?;
            let alien = Movie::insert(db, NewMovie { title: "Alien".into() })?;
            let heat = Movie::insert(db, NewMovie { title: "Heat".into() })?;
            let planet = Documentary::insert(db, NewDocumentary { slug: "planet-earth".into(), title: "Planet Earth".into() })?;
            let dune = Book::insert(db, NewBook { isbn: "978-0441172719".into(), title: "Dune".into() })?;
            // The content types, cached once (afterwards every lookup is free).
            ContentType::for_models(db, &MODELS)?;
            log.reset();

            // --- Writes -------------------------------------------------------------------
            println!("Adding targets of three models (Target::to checks each key at compile time):");
            let added = ada.favourites().add(db, [Target::to(&alien), Target::to(&planet), Target::to(&dune)])?;
            step(&log, &format!("ada.favourites().add(alien, planet, dune): {added} links, one INSERT"));
            let added = ada.favourites().add(db, [Target::to(&alien)])?;
            step(&log, &format!("adding alien again: {added} links (the existing link is skipped)"));
            bob.favourites().add_with(db, [Target::to(&heat), Target::to(&dune)], |target| NewFavourite {
                user_id: bob.id,
                target,
                note: Some("rainy day".into()),
            })?;
            step(&log, "bob.favourites().add_with(heat, dune) filling the note column");

            // --- Reads --------------------------------------------------------------------
            println!("\nReading:");
            let all = ada.favourites().all(db)?;
            let listed: Vec<String> = all.iter().map(describe).collect();
            step(&log, &format!("ada.favourites().all(): {listed:?} (1 for the links, 1 per model)"));
            let movies = ada.favourites().of::<Movie, _>(db)?;
            step(&log, &format!("ada.favourites().of::<Movie>(): {:?}", titles(&movies)));
            let count = bob.favourites().count(db)?;
            step(&log, &format!("bob.favourites().count(): {count}"));
            let has = bob.favourites().contains(db, &dune)?;
            step(&log, &format!("bob.favourites().contains(&dune): {has}"));

            // --- Filters ------------------------------------------------------------------
            println!("\nFiltering users by their favourites (one statement each, each user once):");
            let fans = User::filter(User::FAVOURITES.contains(&dune)).load(db)?;
            step(&log, &format!("User::FAVOURITES.contains(&dune): {:?}", names(&fans)));
            let a_movies = User::FAVOURITES.any_of::<Movie, _>(library_movie::title.like("A%"));
            let found = User::filter(a_movies).load(db)?;
            step(&log, &format!("User::FAVOURITES.any_of::<Movie>(title LIKE 'A%'): {:?}", names(&found)));
            let found = User::filter(User::FAVOURITES.none_of::<Documentary, _>(NoFilter)).load(db)?;
            step(&log, &format!("User::FAVOURITES.none_of::<Documentary>(): {:?}", names(&found)));
            let found = User::filter(User::FAVOURITES.none()).load(db)?;
            step(&log, &format!("User::FAVOURITES.none(): {:?}", names(&found)));

            // --- Prefetching --------------------------------------------------------------
            println!("\nPrefetching (no N+1):");
            let users = User::all(db)?;
            log.reset();
            User::FAVOURITES.prefetch(db, &users)?;
            step(&log, "User::FAVOURITES.prefetch(&users): the links of all users, then 1 per target model");
            {
                let _strict = strict_loading(); // a lazy query would now be an error
                for user in &users {
                    let movies = user.favourites().of::<Movie, _>(db)?;
                    let n = user.favourites().count(db)?;
                    println!("    {}: {n} favourites, movies {:?}", user.name, titles(&movies));
                }
                step(&log, "every user's of::<Movie>() and count() from the cache");
            }
            let movies = Movie::all(db)?;
            log.reset();
            Movie::FAVOURITED_BY.prefetch_related(db, &movies, Favourite::USER)?;
            step(&log, "the other way: Movie::FAVOURITED_BY.prefetch_related(&movies, Favourite::USER)");
            for movie in &movies {
                let rows = movie.favourited_by().select_related(Favourite::USER).all_shared(db)?;
                let fans: Vec<&str> = rows.iter().map(|(_, user)| user.name.as_str()).collect();
                println!("    {} is a favourite of {fans:?}", movie.title);
            }
            step(&log, "each movie's fans from the cache");

            // --- Remove, set, delete ------------------------------------------------------
            println!("\nChanging and deleting:");
            let removed = ada.favourites().remove(db, [Target::to(&planet), Target::to(&dune)])?;
            step(&log, &format!("ada.favourites().remove(planet, dune): {removed} links, one DELETE"));
            let (added, removed) = ada.favourites().set(db, [Target::to(&alien), Target::to(&heat), Target::to(&planet)])?;
            step(&log, &format!("ada.favourites().set(alien, heat, planet): +{added} -{removed} (a locking read, a read of the links, the INSERT; a DELETE when some go)"));
            let deleted = heat.delete(db)?;
            step(&log, &format!("deleting Heat deletes the links to it ({}) first", deleted.of::<Favourite>()));
            let deleted = bob.delete(db)?;
            step(&log, &format!("deleting bob deletes his links ({}) first", deleted.of::<Favourite>()));
            let deleted = cy.delete(db)?;
            step(&log, &format!("deleting cy, who has none: {} row", deleted.total));
            let left: Vec<String> = ada.favourites().all(db)?.iter().map(describe).collect();
            println!("\nada's favourites now: {left:?}");
            Ok(())
        }
    };
}

#[cfg(feature = "sqlite")]
mod on_sqlite {
    walkthrough!(diesel::SqliteConnection);
}
#[cfg(feature = "postgres")]
mod on_postgres {
    walkthrough!(diesel::PgConnection);
}
#[cfg(feature = "mysql")]
mod on_mysql {
    walkthrough!(diesel::MysqlConnection);
}

#[allow(dead_code)]
fn step(log: &contenttypes::testing::QueryLog, what: &str) {
    let n = log.count();
    println!(
        "  [{n} {}] {what}",
        if n == 1 { "query" } else { "queries" }
    );
    log.reset();
}

#[allow(dead_code)]
fn describe(target: &GenericObject) -> String {
    if let Ok(movie) = target.downcast_ref::<Movie>() {
        format!("movie {}", movie.title)
    } else if let Ok(doc) = target.downcast_ref::<Documentary>() {
        format!("documentary {}", doc.title)
    } else if let Ok(book) = target.downcast_ref::<Book>() {
        format!("book {}", book.title)
    } else {
        format!("{target:?}")
    }
}

#[allow(dead_code)]
fn titles(movies: &[Movie]) -> Vec<&str> {
    movies.iter().map(|m| m.title.as_str()).collect()
}

#[allow(dead_code)]
fn names(users: &[User]) -> Vec<&str> {
    users.iter().map(|u| u.name.as_str()).collect()
}

#[macro_use]
#[path = "shared/main_by_url.rs"]
mod main_by_url;

main_by_url!("gm2m.db", walkthrough);
