//! Typed targets: a generic foreign key declared with `targets(Article, Video, TargetsBoard)`
//! reads as the generated enum (matched exhaustively), is set only to a listed model (a
//! compile error otherwise, see tests/ui/target_outside_targets.rs), and queries only the
//! listed models' tables: a row another program pointed at some other model reads as
//! `None`, lazily or prefetched, without querying that model's table.

mod common;

use common::models::*;
use common::{assert_queries, backend_tests, per_backend};
use contenttypes::prelude::*;
use contenttypes::{strict_loading, Error};
use diesel::prelude::*;

/// The target's title or name, by an exhaustive `match` (no `_` arm: a new target would
/// not compile until handled here).
fn describe(target: &TargetsPinContentObject) -> String {
    match target {
        TargetsPinContentObject::Article(a) => format!("article {}", a.title),
        TargetsPinContentObject::Video(v) => format!("video {}", v.title),
        TargetsPinContentObject::TargetsBoard(b) => format!("board {}", b.name),
    }
}

fn article(db: &mut impl Db<Mode = SyncMode>, title: &str) -> Article {
    Article::insert(
        db,
        NewArticle {
            title: title.into(),
        },
    )
    .unwrap()
}

fn video(db: &mut impl Db<Mode = SyncMode>, title: &str) -> Video {
    Video::insert(
        db,
        NewVideo {
            title: title.into(),
        },
    )
    .unwrap()
}

fn board(db: &mut impl Db<Mode = SyncMode>, name: &str) -> TargetsBoard {
    TargetsBoard::insert(db, NewTargetsBoard { name: name.into() }).unwrap()
}

/// A saved pin on `target`.
fn pin<T: Model>(db: &mut impl Db<Mode = SyncMode>, label: &str, target: &T) -> TargetsPin
where
    TargetsPinContentObject: contenttypes::Admits<T>,
    i64: contenttypes::ObjectIdFor<T, T::Pk>,
{
    let new = NewTargetsPin {
        label: label.into(),
        content_object: Target::to(target),
    };
    TargetsPin::insert(db, new).unwrap()
}

fn warm_content_types(db: &mut impl Db<Mode = SyncMode>) {
    ContentType::for_models(
        db,
        &[Article::DEF, Video::DEF, TargetsBoard::DEF, Animal::DEF],
    )
    .unwrap();
}

backend_tests! {
    /// A read returns the enum (1 query for the target, 0 once cached), and every variant
    /// is matched.
    fn reads_return_the_enum(t) {
        let log = t.log();
        let db = &mut t.db();
        warm_content_types(db);
        let a = article(db, "Typed");
        let v = video(db, "Clip");
        let b = board(db, "Ideas");
        let ids = [pin(db, "a", &a).id, pin(db, "v", &v).id, pin(db, "b", &b).id];
        let mut seen = Vec::new();
        for id in ids {
            let row = TargetsPin::get(db, &id).unwrap().unwrap();
            let target = assert_queries(&log, 1, || row.content_object(db).unwrap().unwrap());
            let again = assert_queries(&log, 0, || row.content_object(db).unwrap().unwrap());
            assert_eq!(target, again);
            seen.push(describe(&target));
        }
        assert_eq!(seen, ["article Typed", "video Clip", "board Ideas"]);
        let row = TargetsPin::get(db, &ids[0]).unwrap().unwrap();
        match row.content_object(db).unwrap() {
            Some(TargetsPinContentObject::Article(found)) => assert_eq!(*found, a),
            other => panic!("expected the article, got {other:?}"),
        }
    }

    /// Setting a listed target sets both columns and caches it as the enum (0 queries with
    /// the content type cached); saving moves the row.
    fn setting_an_allowed_target(t) {
        let log = t.log();
        let db = &mut t.db();
        warm_content_types(db);
        let a = article(db, "First");
        let v = video(db, "Second");
        let mut row = pin(db, "moving", &a);
        assert_queries(&log, 0, || row.set_content_object(db, &v).unwrap());
        assert_eq!(row.content_type_id, ContentType::for_model::<Video>(db).unwrap().id);
        assert_eq!(row.object_id, v.id);
        let target = assert_queries(&log, 0, || row.content_object(db).unwrap().unwrap());
        assert_eq!(target, TargetsPinContentObject::Video(std::sync::Arc::new(v.clone())));
        row.save(db).unwrap();
        let reloaded = TargetsPin::get(db, &row.id).unwrap().unwrap();
        let target = assert_queries(&log, 1, || reloaded.content_object(db).unwrap().unwrap());
        assert_eq!(describe(&target), "video Second");
    }

    /// The enum converts to and from `GenericObject`; a model outside the targets is a
    /// typed error, not a panic.
    fn conversions_with_generic_object(t) {
        let db = &mut t.db();
        let a = article(db, "Dyn");
        let lion = animal(db, "Lion");
        let typed = TargetsPinContentObject::try_from(GenericObject::new(a.clone())).unwrap();
        assert_eq!(describe(&typed), "article Dyn");
        let object = GenericObject::from(typed);
        assert!(object.is::<Article>());
        assert_eq!(object, GenericObject::new(a));
        match TargetsPinContentObject::try_from(GenericObject::new(lion)) {
            Err(Error::WrongType { expected, found }) => {
                assert_eq!(expected, "Article | Video | TargetsBoard");
                assert_eq!(found, "Animal");
            }
            other => panic!("expected WrongType, got {other:?}"),
        }
    }

    /// Prefetching the targets of rows over 3 models: 1 query for the rows and 1 per
    /// model; every read after it is free (strict loading).
    fn prefetch_over_mixed_targets(t) {
        let log = t.log();
        let db = &mut t.db();
        warm_content_types(db);
        let (a1, a2) = (article(db, "One"), article(db, "Two"));
        let v = video(db, "Three");
        let b = board(db, "Four");
        pin(db, "1", &a1);
        pin(db, "2", &v);
        pin(db, "3", &a2);
        pin(db, "4", &b);
        let rows = assert_queries(&log, 1, || TargetsPin::all(db).unwrap());
        let report = assert_queries(&log, 3, || TargetsPin::CONTENT_OBJECT.prefetch(db, &rows).unwrap());
        assert_eq!((report.found, report.missing, report.stale, report.not_admitted), (4, 0, 0, 0));
        let _strict = strict_loading();
        let mut names: Vec<String> = assert_queries(&log, 0, || {
            rows.iter().map(|r| describe(&r.content_object(db).unwrap().unwrap())).collect()
        });
        names.sort();
        assert_eq!(names, ["article One", "article Two", "board Four", "video Three"]);
    }

    /// `load_targets`: the targets of the matching rows, each once, without the rows: 1
    /// query for their two columns and 1 per model; a target pointed at twice comes once, a
    /// row of a model outside the targets and a row whose target is gone are left out, and
    /// the animals' table is never read.
    fn load_targets_gives_each_target_once(t) {
        let log = t.log();
        let (lion, a1, v, b) = {
            let db = &mut t.db();
            warm_content_types(db);
            (animal(db, "Lion"), article(db, "One"), video(db, "Two"), board(db, "Three"))
        };
        let animal_ct = ContentType::for_model::<Animal>(&mut t.db()).unwrap().id;
        let article_ct = ContentType::for_model::<Article>(&mut t.db()).unwrap().id;
        for (label, ct, id) in [("foreign", animal_ct, lion.id), ("gone", article_ct, a1.id + 1_000)] {
            diesel::insert_into(typed_targets_targetspin::table)
                .values((
                    typed_targets_targetspin::label.eq(label),
                    typed_targets_targetspin::content_type_id.eq(ct),
                    typed_targets_targetspin::object_id.eq(id),
                ))
                .execute(&mut t.conn)
                .unwrap();
        }
        let db = &mut t.db();
        pin(db, "1", &a1);
        pin(db, "2", &v);
        pin(db, "3", &a1);
        pin(db, "4", &b);
        log.reset();
        let all = TargetsPin::CONTENT_OBJECT
            .load_targets(db, typed_targets_targetspin::label.ne("none"))
            .unwrap();
        let sent = log.take();
        assert_eq!(sent.len(), 4, "the pins' columns, then articles, videos, boards: {sent:?}");
        assert!(sent.iter().all(|q| !q.contains("generic_relations_animal")), "{sent:?}");
        let mut names: Vec<String> = all.iter().map(describe).collect();
        names.sort();
        assert_eq!(names, ["article One", "board Three", "video Two"]);
        let one = assert_queries(&log, 2, || {
            TargetsPin::CONTENT_OBJECT
                .load_targets(db, typed_targets_targetspin::label.eq("2"))
                .unwrap()
        });
        assert_eq!(one, [TargetsPinContentObject::Video(std::sync::Arc::new(v))]);
        let none = assert_queries(&log, 1, || {
            TargetsPin::CONTENT_OBJECT
                .load_targets(db, typed_targets_targetspin::label.eq("no such pin"))
                .unwrap()
        });
        assert!(none.is_empty());
    }

    /// A row that other code pointed at a model outside `targets(..)` (an animal, inserted
    /// with plain Diesel) reads as `None` without querying the animals' table: lazily (0
    /// queries with the content type cached) and prefetched (counted as not admitted).
    fn a_model_outside_the_targets_reads_as_none(t) {
        let log = t.log();
        let (lion, a) = {
            let db = &mut t.db();
            warm_content_types(db);
            (animal(db, "Lion"), article(db, "Kept"))
        };
        let animal_ct = ContentType::for_model::<Animal>(&mut t.db()).unwrap().id;
        diesel::insert_into(typed_targets_targetspin::table)
            .values((
                typed_targets_targetspin::label.eq("foreign"),
                typed_targets_targetspin::content_type_id.eq(animal_ct),
                typed_targets_targetspin::object_id.eq(lion.id),
            ))
            .execute(&mut t.conn)
            .unwrap();
        let db = &mut t.db();
        pin(db, "kept", &a);
        let rows = TargetsPin::all(db).unwrap();
        assert_eq!(rows[0].label, "foreign");
        assert_queries(&log, 0, || assert!(rows[0].content_object(db).unwrap().is_none()));
        assert_eq!(rows[0].content_object.cached(), Some(None));

        let rows = TargetsPin::all(db).unwrap();
        log.reset();
        let report = TargetsPin::CONTENT_OBJECT.prefetch(db, &rows).unwrap();
        let sent = log.take();
        assert_eq!(sent.len(), 1, "only the articles' table: {sent:?}");
        assert!(sent.iter().all(|q| !q.contains("generic_relations_animal")), "{sent:?}");
        assert_eq!((report.found, report.not_admitted), (1, 1));
        let _strict = strict_loading();
        assert!(rows[0].content_object(db).unwrap().is_none());
        assert_eq!(describe(&rows[1].content_object(db).unwrap().unwrap()), "article Kept");
    }

    /// A generic relation through the typed generic foreign key, from a listed model: its
    /// manager creates (1 query; 2 on MySQL, which reads the new key back) and reads rows (1
    /// query), and the row reads back as the enum.
    fn relation_through_typed_targets(t) {
        let log = t.log();
        let db = &mut t.db();
        warm_content_types(db);
        let b = board(db, "Pins");
        let created = assert_queries(&log, per_backend::<Conn>(1, 2), || {
            b.pins().create(db, |content_object| NewTargetsPin { label: "on board".into(), content_object }).unwrap()
        });
        let all = assert_queries(&log, 1, || b.pins().all(db).unwrap());
        assert_eq!(all, vec![created.clone()]);
        let target = all[0].content_object(db).unwrap().unwrap();
        assert_eq!(describe(&target), "board Pins");
    }
}
