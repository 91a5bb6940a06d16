//! Generic relations: the manager of each object (Django D.58–D.80) and filtering objects
//! by their related rows (C.40–C.57), with query counts, on every backend.

mod common;

use common::models::*;
use common::{assert_queries, backend_tests, per_backend, probe};
use contenttypes::prelude::*;
use contenttypes::Error;
use diesel::prelude::*;

use generic_relations_animal as animal;
use generic_relations_taggeditem as tagged;

fn names(items: &[TaggedItem]) -> Vec<&str> {
    items.iter().map(|i| i.tag.as_str()).collect()
}

backend_tests! {
    /// D.58 and C.40: `create` points the row at the object; `all` returns only this
    /// object's rows, ordered by key. 1 statement to create (2 on MySQL), 1 to read.
    fn create_and_read(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let tiger = animal(db, "Tiger");
        ContentType::for_model::<Animal>(db).unwrap();
        let fatty = assert_queries(&log, per_backend::<Conn>(1, 2), || lion.tags().create(db, tag("fatty")).unwrap());
        assert_eq!(fatty.content_type_id, ContentType::for_model::<Animal>(db).unwrap().id);
        assert_eq!(fatty.object_id, lion.id);
        lion.tags().create(db, tag("yellow")).unwrap();
        tiger.tags().create(db, tag("striped")).unwrap();
        log.reset();
        let tags = lion.tags().all(db).unwrap();
        assert_eq!(names(&tags), ["fatty", "yellow"]);
        let sql = log.take();
        assert_eq!(sql.len(), 1);
        assert!(!sql[0].contains("1 = 1") && sql[0].matches("WHERE").count() == 1, "no empty filters: {}", sql[0]);
        assert_queries(&log, 1, || assert_eq!(lion.tags().count(db).unwrap(), 2));
        assert!(tiger.tags().exists(db).unwrap());
    }

    /// D.59 and D.60: `get_or_create` creates a missing row (a SELECT and an INSERT), and
    /// returns an existing one unchanged (1 query); another parent's equal row is not it.
    fn get_or_create(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let tiger = animal(db, "Tiger");
        ContentType::for_model::<Animal>(db).unwrap();
        let (stinky, created) = assert_queries(&log, per_backend::<Conn>(2, 3), || lion.tags().get_or_create(db, tag("stinky")).unwrap());
        assert!(created);
        assert_eq!(lion.tags().count(db).unwrap(), 1);
        let (again, created) = assert_queries(&log, 1, || lion.tags().get_or_create(db, tag("stinky")).unwrap());
        assert!(!created);
        assert_eq!(again, stinky);
        assert_eq!(lion.tags().count(db).unwrap(), 1);
        let (on_tiger, created) = tiger.tags().get_or_create(db, tag("stinky")).unwrap();
        assert!(created, "the lookup includes the parent");
        assert_ne!(on_tiger.id, stinky.id);
    }

    /// D.61–D.63: `update_or_create` creates the description when nothing matches, and
    /// otherwise writes its other columns (Django's `defaults`) to the matching row; the
    /// lookup is the named columns and this parent. `modify_or_create` changes the matching
    /// row with a closure instead.
    fn update_or_create(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        ContentType::for_model::<Animal>(db).unwrap();
        let (created_row, created) = assert_queries(&log, per_backend::<Conn>(2, 3), || {
            lion.tags().update_or_create(db, (tagged::tag,), tag("juicy")).unwrap()
        });
        assert!(created);
        assert_eq!(created_row.tag, "juicy", "create uses the description");
        let (updated, created) = assert_queries(&log, 2, || {
            lion.tags().modify_or_create(db, (tagged::tag,), tag("juicy"), |t| t.tag = "uncured".into()).unwrap()
        });
        assert!(!created);
        assert_eq!(updated.id, created_row.id);
        assert_eq!(updated.tag, "uncured", "update applies the change");
        assert_eq!(names(&lion.tags().all(db).unwrap()), ["uncured"]);
    }

    /// D.65 and D.67: `add` re-points saved rows in one UPDATE and updates them in memory;
    /// an unsaved row is refused and nothing changes.
    fn add(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let tiger = animal(db, "Tiger");
        let mut t1 = lion.tags().create(db, tag("t1")).unwrap();
        let mut t2 = lion.tags().create(db, tag("t2")).unwrap();
        ContentType::for_model::<Animal>(db).unwrap();
        assert_queries(&log, 1, || tiger.tags().add(db, [&mut t1, &mut t2]).unwrap());
        assert_eq!((t1.object_id, t2.object_id), (tiger.id, tiger.id));
        assert_eq!(names(&tiger.tags().all(db).unwrap()), ["t1", "t2"]);
        assert!(lion.tags().all(db).unwrap().is_empty());
        let mut unsaved = TaggedItem { id: 0, tag: "shiny".into(), content_type_id: 0, object_id: 0, content_object: Default::default() };
        match lion.tags().add(db, [&mut t1, &mut unsaved]) {
            Err(Error::Unsaved { model, .. }) => assert_eq!(model, "TaggedItem"),
            other => panic!("expected an unsaved error, got {other:?}"),
        }
        assert_eq!(t1.object_id, tiger.id, "nothing changed");
    }

    /// D.69 and D.70: `remove` and `clear` delete rows (they are not unlinked), only this
    /// object's: one DELETE each, after a SELECT of their keys and one statement per generic
    /// foreign key that can point at a tagged item (a row of a generic relation can be
    /// pointed at like any row, and what points at it goes with it).
    fn remove_and_clear(t) {
        let log = t.log();
        let db = &mut t.db();
        ContentType::for_model::<TaggedItem>(db).unwrap();
        let removing = 1 + probe::<TaggedItem>();
        let lion = animal(db, "Lion");
        let tiger = animal(db, "Tiger");
        let fatty = lion.tags().create(db, tag("fatty")).unwrap();
        lion.tags().create(db, tag("yellow")).unwrap();
        let striped = tiger.tags().create(db, tag("striped")).unwrap();
        let removed = assert_queries(&log, removing, || lion.tags().remove(db, [&fatty, &striped]).unwrap());
        assert_eq!(removed, 1, "the tiger's row is not the lion's to remove");
        assert!(TaggedItem::get(db, &fatty.id).unwrap().is_none(), "removed rows are deleted");
        assert_eq!(names(&lion.tags().all(db).unwrap()), ["yellow"]);
        assert_queries(&log, removing, || lion.tags().clear(db).unwrap());
        assert!(lion.tags().all(db).unwrap().is_empty());
        assert_eq!(names(&tiger.tags().all(db).unwrap()), ["striped"]);
        assert_eq!(lion.tags().remove(db, []).unwrap(), 0);
    }

    /// A relation's rows ordered and sliced (Django's `order_by` and slicing on a related
    /// manager): only this parent's rows, in the order asked, 1 query; counts within the slice;
    /// a sliced delete is refused.
    fn related_rows_ordered_and_sliced(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let tiger = animal(db, "Tiger");
        for name in ["b", "d", "a", "c"] {
            lion.tags().create(db, tag(name)).unwrap();
        }
        tiger.tags().create(db, tag("z")).unwrap();
        let page = assert_queries(&log, 1, || {
            lion.tags().filter(contenttypes::NoFilter).order_by(tagged::tag.desc()).offset(1).limit(2).load(db).unwrap()
        });
        assert_eq!(names(&page), ["c", "b"]);
        let first = lion.tags().filter(tagged::tag.ne("a")).order_by(tagged::tag.asc()).first(db).unwrap();
        assert_eq!(first.map(|t| t.tag).as_deref(), Some("b"));
        assert_eq!(lion.tags().filter(contenttypes::NoFilter).offset(3).count(db).unwrap(), 1);
        let error = lion.tags().filter(contenttypes::NoFilter).limit(1).delete(db).unwrap_err();
        assert!(matches!(error, contenttypes::Error::InvalidArgument(_)), "{error}");
        assert_eq!(lion.tags().count(db).unwrap(), 4);
    }

    /// D.71 and D.72: `set` keeps exactly the rows given: a locking read of the parent's row
    /// (which serializes concurrent `set`s of one parent; Django has no such step), one
    /// SELECT of the current keys, then at most one DELETE (a removal: a SELECT of the keys
    /// and one probe of the generic foreign keys that can point at a tagged item before it)
    /// and one UPDATE, in a transaction. Rows read from the relation itself are evaluated
    /// before anything changes.
    fn set(t) {
        let log = t.log();
        let db = &mut t.db();
        ContentType::for_model::<TaggedItem>(db).unwrap();
        let removal = 1 + probe::<TaggedItem>();
        let lion = animal(db, "Lion");
        let tiger = animal(db, "Tiger");
        let mut fatty = lion.tags().create(db, tag("fatty")).unwrap();
        let mut salty = tiger.tags().create(db, tag("salty")).unwrap();
        lion.tags().create(db, tag("old")).unwrap();
        assert_queries(&log, 3 + removal, || lion.tags().set(db, [&mut fatty, &mut salty]).unwrap());
        assert_eq!(names(&lion.tags().all(db).unwrap()), ["fatty", "salty"]);
        assert_queries(&log, 2 + removal, || lion.tags().set(db, [&mut fatty]).unwrap());
        assert_eq!(names(&lion.tags().all(db).unwrap()), ["fatty"]);
        let mut current = lion.tags().filter(tagged::tag.eq("fatty")).load(db).unwrap();
        lion.tags().set(db, current.iter_mut()).unwrap();
        assert_eq!(lion.tags().count(db).unwrap(), 1);
        lion.tags().set(db, []).unwrap();
        assert_eq!(lion.tags().count(db).unwrap(), 0);
        // A parent with no row (built by hand, or deleted since) is refused, and nothing moves.
        let mut ghost = lion.clone();
        ghost.id = 999_999;
        let mut spare = tiger.tags().create(db, tag("spare")).unwrap();
        let error = ghost.tags().set(db, [&mut spare]).unwrap_err();
        assert!(matches!(error, contenttypes::Error::Unsaved { .. }), "{error}");
        assert_eq!(TaggedItem::get(db, &spare.id).unwrap().unwrap().object_id, tiger.id);
    }

    /// D.74–D.79: every change drops the prefetched rows, so the next read sees it.
    fn changes_drop_prefetched_rows(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let mut furry = lion.tags().create(db, tag("furry")).unwrap();
        let animals = vec![lion.clone()];
        let lion = &animals[0];
        let prefetch = |db: &mut common::DbOf<'_, Conn>| Animal::TAGS.prefetch(db, &animals).unwrap();
        prefetch(db);
        lion.tags().create(db, tag("new")).unwrap();
        assert_eq!(names(&lion.tags().all(db).unwrap()), ["furry", "new"], "create");
        prefetch(db);
        let mut other = animal(db, "Other").tags().create(db, tag("moved")).unwrap();
        lion.tags().add(db, [&mut other]).unwrap();
        assert_eq!(lion.tags().count(db).unwrap(), 3, "add");
        prefetch(db);
        lion.tags().remove(db, [&other]).unwrap();
        assert_eq!(lion.tags().count(db).unwrap(), 2, "remove");
        prefetch(db);
        lion.tags().set(db, [&mut furry]).unwrap();
        assert_eq!(names(&lion.tags().all(db).unwrap()), ["furry"], "set");
        prefetch(db);
        lion.tags().clear(db).unwrap();
        assert!(lion.tags().all(db).unwrap().is_empty(), "clear");
    }

    /// D.80: a relation through another generic foreign key (Comparison.first_obj): the
    /// manager fills that one, and a filtered delete removes only matching rows.
    fn relation_through_a_named_generic_foreign_key(t) {
        let db = &mut t.db();
        let tiger = animal(db, "Tiger");
        let bear = animal(db, "Bear");
        let cooler = tiger.comparisons().create(db, |first_obj| NewComparison { comparative: "cooler".into(), first_obj, other_obj: Target::to(&bear) }).unwrap();
        assert_eq!(cooler.first_obj(db).unwrap().unwrap().downcast_ref::<Animal>().unwrap(), &tiger);
        assert_eq!(cooler.other_obj(db).unwrap().unwrap().downcast_ref::<Animal>().unwrap(), &bear);
        tiger.comparisons().create(db, |first_obj| NewComparison { comparative: "stronger".into(), first_obj, other_obj: Target::to(&bear) }).unwrap();
        let deleted = tiger
            .comparisons()
            .filter(generic_relations_comparison::comparative.eq("cooler"))
            .delete(db)
            .unwrap();
        assert_eq!(deleted.of::<Comparison>(), 1);
        let left: Vec<String> = tiger.comparisons().all(db).unwrap().into_iter().map(|c| c.comparative).collect();
        assert_eq!(left, ["stronger"]);
    }

    /// C.41, C.44 and C.45: filtering by related rows keeps the content type in the join, so a
    /// row of another model with the same key never matches; the negation is a correlated
    /// NOT EXISTS (a NULL-safe NOT IN on SQLite).
    fn filtering_by_related_rows(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let platypus = animal(db, "Platypus");
        let manual = ManualPk::insert(db, NewManualPk { id: lion.id }).unwrap();
        manual.tags().create(db, tag("fatty")).unwrap();
        lion.tags().create(db, tag("hairy")).unwrap();
        platypus.tags().create(db, tag("fatty")).unwrap();
        let conn = &mut t.conn;

        let fatty: Vec<Animal> = animal::table.filter(Animal::TAGS.any(tagged::tag.eq("fatty"))).load(conn).unwrap();
        assert_eq!(fatty, vec![platypus.clone()], "the ManualPk's tag on the same key does not count");
        let not_fatty: Vec<Animal> = animal::table.filter(Animal::TAGS.none(tagged::tag.eq("fatty"))).load(conn).unwrap();
        assert_eq!(not_fatty, vec![lion.clone()]);
        let ct = ContentType::for_model::<Animal>(&mut t.cts.using(&mut t.conn)).unwrap().id;
        let conn = &mut t.conn;
        let by_ct: Vec<Animal> =
            animal::table.filter(Animal::TAGS.any(tagged::content_type_id.eq(ct))).order(animal::id).load(conn).unwrap();
        assert_eq!(by_ct, vec![lion.clone(), platypus.clone()]);

        let on_animals: Vec<TaggedItem> = tagged::table.filter(TaggedItem::ANIMAL.exists()).order(tagged::id).load(conn).unwrap();
        assert_eq!(names(&on_animals), ["hairy", "fatty"]);
        let either: Vec<TaggedItem> = tagged::table
            .filter(TaggedItem::ANIMAL.exists().or(TaggedItem::MANUALPK.any(generic_relations_manualpk::id.eq(manual.id))))
            .order(tagged::id)
            .load(conn)
            .unwrap();
        assert_eq!(either.len(), 3);
        let lions_tags: Vec<TaggedItem> =
            tagged::table.filter(TaggedItem::ANIMAL.any(animal::common_name.eq("Lion"))).load(conn).unwrap();
        assert_eq!(names(&lions_tags), ["hairy"]);
    }

    /// C.51 and C.52: a relation condition OR-ed with another condition gives the same rows in
    /// either order; two filters over one relation are two independent conditions (each
    /// may match another related row), one filter with both conditions needs one row
    /// matching both.
    fn combining_relation_filters(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let tiger = animal(db, "Tiger");
        lion.tags().create(db, tag("fatty")).unwrap();
        lion.tags().create(db, tag("hairy")).unwrap();
        tiger.tags().create(db, tag("hairy")).unwrap();
        let conn = &mut t.conn;
        let a: Vec<Animal> = animal::table
            .filter(Animal::TAGS.any(tagged::tag.eq("fatty")).or(animal::common_name.eq("Tiger")))
            .order(animal::id)
            .load(conn)
            .unwrap();
        let b: Vec<Animal> = animal::table
            .filter(animal::common_name.eq("Tiger").or(Animal::TAGS.any(tagged::tag.eq("fatty"))))
            .order(animal::id)
            .load(conn)
            .unwrap();
        assert_eq!(a, vec![lion.clone(), tiger.clone()]);
        assert_eq!(a, b);
        let two_filters: Vec<Animal> = animal::table
            .filter(Animal::TAGS.any(tagged::tag.eq("fatty")))
            .filter(Animal::TAGS.any(tagged::tag.eq("hairy")))
            .load(conn)
            .unwrap();
        assert_eq!(two_filters, vec![lion.clone()]);
        let one_row_both: Vec<Animal> = animal::table
            .filter(Animal::TAGS.any(tagged::tag.eq("fatty").and(tagged::tag.eq("hairy"))))
            .load(conn)
            .unwrap();
        assert!(one_row_both.is_empty());
    }

    /// C.49, C.50, C.54 and C.57: joins use the primary key column whatever its name, cast
    /// the key where a text object id needs it, and filtering by a related row's key works
    /// both ways.
    fn joins_over_other_keys(t) {
        let db = &mut t.db();
        let place = Place::insert(db, NewPlace { name: "Home".into() }).unwrap();
        let other = Place::insert(db, NewPlace { name: "Work".into() }).unwrap();
        let link = place.links().create(db, |content_object| NewLink { content_object }).unwrap();
        other.links().create(db, |content_object| NewLink { content_object }).unwrap();
        let dune = Book::insert(db, NewBook { title: "Dune".into() }).unwrap();
        let emma = Book::insert(db, NewBook { title: "Emma".into() }).unwrap();
        dune.comments().create(db, |content_object| NewComment { text: "great".into(), content_object }).unwrap();
        let board = Board::insert(db, NewBoard { name: dune.id.to_string() }).unwrap();
        board.comments().create(db, |content_object| NewComment { text: "great".into(), content_object }).unwrap();
        let conn = &mut t.conn;
        let places: Vec<Place> = keys_place::table.filter(Place::LINKS.any(keys_link::id.eq(link.id))).load(conn).unwrap();
        assert_eq!(places, vec![place.clone()]);
        let links: Vec<Link> = keys_link::table.filter(Link::PLACE.any(keys_place::name.eq("Home"))).load(conn).unwrap();
        assert_eq!(links, vec![link.clone()]);
        let not_home: Vec<Link> =
            keys_link::table.filter(diesel::dsl::not(Link::PLACE.any(keys_place::name.eq("Home")))).load(conn).unwrap();
        assert_eq!(not_home.len(), 1);
        assert_ne!(not_home[0], link);
        // A text object id joined to an integer key (PostgreSQL needs the cast), and the
        // board whose text key equals the book's key does not leak into the books.
        let commented: Vec<Book> =
            keys_book::table.filter(Book::COMMENTS.any(keys_comment::text.eq("great"))).load(conn).unwrap();
        assert_eq!(commented, vec![dune.clone()]);
        let silent: Vec<Book> = keys_book::table.filter(Book::COMMENTS.none(keys_comment::text.eq("great"))).load(conn).unwrap();
        assert_eq!(silent, vec![emma]);
        let on_books: Vec<Comment> = keys_comment::table.filter(Comment::BOOK.any(keys_book::title.eq("Dune"))).load(conn).unwrap();
        assert_eq!(on_books.len(), 1);
    }

    /// C.56 and §12: the SQL: the content type sits next to the object id in the subquery,
    /// exclusion is NOT EXISTS (NOT IN on SQLite, see tests/filter_shapes.rs), and
    /// there is no join to django_content_type beyond the lookup of the type by its natural key.
    fn query_shapes(t) {
        let _ = &mut t;
        let query = animal::table.filter(Animal::TAGS.none(tagged::tag.eq("fatty"))).select(animal::id);
        let sql = diesel::debug_query::<<Conn as Connection>::Backend, _>(&query).to_string();
        let ct = sql.find("content_type_id").expect("the content type is in the condition");
        if <Conn as common::TestConnection>::DIALECT == contenttypes::Dialect::Sqlite {
            // `id NOT IN (SELECT object_id FROM <through> WHERE content_type_id = ... AND ...)`
            let oid = sql.find("NOT IN (SELECT `generic_relations_taggeditem`.`object_id` FROM `generic_relations_taggeditem` WHERE");
            assert!(oid.is_some_and(|oid| oid < ct), "{sql}");
        } else {
            assert!(sql.contains("NOT EXISTS (SELECT 1 FROM"), "{sql}");
            let oid = sql.find("object_id").expect("the object id is in the condition");
            assert!(ct < oid, "{sql}");
        }
        assert!(!sql.contains("JOIN"), "{sql}");
        assert!(sql.contains("django_content_type"), "{sql}");
    }

    /// D.71 with `clear=True`: every current row is deleted first, then the given rows are
    /// related again (those that were related come back with their keys, the others are
    /// pointed here); rows of other parents are left alone. The deletion is a removal: a
    /// SELECT of the keys and one probe of the generic foreign keys that can point at a
    /// tagged item before the DELETE.
    fn set_clearing(t) {
        let log = t.log();
        let db = &mut t.db();
        ContentType::for_model::<TaggedItem>(db).unwrap();
        let (lion, tiger) = (animal(db, "Lion"), animal(db, "Tiger"));
        let mut fatty = lion.tags().create(db, tag("fatty")).unwrap();
        lion.tags().create(db, tag("salty")).unwrap();
        let mut striped = tiger.tags().create(db, tag("striped")).unwrap();
        let keep = tiger.tags().create(db, tag("keep")).unwrap();
        assert_queries(&log, 4 + 1 + probe::<TaggedItem>(), || lion.tags().set_clearing(db, [&mut fatty, &mut striped]).unwrap());
        let mut names: Vec<String> = lion.tags().all(db).unwrap().into_iter().map(|t| t.tag).collect();
        names.sort();
        assert_eq!(names, ["fatty", "striped"]);
        assert_eq!(lion.tags().all(db).unwrap().iter().find(|t| t.tag == "fatty").unwrap().id, fatty.id);
        assert_eq!(striped.object_id, lion.id);
        assert_eq!(tiger.tags().all(db).unwrap(), vec![keep]);
        lion.tags().set_clearing(db, []).unwrap();
        assert_eq!(lion.tags().count(db).unwrap(), 0);
    }
}
