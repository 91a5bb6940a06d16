//! Stale content types and orphaned generic rows (`contenttypes::lifecycle`): a delete that
//! bypasses the framework leaves orphans that `orphans` counts and `sweep_orphans` removes in
//! batches; content types of models that are gone are listed with their dependents, kept when
//! another program owns them, removed with their rows otherwise. On every backend.

mod common;

use common::Raw;

use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use common::models::*;
use common::{assert_queries, backend_tests, probe};
use contenttypes::lifecycle::{
    orphans, remove_stale_content_types, stale_content_types, sweep_orphans, OrphanCount,
    OrphanKind, SweepOptions,
};
use contenttypes::prelude::*;
use contenttypes::{django_content_type, Registry};
use diesel::prelude::*;

/// The generic foreign keys of the registered models: `orphans` sends one `GROUP BY` for each.
fn gfks() -> usize {
    Registry::global()
        .unwrap()
        .models()
        .map(|r| r.def.generic_foreign_keys.len())
        .sum()
}

/// The foreign keys to `django_content_type` the deletion collector acts on: every generic
/// foreign key's content-type column (`remove_stale_content_types` sends one DELETE each).
/// Of [`foreign_keys_to_content_types`], those whose model generic foreign keys can point at
/// (a cascade to its rows probes for rows pointing at them first).
fn probed_foreign_keys_to_content_types() -> usize {
    let registry = Registry::global().unwrap();
    foreign_keys_to_content_types_of(registry.models().filter(|r| {
        contenttypes::generic_on_delete::generic_dependents(registry.models().map(|m| m.def), r.def)
            .iter()
            .any(|d| d.on_delete != contenttypes::ir::OnDelete::NoAction)
    }))
}

fn foreign_keys_to_content_types() -> usize {
    foreign_keys_to_content_types_of(Registry::global().unwrap().models())
}

/// The foreign keys to `django_content_type` the framework acts on, of these models.
fn foreign_keys_to_content_types_of(
    models: impl Iterator<Item = &'static contenttypes::Registration>,
) -> usize {
    models
        .flat_map(|r| r.def.table.columns.iter())
        .filter_map(|c| c.foreign_key.as_ref())
        .filter(|fk| {
            fk.table == "django_content_type"
                && fk.on_delete != contenttypes::ir::OnDelete::NoAction
        })
        .count()
}

/// `n` animals named `A0`.., each with `tags` tags.
fn tagged_animals(db: &mut impl Db<Mode = SyncMode>, n: usize, tags: usize) -> Vec<Animal> {
    (0..n)
        .map(|i| {
            let a = animal(db, &format!("A{i}"));
            for j in 0..tags {
                a.tags().create(db, tag(&format!("t{j}"))).unwrap();
            }
            a
        })
        .collect()
}

/// Deletes rows the way another program would: raw SQL, no framework.
fn raw(conn: &mut impl diesel::connection::SimpleConnection, sql: &str) {
    conn.batch_execute(sql).expect(sql);
}

/// The one orphan count of `model`'s generic foreign key `content_object`.
fn only(found: &[OrphanCount]) -> (&str, &str, OrphanKind, i64) {
    assert_eq!(found.len(), 1, "{found:?}");
    let c = &found[0];
    assert_eq!(c.field, "content_object");
    (c.model.as_str(), c.content_type.as_str(), c.kind, c.rows)
}

/// Inserts a content-type row directly (a model that is gone, or another program's) and
/// gives its id.
macro_rules! content_type_id {
    ($conn:expr, $app:expr, $model:expr) => {{
        use django_content_type::dsl as ct;
        diesel::insert_into(ct::django_content_type)
            .values((ct::app_label.eq($app), ct::model.eq($model)))
            .execute($conn)
            .unwrap();
        ct::django_content_type
            .filter(ct::app_label.eq($app).and(ct::model.eq($model)))
            .select(ct::id)
            .first::<i32>($conn)
            .unwrap()
    }};
}

backend_tests! {
    /// A raw DELETE of 3 of 5 tagged animals leaves their 6 tagged items behind: `orphans`
    /// counts them (one GROUP BY per generic foreign key, one anti-join per content type
    /// present: animal and vegetable; the content types are cached), a dry run changes nothing, and the sweep deletes them in batches of 4
    /// (a SELECT of the batch's keys, one probe of the generic foreign keys that can point at
    /// a tagged item, and a DELETE each), calling back after each.
    fn raw_delete_leaves_orphans_the_sweep_removes(t) {
        let log = t.log();
        let db = &mut t.db();
        tagged_animals(db, 5, 2);
        let carrot = Vegetable::insert(db, NewVegetable { name: "Carrot".into(), is_yucky: false }).unwrap();
        carrot.tags().create(db, tag("orange")).unwrap();
        raw(db.raw(), "DELETE FROM generic_relations_animal WHERE common_name IN ('A0', 'A1', 'A2')");

        let found = assert_queries(&log, gfks() + 2, || orphans(db).unwrap());
        assert_eq!(
            only(&found),
            ("generic_relations.TaggedItem", "generic_relations.animal", OrphanKind::MissingTarget, 6)
        );

        let dry = sweep_orphans(db, SweepOptions { batch: 4, dry_run: true }, |_| -> ControlFlow<()> { panic!("a dry run deletes nothing") }).unwrap();
        assert_eq!((dry.orphans, dry.deleted.total, dry.batches), (found.clone(), 0, 0));
        assert_eq!(TaggedItem::count(db).unwrap(), 11);

        let mut seen = Vec::new();
        ContentType::for_model::<TaggedItem>(db).unwrap();
        let batch = 2 + probe::<TaggedItem>();
        let report = assert_queries(&log, gfks() + 2 + 2 * batch, || {
            sweep_orphans(db, SweepOptions { batch: 4, dry_run: false }, |p| {
                assert_eq!((p.model.as_str(), p.content_type.as_str(), p.expected), ("generic_relations.TaggedItem", "generic_relations.animal", 6));
                seen.push((p.batch_rows, p.done, p.batches));
            })
            .unwrap()
        });
        assert_eq!(seen, [(4, 4, 1), (2, 6, 2)]);
        assert_eq!(report.orphans, found);
        assert_eq!((report.deleted.of::<TaggedItem>(), report.deleted.total, report.batches), (6, 6, 2));
        assert!(orphans(db).unwrap().is_empty());
        // What had a target is untouched.
        assert_eq!(TaggedItem::count(db).unwrap(), 5);
        assert_eq!(carrot.tags().count(db).unwrap(), 1);
    }

    /// A batch that ends exactly at the last orphan takes one more SELECT, which finds none.
    fn sweep_ends_on_an_empty_batch(t) {
        let log = t.log();
        let db = &mut t.db();
        tagged_animals(db, 2, 2);
        raw(db.raw(), "DELETE FROM generic_relations_animal");
        ContentType::for_model::<TaggedItem>(db).unwrap();
        let batch = 2 + probe::<TaggedItem>();
        let report = assert_queries(&log, gfks() + 1 + 2 * batch + 1, || {
            sweep_orphans(db, SweepOptions { batch: 2, dry_run: false }, |_| {}).unwrap()
        });
        assert_eq!((report.deleted.total, report.batches), (4, 2));
        assert_eq!(TaggedItem::count(db).unwrap(), 0);
    }

    /// A sweep interrupted after its first batch (the progress callback panics, as a killed
    /// process stops) keeps that batch deleted and the rest in place; run again, it finishes
    /// with no orphan left.
    fn interrupted_sweep_reruns_to_zero(t) {
        let db = &mut t.db();
        tagged_animals(db, 10, 1);
        raw(db.raw(), "DELETE FROM generic_relations_animal");
        let options = SweepOptions { batch: 3, dry_run: false };
        let interrupted = catch_unwind(AssertUnwindSafe(|| {
            sweep_orphans(&mut *db, options, |_| -> ControlFlow<()> { panic!("interrupted") }).unwrap()
        }));
        assert!(interrupted.is_err());
        assert_eq!(only(&orphans(db).unwrap()).3, 7);

        let mut seen = Vec::new();
        let report = sweep_orphans(db, options, |p| seen.push((p.done, p.expected))).unwrap();
        assert_eq!(seen, [(3, 7), (6, 7), (7, 7)]);
        assert_eq!(report.deleted.of::<TaggedItem>(), 7);
        assert!(orphans(db).unwrap().is_empty());
        assert_eq!(TaggedItem::count(db).unwrap(), 0);
    }

    /// A sweep the progress callback stops after one batch (`ControlFlow::Break`, a user's
    /// Ctrl-C) says so; run again, it finishes with no orphan left.
    fn stopped_sweep_reruns_to_zero(t) {
        let db = &mut t.db();
        tagged_animals(db, 5, 1);
        raw(db.raw(), "DELETE FROM generic_relations_animal");
        let options = SweepOptions { batch: 2, dry_run: false };
        let stopped = sweep_orphans(db, options, |_| ControlFlow::Break(())).unwrap();
        assert_eq!((stopped.stopped, stopped.batches, stopped.deleted.total), (true, 1, 2));
        assert_eq!(only(&orphans(db).unwrap()).3, 3);
        let rerun = sweep_orphans(db, options, |_| ControlFlow::Continue(())).unwrap();
        assert_eq!((rerun.stopped, rerun.batches, rerun.deleted.total), (false, 2, 3));
        assert!(orphans(db).unwrap().is_empty());
    }

    /// A text object id pointing at integer keys: the anti-join compares the key cast to text.
    fn text_object_ids(t) {
        let db = &mut t.db();
        let books: Vec<Book> = (0..3)
            .map(|i| Book::insert(db, NewBook { title: format!("B{i}") }).unwrap())
            .collect();
        for b in &books {
            for text in ["x", "y"] {
                b.comments().create(db, |content_object| NewComment { text: text.into(), content_object }).unwrap();
            }
        }
        raw(db.raw(), &format!("DELETE FROM keys_book WHERE id = {}", books[1].id));
        assert_eq!(only(&orphans(db).unwrap()), ("keys.Comment", "keys.book", OrphanKind::MissingTarget, 2));
        let report = sweep_orphans(db, SweepOptions::default(), |_| {}).unwrap();
        assert_eq!((report.deleted.of::<Comment>(), report.batches), (2, 1));
        assert!(orphans(db).unwrap().is_empty());
        assert_eq!(books[0].comments().count(db).unwrap() + books[2].comments().count(db).unwrap(), 4);
    }

    /// Content types of models that are not registered: listed with their generic rows
    /// counted per generic foreign key (one SELECT, then one GROUP BY per generic foreign
    /// key), kept when the keep-list names them (by label or app label), reported by
    /// `orphans` as stale and left alone by the sweep, and removed with their rows otherwise.
    fn stale_content_types_listed_kept_and_removed(t) {
        let log = t.log();
        let lion = {
            let db = &mut t.db();
            tagged_animals(db, 1, 2).remove(0)
        };
        let gone = content_type_id!(&mut t.conn, "gone", "oldthing");
        let other = content_type_id!(&mut t.conn, "otherapp", "thing");
        raw(&mut t.conn, &format!(
            "INSERT INTO generic_relations_taggeditem (tag, content_type_id, object_id) VALUES ('a', {gone}, 1), ('b', {gone}, 2), ('c', {gone}, 3), ('d', {other}, 1);
             INSERT INTO keys_comment (text, content_type_id, object_pk) VALUES ('e', {gone}, '7')"
        ));
        let db = &mut t.db();

        let stale = assert_queries(&log, 1 + gfks(), || stale_content_types(db, &[]).unwrap());
        let labels: Vec<String> = stale.iter().map(|s| s.label()).collect();
        assert_eq!(labels, ["gone.oldthing", "otherapp.thing"]);
        assert_eq!((stale[0].id, stale[1].id), (gone, other));
        let mut dependents = stale[0].dependents.clone();
        dependents.sort();
        assert_eq!(
            dependents,
            [("generic_relations.TaggedItem.content_object".to_string(), 3), ("keys.Comment.content_object".to_string(), 1)]
        );
        assert_eq!((stale[0].dependent_rows(), stale[1].dependent_rows()), (4, 1));

        // Kept: by label, by app label; nothing stale means one SELECT only.
        let kept = assert_queries(&log, 1, || stale_content_types(db, &["gone.oldthing", "otherapp"]).unwrap());
        assert!(kept.is_empty());
        let labels: Vec<String> = stale_content_types(db, &["otherapp"]).unwrap().iter().map(|s| s.label()).collect();
        assert_eq!(labels, ["gone.oldthing"]);

        // The orphan count reports them apart; the sweep leaves them to the keep-list.
        let mut found: Vec<_> = orphans(db).unwrap().into_iter().map(|c| (c.model, c.content_type, c.kind, c.rows)).collect();
        found.sort();
        let stale_kind = OrphanKind::StaleContentType;
        assert_eq!(found, [
            ("generic_relations.TaggedItem".to_string(), "gone.oldthing".to_string(), stale_kind, 3),
            ("generic_relations.TaggedItem".to_string(), "otherapp.thing".to_string(), stale_kind, 1),
            ("keys.Comment".to_string(), "gone.oldthing".to_string(), stale_kind, 1),
        ]);
        let swept = sweep_orphans(db, SweepOptions::default(), |_| -> ControlFlow<()> { panic!("nothing to sweep") }).unwrap();
        assert_eq!((swept.deleted.total, swept.orphans.len()), (0, 3));
        assert_eq!(TaggedItem::count(db).unwrap(), 6);

        // Removed, with their rows, in one transaction; another program's are kept. A SELECT
        // of the content types; one SELECT per foreign key to them of the rows' keys (rows of
        // generic foreign keys can be pointed at, so they are collected); for the rows found
        // (tagged items, a comment), one probe of the generic foreign keys that can point at
        // them and their DELETE; one DELETE of the content types.
        let registered: Vec<_> = Registry::global().unwrap().models().map(|r| r.def).collect();
        ContentType::for_models(db, &registered).unwrap();
        // Per foreign key to the content types, the probe of the rows it cascades to (by
        // condition: nothing points at the tagged items and the comment found, so their keys
        // are never read) and their DELETE.
        let cascades = foreign_keys_to_content_types() + probed_foreign_keys_to_content_types();
        let removed = assert_queries(&log, 2 + cascades, || {
            remove_stale_content_types(db, &["otherapp"]).unwrap()
        });
        assert_eq!(removed.content_types.len(), 1);
        assert_eq!(removed.content_types[0].label(), "gone.oldthing");
        assert_eq!(
            removed.deleted.per_model.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(),
            [("contenttypes.ContentType", 1), ("generic_relations.TaggedItem", 3), ("keys.Comment", 1)]
        );
        assert_eq!(removed.deleted.total, 5);
        let labels: Vec<String> = stale_content_types(db, &[]).unwrap().iter().map(|s| s.label()).collect();
        assert_eq!(labels, ["otherapp.thing"]);
        assert_eq!(TaggedItem::count(db).unwrap(), 3);
        assert_eq!(lion.tags().count(db).unwrap(), 2);
        assert_eq!(Comment::count(db).unwrap(), 0);
        // Nothing stale is left to remove but what is kept.
        let again = remove_stale_content_types(db, &["otherapp"]).unwrap();
        assert_eq!((again.content_types.len(), again.deleted.total), (0, 0));
    }

    /// Generic rows pointing at rows of their own model (the anti-join aliases the target
    /// table), and a sweep that cascades: an orphaned note's likes go with it, through the
    /// deletion collector.
    fn self_referencing_orphans_cascade(t) {
        let db = &mut t.db();
        let post = Post::insert(db, NewPost { title: "P".into() }).unwrap();
        let a = post.notes().create(db, |content_object| NewNote { body: "a".into(), content_object }).unwrap();
        let b = Note::insert(db, NewNote { body: "b".into(), content_object: Target::to(&a) }).unwrap();
        a.likes().create(db, |content_object| NewLike { content_object }).unwrap();
        b.likes().create(db, |content_object| NewLike { content_object }).unwrap();
        raw(db.raw(), &format!("DELETE FROM social_note WHERE id = {}", a.id));

        let mut found: Vec<_> = orphans(db).unwrap().into_iter().map(|c| (c.model, c.content_type, c.rows)).collect();
        found.sort();
        assert_eq!(found, [
            ("social.Like".to_string(), "social.note".to_string(), 1),
            ("social.Note".to_string(), "social.note".to_string(), 1),
        ]);
        let report = sweep_orphans(db, SweepOptions::default(), |_| {}).unwrap();
        assert_eq!((report.deleted.of::<Note>(), report.deleted.of::<Like>()), (1, 2));
        assert!(orphans(db).unwrap().is_empty());
        assert_eq!((Note::count(db).unwrap(), Like::count(db).unwrap()), (0, 0));
        assert!(Post::get(db, &post.id).unwrap().is_some());
    }

    /// A text object id pointing at UUID keys: the key as Django writes `str(uuid)` (SQLite
    /// and MySQL store 32 hex digits; the anti-join compares the hyphenated form).
    #[cfg(feature = "uuid")]
    fn text_object_ids_of_uuid_keys(t) {
        let db = &mut t.db();
        let things: Vec<UuidThing> = (1..=3u128)
            .map(|i| UuidThing::insert(db, NewUuidThing { id: uuid::Uuid::from_u128(i << 64 | i), name: format!("u{i}") }).unwrap())
            .collect();
        for thing in &things {
            thing.comments().create(db, |content_object| NewComment { text: "x".into(), content_object }).unwrap();
        }
        assert!(orphans(db).unwrap().is_empty());
        raw(db.raw(), "DELETE FROM keys_uuidthing WHERE name = 'u2'");
        assert_eq!(only(&orphans(db).unwrap()), ("keys.Comment", "keys.uuidthing", OrphanKind::MissingTarget, 1));
        sweep_orphans(db, SweepOptions::default(), |_| {}).unwrap();
        assert!(orphans(db).unwrap().is_empty());
        assert_eq!(Comment::count(db).unwrap(), 2);
    }

    /// A batch of 0 rows is refused before anything is read.
    fn batch_must_hold_a_row(t) {
        let log = t.log();
        let db = &mut t.db();
        let refused = assert_queries(&log, 0, || sweep_orphans(db, SweepOptions { batch: 0, dry_run: false }, |_| {}));
        assert!(matches!(refused, Err(contenttypes::Error::InvalidArgument(_))), "{refused:?}");
    }
}
