//! Generic many-to-many relations (django-gm2m's `GM2MField`): a user's favourites are rows of
//! any mix of models, stored as rows of one through model (a foreign key to the user, a
//! generic foreign key to the target, unique together), read, written, filtered, prefetched
//! and deleted on every backend, with the statements each takes.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use common::{assert_queries, backend_tests, probe, protected, TestConnection};
use contenttypes::prelude::*;
use contenttypes::{strict_loading, Error, NoFilter};
use diesel::prelude::*;

// --- Models ------------------------------------------------------------------------------

/// The through model: a text object id, so targets with integer, text and UUID keys mix.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m", unique(user_id, content_type_id, object_id))]
pub struct Favourite {
    pub id: i64,
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
#[model(app_label = "gm2m")]
pub struct User {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
    pub favourites: GenericManyToMany<Favourite>,
}

/// An integer key; deleting one deletes the links to it (it declares the reverse relation).
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m")]
pub struct Movie {
    pub id: i64,
    #[model(max_length = 100)]
    pub title: String,
    #[generic_relation(related_query_name = "movie")]
    pub favourited_by: GenericRelation<Favourite>,
}

/// A text key.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m")]
pub struct Book {
    #[model(primary_key, max_length = 20)]
    pub isbn: String,
    #[model(max_length = 100)]
    pub title: String,
    pub favourited_by: GenericRelation<Favourite>,
}

/// An `i32` key, and no reverse relation: deleting one deletes the links to it all the same.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m")]
pub struct Song {
    pub id: i32,
    #[model(max_length = 100)]
    pub title: String,
}

/// The target side's `on_delete = restrict` (django-gm2m's `on_delete_tgt`): a painting
/// someone favourites cannot be deleted.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m")]
pub struct Painting {
    pub id: i64,
    #[model(max_length = 100)]
    pub title: String,
    #[generic_relation(on_delete = restrict)]
    pub favourited_by: GenericRelation<Favourite>,
}

/// A UUID key.
#[cfg(feature = "uuid")]
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m")]
pub struct Documentary {
    #[model(primary_key)]
    pub id: uuid::Uuid,
    #[model(max_length = 100)]
    pub title: String,
    pub favourited_by: GenericRelation<Favourite>,
}

/// Typed targets (`targets(Movie, Book)`) and a through column without a default.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m", unique(critic_id, content_type_id, object_id))]
pub struct Pick {
    pub id: i64,
    #[model(foreign_key = Critic, on_delete = cascade)]
    pub critic_id: i64,
    pub content_type_id: i32,
    #[model(max_length = 64)]
    pub object_id: String,
    #[generic_foreign_key(targets(Movie, Book))]
    pub target: GenericForeignKey,
    pub rank: i32,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m")]
pub struct Critic {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
    pub picks: GenericManyToMany<Pick>,
}

/// The source side restricted: a member with loans cannot be deleted.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m", unique(member_id, content_type_id, object_id))]
pub struct Loan {
    pub id: i64,
    #[model(foreign_key = Member, on_delete = restrict)]
    pub member_id: i64,
    pub content_type_id: i32,
    #[model(max_length = 64)]
    pub object_id: String,
    #[generic_foreign_key]
    pub target: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m")]
pub struct Member {
    pub id: i64,
    pub loans: GenericManyToMany<Loan>,
}

/// Through models that cannot serve: two foreign keys to the source, none, no unique
/// constraint over the link.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(
    app_label = "gm2m",
    unique(home_id, away_id, content_type_id, object_id)
)]
pub struct Rivalry {
    pub id: i64,
    #[model(foreign_key = Team, on_delete = cascade)]
    pub home_id: i64,
    #[model(foreign_key = Team, on_delete = cascade)]
    pub away_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub target: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m")]
pub struct Team {
    pub id: i64,
    pub rivals: GenericManyToMany<Rivalry>,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m", unique(owner_id, content_type_id, object_id))]
pub struct Loose {
    pub id: i64,
    pub owner_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub target: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m")]
pub struct Owner {
    pub id: i64,
    pub things: GenericManyToMany<Loose>,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m")]
pub struct Marble {
    pub id: i64,
    #[model(foreign_key = Jar, on_delete = cascade)]
    pub jar_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub target: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "gm2m")]
pub struct Jar {
    pub id: i64,
    pub marbles: GenericManyToMany<Marble>,
}

use gm2m_movie as movie;
use gm2m_user as user;

// --- Helpers -----------------------------------------------------------------------------

fn user(db: &mut impl Db<Mode = SyncMode>, name: &str) -> User {
    User::insert(db, NewUser { name: name.into() }).unwrap()
}

fn movie(db: &mut impl Db<Mode = SyncMode>, title: &str) -> Movie {
    Movie::insert(
        db,
        NewMovie {
            title: title.into(),
        },
    )
    .unwrap()
}

fn book(db: &mut impl Db<Mode = SyncMode>, isbn: &str, title: &str) -> Book {
    Book::insert(
        db,
        NewBook {
            isbn: isbn.into(),
            title: title.into(),
        },
    )
    .unwrap()
}

fn song(db: &mut impl Db<Mode = SyncMode>, title: &str) -> Song {
    Song::insert(
        db,
        NewSong {
            title: title.into(),
        },
    )
    .unwrap()
}

/// The content types of every target model, and of the through models and the users (a
/// delete of their rows looks at what points at them), cached: counts below are the
/// relation's own.
fn warm(db: &mut impl Db<Mode = SyncMode>) {
    ContentType::for_models(db, &[Favourite::DEF, Pick::DEF, User::DEF]).unwrap();
    ContentType::for_model::<Movie>(db).unwrap();
    ContentType::for_model::<Book>(db).unwrap();
    ContentType::for_model::<Song>(db).unwrap();
    #[cfg(feature = "uuid")]
    ContentType::for_model::<Documentary>(db).unwrap();
}

/// Targets as `Model:key`, sorted: the relation's reads are grouped by model, in no order
/// within.
fn names(targets: impl IntoIterator<Item = impl Into<GenericObject>>) -> Vec<String> {
    let set: BTreeSet<String> = targets
        .into_iter()
        .map(|t| {
            let t: GenericObject = t.into();
            format!("{}:{}", t.model_def().type_name, t.pk())
        })
        .collect();
    set.into_iter().collect()
}

fn expect(items: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn user_names(users: Vec<User>) -> Vec<String> {
    users.into_iter().map(|u| u.name).collect()
}

backend_tests! {
    /// `add` of a mix of models is one statement and skips links that exist; `all` is 1
    /// query for the links and 1 per target model; `of` 1 query; `count` and `contains` 1.
    fn add_and_read(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let (ada, bob) = (user(db, "ada"), user(db, "bob"));
        let (alien, heat) = (movie(db, "Alien"), movie(db, "Heat"));
        let dune = book(db, "978-0441", "Dune");
        let tune = song(db, "Tune");
        // A book whose key spells a movie's: the content type tells them apart.
        let twin = book(db, &alien.id.to_string(), "Twin");

        let added = assert_queries(&log, 1, || {
            ada.favourites().add(db, [Target::to(&alien), Target::to(&dune), Target::to(&tune), Target::to(&alien)]).unwrap()
        });
        assert_eq!(added, 3, "each link once");
        let added = assert_queries(&log, 1, || ada.favourites().add(db, [Target::to(&alien), Target::to(&heat)]).unwrap());
        assert_eq!(added, 1, "the existing link is skipped, not an error");
        assert_eq!(assert_queries(&log, 0, || ada.favourites().add(db, []).unwrap()), 0);

        let all = assert_queries(&log, 4, || ada.favourites().all(db).unwrap());
        let alien_key = format!("Movie:{}", alien.id);
        let heat_key = format!("Movie:{}", heat.id);
        let tune_key = format!("Song:{}", tune.id);
        assert_eq!(names(all), expect(&[&alien_key, &heat_key, "Book:978-0441", &tune_key]));
        let movies = assert_queries(&log, 1, || ada.favourites().of::<Movie, _>(db).unwrap());
        assert_eq!(movies, [alien.clone(), heat.clone()], "in key order");
        assert_eq!(assert_queries(&log, 1, || ada.favourites().of::<Book, _>(db).unwrap()), vec![dune.clone()]);
        assert_eq!(assert_queries(&log, 1, || ada.favourites().of::<Song, _>(db).unwrap()), vec![tune.clone()]);
        assert_eq!(assert_queries(&log, 1, || ada.favourites().count(db).unwrap()), 4);
        assert!(assert_queries(&log, 1, || ada.favourites().contains(db, &alien).unwrap()));
        assert!(!assert_queries(&log, 1, || ada.favourites().contains(db, &twin).unwrap()));
        assert!(ada.favourites().contains(db, &dune).unwrap());

        // Another user's links are apart.
        assert_eq!(bob.favourites().count(db).unwrap(), 0);
        assert!(bob.favourites().all(db).unwrap().is_empty());
        assert!(bob.favourites().of::<Movie, _>(db).unwrap().is_empty());
        assert!(!bob.favourites().contains(db, &alien).unwrap());
        bob.favourites().add(db, [Target::to(&twin)]).unwrap();
        assert_eq!(bob.favourites().of::<Book, _>(db).unwrap(), vec![twin.clone()]);
        assert!(bob.favourites().of::<Movie, _>(db).unwrap().is_empty(), "the twin's key is no movie's link");
        assert_eq!(ada.favourites().of::<Book, _>(db).unwrap(), [dune]);

        // The stored rows: one per link, the key as text.
        let rows = Favourite::all(db).unwrap();
        assert_eq!(rows.len(), 5);
        assert!(rows.iter().any(|r| r.user_id == ada.id && r.object_id == alien.id.to_string()));
    }

    /// Typed targets read as the generated enum; a through column without a default makes
    /// `add` refuse (nothing sent) and `add_with` fill it; `set_with` keeps the rows it keeps.
    fn typed_targets_and_through_columns(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let critic = Critic::insert(db, NewCritic { name: "pauline".into() }).unwrap();
        let (alien, heat) = (movie(db, "Alien"), movie(db, "Heat"));
        let dune = book(db, "978-0441", "Dune");

        let error = assert_queries(&log, 0, || critic.picks().add(db, [Target::to(&alien)]).unwrap_err());
        assert!(matches!(error, Error::InvalidArgument(_)), "{error}");
        assert!(error.to_string().contains("add_with"), "{error}");

        // `critic_id: 0` is replaced by the manager: the row is this critic's.
        let added = assert_queries(&log, 1, || {
            critic.picks().add_with(db, [Target::to(&alien), Target::to(&dune)], |target| NewPick { critic_id: 0, target, rank: 5 }).unwrap()
        });
        assert_eq!(added, 2);
        let rows = Pick::all(db).unwrap();
        assert!(rows.iter().all(|r| r.critic_id == critic.id && r.rank == 5), "{rows:?}");

        let picks = assert_queries(&log, 3, || critic.picks().all(db).unwrap());
        let mut titles: Vec<String> = picks
            .iter()
            .map(|p| match p {
                PickTarget::Movie(m) => m.title.clone(),
                PickTarget::Book(b) => b.title.clone(),
            })
            .collect();
        titles.sort();
        assert_eq!(titles, ["Alien", "Dune"]);

        // A locking read, a read of the links, the removed link's key (picks can be pointed
        // at, so they are collected), one probe of the generic foreign keys that can point at
        // a pick, the DELETE and the INSERT.
        let changed = assert_queries(&log, 4 + probe::<Pick>(), || {
            critic.picks().set_with(db, [Target::to(&dune), Target::to(&heat)], |target| NewPick { critic_id: critic.id, target, rank: 1 }).unwrap()
        });
        assert_eq!(changed, (1, 1));
        let mut ranks: Vec<(String, i32)> = Pick::all(db).unwrap().into_iter().map(|r| (r.object_id, r.rank)).collect();
        ranks.sort();
        let mut want = vec![(dune.isbn.clone(), 5), (heat.id.to_string(), 1)];
        want.sort();
        assert_eq!(ranks, want, "the kept link keeps its rank");
        assert!(matches!(critic.picks().set(db, [Target::to(&alien)]).unwrap_err(), Error::InvalidArgument(_)));
    }

    /// `remove` of a mix of models and `clear` are one `DELETE` each, after a `SELECT` of the
    /// links' keys and one probe of the generic foreign keys that can point at a link (a
    /// through row can be pointed at like any row); the targets stay.
    fn remove_and_clear(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let (ada, bob) = (user(db, "ada"), user(db, "bob"));
        let (alien, heat) = (movie(db, "Alien"), movie(db, "Heat"));
        let dune = book(db, "978-0441", "Dune");
        let tune = song(db, "Tune");
        ada.favourites().add(db, [Target::to(&alien), Target::to(&heat), Target::to(&dune), Target::to(&tune)]).unwrap();
        bob.favourites().add(db, [Target::to(&alien), Target::to(&dune)]).unwrap();

        let removing = 1 + probe::<Favourite>();
        let removed = assert_queries(&log, removing, || ada.favourites().remove(db, [Target::to(&alien), Target::to(&dune)]).unwrap());
        assert_eq!(removed, 2);
        // Nothing to remove: the probe and a DELETE that finds nothing.
        assert_eq!(assert_queries(&log, removing, || ada.favourites().remove(db, [Target::to(&alien)]).unwrap()), 0);
        assert_eq!(assert_queries(&log, 0, || ada.favourites().remove(db, []).unwrap()), 0);
        assert_eq!(names(ada.favourites().all(db).unwrap()), expect(&[&format!("Movie:{}", heat.id), &format!("Song:{}", tune.id)]));
        assert_eq!(bob.favourites().count(db).unwrap(), 2, "another user's links stay");

        assert_eq!(assert_queries(&log, removing, || ada.favourites().clear(db).unwrap()), 2);
        assert_eq!(ada.favourites().count(db).unwrap(), 0);
        assert_eq!(bob.favourites().count(db).unwrap(), 2);
        assert_eq!(Movie::count(db).unwrap(), 2, "targets are not deleted");
        assert_eq!(Book::count(db).unwrap(), 1);
    }

    /// `set` changes only what differs: a locking read, a read of the links, at most one
    /// `DELETE` (with the removal's `SELECT` of keys and one statement per generic foreign
    /// key that can point at a link) and one `INSERT`; an unsaved source is an error and
    /// changes nothing.
    fn set_changes_only_what_differs(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let ada = user(db, "ada");
        let (alien, heat) = (movie(db, "Alien"), movie(db, "Heat"));
        let dune = book(db, "978-0441", "Dune");
        let tune = song(db, "Tune");
        ada.favourites().add(db, [Target::to(&alien), Target::to(&dune)]).unwrap();
        let kept = Favourite::all(db).unwrap().into_iter().find(|f| f.object_id == alien.id.to_string()).unwrap();

        let removal = 1 + probe::<Favourite>();
        let changed = assert_queries(&log, 3 + removal, || ada.favourites().set(db, [Target::to(&alien), Target::to(&heat), Target::to(&tune)]).unwrap());
        assert_eq!(changed, (2, 1));
        assert_eq!(
            names(ada.favourites().all(db).unwrap()),
            expect(&[&format!("Movie:{}", alien.id), &format!("Movie:{}", heat.id), &format!("Song:{}", tune.id)])
        );
        let rows = Favourite::all(db).unwrap();
        assert!(rows.contains(&kept), "the kept link is the same row");

        assert_eq!(assert_queries(&log, 2, || ada.favourites().set(db, [Target::to(&tune), Target::to(&heat), Target::to(&alien)]).unwrap()), (0, 0));
        assert_eq!(assert_queries(&log, 2 + removal, || ada.favourites().set(db, []).unwrap()), (0, 3));
        assert_eq!(ada.favourites().count(db).unwrap(), 0);

        let ghost = User { id: ada.id + 1000, name: "ghost".into(), favourites: Default::default() };
        let error = ghost.favourites().set(db, [Target::to(&alien)]).unwrap_err();
        assert!(matches!(error, Error::Unsaved { .. }), "{error}");
        assert_eq!(Favourite::count(db).unwrap(), 0);
    }

    /// Filters on the users by their favourites: one statement each, each user once, the
    /// content type part of the match (a movie and a song with the same key are apart).
    fn filters_on_the_source_model(t) {
        let log = t.log();
        let db = &mut t.db();
        let (ada, bob, cy, dee) = (user(db, "ada"), user(db, "bob"), user(db, "cy"), user(db, "dee"));
        let (alien, heat) = (movie(db, "Alien"), movie(db, "Heat"));
        let dune = book(db, "978-0441", "Dune");
        let tune = song(db, "Tune");
        assert_eq!(alien.id, i64::from(tune.id), "the same key in two models");
        ada.favourites().add(db, [Target::to(&alien), Target::to(&heat), Target::to(&dune)]).unwrap();
        bob.favourites().add(db, [Target::to(&dune)]).unwrap();
        dee.favourites().add(db, [Target::to(&tune)]).unwrap();
        let _ = &cy;

        assert_eq!(assert_queries(&log, 1, || user_names(User::filter(User::FAVOURITES.contains(&alien)).load(db).unwrap())), ["ada"]);
        assert_eq!(assert_queries(&log, 1, || user_names(User::filter(User::FAVOURITES.contains(&tune)).load(db).unwrap())), ["dee"]);
        assert_eq!(user_names(User::filter(User::FAVOURITES.contains(&dune)).load(db).unwrap()), ["ada", "bob"]);
        // Two matching movies, one row.
        let with_e = User::FAVOURITES.any_of::<Movie, _>(movie::title.like("%e%"));
        assert_eq!(assert_queries(&log, 1, || user_names(User::filter(with_e).load(db).unwrap())), ["ada"]);
        assert_eq!(user_names(User::filter(User::FAVOURITES.any_of::<Movie, _>(movie::title.eq("Heat"))).load(db).unwrap()), ["ada"]);
        assert!(User::filter(User::FAVOURITES.any_of::<Movie, _>(movie::title.eq("Jaws"))).load(db).unwrap().is_empty());
        assert_eq!(user_names(User::filter(User::FAVOURITES.any_of::<Book, _>(NoFilter)).load(db).unwrap()), ["ada", "bob"]);
        assert_eq!(user_names(User::filter(User::FAVOURITES.any_of::<Song, _>(NoFilter)).load(db).unwrap()), ["dee"]);
        let no_movie = User::FAVOURITES.none_of::<Movie, _>(NoFilter);
        assert_eq!(assert_queries(&log, 1, || user_names(User::filter(no_movie).load(db).unwrap())), ["bob", "cy", "dee"]);
        assert_eq!(assert_queries(&log, 1, || user_names(User::filter(User::FAVOURITES.exists()).load(db).unwrap())), ["ada", "bob", "dee"]);
        assert_eq!(assert_queries(&log, 1, || user_names(User::filter(User::FAVOURITES.none()).load(db).unwrap())), ["cy"]);
        assert_eq!(User::filter(User::FAVOURITES.exists()).count(db).unwrap(), 3);
        // Combined with `OR` and with the user's own columns, in Diesel's query builder.
        let either = User::FAVOURITES.contains(&tune).or(User::FAVOURITES.contains(&heat));
        assert_eq!(user_names(User::filter(either).load(db).unwrap()), ["ada", "dee"]);
        let conn = &mut t.conn;
        let found: Vec<User> = user::table
            .filter(User::FAVOURITES.contains(&dune).and(user::name.ne("ada")))
            .load(conn)
            .unwrap();
        assert_eq!(user_names(found), ["bob"]);
    }

    /// Prefetching the favourites of many users: 1 query for their links, 1 per target
    /// model; then every read is free, and a write drops the cache.
    fn prefetch_then_reads_are_free(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let (ada, bob) = (user(db, "ada"), user(db, "bob"));
        user(db, "cy");
        let (alien, heat) = (movie(db, "Alien"), movie(db, "Heat"));
        let dune = book(db, "978-0441", "Dune");
        let tune = song(db, "Tune");
        ada.favourites().add(db, [Target::to(&alien), Target::to(&dune), Target::to(&tune)]).unwrap();
        bob.favourites().add(db, [Target::to(&alien), Target::to(&heat)]).unwrap();
        let users = User::all(db).unwrap();

        assert_queries(&log, 4, || User::FAVOURITES.prefetch(db, &users).unwrap());
        assert!(users.iter().all(|u| u.favourites.is_prefetched()));
        {
            let _strict = strict_loading();
            assert_queries(&log, 0, || {
                assert_eq!(names(users[0].favourites().all(db).unwrap()), expect(&[&format!("Movie:{}", alien.id), "Book:978-0441", &format!("Song:{}", tune.id)]));
                assert_eq!(users[0].favourites().of::<Movie, _>(db).unwrap(), vec![alien.clone()]);
                assert_eq!(users[1].favourites().of::<Movie, _>(db).unwrap(), [alien.clone(), heat.clone()]);
                assert_eq!(users[0].favourites().of::<Book, _>(db).unwrap(), vec![dune.clone()]);
                assert_eq!(users[0].favourites().count(db).unwrap(), 3);
                assert!(users[1].favourites().contains(db, &heat).unwrap());
                assert!(!users[0].favourites().contains(db, &heat).unwrap());
                assert!(users[2].favourites().all(db).unwrap().is_empty());
                assert_eq!(users[2].favourites().count(db).unwrap(), 0);
            });
            // Not prefetched: strict loading refuses the query.
            let error = ada.favourites().all(db).unwrap_err();
            assert!(matches!(error, Error::LazyLoad { .. }), "{error}");
        }
        // The same without storing anything.
        let loaded = assert_queries(&log, 4, || User::FAVOURITES.load_for(db, &users).unwrap());
        assert_eq!(loaded.iter().map(|l| l.len()).collect::<Vec<_>>(), [3, 2, 0]);
        // A write drops the prefetched targets.
        users[2].favourites().add(db, [Target::to(&dune)]).unwrap();
        assert!(!users[2].favourites.is_prefetched());
        assert_eq!(assert_queries(&log, 2, || users[2].favourites().all(db).unwrap()).len(), 1);
    }

    /// The other direction, through the target's `GenericRelation<Favourite>`: the links of
    /// many movies with their users in 2 queries, and movies filtered by who favours them.
    fn reverse_direction_through_the_targets_relation(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let (ada, bob) = (user(db, "ada"), user(db, "bob"));
        let (alien, heat) = (movie(db, "Alien"), movie(db, "Heat"));
        let dune = book(db, "978-0441", "Dune");
        ada.favourites().add(db, [Target::to(&alien), Target::to(&heat), Target::to(&dune)]).unwrap();
        bob.favourites().add(db, [Target::to(&alien)]).unwrap();
        let movies = Movie::all(db).unwrap();

        assert_queries(&log, 2, || Movie::FAVOURITED_BY.prefetch_related(db, &movies, Favourite::USER).unwrap());
        let _strict = strict_loading();
        let fans: Vec<Vec<String>> = assert_queries(&log, 0, || {
            movies
                .iter()
                .map(|m| {
                    let rows = m.favourited_by().select_related(Favourite::USER).all_shared(db).unwrap();
                    let mut names: Vec<String> = rows.iter().map(|(_, u)| u.name.clone()).collect();
                    names.sort();
                    names
                })
                .collect()
        });
        assert_eq!(fans, [vec!["ada", "bob"], vec!["ada"]]);
        drop(_strict);
        // Movies favoured by bob: the object id is text, the key an integer (cast on PostgreSQL).
        let by_bob = Movie::FAVOURITED_BY.any(Favourite::USER.any(user::name.eq("bob")));
        assert_eq!(assert_queries(&log, 1, || Movie::filter(by_bob).load(db).unwrap()), vec![alien.clone()]);
        assert_eq!(Book::filter(Book::FAVOURITED_BY.exists()).load(db).unwrap(), [dune]);
        assert_eq!(dune_fans(db), 1);
    }

    /// `on_delete` of the source side is the through model's foreign key: `cascade` deletes
    /// a user's links with it. The target side is the generic foreign key's `on_delete`
    /// (cascade here), for every target, whether or not it declares the reverse relation.
    fn on_delete_cascades_on_both_sides(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let (ada, bob) = (user(db, "ada"), user(db, "bob"));
        let (alien, heat) = (movie(db, "Alien"), movie(db, "Heat"));
        let dune = book(db, "978-0441", "Dune");
        let tune = song(db, "Tune");
        ada.favourites().add(db, [Target::to(&alien), Target::to(&dune)]).unwrap();
        bob.favourites().add(db, [Target::to(&alien), Target::to(&heat), Target::to(&dune), Target::to(&tune)]).unwrap();

        // The source: its links first, then the user (Django's collector). Users and links can
        // be pointed at: one probe of the generic foreign keys that can point at each, and
        // the links are collected (a SELECT of their keys) before their DELETE.
        // The user's probe, its favourites' (by condition), their DELETE and the user's.
        let expected = 2 + probe::<User>() + probe::<Favourite>();
        let deleted = assert_queries(&log, expected, || ada.delete(db).unwrap());
        assert_eq!((deleted.of::<User>(), deleted.of::<Favourite>()), (1, 2));
        assert_eq!(Favourite::count(db).unwrap(), 4);

        // A target with the reverse relation: the links to it go, in the delete's transaction.
        let deleted = alien.delete(db).unwrap();
        assert_eq!((deleted.of::<Movie>(), deleted.of::<Favourite>()), (1, 1));
        let deleted = dune.delete(db).unwrap();
        assert_eq!(deleted.of::<Favourite>(), 1, "a text key's links too");
        assert_eq!(names(bob.favourites().all(db).unwrap()), expect(&[&format!("Movie:{}", heat.id), &format!("Song:{}", tune.id)]));

        // A target without it: its links go all the same (the generic foreign key's
        // `on_delete` applies to every model it can point at).
        let deleted = tune.delete(db).unwrap();
        assert_eq!((deleted.of::<Song>(), deleted.of::<Favourite>()), (1, 1));
        assert_eq!(bob.favourites().count(db).unwrap(), 1, "the link to the deleted song went with it");
        assert_eq!(names(bob.favourites().all(db).unwrap()), expect(&[&format!("Movie:{}", heat.id)]));
        assert!(bob.favourites().of::<Song, _>(db).unwrap().is_empty());
    }

    /// `on_delete = restrict` on the source side: a source with links cannot be deleted,
    /// and nothing is; without links it can.
    fn on_delete_restrict_on_the_source_side(t) {
        let db = &mut t.db();
        let member = Member::insert(db, NewMember {}).unwrap();
        let alien = movie(db, "Alien");
        member.loans().add(db, [Target::to(&alien)]).unwrap();
        let error = member.clone().delete(db).unwrap_err();
        assert!(matches!(error, Error::Protected { .. }), "{error}");
        assert_eq!(Member::count(db).unwrap(), 1);
        assert_eq!(member.loans().count(db).unwrap(), 1);
        assert_eq!(member.loans().clear(db).unwrap(), 1);
        assert_eq!(member.delete(db).unwrap().total, 1);
    }

    /// `on_delete = restrict` on the target side: a favourited target cannot be deleted, and
    /// nothing is; unfavourited, it can.
    fn on_delete_restrict_on_the_target_side(t) {
        let db = &mut t.db();
        let ada = user(db, "ada");
        let mona = Painting::insert(db, NewPainting { title: "Mona".into() }).unwrap();
        ada.favourites().add(db, [Target::to(&mona)]).unwrap();
        let error = mona.clone().delete(db).unwrap_err();
        let links: Vec<i64> = Favourite::all(db).unwrap().into_iter().map(|f| f.id).collect();
        assert_eq!(links.len(), 1);
        assert_eq!(protected(&error), Some(("gm2m.Painting", vec![("gm2m.Favourite", "target", vec![links[0].into()])])), "{error}");
        assert_eq!(Painting::count(db).unwrap(), 1);
        assert_eq!(ada.favourites().count(db).unwrap(), 1);
        ada.favourites().remove(db, [Target::to(&mona)]).unwrap();
        assert_eq!(mona.delete(db).unwrap().total, 1);
    }

    /// A through model that cannot serve the relation is a typed error naming both models
    /// and what to do, before anything is sent; the filters refuse to render.
    fn through_models_that_cannot_serve(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let alien = movie(db, "Alien");
        let team = Team::insert(db, NewTeam {}).unwrap();
        let owner = Owner::insert(db, NewOwner {}).unwrap();
        let jar = Jar::insert(db, NewJar {}).unwrap();
        let cases: Vec<(Error, &str, &str)> = assert_queries(&log, 0, || vec![
            (team.rivals().add(db, [Target::to(&alien)]).unwrap_err(), "foreign keys to `Team` (`home_id`, `away_id`)", "Rivalry"),
            (owner.things().all(db).unwrap_err(), "no foreign key to `Owner`", "Loose"),
            (jar.marbles().count(db).unwrap_err(), "unique(jar_id, content_type_id, object_id)", "Marble"),
        ]);
        for (error, says, through) in cases {
            let message = error.to_string();
            assert!(matches!(error, Error::ManyToManyThrough { .. }), "{message}");
            assert!(message.contains(says) && message.contains(through), "{message}");
        }
        let error = Team::filter(Team::RIVALS.contains(&alien)).load(db).unwrap_err();
        assert!(error.to_string().contains("exactly one foreign key"), "{error}");
        assert!(Jar::filter(Jar::MARBLES.exists()).load(db).is_err());
    }

    /// Concurrent `set`s of one user end as one caller's set; concurrent `add`s of the same
    /// targets make each link once, with no error.
    fn concurrent_writes(t) {
        const THREADS: usize = 4;
        let mut shared = common::TestDb::<Conn>::shared();
        let url = shared.url().expect("a shared database").to_string();
        let (ada, movies, books) = {
            let db = &mut shared.db();
            let ada = user(db, "ada");
            let movies: Vec<Movie> = (0..THREADS).map(|i| movie(db, &format!("m{i}"))).collect();
            let books: Vec<Book> = (0..THREADS).map(|i| book(db, &format!("b{i}"), "b")).collect();
            (ada, movies, books)
        };
        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|i| {
                let (url, barrier) = (url.clone(), barrier.clone());
                let (ada, movies, books) = (ada.clone(), movies.clone(), books.clone());
                // Connected before the thread starts: a refused connection fails the test here
                // instead of leaving the other threads waiting at the barrier.
                let mut conn = <Conn as TestConnection>::reconnect(&url);
                std::thread::spawn(move || {
                    let cts = ContentTypes::new();
                    let db = &mut cts.using(&mut conn);
                    barrier.wait();
                    for _ in 0..5 {
                        ada.favourites().set(db, [Target::to(&movies[i]), Target::to(&books[i])]).expect("no error under contention");
                        ada.favourites().add(db, [Target::to(&movies[0])]).expect("no error under contention");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("thread");
        }
        let db = &mut shared.db();
        let rows = Favourite::all(db).unwrap();
        let links: BTreeSet<(i32, String)> = rows.iter().map(|r| (r.content_type_id, r.object_id.clone())).collect();
        assert_eq!(links.len(), rows.len(), "each link once: {rows:?}");
        let books_linked: Vec<&Book> = books.iter().filter(|b| links.iter().any(|(_, o)| *o == b.isbn)).collect();
        assert_eq!(books_linked.len(), 1, "one caller's set: {rows:?}");
        drop(t);
    }
}

/// How many users favour "Dune" (through the reverse relation's manager).
fn dune_fans(db: &mut impl Db<Mode = SyncMode>) -> usize {
    let dune = Book::get(db, &"978-0441".to_string()).unwrap();
    dune.map_or(0, |b| b.favourited_by().all(db).unwrap().len())
}

#[cfg(feature = "uuid")]
mod uuid_keys {
    use super::*;

    fn documentary(db: &mut impl Db<Mode = SyncMode>, n: u128, title: &str) -> Documentary {
        Documentary::insert(
            db,
            NewDocumentary {
                id: uuid::Uuid::from_u128(n),
                title: title.into(),
            },
        )
        .unwrap()
    }

    backend_tests! {
        /// Integer, text and UUID keys in one relation over a text object id (Django
        /// #33450, Laravel #54401): reads, filters, prefetch, removal and the target's
        /// cascade, with PostgreSQL's casts and the hyphenated UUID text elsewhere.
        fn mixed_key_types(t) {
            let log = t.log();
            let db = &mut t.db();
            warm(db);
            let (ada, bob) = (user(db, "ada"), user(db, "bob"));
            let alien = movie(db, "Alien");
            let dune = book(db, "978-0441", "Dune");
            let planet = documentary(db, 0x1234_5678_9abc_def0_1234_5678_9abc_def0, "Planet");
            let ocean = documentary(db, 7, "Ocean");

            assert_eq!(assert_queries(&log, 1, || ada.favourites().add(db, [Target::to(&alien), Target::to(&dune), Target::to(&planet)]).unwrap()), 3);
            bob.favourites().add(db, [Target::to(&ocean), Target::to(&planet)]).unwrap();
            let stored: BTreeSet<String> = Favourite::all(db).unwrap().into_iter().map(|f| f.object_id).collect();
            assert!(stored.contains("12345678-9abc-def0-1234-56789abcdef0"), "{stored:?}");

            let all = assert_queries(&log, 4, || ada.favourites().all(db).unwrap());
            assert_eq!(names(all), expect(&[&format!("Movie:{}", alien.id), "Book:978-0441", "Documentary:12345678-9abc-def0-1234-56789abcdef0"]));
            assert_eq!(assert_queries(&log, 1, || ada.favourites().of::<Documentary, _>(db).unwrap()), vec![planet.clone()]);
            assert_eq!(bob.favourites().of::<Documentary, _>(db).unwrap(), [ocean.clone(), planet.clone()]);
            assert_eq!(ada.favourites().of::<Movie, _>(db).unwrap(), vec![alien.clone()]);
            assert!(ada.favourites().contains(db, &planet).unwrap());
            assert!(!ada.favourites().contains(db, &ocean).unwrap());

            assert_eq!(user_names(User::filter(User::FAVOURITES.contains(&planet)).load(db).unwrap()), ["ada", "bob"]);
            let oceanic = User::FAVOURITES.any_of::<Documentary, _>(gm2m_documentary::title.eq("Ocean"));
            assert_eq!(assert_queries(&log, 1, || user_names(User::filter(oceanic).load(db).unwrap())), ["bob"]);
            assert_eq!(user_names(User::filter(User::FAVOURITES.none_of::<Documentary, _>(NoFilter)).load(db).unwrap()), Vec::<String>::new());
            assert_eq!(user_names(User::filter(User::FAVOURITES.any_of::<Movie, _>(NoFilter)).load(db).unwrap()), ["ada"]);
            let shown: Vec<Documentary> = Documentary::filter(Documentary::FAVOURITED_BY.exists()).load(db).unwrap();
            assert_eq!(shown.len(), 2);

            let users = User::all(db).unwrap();
            assert_queries(&log, 4, || User::FAVOURITES.prefetch(db, &users).unwrap());
            let _strict = strict_loading();
            assert_eq!(assert_queries(&log, 0, || users[1].favourites().of::<Documentary, _>(db).unwrap()), [ocean.clone(), planet.clone()]);
            drop(_strict);

            let removing = 1 + probe::<Favourite>();
            assert_eq!(assert_queries(&log, removing, || bob.favourites().remove(db, [Target::to(&planet)]).unwrap()), 1);
            let deleted = planet.delete(db).unwrap();
            assert_eq!(deleted.of::<Favourite>(), 1, "ada's link to the UUID target, found by its text");
            assert_eq!(names(ada.favourites().all(db).unwrap()), expect(&[&format!("Movie:{}", alien.id), "Book:978-0441"]));
            assert_eq!(bob.favourites().of::<Documentary, _>(db).unwrap(), [ocean]);
        }
    }
}
