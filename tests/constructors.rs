//! Constructors that cannot be misused: a new row's generic foreign key is a `Target` field
//! of its insert struct (a missing one does not compile:
//! `tests/ui-all-features/new_row_without_generic_foreign_key.rs`); model-level
//! `get_or_create` / `update_or_create` take one description of the row; unsaved instances
//! build without their caches. Every behaviour on three backends, with Django's query counts
//! (transaction control statements are not counted, as in Django's `assertNumQueries`).

mod common;

use common::Raw;

use std::sync::{Arc, Barrier};

use common::models::*;
use common::{assert_queries, backend_tests, per_backend, TestConnection};
use contenttypes::prelude::*;
use contenttypes::Error;
use diesel::prelude::*;

const THREADS: usize = 6;

fn new_tag(name: &str, color: Option<&str>) -> NewCtorTag {
    NewCtorTag {
        name: name.into(),
        color: color.map(Into::into),
    }
}

fn colors(db: &mut impl Db<Mode = SyncMode>) -> Vec<(String, Option<String>)> {
    let mut rows: Vec<(String, Option<String>)> = CtorTag::all(db)
        .unwrap()
        .into_iter()
        .map(|t| (t.name, t.color))
        .collect();
    rows.sort();
    rows
}

backend_tests! {
    /// Django's `get_or_create`: a miss is a SELECT and an INSERT (and MySQL's
    /// `LAST_INSERT_ID()`), a hit is 1 query and returns the row unchanged.
    fn model_get_or_create_miss_then_hit(t) {
        let log = t.log();
        let db = &mut t.db();
        let (rust, created) = assert_queries(&log, per_backend::<Conn>(2, 3), || {
            CtorTag::get_or_create(db, new_tag("rust", Some("red"))).unwrap()
        });
        assert!(created);
        assert_eq!((rust.name.as_str(), rust.color.as_deref()), ("rust", Some("red")));
        let (again, created) = assert_queries(&log, 1, || {
            CtorTag::get_or_create(db, new_tag("rust", Some("red"))).unwrap()
        });
        assert_eq!((again, created), (rust, false));
        assert_eq!(CtorTag::count(db).unwrap(), 1);
    }

    /// One description is the lookup: every column of it, a `None` matching NULL (Django's
    /// `color=None` is `IS NULL`). A description that differs in a column is another row;
    /// when that row would break a unique constraint the insert's error comes back, as
    /// Django's `IntegrityError` does.
    fn one_description_lookup_with_a_null_column(t) {
        let log = t.log();
        let db = &mut t.db();
        let (plain, created) = CtorTag::get_or_create(db, new_tag("go", None)).unwrap();
        assert!(created);
        let (found, created) = assert_queries(&log, 1, || CtorTag::get_or_create(db, new_tag("go", None)).unwrap());
        assert_eq!((found.id, created), (plain.id, false), "NULL matches NULL");
        let (blue, created) = CtorTag::get_or_create(db, new_tag("zig", Some("blue"))).unwrap();
        assert!(created);
        match CtorTag::get_or_create(db, new_tag("zig", None)) {
            Err(e) => assert!(e.is_unique_violation(), "expected a unique violation, got {e:?}"),
            Ok(other) => panic!("a NULL color matched {other:?}"),
        }
        assert_eq!(colors(db), [("go".to_string(), None), ("zig".to_string(), Some("blue".to_string()))]);
        assert_eq!(CtorTag::get(db, &blue.id).unwrap(), Some(blue));
    }

    /// Inside the caller's transaction the insert runs in a savepoint: a refused insert (a
    /// unique violation no row matches) leaves the caller's transaction usable, and what
    /// was created commits with it. Savepoint statements are transaction control, not
    /// counted.
    fn get_or_create_in_the_callers_transaction(t) {
        let log = t.log();
        CtorTag::insert(&mut t.conn, new_tag("zig", Some("blue"))).unwrap();
        let made = t.conn.transaction::<_, Error, _>(|conn| {
            let refused = CtorTag::get_or_create(conn, new_tag("zig", None)).unwrap_err();
            assert!(refused.is_unique_violation(), "{refused:?}");
            let (made, created) = assert_queries(&log, per_backend::<Conn>(2, 3), || CtorTag::get_or_create(conn, new_tag("go", None)).unwrap());
            assert!(created);
            let (again, created) = assert_queries(&log, 1, || CtorTag::get_or_create(conn, new_tag("go", None)).unwrap());
            assert_eq!((again.id, created), (made.id, false));
            Ok(made)
        }).unwrap();
        assert_eq!(CtorTag::get(&mut t.conn, &made.id).unwrap(), Some(made));
        assert_eq!(colors(&mut t.conn), [("go".to_string(), None), ("zig".to_string(), Some("blue".to_string()))]);
    }

    /// `get_or_create_by`: the lookup is the named columns; the description's other columns
    /// are Django's `defaults`, used only when the row is created.
    fn get_or_create_by_uses_defaults_only_on_create(t) {
        let log = t.log();
        let db = &mut t.db();
        let existing = CtorTag::insert(db, new_tag("rust", None)).unwrap();
        let (found, created) = assert_queries(&log, 1, || {
            CtorTag::get_or_create_by(db, (ctor_ctortag::name,), new_tag("rust", Some("red"))).unwrap()
        });
        assert_eq!((found, created), (existing, false), "a hit ignores the defaults");
        let (made, created) = assert_queries(&log, per_backend::<Conn>(2, 3), || {
            CtorTag::get_or_create_by(db, (ctor_ctortag::name,), new_tag("go", Some("cyan"))).unwrap()
        });
        assert!(created);
        assert_eq!(made.color.as_deref(), Some("cyan"), "a miss creates with the defaults");
    }

    /// Several rows matching the lookup: `MultipleObjectsReturned`, as Django's `get` inside
    /// `get_or_create` and `update_or_create` raises; nothing is inserted or changed. 1 query.
    fn several_matches_are_an_error(t) {
        let log = t.log();
        let db = &mut t.db();
        CtorTag::insert(db, new_tag("rust", Some("red"))).unwrap();
        CtorTag::insert(db, new_tag("go", Some("red"))).unwrap();
        let result = assert_queries(&log, 1, || CtorTag::get_or_create_by(db, (ctor_ctortag::color,), new_tag("zig", Some("red"))));
        assert!(matches!(result, Err(contenttypes::Error::MultipleObjectsReturned { .. })), "{result:?}");
        let result = CtorTag::update_or_create(db, (ctor_ctortag::color,), new_tag("zig", Some("red")));
        assert!(matches!(result, Err(contenttypes::Error::MultipleObjectsReturned { .. })), "{result:?}");
        assert_eq!(CtorTag::count(db).unwrap(), 2);
    }

    /// Django's `update_or_create`: the description's other columns (`defaults`) are written
    /// on update and inserted on create. Update: a locking SELECT and an UPDATE; create: a
    /// locking SELECT and the insert.
    fn model_update_or_create_with_defaults(t) {
        let log = t.log();
        let db = &mut t.db();
        let (made, created) = assert_queries(&log, per_backend::<Conn>(2, 3), || {
            CtorTag::update_or_create(db, (ctor_ctortag::name,), new_tag("rust", Some("red"))).unwrap()
        });
        assert!(created);
        assert_eq!(made.color.as_deref(), Some("red"));
        let (updated, created) = assert_queries(&log, 2, || {
            CtorTag::update_or_create(db, (ctor_ctortag::name,), new_tag("rust", Some("green"))).unwrap()
        });
        assert!(!created);
        assert_eq!((updated.id, updated.color.as_deref()), (made.id, Some("green")));
        assert_eq!(CtorTag::get(db, &made.id).unwrap(), Some(updated));
        let (cleared, _) = CtorTag::update_or_create(db, (ctor_ctortag::name,), new_tag("rust", None)).unwrap();
        assert_eq!(cleared.color, None, "a None default writes NULL");
        assert_eq!(colors(db), [("rust".to_string(), None)]);
    }

    /// Django's `create_defaults`: used instead of `defaults` when the row is created; an
    /// update still writes the `defaults`.
    fn model_update_or_create_with_create_defaults(t) {
        let log = t.log();
        let db = &mut t.db();
        let created_color = |t: &mut NewCtorTag| t.color = Some("new".into());
        let (made, created) = assert_queries(&log, per_backend::<Conn>(2, 3), || {
            CtorTag::update_or_create_with(db, (ctor_ctortag::name,), new_tag("rust", Some("seen")), created_color).unwrap()
        });
        assert!(created);
        assert_eq!(made.color.as_deref(), Some("new"));
        let (updated, created) = assert_queries(&log, 2, || {
            CtorTag::update_or_create_with(db, (ctor_ctortag::name,), new_tag("rust", Some("seen")), created_color).unwrap()
        });
        assert!(!created);
        assert_eq!((updated.id, updated.color.as_deref()), (made.id, Some("seen")));
    }

    /// `modify_or_create`: the change depends on the row read under the lock.
    fn model_modify_or_create(t) {
        let log = t.log();
        let db = &mut t.db();
        let hits = || NewCtorCounter { key: "hits".into(), value: 1 };
        let (first, created) = assert_queries(&log, per_backend::<Conn>(2, 3), || {
            CtorCounter::modify_or_create(db, (ctor_ctorcounter::key,), hits(), |c| c.value += 1).unwrap()
        });
        assert_eq!((first.value, created), (1, true), "a created row is the description as is");
        let (second, created) = assert_queries(&log, 2, || {
            CtorCounter::modify_or_create(db, (ctor_ctorcounter::key,), hits(), |c| c.value += 1).unwrap()
        });
        assert_eq!((second.id, second.value, created), (first.id, 2, false));
    }

    /// A lookup on a column the description holds no value for (the database-generated key)
    /// is a typed error, before any query.
    fn a_lookup_on_the_generated_key_is_an_error(t) {
        let log = t.log();
        let db = &mut t.db();
        let result = assert_queries(&log, 0, || CtorTag::get_or_create_by(db, (ctor_ctortag::id,), new_tag("rust", None)));
        match result {
            Err(Error::InvalidArgument(message)) => assert!(message.contains("`id`"), "{message}"),
            other => panic!("expected an invalid argument, got {other:?}"),
        }
        match CtorTag::update_or_create(db, (ctor_ctortag::id,), new_tag("rust", None)) {
            Err(Error::InvalidArgument(_)) => {}
            other => panic!("expected an invalid argument, got {other:?}"),
        }
        assert_eq!(CtorTag::count(db).unwrap(), 0);
    }

    /// A generic foreign key in the description: `Target::to` is resolved through the
    /// cached content types (0 queries once cached), and is part of the lookup; `None` is a
    /// NULL target, matched as NULL.
    fn a_target_is_part_of_the_description(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let tiger = animal(db, "Tiger");
        ContentType::for_model::<Animal>(db).unwrap();
        let on = |target: Option<&Animal>| NewCtorPin { label: "star".into(), content_object: target.map(Target::to) };
        let (pin, created) = assert_queries(&log, per_backend::<Conn>(2, 3), || CtorPin::get_or_create(db, on(Some(&lion))).unwrap());
        assert!(created);
        let animal_type = ContentType::for_model::<Animal>(db).unwrap().id;
        assert_eq!((pin.content_type_id, pin.object_id), (Some(animal_type), Some(lion.id)));
        let (found, created) = assert_queries(&log, 1, || CtorPin::get_or_create(db, on(Some(&lion))).unwrap());
        assert_eq!((found.id, created), (pin.id, false));
        let (other, created) = CtorPin::get_or_create(db, on(Some(&tiger))).unwrap();
        assert!(created && other.id != pin.id, "another target is another row");
        let (nowhere, created) = CtorPin::get_or_create(db, on(None)).unwrap();
        assert!(created);
        assert_eq!((nowhere.content_type_id, nowhere.object_id), (None, None));
        let (again, created) = assert_queries(&log, 1, || CtorPin::get_or_create(db, on(None)).unwrap());
        assert_eq!((again.id, created), (nowhere.id, false), "a NULL target matches NULL");
        let by_ids = NewCtorPin { label: "star".into(), content_object: Some(Target::from_ids(animal_type, lion.id)) };
        assert_eq!(CtorPin::get_or_create(db, by_ids).unwrap(), (found, false), "ids and the model agree");
        assert_eq!(CtorPin::count(db).unwrap(), 3);
    }

    /// `Target::to` on a model whose content type is not cached yet: the insert looks it up
    /// (creating it when missing) before its own statement; the row's target reads back.
    fn a_target_resolves_its_content_type_at_insert(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let new = NewTaggedItem { tag: "big".into(), content_object: Target::to(&lion) };
        assert_eq!(new.content_object.content_type_id(), None, "building needs no database");
        let item = TaggedItem::insert(db, new).unwrap();
        assert_eq!(item.content_type_id, ContentType::for_model::<Animal>(db).unwrap().id);
        assert_eq!(item.content_object(db).unwrap().unwrap().downcast_ref::<Animal>().unwrap(), &lion);
        let next = NewTaggedItem { tag: "cat".into(), content_object: Target::to(&lion) };
        assert_queries(&log, per_backend::<Conn>(1, 2), || TaggedItem::insert(db, next).unwrap());
    }

    /// Diesel's own `insert_into` takes the insert struct: a target given by ids binds as
    /// is; a `Target::to` not yet resolved is Diesel's serialization error, not a panic.
    fn diesel_insertable_with_targets(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let animal_type = ContentType::for_model::<Animal>(db).unwrap().id;
        let by_ids = NewCtorPin { label: "x".into(), content_object: Some(Target::from_ids(animal_type, lion.id)) };
        diesel::insert_into(ctor_ctorpin::table).values(&by_ids).execute(db.raw()).unwrap();
        let none = NewCtorPin { label: "y".into(), content_object: None };
        diesel::insert_into(ctor_ctorpin::table).values(none).execute(db.raw()).unwrap();
        let pins = CtorPin::all(db).unwrap();
        assert_eq!(pins.iter().map(|p| p.object_id).collect::<Vec<_>>(), [Some(lion.id), None]);
        let unresolved = NewCtorPin { label: "z".into(), content_object: Some(Target::to(&lion)) };
        let error = diesel::insert_into(ctor_ctorpin::table).values(&unresolved).execute(db.raw()).unwrap_err();
        assert!(error.to_string().contains("Target::from_ids"), "{error}");
        assert_eq!(CtorPin::count(db).unwrap(), 2);
    }

    /// The relation manager supplies the target: the description's closure receives the
    /// parent, and the lookup always includes the parent.
    fn relation_manager_describes_with_the_parent(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        ContentType::for_model::<Animal>(db).unwrap();
        let (made, created) = assert_queries(&log, per_backend::<Conn>(2, 3), || {
            lion.tags().get_or_create_by(db, (generic_relations_taggeditem::tag,), tag("mane")).unwrap()
        });
        assert!(created);
        assert_eq!(made.object_id, lion.id);
        let (found, created) = assert_queries(&log, 1, || {
            lion.tags().get_or_create_by(db, (generic_relations_taggeditem::tag,), tag("mane")).unwrap()
        });
        assert_eq!((found, created), (made.clone(), false));
        // A closure that ignores its target still makes the parent's row.
        let tiger = animal(db, "Tiger");
        let elsewhere = lion.tags().create(db, |_| NewTaggedItem { tag: "x".into(), content_object: Target::to(&tiger) }).unwrap();
        assert_eq!(elsewhere.object_id, lion.id);
        let (same, created) = assert_queries(&log, 2, || {
            lion.tags().update_or_create(db, (generic_relations_taggeditem::tag,), tag("mane")).unwrap()
        });
        assert_eq!((same.id, created), (made.id, false));
        let (on_tiger, created) = tiger.tags().update_or_create(db, (generic_relations_taggeditem::tag,), tag("mane")).unwrap();
        assert!(created && on_tiger.id != made.id, "the lookup includes the parent");
    }

    /// Unsaved instances build from the insert struct without listing the caches.
    fn unsaved_instances(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        ContentType::for_model::<Animal>(db).unwrap();
        let item = assert_queries(&log, 0, || TaggedItem::unsaved(db, 0, tag("loose")(Target::to(&lion))).unwrap());
        assert_eq!((item.id, item.tag.as_str(), item.object_id), (0, "loose", lion.id));
        assert_eq!(item.content_object.cached(), None);
        match lion.tags().add(db, [&mut item.clone()]) {
            Err(Error::Unsaved { .. }) => {}
            other => panic!("expected an unsaved error, got {other:?}"),
        }
        assert_eq!(TaggedItem::count(db).unwrap(), 0);
    }

    /// Race safety: threads with their own connections `get_or_create` one row at once; one
    /// row results, everybody gets it, nobody gets an error. Then they `modify_or_create`
    /// one counter: no increment is lost.
    fn concurrent_model_get_or_create_and_modify(t) {
        drop(t);
        let shared = common::TestDb::<Conn>::shared();
        let url = shared.url().expect("a shared database").to_string();
        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (url, barrier) = (url.clone(), barrier.clone());
                // Connected before the thread starts: a refused connection fails the test here
                // instead of leaving the other threads waiting at the barrier.
                let mut conn = <Conn as TestConnection>::reconnect(&url);
                std::thread::spawn(move || {
                    let cts = ContentTypes::new();
                    let db = &mut cts.using(&mut conn);
                    barrier.wait();
                    let (row, _) = CtorTag::get_or_create(db, new_tag("shared", None)).expect("no error under contention");
                    barrier.wait();
                    let bump = NewCtorCounter { key: "hits".into(), value: 1 };
                    CtorCounter::modify_or_create(db, (ctor_ctorcounter::key,), bump, |c| c.value += 1)
                        .expect("no error under contention");
                    row.id
                })
            })
            .collect();
        let ids: Vec<i64> = handles.into_iter().map(|h| h.join().expect("thread")).collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "one row for everybody: {ids:?}");
        let mut conn = <Conn as TestConnection>::reconnect(&url);
        assert_eq!(CtorTag::count(&mut conn).unwrap(), 1);
        let counters = CtorCounter::all(&mut conn).unwrap();
        assert_eq!(counters.len(), 1);
        assert_eq!(counters[0].value, THREADS as i64, "no lost increment");
    }
}
