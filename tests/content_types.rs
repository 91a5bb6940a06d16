//! The content-type manager: Django behaviours A.1–A.4, A.6, A.10–A.12, A.14–A.17, with
//! their query counts, on every backend.

mod common;

use common::models::*;
use common::{assert_queries, backend_tests, per_backend, TestConnection};
use contenttypes::prelude::*;
use contenttypes::{create_content_types, django_content_type, Error, PkValue};
use diesel::prelude::*;

/// Inserts a content-type row directly, as another program (or Django) would.
macro_rules! insert_row {
    ($conn:expr, $app_label:expr, $model:expr) => {
        diesel::insert_into(django_content_type::table)
            .values((
                django_content_type::app_label.eq($app_label),
                django_content_type::model.eq($model),
            ))
            .execute($conn)
            .expect("insert a content type row")
    };
}

/// How many content-type rows there are.
macro_rules! row_count {
    ($conn:expr) => {
        django_content_type::table
            .count()
            .get_result::<i64>($conn)
            .expect("count content types")
    };
}

backend_tests! {
    /// A.1: a cold `for_model` is 1 query (the row exists); then it, `for_id` and
    /// `by_natural_key` are 0.
    fn lookups_are_cached(t) {
        create_content_types(&mut t.db()).unwrap();
        t.cts.clear_cache();
        let log = t.log();
        let db = &mut t.db();
        let ct = assert_queries(&log, 1, || ContentType::for_model::<Animal>(db).unwrap());
        assert_queries(&log, 0, || {
            assert_eq!(ContentType::for_model::<Animal>(db).unwrap(), ct);
            assert_eq!(ContentType::for_id(db, ct.id).unwrap(), ct);
            assert_eq!(ContentType::by_natural_key(db, "generic_relations", "animal").unwrap(), ct);
        });
    }

    /// A.2: after `clear_cache` a lookup queries again; a cold `by_natural_key` is 1 query,
    /// then 0.
    fn clear_cache_forgets(t) {
        create_content_types(&mut t.db()).unwrap();
        let log = t.log();
        ContentType::for_model::<Animal>(&mut t.db()).unwrap();
        t.cts.clear_cache();
        assert_queries(&log, 1, || ContentType::for_model::<Animal>(&mut t.db()).unwrap());
        t.cts.clear_cache();
        let db = &mut t.db();
        assert_queries(&log, 1, || ContentType::by_natural_key(db, "generic_relations", "vegetable").unwrap());
        assert_queries(&log, 0, || ContentType::by_natural_key(db, "generic_relations", "vegetable").unwrap());
    }

    /// A.3: `for_models` with no rows at all creates them: 1 SELECT, 1 INSERT of all the
    /// missing rows and 1 SELECT (Django: 1 + one INSERT each), and agrees with
    /// `for_model`.
    fn for_models_creates_missing_rows(t) {
        let log = t.log();
        let defs = [ContentType::DEF, Animal::DEF, Vegetable::DEF];
        let db = &mut t.db();
        let cts = assert_queries(&log, 3, || ContentType::for_models(db, &defs).unwrap());
        assert_eq!(cts.len(), 3);
        assert_eq!(cts[1], ContentType::for_model::<Animal>(db).unwrap());
        assert_eq!(cts[0].natural_key(), ("contenttypes", "contenttype"));
        assert_eq!(cts[2].natural_key(), ("generic_relations", "vegetable"));
    }

    /// A.4: with the rows present, `for_models` is 1 query on an empty or a partial cache,
    /// and 0 on a full one.
    fn for_models_queries_once(t) {
        create_content_types(&mut t.db()).unwrap();
        let log = t.log();
        let defs = [Animal::DEF, Vegetable::DEF, Mineral::DEF];
        t.cts.clear_cache();
        assert_queries(&log, 1, || ContentType::for_models(&mut t.db(), &defs).unwrap());
        t.cts.clear_cache();
        ContentType::for_model::<Animal>(&mut t.db()).unwrap();
        assert_queries(&log, 1, || ContentType::for_models(&mut t.db(), &defs).unwrap());
        assert_queries(&log, 0, || ContentType::for_models(&mut t.db(), &defs).unwrap());
    }

    /// A.6: `for_model` creates the missing row with the app label and the lowercased model
    /// name: 3 statements (SELECT, INSERT, SELECT), then it is cached. The INSERT creates the
    /// rows of every registered model at once (Django creates them all after migrating), so
    /// concurrent first uses in transactions take their locks in one order.
    fn for_model_creates_the_row(t) {
        let log = t.log();
        let db = &mut t.db();
        let ct = assert_queries(&log, 3, || ContentType::for_model::<ManualPk>(db).unwrap());
        assert_eq!(ct.app_label, "generic_relations");
        assert_eq!(ct.model, "manualpk");
        assert!(ct.id > 0);
        assert_eq!(ct.model_class().map(|r| r.def.type_name.as_ref()), Some("ManualPk"));
        assert_queries(&log, 0, || ContentType::for_model::<ManualPk>(db).unwrap());
        // The others are in the database, not in the cache: each is one SELECT away.
        assert_queries(&log, 1, || ContentType::for_model::<Animal>(db).unwrap());
        let registered = contenttypes::Registry::global().unwrap().len() as i64;
        assert_eq!(row_count!(&mut t.conn), registered);
    }

    /// A.10: managers do not share their cache.
    fn caches_are_per_manager(t) {
        create_content_types(&mut t.db()).unwrap();
        let log = t.log();
        ContentType::for_model::<Animal>(&mut t.db()).unwrap();
        let other = ContentTypes::new();
        assert_queries(&log, 1, || ContentType::for_model::<Animal>(&mut other.using(&mut t.conn)).unwrap());
        assert_queries(&log, 0, || ContentType::for_model::<Animal>(&mut other.using(&mut t.conn)).unwrap());
    }

    /// A.11 and A.15: a row no registered model matches is stale: its display is the raw
    /// model name, it has no model class, `for_id` still reads it, and reading its objects
    /// is a clear error.
    fn stale_content_types(t) {
        insert_row!(&mut t.conn, "contenttypes_tests", "fake");
        let db = &mut t.db();
        let stale = ContentType::by_natural_key(db, "contenttypes_tests", "fake").unwrap();
        assert_eq!(stale.to_string(), "fake");
        assert_eq!(stale.name(), "fake");
        assert_eq!(stale.app_labeled_name(), "fake");
        assert!(stale.model_class().is_none());
        t.cts.clear_cache();
        let db = &mut t.db();
        assert_eq!(ContentType::for_id(db, stale.id).unwrap(), stale);
        match stale.get_object_for_this_type(db, 1) {
            Err(Error::StaleContentType { model, .. }) => assert_eq!(model, "fake"),
            other => panic!("expected a stale content type error, got {other:?}"),
        }
    }

    /// A.12: a stale row with the same model name in another app does not confuse
    /// `for_models` (the app label is paired with the model).
    fn stale_row_in_another_app(t) {
        insert_row!(&mut t.conn, "other_app", "animal");
        let log = t.log();
        let db = &mut t.db();
        let cts = assert_queries(&log, 3, || ContentType::for_models(db, &[Animal::DEF, Vegetable::DEF]).unwrap());
        assert_eq!(cts[0].natural_key(), ("generic_relations", "animal"));
        assert_ne!(cts[0], ContentType::by_natural_key(db, "other_app", "animal").unwrap());
    }

    /// A.14 (and A.13): `name` is the model's verbose name; `app_labeled_name` and `Display`
    /// are "<App verbose name> | <model verbose name>".
    fn display_names(t) {
        let db = &mut t.db();
        let ct = ContentType::for_model::<TaggedItem>(db).unwrap();
        assert_eq!(ct.name(), "tagged item");
        assert_eq!(ct.app_labeled_name(), "Generic_Relations | tagged item");
        assert_eq!(ct.to_string(), "Generic_Relations | tagged item");
        assert_eq!(ct.natural_key(), ("generic_relations", "taggeditem"));
        assert_eq!(format!("{ct:?}"), format!("<ContentType {}: generic_relations.taggeditem>", ct.id));
    }

    /// A.16: each database has its own manager: a lookup cached for one database costs a
    /// query on another, where the id may differ.
    fn caches_are_per_database(t) {
        let mut other = common::TestDb::<Conn>::new();
        insert_row!(&mut other.conn, "padding", "shifts_the_ids");
        let log = t.log();
        let other_log = other.log();
        let here = ContentType::for_model::<Animal>(&mut t.db()).unwrap();
        assert_queries(&log, 0, || ContentType::for_model::<Animal>(&mut t.db()).unwrap());
        let there = assert_queries(&other_log, 3, || ContentType::for_model::<Animal>(&mut other.db()).unwrap());
        assert_ne!(here.id, there.id, "ids differ between databases");
        assert_eq!(here.natural_key(), there.natural_key());
    }

    /// A.17: `for_id` and `by_natural_key` never create a row; a missing one is an error.
    fn lookups_that_never_create(t) {
        let log = t.log();
        let db = &mut t.db();
        match ContentType::for_id(db, 4242) {
            Err(Error::UnknownContentTypeId { id }) => assert_eq!(id, 4242),
            other => panic!("expected an unknown id error, got {other:?}"),
        }
        match ContentType::by_natural_key(db, "generic_relations", "animal") {
            Err(Error::UnknownContentType { app_label, model }) => {
                assert_eq!((app_label.as_str(), model.as_str()), ("generic_relations", "animal"))
            }
            other => panic!("expected an unknown content type error, got {other:?}"),
        }
        assert_eq!(log.count(), 2);
        assert_eq!(row_count!(&mut t.conn), 0);
    }

    /// `get_object_for_this_type` returns a downcastable object (1 query); a missing row is
    /// a typed error (Django's DoesNotExist).
    fn objects_of_a_content_type(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = Animal::insert(db, NewAnimal { common_name: "Lion".into(), latin_name: "Panthera leo".into() }).unwrap();
        let ct = ContentType::for_model::<Animal>(db).unwrap();
        let object = assert_queries(&log, 1, || ct.get_object_for_this_type(db, lion.id).unwrap());
        assert_eq!(object.downcast_ref::<Animal>().unwrap(), &lion);
        assert_eq!(object.pk(), PkValue::Int(lion.id));
        match object.downcast_ref::<Vegetable>() {
            Err(Error::WrongType { expected, found }) => assert_eq!((expected.as_str(), found.as_str()), ("Vegetable", "Animal")),
            other => panic!("expected a wrong type error, got {other:?}"),
        }
        match ct.get_object_for_this_type(db, lion.id + 100) {
            Err(Error::ObjectNotFound { pk, .. }) => assert_eq!(pk, PkValue::Int(lion.id + 100)),
            other => panic!("expected a not found error, got {other:?}"),
        }
    }

    /// Django's `create_contenttypes`: 1 SELECT and 1 bulk INSERT of every missing row; a
    /// second run inserts nothing.
    fn create_content_types_in_two_statements(t) {
        let log = t.log();
        insert_row!(&mut t.conn, "generic_relations", "animal");
        let created = assert_queries(&log, 2, || create_content_types(&mut t.db()).unwrap());
        let registry = t.cts.registry().unwrap();
        assert_eq!(created.len(), registry.len() - 1);
        assert!(!created.contains(&("generic_relations".to_string(), "animal".to_string())));
        assert_eq!(row_count!(&mut t.conn), registry.len() as i64);
        let again = assert_queries(&log, 1, || create_content_types(&mut t.db()).unwrap());
        assert!(again.is_empty());
    }

    /// Django's `order_by` and slicing on a filter: descending by a column, a page of it, the
    /// first row in that order, and counts within the slice; 1 query each on every backend. A
    /// sliced query cannot be deleted (Django's TypeError).
    fn order_limit_offset(t) {
        let log = t.log();
        let db = &mut t.db();
        let new: Vec<NewLabel> = ["go", "rust", "zig", "c", "ada"].iter().map(|n| NewLabel { name: n.to_string() }).collect();
        Label::bulk_insert(db, &new).unwrap();
        let names = |rows: Vec<Label>| rows.into_iter().map(|l| l.name).collect::<Vec<_>>();
        let page = assert_queries(&log, 1, || {
            Label::filter(labels_label::name.ne("c")).order_by(labels_label::name.desc()).limit(2).offset(1).load(db).unwrap()
        });
        assert_eq!(names(page), ["rust", "go"]);
        let rest = Label::filter(labels_label::name.ne("c")).order_by(labels_label::name.asc()).offset(2).load(db).unwrap();
        assert_eq!(names(rest), ["rust", "zig"]);
        let by_two = Label::filter(contenttypes::NoFilter).order_by((labels_label::name.desc(), labels_label::id.asc())).limit(1).load(db).unwrap();
        assert_eq!(names(by_two), ["zig"]);
        let first = assert_queries(&log, 1, || Label::filter(contenttypes::NoFilter).order_by(labels_label::name.asc()).first(db).unwrap());
        assert_eq!(first.map(|l| l.name).as_deref(), Some("ada"));
        assert_eq!(Label::filter(contenttypes::NoFilter).offset(3).count(db).unwrap(), 2);
        assert_eq!(Label::filter(contenttypes::NoFilter).offset(1).limit(2).count(db).unwrap(), 2);
        assert_eq!(Label::filter(contenttypes::NoFilter).offset(9).count(db).unwrap(), 0);
        let error = Label::filter(contenttypes::NoFilter).limit(1).delete(db).unwrap_err();
        assert!(matches!(error, contenttypes::Error::InvalidArgument(_)), "{error}");
        assert_eq!(Label::count(db).unwrap(), 5);
    }

    /// Django's `bulk_create(ignore_conflicts=True)`: rows that would break a unique
    /// constraint are skipped, the others inserted, in one statement; the count says how many
    /// went in.
    fn bulk_insert_ignoring_conflicts(t) {
        let log = t.log();
        let db = &mut t.db();
        Label::insert(db, NewLabel { name: "rust".into() }).unwrap();
        let new: Vec<NewLabel> = ["rust", "go", "zig", "go"].iter().map(|n| NewLabel { name: n.to_string() }).collect();
        let inserted = assert_queries(&log, 1, || Label::bulk_insert_ignoring_conflicts(db, &new).unwrap());
        assert_eq!(inserted, 2);
        let mut names: Vec<String> = Label::all(db).unwrap().into_iter().map(|l| l.name).collect();
        names.sort();
        assert_eq!(names, ["go", "rust", "zig"]);
        let error = Label::bulk_insert(db, &new[..1]).unwrap_err();
        assert!(error.is_unique_violation(), "without ignoring, a conflict is an error: {error}");
    }

    /// Inserting a model reads its database-generated key back: 1 statement, 2 on MySQL.
    fn insert_returns_the_key(t) {
        let log = t.log();
        let db = &mut t.db();
        let expected = per_backend::<Conn>(1, 2);
        let tag = assert_queries(&log, expected, || Label::insert(db, NewLabel { name: "rust".into() }).unwrap());
        assert!(tag.id > 0);
        assert_eq!(Label::get(db, &tag.id).unwrap(), Some(tag.clone()));
        log.reset();
        let many = Label::insert_many(db, vec![NewLabel { name: "a".into() }, NewLabel { name: "b".into() }]).unwrap();
        // Only the generated keys are read back: the rest of each row is the new row's own.
        let sent = log.take();
        if <Conn as TestConnection>::DIALECT != contenttypes::Dialect::Mysql {
            let returning = sent[0].split(" RETURNING ").nth(1).expect("an INSERT ... RETURNING");
            assert!(!returning.contains("name"), "RETURNING reads only the key: {sent:?}");
        }
        assert_eq!(many.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert!(many[0].id < many[1].id && many[0].id > tag.id);
        assert_eq!(Label::count(db).unwrap(), 3);
    }

    /// The id-only lookup (the relation code's hot path): the id `for_model` gives, 1 query
    /// cold, 0 cached, per manager, and forgotten by `clear_cache`.
    fn id_for_model_is_cached(t) {
        create_content_types(&mut t.db()).unwrap();
        t.cts.clear_cache();
        let log = t.log();
        let id = assert_queries(&log, 1, || ContentType::id_for_model::<Animal>(&mut t.db()).unwrap());
        assert_queries(&log, 0, || {
            let db = &mut t.db();
            assert_eq!(ContentType::id_for_model::<Animal>(db).unwrap(), id);
            assert_eq!(ContentType::for_model::<Animal>(db).unwrap().id, id);
            assert_eq!(t.cts.cached_id_of(Animal::DEF), Some(id));
        });
        let other = ContentTypes::new();
        assert_eq!(other.cached_id_of(Animal::DEF), None, "another manager has its own cache");
        t.cts.clear_cache();
        assert_eq!(t.cts.cached_id_of(Animal::DEF), None);
        assert_queries(&log, 1, || assert_eq!(ContentType::id_for_model::<Animal>(&mut t.db()).unwrap(), id));
    }

    /// A thread's copy of the cache follows `clear_cache` made on another thread.
    fn clear_cache_reaches_other_threads(t) {
        let id = ContentType::id_for_model::<Animal>(&mut t.db()).unwrap();
        let cts = &t.cts;
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(cts.cached_id_of(Animal::DEF), Some(id))).join().unwrap();
        });
        cts.clear_cache();
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(cts.cached_id_of(Animal::DEF), None)).join().unwrap();
        });
        assert_eq!(cts.cached_id_of(Animal::DEF), None);
    }

    /// Inserts go in the fewest statements under the backend's parameter cap (SQLite 32,766,
    /// PostgreSQL and MySQL 65,535), of equal sizes, in one transaction.
    fn bulk_insert_in_balanced_statements(t) {
        let log = t.log();
        let db = &mut t.db();
        // Twice the parameter cap's worth of rows (one column each): 2 statements, equal.
        let n = 2 * <Conn as TestConnection>::DIALECT.max_binds() - 2;
        let new: Vec<NewLabel> = (0..n).map(|i| NewLabel { name: format!("l{i}") }).collect();
        log.reset();
        let inserted = Label::bulk_insert(db, &new).unwrap();
        let rows: Vec<usize> = log.take().iter().map(|sql| sql.matches("), (").count() + 1).collect();
        assert_eq!(rows, [n / 2, n / 2], "2 statements of {} rows", n / 2);
        assert_eq!(inserted, n);
        assert_eq!(Label::count(db).unwrap(), n as i64);
    }

    /// `insert_many` over several statements returns the rows in the order given, with their
    /// keys: 2 statements for a little more than the parameter cap's worth of rows (32,766 on
    /// SQLite, 65,535 elsewhere). MySQL has no `RETURNING`: on a server
    /// that gives one `INSERT` consecutive keys (`innodb_autoinc_lock_mode` 0 or 1, MariaDB's
    /// default, which CI runs) each statement's first key is read after it, and the lock mode
    /// once before: 5 statements.
    fn insert_many_in_balanced_statements(t) {
        let log = t.log();
        let db = &mut t.db();
        let n = <Conn as TestConnection>::DIALECT.max_binds() + 10;
        let new: Vec<NewLabel> = (0..n).map(|i| NewLabel { name: format!("l{i}") }).collect();
        let many = assert_queries(&log, per_backend::<Conn>(2, 5), || Label::insert_many(db, new).unwrap());
        assert_eq!(many.len(), n);
        assert!(many.iter().enumerate().all(|(i, l)| l.name == format!("l{i}")));
        assert!(many.windows(2).all(|w| w[0].id < w[1].id));
        // Every key is the row's: the rows read back by key are the rows returned.
        let keys: Vec<i64> = many.iter().map(|l| l.id).collect();
        assert_eq!(Label::get_many(db, &keys).unwrap(), many);
    }
}
