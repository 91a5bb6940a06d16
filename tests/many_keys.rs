//! 100,000 keys through every API that takes keys (issue 8): each succeeds and is right on
//! every backend, whatever the backend's limit on bound parameters (SQLite 32,766,
//! PostgreSQL and MySQL 65,535). Rows are seeded with `bulk_insert`.

mod common;

use std::collections::BTreeSet;

use common::backend_tests;
use common::models::*;
use contenttypes::prelude::*;
use contenttypes::{prefetch_relations, strict_loading, GenericPrefetch, PkValue};
use diesel::prelude::*;

const N: usize = 100_000;

/// `n` animals named `<prefix><i>`, in key order.
fn animals<D: Db<Mode = SyncMode>>(db: &mut D, n: usize, prefix: &str) -> Vec<Animal> {
    let new: Vec<NewAnimal> = (0..n)
        .map(|i| NewAnimal {
            common_name: format!("{prefix}{i}"),
            latin_name: String::new(),
        })
        .collect();
    assert_eq!(Animal::bulk_insert(db, &new).unwrap(), n);
    Animal::all(db)
        .unwrap()
        .into_iter()
        .filter(|a| a.common_name.starts_with(prefix))
        .collect()
}

/// One tag on each target, named after the target's key.
fn tag_each<D: Db<Mode = SyncMode>, T: Model<Pk = i64>>(
    db: &mut D,
    targets: &[T],
    prefix: &str,
) -> Vec<TaggedItem> {
    let ct = ContentType::for_model::<T>(db).unwrap().id;
    let new: Vec<NewTaggedItem> = targets
        .iter()
        .map(|t| NewTaggedItem {
            tag: format!("{prefix}{}", t.pk()),
            content_object: Target::from_ids(ct, *t.pk()),
        })
        .collect();
    assert_eq!(TaggedItem::bulk_insert(db, &new).unwrap(), targets.len());
    tags_named(db, prefix)
}

/// `n` tags on one target.
fn tags_on<D: Db<Mode = SyncMode>, T: Model<Pk = i64>>(
    db: &mut D,
    target: &T,
    n: usize,
    prefix: &str,
) -> Vec<TaggedItem> {
    let ct = ContentType::for_model::<T>(db).unwrap().id;
    let new: Vec<NewTaggedItem> = (0..n)
        .map(|i| NewTaggedItem {
            tag: format!("{prefix}{i}"),
            content_object: Target::from_ids(ct, *target.pk()),
        })
        .collect();
    assert_eq!(TaggedItem::bulk_insert(db, &new).unwrap(), n);
    tags_named(db, prefix)
}

fn tags_named<D: Db<Mode = SyncMode>>(db: &mut D, prefix: &str) -> Vec<TaggedItem> {
    TaggedItem::all(db)
        .unwrap()
        .into_iter()
        .filter(|t| t.tag.starts_with(prefix))
        .collect()
}

fn ids(rows: &[TaggedItem]) -> BTreeSet<i64> {
    rows.iter().map(|r| r.id).collect()
}

/// A post with `n` notes, every tenth with a like (the notes' own generic relation).
fn post_with_notes<D: Db<Mode = SyncMode>>(db: &mut D, n: usize) -> Post {
    let post = Post::insert(
        db,
        NewPost {
            title: "busy".into(),
        },
    )
    .unwrap();
    let post_ct = ContentType::for_model::<Post>(db).unwrap().id;
    let note_ct = ContentType::for_model::<Note>(db).unwrap().id;
    let notes: Vec<NewNote> = (0..n)
        .map(|i| NewNote {
            body: format!("note {i}"),
            content_object: Target::from_ids(post_ct, post.id),
        })
        .collect();
    Note::bulk_insert(db, &notes).unwrap();
    let likes: Vec<NewLike> = Note::all(db)
        .unwrap()
        .iter()
        .step_by(10)
        .map(|note| NewLike {
            content_object: Target::from_ids(note_ct, note.id),
        })
        .collect();
    Like::bulk_insert(db, &likes).unwrap();
    post
}

backend_tests! {
    fn get_many_with_100k_keys(t) {
        let db = &mut t.db();
        let new: Vec<NewMineral> = (0..N).map(|i| NewMineral { name: format!("m{i}"), hardness: 1 }).collect();
        Mineral::bulk_insert(db, &new).unwrap();
        let all = Mineral::all(db).unwrap();
        let mut keys: Vec<i64> = all.iter().map(|m| m.id).collect();
        keys.push(-1);
        let got = Mineral::get_many(db, &keys).unwrap();
        assert_eq!(got.len(), N, "every row, the missing key skipped");
        assert_eq!(got, all);
    }

    fn get_objects_for_this_type_with_100k_keys(t) {
        let db = &mut t.db();
        let new: Vec<NewMineral> = (0..N).map(|i| NewMineral { name: format!("m{i}"), hardness: 1 }).collect();
        Mineral::bulk_insert(db, &new).unwrap();
        let keys: Vec<PkValue> = Mineral::all(db).unwrap().iter().map(|m| PkValue::from(m.id)).collect();
        let ct = ContentType::for_model::<Mineral>(db).unwrap();
        let objects = ct.get_objects_for_this_type(db, &keys).unwrap();
        let got: BTreeSet<PkValue> = objects.iter().map(|o| o.pk()).collect();
        assert_eq!(got, keys.into_iter().collect::<BTreeSet<_>>());
        assert!(objects.iter().all(|o| o.is::<Mineral>()));
    }

    /// 100,000 objects and their 100,000 tags go; the survivor and its tag stay.
    fn delete_many_with_100k_keys(t) {
        let db = &mut t.db();
        let doomed = animals(db, N, "doomed#");
        tag_each(db, &doomed, "doomed#");
        let survivor = animal(db, "survivor");
        survivor.tags().create(db, tag("kept")).unwrap();
        let keys: Vec<i64> = doomed.iter().map(|a| a.id).collect();
        let deleted = Animal::delete_many(db, &keys).unwrap();
        assert_eq!((deleted.of::<Animal>(), deleted.of::<TaggedItem>(), deleted.total), (N, N, 2 * N));
        assert_eq!(Animal::all(db).unwrap(), vec![survivor]);
        assert_eq!(TaggedItem::count(db).unwrap(), 1, "the cascade took every doomed tag");
    }

    /// A filtered delete that matches 100,000 objects with generic relations.
    fn filtered_delete_of_100k_rows(t) {
        let db = &mut t.db();
        let doomed = animals(db, N, "doomed#");
        tag_each(db, &doomed, "doomed#");
        let survivor = animal(db, "survivor");
        survivor.tags().create(db, tag("kept")).unwrap();
        let deleted = Animal::filter(generic_relations_animal::common_name.ne("survivor"))
            .delete(db)
            .unwrap();
        assert_eq!((deleted.of::<Animal>(), deleted.of::<TaggedItem>(), deleted.total), (N, N, 2 * N));
        assert_eq!(Animal::all(db).unwrap(), vec![survivor]);
        assert_eq!(TaggedItem::count(db).unwrap(), 1, "the cascade took every doomed tag");
    }

    fn related_add_of_100k_rows(t) {
        let db = &mut t.db();
        let pool = animal(db, "pool");
        let lion = animal(db, "lion");
        let mut rows = tags_on(db, &pool, N, "moved#");
        lion.tags().add(db, rows.iter_mut()).unwrap();
        assert!(rows.iter().all(|r| r.object_id == lion.id), "updated in memory");
        assert_eq!(lion.tags().count(db).unwrap(), N as i64);
        assert_eq!(pool.tags().count(db).unwrap(), 0);
    }

    fn related_remove_of_100k_rows(t) {
        let db = &mut t.db();
        let lion = animal(db, "lion");
        let tiger = animal(db, "tiger");
        let rows = tags_on(db, &lion, N, "gone#");
        tiger.tags().create(db, tag("stays")).unwrap();
        assert_eq!(lion.tags().remove(db, rows.iter()).unwrap(), N);
        assert_eq!(lion.tags().count(db).unwrap(), 0);
        assert_eq!(TaggedItem::count(db).unwrap(), 1, "only the tiger's tag is left");
    }

    /// `set` to 10 of 100,000 current rows: the other 99,990 go.
    fn related_set_shrinking_100k_rows(t) {
        let db = &mut t.db();
        let lion = animal(db, "lion");
        let mut rows = tags_on(db, &lion, N, "had#");
        rows.truncate(10);
        lion.tags().set(db, rows.iter_mut()).unwrap();
        let left = lion.tags().all(db).unwrap();
        assert_eq!(ids(&left), ids(&rows), "exactly the 10 wanted rows");
        assert_eq!(TaggedItem::count(db).unwrap(), 10, "the 99,990 others are deleted");
    }

    /// `set` to 100,000 other rows over 100,000 current ones.
    fn related_set_replacing_100k_rows(t) {
        let db = &mut t.db();
        let pool = animal(db, "pool");
        let lion = animal(db, "lion");
        tags_on(db, &lion, N, "old#");
        let mut wanted = tags_on(db, &pool, N, "new#");
        lion.tags().set(db, wanted.iter_mut()).unwrap();
        let now = lion.tags().all(db).unwrap();
        assert_eq!(ids(&now), ids(&wanted), "exactly the wanted rows");
        assert_eq!(TaggedItem::count(db).unwrap(), N as i64, "the old rows are deleted");
    }

    /// A generic relation prefetched over 100,000 parents.
    fn relation_prefetch_over_100k_parents(t) {
        let db = &mut t.db();
        let all = animals(db, N, "a#");
        tag_each(db, &all, "t#");
        Animal::TAGS.prefetch(db, &all).unwrap();
        let _strict = strict_loading();
        for a in &all {
            let tags = a.tags().all(db).unwrap();
            assert_eq!(tags.len(), 1);
            assert_eq!(tags[0].tag, format!("t#{}", a.id));
        }
    }

    /// `prefetch_relations` over 100,000 objects.
    fn prefetch_relation_over_100k_objects(t) {
        let db = &mut t.db();
        let all = animals(db, N, "a#");
        tag_each(db, &all, "t#");
        let objects: Vec<GenericObject> = all.into_iter().map(GenericObject::new).collect();
        prefetch_relations(db, &objects, &[Animal::TAGS.into()]).unwrap();
        let _strict = strict_loading();
        for object in &objects {
            let a = object.downcast_ref::<Animal>().unwrap();
            let tags = a.tags().all(db).unwrap();
            assert_eq!(tags.len(), 1);
            assert_eq!(tags[0].tag, format!("t#{}", a.id));
        }
    }

    /// The targets of 100,000 generic foreign keys over two models.
    fn generic_foreign_key_prefetch_of_100k_rows(t) {
        let db = &mut t.db();
        let beasts = animals(db, N / 2, "a#");
        tag_each(db, &beasts, "animal#");
        let new: Vec<NewVegetable> = (0..N / 2).map(|i| NewVegetable { name: format!("v{i}"), is_yucky: false }).collect();
        Vegetable::bulk_insert(db, &new).unwrap();
        let greens = Vegetable::all(db).unwrap();
        tag_each(db, &greens, "vegetable#");
        let items = TaggedItem::all(db).unwrap();
        assert_eq!(items.len(), N);
        TaggedItem::CONTENT_OBJECT.prefetch(db, &items).unwrap();
        let _strict = strict_loading();
        for item in &items {
            let target = item.content_object(db).unwrap().expect("every target is found");
            assert_eq!(target.pk(), PkValue::from(item.object_id));
            assert_eq!(target.is::<Animal>(), item.tag.starts_with("animal#"));
        }
    }

    /// `GenericPrefetch::then`: the targets of 100,000 rows, then the targets' relation.
    fn generic_prefetch_then_over_100k_targets(t) {
        let db = &mut t.db();
        let all = animals(db, N, "a#");
        let items = tag_each(db, &all, "t#");
        TaggedItem::CONTENT_OBJECT
            .prefetch_with(db, &items, GenericPrefetch::new().then(Animal::TAGS))
            .unwrap();
        let _strict = strict_loading();
        for item in &items {
            let target = item.content_object(db).unwrap().expect("every target is found");
            let tags = target.downcast_ref::<Animal>().unwrap().tags().all(db).unwrap();
            assert_eq!(ids(&tags), BTreeSet::from([item.id]));
        }
    }

    /// The reverse relation's prefetch (`TaggedItem::ANIMAL`) over 100,000 rows.
    fn reverse_relation_prefetch_of_100k_rows(t) {
        let db = &mut t.db();
        let all = animals(db, N, "a#");
        let items = tag_each(db, &all, "t#");
        TaggedItem::ANIMAL.prefetch(db, &items).unwrap();
        let _strict = strict_loading();
        for item in &items {
            let a = TaggedItem::ANIMAL.get(db, item).unwrap().expect("every animal is found");
            assert_eq!(a.id, item.object_id);
        }
    }

    /// `clear()` of 100,000 related rows that have generic relations of their own.
    fn related_clear_of_100k_rows_with_nested_relations(t) {
        let db = &mut t.db();
        let post = post_with_notes(db, N);
        let quiet = Post::insert(db, NewPost { title: "quiet".into() }).unwrap();
        let kept = quiet.notes().create(db, |content_object| NewNote { body: "kept".into(), content_object }).unwrap();
        assert_eq!(post.notes().clear(db).unwrap(), N);
        assert_eq!(Note::all(db).unwrap(), vec![kept]);
        assert_eq!(Like::count(db).unwrap(), 0, "the notes' likes went with them");
    }

    /// A filtered delete through the related manager matching 100,000 rows with generic
    /// relations of their own.
    fn related_filtered_delete_of_100k_rows(t) {
        let db = &mut t.db();
        let post = post_with_notes(db, N);
        let kept = post.notes().create(db, |content_object| NewNote { body: "kept".into(), content_object }).unwrap();
        let deleted = post.notes().filter(social_note::body.ne("kept")).delete(db).unwrap();
        assert_eq!((deleted.of::<Note>(), deleted.of::<Like>(), deleted.total), (N, N / 10, N + N / 10));
        assert_eq!(Note::all(db).unwrap(), vec![kept]);
        assert_eq!(Like::count(db).unwrap(), 0, "the notes' likes went with them");
    }
}
