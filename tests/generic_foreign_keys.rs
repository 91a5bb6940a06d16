//! Generic foreign keys: reading (cached, `None` for a missing target), writing, typed and
//! dynamic access, several per model, nullable ones. Django behaviours B.21–B.29, B.34,
//! B.38 and H.118–H.120, with their query counts, on every backend.

mod common;

use common::models::*;
use common::{assert_queries, backend_tests};
use contenttypes::prelude::*;
use contenttypes::{Error, GenericObject};
use diesel::{ExpressionMethods, RunQueryDsl};

backend_tests! {
    /// B.21 and B.29: the target reads back (1 query with the content type cached); a
    /// second read costs nothing, and neither does a missing target once read: `None` is
    /// cached too.
    fn reads_are_cached_including_none(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let item = lion.tags().create(db, tag("yellow")).unwrap();
        let item = TaggedItem::get(db, &item.id).unwrap().unwrap();
        let target = assert_queries(&log, 1, || item.content_object(db).unwrap().unwrap());
        assert_eq!(target.downcast_ref::<Animal>().unwrap(), &lion);
        let again = assert_queries(&log, 0, || item.content_object(db).unwrap().unwrap());
        assert!(GenericObject::ptr_eq(&target, &again), "the cached object itself comes back");

        lion.delete(db).unwrap();
        let orphan = TaggedItem::insert(db, tag("orphan")(Target::from_ids(item.content_type_id, lion.id))).unwrap();
        assert_queries(&log, 1, || {
            assert!(orphan.content_object(db).unwrap().is_none());
            assert!(orphan.content_object(db).unwrap().is_none());
        });
        assert_eq!(orphan.content_object.cached(), Some(None));
    }

    /// B.22 and B.24: setting a target sets both columns and caches it (no query to read it
    /// back); saving moves the row to the new target.
    fn setting_a_target(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let carrot = vegetable(db, "Carrot");
        let mut item = lion.tags().create(db, tag("shiny")).unwrap();
        ContentType::for_model::<Vegetable>(db).unwrap();
        assert_queries(&log, 0, || item.set_content_object(db, &carrot).unwrap());
        assert_eq!(item.content_type_id, ContentType::for_model::<Vegetable>(db).unwrap().id);
        assert_eq!(item.object_id, carrot.id);
        let target = assert_queries(&log, 0, || item.content_object(db).unwrap().unwrap());
        assert_eq!(target.downcast_ref::<Vegetable>().unwrap(), &carrot);
        item.save(db).unwrap();
        assert_eq!(carrot.tags().all(db).unwrap(), vec![item.clone()]);
        assert!(lion.tags().all(db).unwrap().is_empty());
    }

    /// B.25, B.26 and B.28: changing either column makes the next read load the new target;
    /// the cached object is only reused for the values it was read for.
    fn changing_a_column_reloads(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let carrot = vegetable(db, "Carrot");
        let tiger = animal(db, "Tiger");
        let mut item = lion.tags().create(db, tag("x")).unwrap();
        assert_eq!(item.content_object(db).unwrap().unwrap().downcast_ref::<Animal>().unwrap(), &lion);
        item.object_id = tiger.id;
        assert_eq!(item.content_object(db).unwrap().unwrap().downcast_ref::<Animal>().unwrap(), &tiger);
        item.content_type_id = ContentType::for_model::<Vegetable>(db).unwrap().id;
        item.object_id = carrot.id;
        assert_eq!(item.content_object(db).unwrap().unwrap().downcast_ref::<Vegetable>().unwrap(), &carrot);
    }

    /// B.34, the typed way: an unsaved object is its `New*` struct, which cannot be a target
    /// (`tests/ui-all-features/set_target_unsaved.rs`); every value of a key type is a saved
    /// key, 0 included, so a row whose key is 0 is pointed at, read back and related.
    fn a_row_whose_key_is_zero_is_a_real_row(t) {
        if <<Conn as diesel::Connection>::Backend as contenttypes::SupportedBackend>::DIALECT == contenttypes::Dialect::Mysql {
            diesel::sql_query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')").execute(&mut t.conn).unwrap();
        }
        diesel::sql_query("INSERT INTO generic_relations_animal (id, common_name, latin_name) VALUES (0, 'Zero', 'Nullus')").execute(&mut t.conn).unwrap();
        let db = &mut t.db();
        let zero = Animal::get(db, &0).unwrap().expect("the row with key 0");
        let lion = animal(db, "Lion");
        let mut item = lion.tags().create(db, tag("x")).unwrap();
        item.set_content_object(db, &zero).unwrap();
        item.save(db).unwrap();
        let fresh = item.refresh(db).unwrap();
        assert_eq!(fresh.object_id, 0);
        assert_eq!(fresh.content_object(db).unwrap().unwrap().downcast_ref::<Animal>().unwrap(), &zero);
        let tags: Vec<String> = zero.tags().all(db).unwrap().into_iter().map(|t| t.tag).collect();
        assert_eq!(tags, ["x"]);
        zero.tags().create(db, tag("y")).unwrap();
        assert_eq!(zero.tags().count(db).unwrap(), 2);
    }

    /// Several generic foreign keys on one model are independent (Django's Comparison).
    fn several_generic_foreign_keys(t) {
        let db = &mut t.db();
        let cheetah = animal(db, "Cheetah");
        let tiger = animal(db, "Tiger");
        let new = NewComparison { comparative: "faster".into(), first_obj: Target::to(&cheetah), other_obj: Target::to(&tiger) };
        let comparison = Comparison::insert(db, new).unwrap();
        let loaded = Comparison::get(db, &comparison.id).unwrap().unwrap();
        assert_eq!(loaded.first_obj(db).unwrap().unwrap().downcast_ref::<Animal>().unwrap(), &cheetah);
        assert_eq!(loaded.other_obj(db).unwrap().unwrap().downcast_ref::<Animal>().unwrap(), &tiger);
        assert_eq!(cheetah.comparisons().all(db).unwrap(), vec![loaded.clone()]);
        assert!(tiger.comparisons().all(db).unwrap().is_empty(), "the relation reverses first_obj only");
    }

    /// A nullable generic foreign key: unset reads as `None` with no query; it can be set and
    /// cleared (Django's AllowsNullGFK, B.23).
    fn nullable_generic_foreign_key(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let mut row = AllowsNullGfk::insert(db, NewAllowsNullGfk::default()).unwrap();
        assert_queries(&log, 0, || assert!(row.content_object(db).unwrap().is_none()));
        row.set_content_object(db, &lion).unwrap();
        row.save(db).unwrap();
        let loaded = AllowsNullGfk::get(db, &row.id).unwrap().unwrap();
        assert_eq!(loaded.content_object(db).unwrap().unwrap().downcast_ref::<Animal>().unwrap(), &lion);
        row.clear_content_object();
        assert_eq!((row.content_type_id, row.object_id), (None, None));
        assert!(row.content_object(db).unwrap().is_none());
        row.save(db).unwrap();
        assert_eq!(AllowsNullGfk::get(db, &row.id).unwrap().unwrap().content_type_id, None);
        // Rows with the key unset have no target to load.
        let mut other = AllowsNullGfk::insert(db, NewAllowsNullGfk::default()).unwrap();
        other.set_content_object(db, &lion).unwrap();
        other.save(db).unwrap();
        let targets = assert_queries(&log, 2, || {
            AllowsNullGfk::CONTENT_OBJECT.load_targets(db, generic_relations_allowsnullgfk::id.gt(0)).unwrap()
        });
        assert_eq!(targets, [GenericObject::new(lion)]);
    }

    /// H.118 and B.38: a text object id points at a text key, including the empty string,
    /// and at an integer key (converted both ways).
    fn text_object_ids(t) {
        let db = &mut t.db();
        let empty = Board::insert(db, NewBoard { name: String::new() }).unwrap();
        let named = Board::insert(db, NewBoard { name: "main".into() }).unwrap();
        let book = Book::insert(db, NewBook { title: "Dune".into() }).unwrap();
        let new = NewComment { text: "first".into(), content_object: Target::to(&empty) };
        let mut comment = Comment::insert(db, new).unwrap();
        let loaded = Comment::get(db, &comment.id).unwrap().unwrap();
        assert_eq!(loaded.object_pk, "");
        assert_eq!(loaded.content_object(db).unwrap().unwrap().downcast_ref::<Board>().unwrap(), &empty);
        comment.set_content_object(db, &book).unwrap();
        assert_eq!(comment.object_pk, book.id.to_string());
        comment.save(db).unwrap();
        let loaded = Comment::get(db, &comment.id).unwrap().unwrap();
        assert_eq!(loaded.content_object(db).unwrap().unwrap().downcast_ref::<Book>().unwrap(), &book);
        assert_eq!(named.comments().count(db).unwrap(), 0);
        assert_eq!(book.comments().all(db).unwrap(), vec![loaded]);
        // The targets of text object ids, a text key and an integer key: each converted to
        // its target's key type.
        Comment::insert(db, NewComment { text: "second".into(), content_object: Target::to(&empty) }).unwrap();
        let targets = Comment::CONTENT_OBJECT.load_targets(db, keys_comment::id.gt(0)).unwrap();
        assert_eq!(targets.len(), 2, "{targets:?}");
        assert!(targets.contains(&GenericObject::new(book)) && targets.contains(&GenericObject::new(empty)));
    }

    /// H.120: comparing a cached target with new column values of another key type does not
    /// fail; a text object id that is not a number reads as a missing integer-keyed target.
    fn key_types_never_confuse_the_cache(t) {
        let db = &mut t.db();
        let board = Board::insert(db, NewBoard { name: "abc".into() }).unwrap();
        let book = Book::insert(db, NewBook { title: "Dune".into() }).unwrap();
        let new = NewComment { text: "x".into(), content_object: Target::to(&board) };
        let mut comment = Comment::insert(db, new).unwrap();
        assert_eq!(comment.content_object(db).unwrap().unwrap().downcast_ref::<Board>().unwrap(), &board);
        comment.content_type_id = ContentType::for_model::<Book>(db).unwrap().id;
        assert!(comment.content_object(db).unwrap().is_none(), "\"abc\" is no Book key");
        comment.object_pk = book.id.to_string();
        assert_eq!(comment.content_object(db).unwrap().unwrap().downcast_ref::<Book>().unwrap(), &book);
    }

    /// Reading through a content type id that does not exist, or one whose model is gone, is
    /// a typed error.
    fn bad_content_types_are_errors(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let mut item = lion.tags().create(db, tag("x")).unwrap();
        item.content_type_id = 987_654;
        match item.content_object(db) {
            Err(Error::UnknownContentTypeId { id }) => assert_eq!(id, 987_654),
            other => panic!("expected an unknown content type, got {other:?}"),
        }
    }

    /// The reverse relation reads a row's target typed, or `None` when it points elsewhere.
    fn typed_reverse_reads(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let carrot = vegetable(db, "Carrot");
        let on_lion = lion.tags().create(db, tag("a")).unwrap();
        let on_carrot = carrot.tags().create(db, tag("b")).unwrap();
        assert_eq!(*TaggedItem::ANIMAL.get(db, &on_lion).unwrap().unwrap(), lion);
        assert!(TaggedItem::ANIMAL.get(db, &on_carrot).unwrap().is_none());
    }

    /// B.30: a refreshed row comes back without the cached target.
    fn refresh_drops_the_cache(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let item = lion.tags().create(db, tag("a")).unwrap();
        let first = item.content_object(db).unwrap().unwrap();
        let fresh = item.refresh(db).unwrap();
        assert_eq!(fresh.content_object.cached(), None);
        let second = fresh.content_object(db).unwrap().unwrap();
        assert_eq!(first, second);
        assert!(!GenericObject::ptr_eq(&first, &second));
    }
}
