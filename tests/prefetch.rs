//! Prefetching in both directions (Django F.91–F.107): the targets of N rows over K types
//! in K queries, a relation over many objects in one query, nested prefetches, per-type
//! queries, and strict loading proving no accessor re-queries what was prefetched.

mod common;

use common::Raw;

use common::models::*;
use common::{assert_queries, backend_tests};
use contenttypes::prelude::*;
use contenttypes::{prefetch_relations, strict_loading, Error, GenericPrefetch, NewContentType};
use diesel::prelude::*;

fn target_name(object: &GenericObject) -> String {
    if let Ok(a) = object.downcast_ref::<Animal>() {
        a.common_name.clone()
    } else {
        object
            .downcast_ref::<Vegetable>()
            .map(|v| v.name.clone())
            .unwrap_or_default()
    }
}

backend_tests! {
    /// F.91: the targets of 4 rows over 2 models: 2 queries, then every read is free.
    fn targets_over_two_models(t) {
        let log = t.log();
        let db = &mut t.db();
        let (lion, tiger) = (animal(db, "Lion"), animal(db, "Tiger"));
        let (carrot, pea) = (vegetable(db, "Carrot"), vegetable(db, "Pea"));
        lion.tags().create(db, tag("a")).unwrap();
        carrot.tags().create(db, tag("b")).unwrap();
        tiger.tags().create(db, tag("c")).unwrap();
        pea.tags().create(db, tag("d")).unwrap();
        ContentType::for_models(db, &[Animal::DEF, Vegetable::DEF]).unwrap();
        let items = assert_queries(&log, 1, || TaggedItem::all(db).unwrap());
        assert_queries(&log, 2, || TaggedItem::CONTENT_OBJECT.prefetch(db, &items).unwrap());
        let _strict = strict_loading();
        let names: Vec<String> = assert_queries(&log, 0, || {
            items.iter().map(|i| target_name(&i.content_object(db).unwrap().unwrap())).collect()
        });
        assert_eq!(names, ["Lion", "Carrot", "Tiger", "Pea"]);
    }

    /// A stale content type (a row no registered model has, say a model removed since) reads
    /// as a missing target, is counted in the report, and does not stop the rows of other
    /// types from loading; the lazy accessor agrees.
    fn stale_content_types_read_as_none(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let gone = ContentType::insert(db, NewContentType { app_label: "removed".into(), model: "dodo".into() }).unwrap();
        lion.tags().create(db, tag("a")).unwrap();
        TaggedItem::insert(db, tag("b")(Target::from_ids(gone.id, 7))).unwrap();
        let animal_type = ContentType::for_model::<Animal>(db).unwrap().id;
        TaggedItem::insert(db, tag("c")(Target::from_ids(animal_type, lion.id + 1000))).unwrap();
        let items = TaggedItem::all(db).unwrap();
        // The stale type is not in the cache yet: one query for it, one for the animals.
        let report = assert_queries(&log, 2, || TaggedItem::CONTENT_OBJECT.prefetch(db, &items).unwrap());
        assert_eq!((report.found, report.missing, report.stale), (1, 1, 1));
        assert_eq!(report.stale_types, ["removed.dodo"]);
        let _strict = strict_loading();
        let found: Vec<Option<String>> = items
            .iter()
            .map(|i| i.content_object(db).unwrap().map(|o| target_name(&o)))
            .collect();
        assert_eq!(found, [Some("Lion".to_string()), None, None]);
        drop(_strict);
        let fresh = TaggedItem::get(db, &items[1].id).unwrap().unwrap();
        assert!(fresh.content_object(db).unwrap().is_none(), "the lazy read agrees");
    }

    /// The content types of the rows come from the cache, or from one query when it is cold.
    fn cold_content_type_cache(t) {
        let log = t.log();
        let lion = animal(&mut t.db(), "Lion");
        let carrot = vegetable(&mut t.db(), "Carrot");
        lion.tags().create(&mut t.db(), tag("a")).unwrap();
        carrot.tags().create(&mut t.db(), tag("b")).unwrap();
        let items = TaggedItem::all(&mut t.db()).unwrap();
        t.cts.clear_cache();
        assert_queries(&log, 3, || TaggedItem::CONTENT_OBJECT.prefetch(&mut t.db(), &items).unwrap());
    }

    /// F.92 and F.117: a text object id resolves integer keys: 1 query.
    fn text_object_ids_resolve(t) {
        let log = t.log();
        let db = &mut t.db();
        let dune = Book::insert(db, NewBook { title: "Dune".into() }).unwrap();
        dune.comments().create(db, |content_object| NewComment { text: "great".into(), content_object }).unwrap();
        let comments = Comment::all(db).unwrap();
        ContentType::for_model::<Book>(db).unwrap();
        assert_queries(&log, 1, || Comment::CONTENT_OBJECT.prefetch(db, &comments).unwrap());
        let _strict = strict_loading();
        assert_eq!(comments[0].content_object(db).unwrap().unwrap().downcast_ref::<Book>().unwrap(), &dune);
    }

    /// F.96: rows with the generic foreign key unset are skipped: 1 query for the rest, and
    /// they read `None`.
    fn unset_keys_are_skipped(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        AllowsNullGfk::insert(db, NewAllowsNullGfk { content_object: Some(Target::to(&lion)) }).unwrap();
        AllowsNullGfk::insert(db, NewAllowsNullGfk::default()).unwrap();
        AllowsNullGfk::insert(db, NewAllowsNullGfk::default()).unwrap();
        let rows = AllowsNullGfk::all(db).unwrap();
        assert_queries(&log, 1, || AllowsNullGfk::CONTENT_OBJECT.prefetch(db, &rows).unwrap());
        let _strict = strict_loading();
        let targets: Vec<bool> = rows.iter().map(|r| r.content_object(db).unwrap().is_some()).collect();
        assert_eq!(targets, [true, false, false]);
    }

    /// F.100: a deleted target reads `None` after a prefetch; the others resolve.
    fn deleted_targets_read_none(t) {
        let log = t.log();
        let db = &mut t.db();
        let (lion, tiger) = (animal(db, "Lion"), animal(db, "Tiger"));
        lion.tags().create(db, tag("a")).unwrap();
        TaggedItem::insert(db, tag("b")(Target::to(&tiger))).unwrap();
        // Deleted behind the framework's back, so the row pointing at it stays.
        diesel::delete(generic_relations_animal::table.filter(generic_relations_animal::id.eq(tiger.id)))
            .execute(db.raw())
            .unwrap();
        let items = TaggedItem::all(db).unwrap();
        assert_queries(&log, 1, || TaggedItem::CONTENT_OBJECT.prefetch(db, &items).unwrap());
        let _strict = strict_loading();
        assert!(items[0].content_object(db).unwrap().is_some());
        assert!(items[1].content_object(db).unwrap().is_none());
    }

    /// F.97 and F.98: a relation over many objects in one query (two relations, two
    /// queries), then reads, counts and existence checks are free.
    fn relation_over_many_objects(t) {
        let log = t.log();
        let db = &mut t.db();
        let animals: Vec<Animal> = (0..5).map(|i| animal(db, &format!("A{i}"))).collect();
        for (i, a) in animals.iter().enumerate() {
            for j in 0..i {
                a.tags().create(db, tag(&format!("t{j}"))).unwrap();
            }
        }
        ContentType::for_model::<Animal>(db).unwrap();
        let animals = Animal::all(db).unwrap();
        assert_queries(&log, 2, || {
            Animal::TAGS.prefetch(db, &animals).unwrap();
            Animal::COMPARISONS.prefetch(db, &animals).unwrap();
        });
        let _strict = strict_loading();
        assert_queries(&log, 0, || {
            for (i, a) in animals.iter().enumerate() {
                assert_eq!(a.tags().all(db).unwrap().len(), i);
                assert_eq!(a.tags().count(db).unwrap(), i as i64);
                assert_eq!(a.tags().exists(db).unwrap(), i > 0);
                assert!(a.comparisons().all(db).unwrap().is_empty());
            }
        });
    }

    /// F.99: a prefetch with a condition keeps only the matching rows: 1 query, then free.
    fn filtered_prefetch(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        lion.tags().create(db, tag("django")).unwrap();
        lion.tags().create(db, tag("python")).unwrap();
        ContentType::for_model::<Animal>(db).unwrap();
        let animals = vec![lion];
        assert_queries(&log, 1, || {
            Animal::TAGS
                .prefetch_filtered(db, &animals, generic_relations_taggeditem::tag.eq("django"))
                .unwrap()
        });
        let tags = assert_queries(&log, 0, || animals[0].tags().all(db).unwrap());
        assert_eq!(tags.iter().map(|t| t.tag.as_str()).collect::<Vec<_>>(), ["django"]);
    }

    /// F.101: the reverse of a relation (related_query_name) prefetches the targets of one
    /// model: 1 query, then typed reads are free.
    fn reverse_prefetch(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let carrot = vegetable(db, "Carrot");
        lion.tags().create(db, tag("a")).unwrap();
        carrot.tags().create(db, tag("b")).unwrap();
        ContentType::for_models(db, &[Animal::DEF, Vegetable::DEF]).unwrap();
        let items = TaggedItem::all(db).unwrap();
        assert_queries(&log, 1, || TaggedItem::ANIMAL.prefetch(db, &items).unwrap());
        assert_queries(&log, 0, || {
            assert_eq!(*TaggedItem::ANIMAL.get(db, &items[0]).unwrap().unwrap(), lion);
            assert!(TaggedItem::ANIMAL.get(db, &items[1]).unwrap().is_none());
        });
    }

    /// F.102: targets and then their own relation across both models: 2 queries for the
    /// targets and one for all their tags; each target's tags are the rows pointing at it.
    fn nested_prefetch(t) {
        let log = t.log();
        let db = &mut t.db();
        let (lion, tiger, carrot) = (animal(db, "Lion"), animal(db, "Tiger"), vegetable(db, "Carrot"));
        lion.tags().create(db, tag("l")).unwrap();
        tiger.tags().create(db, tag("t")).unwrap();
        carrot.tags().create(db, tag("c")).unwrap();
        ContentType::for_models(db, &[Animal::DEF, Vegetable::DEF]).unwrap();
        let items = assert_queries(&log, 1, || TaggedItem::all(db).unwrap());
        assert_queries(&log, 3, || {
            TaggedItem::CONTENT_OBJECT.prefetch_with(db, &items, GenericPrefetch::new().then(Animal::TAGS).then(Vegetable::TAGS)).unwrap()
        });
        let _strict = strict_loading();
        assert_queries(&log, 0, || {
            for item in &items {
                let target = item.content_object(db).unwrap().unwrap();
                let tags: Vec<TaggedItem> = if let Ok(a) = target.downcast_ref::<Animal>() {
                    a.tags().all(db).unwrap()
                } else {
                    target.downcast_ref::<Vegetable>().unwrap().tags().all(db).unwrap()
                };
                assert_eq!(tags, vec![item.clone()]);
            }
        });
    }

    /// F.103: the same through a named generic foreign key (Comparison.first_obj).
    fn nested_prefetch_through_a_named_key(t) {
        let db = &mut t.db();
        let (cheetah, tiger) = (animal(db, "Cheetah"), animal(db, "Tiger"));
        for (first, other) in [(&cheetah, &tiger), (&tiger, &cheetah)] {
            let other_obj = Target::to(other);
            first.comparisons().create(db, |first_obj| NewComparison { comparative: "x".into(), first_obj, other_obj }).unwrap();
        }
        let comparisons = Comparison::all(db).unwrap();
        Comparison::FIRST_OBJ.prefetch_with(db, &comparisons, GenericPrefetch::new().then(Animal::COMPARISONS)).unwrap();
        let _strict = strict_loading();
        for c in &comparisons {
            let first = c.first_obj(db).unwrap().unwrap();
            assert_eq!(first.downcast_ref::<Animal>().unwrap().comparisons().all(db).unwrap(), vec![c.clone()]);
        }
    }

    /// F.105: per-model queries: each model's targets load through its own query (2
    /// queries for 2 models); a target its query excludes reads `None`.
    fn per_model_queries(t) {
        let log = t.log();
        let db = &mut t.db();
        let (lion, carrot, pea) = (animal(db, "Lion"), vegetable(db, "Carrot"), vegetable(db, "Pea"));
        lion.tags().create(db, tag("a")).unwrap();
        carrot.tags().create(db, tag("b")).unwrap();
        pea.tags().create(db, tag("c")).unwrap();
        ContentType::for_models(db, &[Animal::DEF, Vegetable::DEF]).unwrap();
        let items = TaggedItem::all(db).unwrap();
        let spec = GenericPrefetch::new()
            .query::<Vegetable, _>(generic_relations_vegetable::name.ne("Pea"))
            .query::<Animal, _>(generic_relations_animal::common_name.eq("Lion"));
        assert_queries(&log, 2, || TaggedItem::CONTENT_OBJECT.prefetch_with(db, &items, spec).unwrap());
        let _strict = strict_loading();
        let found: Vec<bool> = items.iter().map(|i| i.content_object(db).unwrap().is_some()).collect();
        assert_eq!(found, [true, true, false]);
    }

    /// F.107: two queries for one model are refused.
    fn one_query_per_model(t) {
        let db = &mut t.db();
        let spec = GenericPrefetch::new()
            .query::<Animal, _>(generic_relations_animal::id.gt(0))
            .query::<Animal, _>(generic_relations_animal::id.gt(1));
        match TaggedItem::CONTENT_OBJECT.prefetch_with(db, &[], spec) {
            Err(Error::InvalidArgument(message)) => {
                assert_eq!(message, "only one query is allowed for each content type; `Animal` has two")
            }
            other => panic!("expected an invalid argument, got {other:?}"),
        }
    }

    /// Strict loading: a lazy read is an error until prefetched.
    fn strict_loading_catches_lazy_reads(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        lion.tags().create(db, tag("a")).unwrap();
        let items = TaggedItem::all(db).unwrap();
        let animals = Animal::all(db).unwrap();
        {
            let _strict = strict_loading();
            assert!(matches!(items[0].content_object(db), Err(Error::LazyLoad { .. })));
            match animals[0].tags().all(db) {
                Err(Error::LazyLoad { model, field }) => assert_eq!((model.as_str(), field.as_str()), ("Animal", "tags")),
                other => panic!("expected a lazy load error, got {other:?}"),
            }
        }
        assert!(items[0].content_object(db).unwrap().is_some());
    }

    /// Heterogeneous objects: one relation query for objects of several models.
    fn relation_over_objects_of_several_models(t) {
        let log = t.log();
        let db = &mut t.db();
        let (lion, carrot) = (animal(db, "Lion"), vegetable(db, "Carrot"));
        lion.tags().create(db, tag("l")).unwrap();
        carrot.tags().create(db, tag("c1")).unwrap();
        carrot.tags().create(db, tag("c2")).unwrap();
        ContentType::for_models(db, &[Animal::DEF, Vegetable::DEF]).unwrap();
        let objects = vec![GenericObject::new(lion), GenericObject::new(carrot)];
        assert_queries(&log, 1, || prefetch_relations(db, &objects, &[Animal::TAGS.into(), Vegetable::TAGS.into()]).unwrap());
        let _strict = strict_loading();
        assert_eq!(objects[0].downcast_ref::<Animal>().unwrap().tags().count(db).unwrap(), 1);
        assert_eq!(objects[1].downcast_ref::<Vegetable>().unwrap().tags().count(db).unwrap(), 2);
    }

    /// More keys than one statement may bind (the backend's parameter cap) are sent in
    /// chunks: one more query per chunk (on PostgreSQL the keys are one array parameter: 1
    /// query).
    fn large_batches_are_chunked(t) {
        let log = t.log();
        let db = &mut t.db();
        let count = <Conn as common::TestConnection>::DIALECT.max_binds();
        let new: Vec<NewAnimal> =
            (0..count).map(|i| NewAnimal { common_name: format!("A{i}"), latin_name: String::new() }).collect();
        Animal::bulk_insert(db, &new).unwrap();
        let animals = Animal::all(db).unwrap();
        assert_eq!(animals.len(), count);
        ContentType::for_model::<Animal>(db).unwrap();
        let postgres = <Conn as common::TestConnection>::DIALECT == contenttypes::Dialect::Postgres;
        assert_queries(&log, if postgres { 1 } else { 2 }, || Animal::TAGS.prefetch(db, &animals).unwrap());
        // A caller's filter binds parameters of its own: the key lists leave room for them
        // (2,000 tag names beside the keys would not fit a cap's worth of keys).
        let names: Vec<String> = (0..2_000).map(|i| format!("t{i}")).collect();
        let animal = &animals[count - 1];
        animal.tags().create(db, |content_object| NewTaggedItem { tag: "t1999".into(), content_object }).unwrap();
        let filtered = assert_queries(&log, if postgres { 1 } else { 2 }, || {
            Animal::TAGS
                .load_for_filtered(db, &animals, generic_relations_taggeditem::tag.eq_any(&names))
                .unwrap()
        });
        assert_eq!(filtered.iter().map(Vec::len).sum::<usize>(), 1);
        assert_eq!(filtered[count - 1][0].tag, "t1999");
    }
}
