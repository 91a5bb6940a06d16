//! Aggregates over generic relations (Django I.121–I.124): a LEFT JOIN with the content
//! type in the ON clause, so objects without related rows count 0 and rows of another
//! model with the same key are not counted.

mod common;

use common::models::*;
use common::{assert_queries, backend_tests};
use contenttypes::prelude::*;
use contenttypes::{Aggregate, Having};
use diesel::prelude::*;

fn comment(text: &str) -> impl FnOnce(Target<String>) -> NewComment {
    let text = text.to_string();
    move |content_object| NewComment {
        text,
        content_object,
    }
}

backend_tests! {
    /// I.121 and I.122: the total and the per-object counts leave out the comments of a
    /// board whose text key equals a book's key.
    fn counts(t) {
        let log = t.log();
        let db = &mut t.db();
        let books: Vec<Book> =
            ["Dune", "Emma", "Ubik", "Zeno"].iter().map(|n| Book::insert(db, NewBook { title: (*n).into() }).unwrap()).collect();
        books[0].comments().create(db, comment("a")).unwrap();
        books[0].comments().create(db, comment("b")).unwrap();
        books[1].comments().create(db, comment("c")).unwrap();
        let board = Board::insert(db, NewBoard { name: books[2].id.to_string() }).unwrap();
        board.comments().create(db, comment("hi mom")).unwrap();
        ContentType::for_model::<Book>(db).unwrap();
        assert_queries(&log, 1, || assert_eq!(Book::COMMENTS.total_count(db).unwrap(), 3));
        let per_book = assert_queries(&log, 1, || Book::COMMENTS.annotate(Aggregate::Count).load(db).unwrap());
        let counts: Vec<(String, Option<i64>)> = per_book.into_iter().map(|(b, n)| (b.title, n)).collect();
        assert_eq!(
            counts,
            [("Dune".into(), Some(2)), ("Emma".into(), Some(1)), ("Ubik".into(), Some(0)), ("Zeno".into(), Some(0))]
        );
        let some: Vec<String> = Book::COMMENTS
            .annotate(Aggregate::Count)
            .filter(keys_book::title.ne("Dune"))
            .having(Having::Gt(0))
            .load(db)
            .unwrap()
            .into_iter()
            .map(|(b, _)| b.title)
            .collect();
        assert_eq!(some, ["Emma"]);
        // Every comparison, against the counts 2, 1, 0, 0.
        let titles = |db: &mut _, having| -> Vec<String> {
            Book::COMMENTS.annotate(Aggregate::Count).having(having).load(db).unwrap().into_iter().map(|(b, _)| b.title).collect()
        };
        assert_eq!(titles(db, Having::Eq(1)), ["Emma"]);
        assert_eq!(titles(db, Having::Ne(0)), ["Dune", "Emma"]);
        assert_eq!(titles(db, Having::Ge(1)), ["Dune", "Emma"]);
        assert_eq!(titles(db, Having::Le(1)), ["Emma", "Ubik", "Zeno"]);
        assert_eq!(titles(db, Having::Lt(1)), ["Ubik", "Zeno"]);
    }

    /// I.123 and I.124: a sum over a related column is the link's key, ignoring a link of
    /// another model; after the link is gone the object stays, with `None`; filtering on
    /// the aggregate works both ways.
    fn sums_and_filters_on_them(t) {
        let db = &mut t.db();
        let place = Place::insert(db, NewPlace { name: "Home".into() }).unwrap();
        let link = place.links().create(db, |content_object| NewLink { content_object }).unwrap();
        Book::insert(db, NewBook { title: "Dune".into() }).unwrap();
        let book_type = ContentType::for_model::<Book>(db).unwrap().id;
        let stray = NewLink { content_object: Target::from_ids(book_type, place.account) };
        Link::insert(db, stray).unwrap();
        let sums = Book::LINKS.annotate(Aggregate::Sum("id")).load(db).unwrap();
        assert_eq!(sums.len(), 1);
        let sums = Place::LINKS.annotate(Aggregate::Sum("id")).filter(keys_place::account.eq(place.account)).load(db).unwrap();
        assert_eq!(sums, vec![(place.clone(), Some(link.id))]);
        link.delete(db).unwrap();
        let sums = Place::LINKS.annotate(Aggregate::Sum("id")).load(db).unwrap();
        assert_eq!(sums, vec![(place.clone(), None)]);
        assert_eq!(Place::LINKS.annotate(Aggregate::Sum("id")).having(Having::IsNull).load(db).unwrap().len(), 1);
        assert_eq!(Place::LINKS.annotate(Aggregate::Sum("id")).having(Having::IsNotNull).load(db).unwrap().len(), 0);
        assert!(matches!(
            Place::LINKS.annotate(Aggregate::Max("nope")).load(db),
            Err(contenttypes::Error::InvalidArgument(_))
        ));
    }
}
