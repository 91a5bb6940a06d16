//! NULLS FIRST / NULLS LAST on every backend (native on PostgreSQL and SQLite, emulated on
//! MySQL/MariaDB), for `Filtered::order_by`, `RelatedQuery::order_by` and Diesel's `order`.

mod common;

use common::Raw;

use common::models::*;
use common::{assert_queries, backend_tests};
use contenttypes::prelude::*;
use contenttypes::{nulls_first, nulls_last};
use diesel::prelude::*;

use generic_relations_allowsnullgfk as rows;

backend_tests! {
    /// Every combination on a nullable column, the key breaking ties between NULLs. 1 query each.
    fn nulls_first_and_last(t) {
        let log = t.log();
        let db = &mut t.db();
        let ct = ContentType::for_model::<Animal>(db).unwrap().id;
        for object_id in [Some(5), None, Some(2), None] {
            AllowsNullGfk::insert(db, NewAllowsNullGfk { content_object: object_id.map(|oid| Target::from_ids(ct, oid)) }).unwrap();
        }
        let ids = |rows: Vec<AllowsNullGfk>| -> Vec<Option<i64>> { rows.into_iter().map(|r| r.object_id).collect() };
        let all = || AllowsNullGfk::filter(rows::id.gt(0));
        let first_asc = assert_queries(&log, 1, || all().order_by(nulls_first(rows::object_id.asc())).load(db).unwrap());
        assert_eq!(ids(first_asc.clone()), [None, None, Some(2), Some(5)]);
        assert!(first_asc[0].id < first_asc[1].id);
        let last_asc = assert_queries(&log, 1, || all().order_by(nulls_last(rows::object_id.asc())).load(db).unwrap());
        assert_eq!(ids(last_asc), [Some(2), Some(5), None, None]);
        let first_desc = assert_queries(&log, 1, || all().order_by(nulls_first(rows::object_id.desc())).load(db).unwrap());
        assert_eq!(ids(first_desc), [None, None, Some(5), Some(2)]);
        let last_desc = assert_queries(&log, 1, || all().order_by(nulls_last(rows::object_id.desc())).limit(1).load(db).unwrap());
        assert_eq!(ids(last_desc), [Some(5)]);
        // In a tuple, and in Diesel's own query builder.
        let tuple = assert_queries(&log, 1, || {
            all().order_by((nulls_last(rows::object_id.desc()), rows::id.desc())).load(db).unwrap()
        });
        assert_eq!(ids(tuple.clone()), [Some(5), Some(2), None, None]);
        assert!(tuple[2].id > tuple[3].id);
        let diesel_ids: Vec<Option<i64>> = assert_queries(&log, 1, || {
            rows::table.select(rows::object_id).order((nulls_first(rows::object_id.desc()), rows::id)).load(db.raw()).unwrap()
        });
        assert_eq!(diesel_ids, [None, None, Some(5), Some(2)]);
    }

    /// On a related query: the through rows of one article.
    fn nulls_on_a_related_query(t) {
        let log = t.log();
        let db = &mut t.db();
        let article = Article::insert(db, NewArticle { title: "a".into() }).unwrap();
        let labels: Vec<Label> = ["x", "y"].iter().map(|n| Label::insert(db, NewLabel { name: (*n).into() }).unwrap()).collect();
        for label in &labels {
            article.labels().create(db, |content_object| NewLabeledThing { label_id: label.id, content_object }).unwrap();
        }
        let things = assert_queries(&log, 1, || {
            article.labels().filter(labels_labeledthing::id.gt(0)).order_by(nulls_last(labels_labeledthing::label_id.desc())).load(db).unwrap()
        });
        assert_eq!(things.iter().map(|t| t.label_id).collect::<Vec<_>>(), [labels[1].id, labels[0].id]);
    }

    /// C.53: ordering by a related column (Django's `order_by("links__id")`) gives every
    /// object once, keeps objects with no related row (NULL), and does not count a link of
    /// another model with the same key. The count works as an ordering and a filter, in
    /// this crate's queries and in Diesel's. 1 query each.
    fn ordering_by_related_rows(t) {
        let log = t.log();
        let db = &mut t.db();
        let places: Vec<Place> = (0..3).map(|i| Place::insert(db, NewPlace { name: format!("p{i}") }).unwrap()).collect();
        let first = places[1].links().create(db, |content_object| NewLink { content_object }).unwrap();
        places[0].links().create(db, |content_object| NewLink { content_object }).unwrap();
        places[0].links().create(db, |content_object| NewLink { content_object }).unwrap();
        // A book's link whose object id is the third place's key.
        let book = Book::insert(db, NewBook { title: "Dune".into() }).unwrap();
        let book_ct = ContentType::for_model::<Book>(db).unwrap().id;
        ContentType::for_model::<Place>(db).unwrap();
        diesel::insert_into(keys_link::table)
            .values((keys_link::content_type_id.eq(book_ct), keys_link::object_id.eq(places[2].account)))
            .execute(db.raw())
            .unwrap();
        assert!(i64::from(book.id) != 0);
        let names = |rows: Vec<Place>| -> Vec<String> { rows.into_iter().map(|p| p.name).collect() };
        let by_min = assert_queries(&log, 1, || {
            Place::filter(keys_place::account.gt(0)).order_by(Place::LINKS.min(keys_link::id).asc()).load(db).unwrap()
        });
        // NULL sorts first on SQLite and MySQL, last on PostgreSQL: the linked places keep
        // their order around it, and every place comes once.
        let linked: Vec<String> = names(by_min.clone()).into_iter().filter(|n| n != "p2").collect();
        assert_eq!(linked, ["p1", "p0"]);
        assert_eq!(by_min.len(), 3);
        let by_max = assert_queries(&log, 1, || {
            Place::filter(keys_place::account.gt(0)).order_by(Place::LINKS.max(keys_link::id).desc()).load(db).unwrap()
        });
        assert_eq!(by_max.iter().filter(|p| p.name != "p2").count(), 2);
        let by_count = assert_queries(&log, 1, || {
            Place::filter(keys_place::account.gt(0)).order_by(Place::LINKS.count().desc()).load(db).unwrap()
        });
        assert_eq!(names(by_count), ["p0", "p1", "p2"]);
        let busy = assert_queries(&log, 1, || Place::filter(Place::LINKS.count().gt(1)).load(db).unwrap());
        assert_eq!(names(busy), ["p0"]);
        // In Diesel's own query builder, selected and ordered.
        let counts: Vec<(String, i64, Option<i64>)> = keys_place::table
            .select((keys_place::name, Place::LINKS.count(), Place::LINKS.min(keys_link::id)))
            .order(keys_place::account)
            .load(db.raw())
            .unwrap();
        assert_eq!(counts[1], ("p1".to_string(), 1, Some(first.id)));
        assert_eq!(counts[2], ("p2".to_string(), 0, None));
    }

    /// A related manager's read and a prefetch have no `ORDER BY` the caller did not ask for
    /// (Django's related managers have none), and still give the rows in key order (put in
    /// order in memory); an ordering, or a limit without one, is ordered by the database
    /// (by key last, so pages are deterministic). 1 query each; the prefetched rows are then
    /// read without a query, shared without a copy.
    fn related_reads_order_only_when_asked(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        for name in ["b", "a", "c"] {
            lion.tags().create(db, tag(name)).unwrap();
        }
        let sql = |f: &mut dyn FnMut()| {
            log.reset();
            f();
            let sent = log.take();
            assert_eq!(sent.len(), 1, "{sent:?}");
            sent[0].clone()
        };
        let mut all = Vec::new();
        let text = sql(&mut || all = lion.tags().all(db).unwrap());
        assert!(!text.contains("ORDER BY"), "{text}");
        assert_eq!(all.iter().map(|r| r.tag.as_str()).collect::<Vec<_>>(), ["b", "a", "c"], "in key order");
        assert!(all.windows(2).all(|w| w[0].id < w[1].id));
        let mut ordered = Vec::new();
        let text = sql(&mut || ordered = lion.tags().filter(generic_relations_taggeditem::id.gt(0)).order_by(generic_relations_taggeditem::tag.desc()).load(db).unwrap());
        assert!(text.contains("ORDER BY"), "{text}");
        assert_eq!(ordered.iter().map(|r| r.tag.as_str()).collect::<Vec<_>>(), ["c", "b", "a"]);
        let mut first = Vec::new();
        let text = sql(&mut || first = lion.tags().filter(generic_relations_taggeditem::id.gt(0)).limit(1).load(db).unwrap());
        assert!(text.contains("ORDER BY"), "a limit pages by key: {text}");
        assert_eq!(first, all[..1]);
        let animals = vec![lion.clone()];
        let text = sql(&mut || Animal::TAGS.prefetch(db, &animals).unwrap());
        assert!(!text.contains("ORDER BY"), "{text}");
        let shared = assert_queries(&log, 0, || animals[0].tags().all_shared(db).unwrap());
        assert!(std::sync::Arc::ptr_eq(&shared, &animals[0].tags().all_shared(db).unwrap()));
        assert_eq!(*shared, all, "prefetched in key order too");
        let copied = assert_queries(&log, 0, || animals[0].tags().all(db).unwrap());
        assert_eq!(copied, *shared);
        // Not prefetched: one query, a fresh value each time.
        let fresh = assert_queries(&log, 1, || lion.tags().all_shared(db).unwrap());
        assert_eq!(fresh.len(), 3);
    }
}
