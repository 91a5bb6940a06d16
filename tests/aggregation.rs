//! Aggregates over generic relations (Django I.121–I.124): a LEFT JOIN with the content
//! type in the ON clause, so objects without related rows count 0 and rows of another
//! model with the same key are not counted.

mod common;

use common::models::*;
use common::{assert_queries, backend_tests};
use contenttypes::prelude::*;
use contenttypes::{Count, Direction, Having, Max, Min, Sum};
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
        let per_book = assert_queries(&log, 1, || Book::COMMENTS.annotate(Count).load(db).unwrap());
        let counts: Vec<(String, i64)> = per_book.into_iter().map(|(b, n)| (b.title, n)).collect();
        assert_eq!(counts, [("Dune".into(), 2), ("Emma".into(), 1), ("Ubik".into(), 0), ("Zeno".into(), 0)]);
        let some: Vec<String> = Book::COMMENTS
            .annotate(Count)
            .filter(keys_book::title.ne("Dune"))
            .having(Having::Gt(0))
            .load(db)
            .unwrap()
            .into_iter()
            .map(|(b, _)| b.title)
            .collect();
        assert_eq!(some, ["Emma"]);
        // Every comparison, against the counts 2, 1, 0, 0.
        let titles = |db: &mut common::DbOf<'_, Conn>, having| -> Vec<String> {
            Book::COMMENTS.annotate(Count).having(having).load(db).unwrap().into_iter().map(|(b, _)| b.title).collect()
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
        let sums = Book::LINKS.annotate(Sum(keys_link::id)).load(db).unwrap();
        assert_eq!(sums.len(), 1);
        let sums = Place::LINKS.annotate(Sum(keys_link::id)).filter(keys_place::account.eq(place.account)).load(db).unwrap();
        assert_eq!(sums, vec![(place.clone(), Some(link.id))]);
        link.delete(db).unwrap();
        let sums = Place::LINKS.annotate(Sum(keys_link::id)).load(db).unwrap();
        assert_eq!(sums, vec![(place.clone(), None)]);
        assert_eq!(Place::LINKS.annotate(Sum(keys_link::id)).having(Having::IsNull).load(db).unwrap().len(), 1);
        assert_eq!(Place::LINKS.annotate(Sum(keys_link::id)).having(Having::IsNotNull).load(db).unwrap().len(), 0);
        assert_eq!(Place::LINKS.annotate(Max(keys_link::id)).load(db).unwrap(), vec![(place.clone(), None)]);
    }

    /// Ordering and slicing by the annotation (Django's `annotate(n=Count(...))
    /// .order_by("-n")[1:3]`): one query, ties broken by key, the slice in SQL.
    fn ordered_and_sliced_by_the_aggregate(t) {
        let log = t.log();
        let db = &mut t.db();
        let books: Vec<Book> =
            ["Dune", "Emma", "Ubik", "Zeno"].iter().map(|n| Book::insert(db, NewBook { title: (*n).into() }).unwrap()).collect();
        for (book, n) in books.iter().zip([1, 3, 0, 3]) {
            for i in 0..n {
                book.comments().create(db, comment(&i.to_string())).unwrap();
            }
        }
        let titles = |rows: Vec<(Book, i64)>| -> Vec<(String, i64)> { rows.into_iter().map(|(b, n)| (b.title, n)).collect() };
        let top = assert_queries(&log, 1, || {
            Book::COMMENTS.annotate(Count).order_by_aggregate(Direction::Desc).limit(3).load(db).unwrap()
        });
        assert_eq!(titles(top), [("Emma".into(), 3), ("Zeno".into(), 3), ("Dune".into(), 1)]);
        let page = assert_queries(&log, 1, || {
            Book::COMMENTS.annotate(Count).order_by_aggregate(Direction::Asc).offset(1).limit(2).load(db).unwrap()
        });
        assert_eq!(titles(page), [("Dune".into(), 1), ("Emma".into(), 3)]);
        let rest = assert_queries(&log, 1, || {
            Book::COMMENTS.annotate(Count).having(Having::Gt(0)).order_by_aggregate(Direction::Asc).offset(2).load(db).unwrap()
        });
        assert_eq!(titles(rest), [("Zeno".into(), 3)]);
        // Only some comments counted, every book kept (Django's `Count(..., filter=Q(...))`),
        // or only books with such comments (Django's filter before annotate).
        let zeros = assert_queries(&log, 1, || {
            Book::COMMENTS.annotate(Count).aggregate_filter(keys_comment::text.eq("2")).load(db).unwrap()
        });
        assert_eq!(titles(zeros), [("Dune".into(), 0), ("Emma".into(), 1), ("Ubik".into(), 0), ("Zeno".into(), 1)]);
        let some = assert_queries(&log, 1, || {
            Book::COMMENTS.annotate(Count).filter_related(keys_comment::text.ne("0")).load(db).unwrap()
        });
        assert_eq!(titles(some), [("Emma".into(), 2), ("Zeno".into(), 2)]);
    }

    /// Max and Min of a related column, typed; a NULL aggregate sorts last both ways.
    fn max_min_and_null_aggregates_last(t) {
        let log = t.log();
        let db = &mut t.db();
        let places: Vec<Place> = (0..3).map(|i| Place::insert(db, NewPlace { name: format!("p{i}") }).unwrap()).collect();
        let mut ids = vec![];
        for (place, n) in places.iter().zip([2, 0, 1]) {
            for _ in 0..n {
                ids.push(place.links().create(db, |content_object| NewLink { content_object }).unwrap().id);
            }
        }
        let names = |rows: Vec<(Place, Option<i64>)>| -> Vec<(String, Option<i64>)> { rows.into_iter().map(|(p, n)| (p.name, n)).collect() };
        let max = assert_queries(&log, 1, || Place::LINKS.annotate(Max(keys_link::id)).order_by_aggregate(Direction::Desc).load(db).unwrap());
        assert_eq!(names(max), [("p2".into(), Some(ids[2])), ("p0".into(), Some(ids[1])), ("p1".into(), None)]);
        let min = assert_queries(&log, 1, || Place::LINKS.annotate(Min(keys_link::id)).order_by_aggregate(Direction::Asc).load(db).unwrap());
        assert_eq!(names(min), [("p0".into(), Some(ids[0])), ("p2".into(), Some(ids[2])), ("p1".into(), None)]);
    }
}
