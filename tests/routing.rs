//! A primary and a replica (`ContentTypes::routed`), on every backend: the replica is a
//! second database the test copies the primary into, and a copy not refreshed is a lagging
//! replica. Each connection logs its statements: reads go to the replica, writes and
//! transactions to the primary, a content type the replica lacks is read or created on the
//! primary only, with Django's query counts; and nothing but `SELECT`s reaches the replica.

mod common;

use common::models::*;
use common::replica::{assert_on_replica, assert_only_selects, Pair};
use common::{assert_queries, backend_tests, per_backend, Raw, TestConnection};
use contenttypes::lifecycle::{orphans, stale_content_types};
use contenttypes::prelude::*;
use contenttypes::{create_content_types, django_content_type, Count};
use diesel::connection::{Connection, TransactionManager};
use diesel::prelude::*;

use generic_relations_taggeditem as tagged;

/// django-taggit's shape, for the tagging reads.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "routing", tag)]
pub struct Tag {
    pub id: i64,
    #[model(unique, max_length = 100)]
    pub name: String,
    #[model(unique, max_length = 100)]
    pub slug: String,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "routing", tagged_item(tag = tag_id), unique(content_type_id, object_id, tag_id))]
pub struct Tagging {
    pub id: i64,
    #[model(foreign_key = Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "routing")]
pub struct Post {
    pub id: i64,
    #[model(max_length = 100)]
    pub title: String,
    pub tags: Tags<Tagging>,
}

/// How many `django_content_type` rows a connection's database has (with this natural key,
/// or all).
macro_rules! rows {
    ($conn:expr) => {
        django_content_type::table
            .count()
            .get_result::<i64>($conn)
            .expect("count the content types")
    };
    ($conn:expr, $app_label:expr, $model:expr) => {
        django_content_type::table
            .filter(
                django_content_type::app_label
                    .eq($app_label)
                    .and(django_content_type::model.eq($model)),
            )
            .count()
            .get_result::<i64>($conn)
            .expect("count the content types")
    };
}

backend_tests! {
    fixture = Pair::<Conn>::new();

    /// Reads (loads, counts, exists, filters, prefetches, generic-foreign-key targets,
    /// content-type lookups) go to the replica; writes go to the primary; what the primary
    /// has and the stale copy lacks reads as missing (lag), as in Django.
    fn reads_go_to_the_replica_and_writes_to_the_primary(p) {
        create_content_types(&mut p.primary.db()).unwrap();
        let lion = animal(&mut p.primary.db(), "Lion");
        lion.tags().create(&mut p.primary.db(), tag("yellow")).unwrap();
        lion.tags().create(&mut p.primary.db(), tag("hairy")).unwrap();
        p.replicate();
        p.primary.cts.clear_cache();
        let (primary, replica) = (p.primary_log(), p.replica_log.clone());
        primary.reset();
        replica.reset();
        let db = &mut p.routed();

        assert_eq!(Animal::all(db).unwrap(), std::slice::from_ref(&lion));
        // The content type (cold cache) and the rows: 2 SELECTs on the replica.
        let tags = lion.tags().all(db).unwrap();
        assert_eq!(tags.iter().map(|t| t.tag.as_str()).collect::<Vec<_>>(), ["yellow", "hairy"]);
        assert_eq!(lion.tags().count(db).unwrap(), 2);
        assert!(lion.tags().exists(db).unwrap());
        let hairy = Animal::filter(Animal::TAGS.any(tagged::tag.eq("hairy"))).load(db).unwrap();
        assert_eq!(hairy, std::slice::from_ref(&lion));
        let items = TaggedItem::all(db).unwrap();
        let target = items[0].content_object(db).unwrap().expect("the lion");
        assert_eq!(target.downcast_ref::<Animal>().unwrap(), &lion);
        let items = TaggedItem::all(db).unwrap();
        TaggedItem::CONTENT_OBJECT.prefetch(db, &items).unwrap();
        assert_eq!(Animal::get(db, &lion.id).unwrap(), Some(lion.clone()));
        assert_eq!(ContentType::for_id(db, items[0].content_type_id).unwrap().model, "animal");
        assert_eq!(primary.count(), 0, "no read reached the primary: {:?}", primary.take());
        assert_eq!(assert_only_selects(&replica), 11);

        // Writes: the primary only; the replica's copy does not have them (lag).
        let tiger = assert_queries(&primary, per_backend::<Conn>(1, 2), || animal(db, "Tiger"));
        assert_queries(&primary, per_backend::<Conn>(1, 2), || tiger.tags().create(db, tag("striped")).unwrap());
        assert_eq!(Animal::count(db).unwrap(), 1, "the replica lags");
        assert_eq!(Animal::count(db.raw()).unwrap(), 2, "the primary has both");
        assert_eq!(assert_only_selects(&replica), 1);
        // A delete, with its probes and cascade (content-type lookups included), in the
        // primary's transaction: nothing on the replica.
        primary.reset();
        let deleted = lion.delete(db).unwrap();
        assert_eq!(deleted.total, 3);
        assert!(primary.count() >= 3, "the probe and the two deletes: {:?}", primary.take());
        assert_eq!(replica.count(), 0, "nothing went to the replica: {:?}", replica.take());
    }

    /// The other read-only operations read the replica too: tag names and counts,
    /// `most_common`, `similar_objects`, tag filters, tag prefetches, aggregates, target
    /// loads, orphan counts and the stale content-type list.
    fn the_other_reads_go_to_the_replica(p) {
        create_content_types(&mut p.primary.db()).unwrap();
        let (a, b, lion) = {
            let db = &mut p.primary.db();
            let a = Post::insert(db, NewPost { title: "a".into() }).unwrap();
            let b = Post::insert(db, NewPost { title: "b".into() }).unwrap();
            a.tags().add(db, ["x", "y"]).unwrap();
            b.tags().add(db, ["x"]).unwrap();
            let lion = animal(db, "Lion");
            lion.tags().create(db, tag("yellow")).unwrap();
            (a, b, lion)
        };
        p.replicate();
        let (primary, replica) = (p.primary_log(), p.replica_log.clone());
        primary.reset();
        replica.reset();
        let db = &mut p.routed();
        let r = &replica;
        // The content types are cached (the seeding looked them up): 1 statement each.
        assert_on_replica(r, 1, || assert_eq!(a.tags().names(db).unwrap(), ["x", "y"]));
        assert_on_replica(r, 1, || assert_eq!(a.tags().count(db).unwrap(), 2));
        let top = assert_on_replica(r, 1, || Post::TAGS.most_common().load(db).unwrap());
        assert_eq!((top[0].0.name.as_str(), top[0].1), ("x", 2));
        let similar = assert_on_replica(r, 1, || a.tags().similar_objects().load(db).unwrap());
        assert_eq!(similar, [(b.clone(), 1)]);
        let tagged_y = assert_on_replica(r, 1, || Post::filter(Post::TAGS.any(["y"])).load(db).unwrap());
        assert_eq!(tagged_y, std::slice::from_ref(&a));
        let posts = Post::all(db).unwrap();
        assert_on_replica(r, 1, || Post::TAGS.prefetch(db, &posts).unwrap());
        assert_on_replica(r, 1, || assert_eq!(Animal::TAGS.total_count(db).unwrap(), 1));
        assert_on_replica(r, 1, || assert_eq!(Animal::TAGS.annotate(Count).load(db).unwrap(), [(lion.clone(), 1)]));
        // The pairs, then the targets of each model: 2.
        let targets = assert_on_replica(r, 2, || TaggedItem::CONTENT_OBJECT.load_targets(db, tagged::tag.eq("yellow")).unwrap());
        assert_eq!(targets[0].downcast_ref::<Animal>().unwrap(), &lion);
        assert!(orphans(db).unwrap().is_empty());
        assert!(stale_content_types(db, &[]).unwrap().is_empty());
        assert!(assert_only_selects(r) > 0, "the orphan counts and the stale list read the replica");
        assert_eq!(primary.count(), 0, "no read reached the primary: {:?}", primary.take());
    }

    /// While the primary is inside the caller's transaction, everything goes to the
    /// primary (read-your-writes), content-type lookups included; after it commits, reads go
    /// to the replica again.
    fn inside_a_transaction_on_the_primary_everything_goes_there(p) {
        create_content_types(&mut p.primary.db()).unwrap();
        p.replicate();
        p.primary.cts.clear_cache();
        let (primary, replica) = (p.primary_log(), p.replica_log.clone());
        primary.reset();
        replica.reset();
        let db = &mut p.routed();
        type Manager = <Conn as Connection>::TransactionManager;
        Manager::begin_transaction(db.raw()).unwrap();
        let lion = animal(db, "Lion");
        assert_eq!(Animal::count(db).unwrap(), 1, "the transaction reads what it wrote");
        let ct = assert_queries(&primary, 1, || ContentType::for_model::<Animal>(db).unwrap());
        assert_queries(&primary, 1, || assert_eq!(lion.tags().count(db).unwrap(), 0));
        assert_eq!(replica.count(), 0, "nothing went to the replica: {:?}", replica.take());
        Manager::commit_transaction(db.raw()).unwrap();
        assert_eq!(Animal::count(db).unwrap(), 0, "after the commit, reads go to the replica (a copy from before)");
        assert_eq!(ContentType::for_model::<Animal>(db).unwrap(), ct, "cached");
        assert_eq!(assert_only_selects(&replica), 1);
    }

    /// The framework's own transactions and the reads they decide on run on the primary:
    /// get_or_create, update_or_create, set, add, remove, clear, deletes with their probes.
    fn the_framework_writes_on_the_primary_only(p) {
        create_content_types(&mut p.primary.db()).unwrap();
        let lion = animal(&mut p.primary.db(), "Lion");
        p.replicate();
        let (primary, replica) = (p.primary_log(), p.replica_log.clone());
        let db = &mut p.routed();
        // The content types, read on the replica; then nothing more goes there.
        ContentType::for_models(db, &[Animal::DEF, Label::DEF]).unwrap();
        assert_eq!(assert_only_selects(&replica), 1);
        primary.reset();
        let (_, created) = assert_queries(&primary, per_backend::<Conn>(2, 3), || lion.tags().get_or_create(db, tag("fierce")).unwrap());
        assert!(created);
        let (_, created) = assert_queries(&primary, 1, || lion.tags().get_or_create(db, tag("fierce")).unwrap());
        assert!(!created, "found on the primary: the replica has no such row");
        let (label, created) = Label::get_or_create(db, NewLabel { name: "big cats".into() }).unwrap();
        assert!(created);
        let (again, created) = Label::get_or_create(db, NewLabel { name: "big cats".into() }).unwrap();
        assert_eq!((again, created), (label.clone(), false));
        lion.tags().update_or_create(db, (tagged::tag,), tag("fierce")).unwrap();
        let mut loose = TaggedItem::insert(db, NewTaggedItem { tag: "loose".into(), content_object: Target::to(&label) }).unwrap();
        lion.tags().add(db, [&mut loose]).unwrap();
        let mut kept = lion.tags().all(db.raw()).unwrap();
        lion.tags().set(db, kept.iter_mut().take(1)).unwrap();
        lion.tags().remove(db, [&kept[0]]).unwrap();
        lion.tags().clear(db).unwrap();
        lion.delete(db).unwrap();
        assert!(primary.count() > 0);
        assert_eq!(replica.count(), 0, "nothing went to the replica: {:?}", replica.take());
    }

    /// A content type the replica does not have yet (it lags) is looked up, or created, on
    /// the primary: never an INSERT on the replica, never a second row, never an error. On a
    /// cold cache: 1 SELECT on the replica, then 1 SELECT on the primary when it has the row,
    /// or its SELECT, INSERT and SELECT when no database has it.
    fn a_content_type_the_replica_lacks_comes_from_the_primary(p) {
        let (primary, replica) = (p.primary_log(), p.replica_log.clone());
        replica.reset();
        let registered = contenttypes::Registry::global().unwrap().models().count() as i64;
        let ct = {
            let db = &mut p.routed();
            let ct = assert_queries(&primary, 3, || ContentType::for_model::<Animal>(db).unwrap());
            assert_eq!(assert_only_selects(&replica), 1);
            ct
        };
        assert_eq!(rows!(&mut p.primary.conn), registered, "every registered model's row, once");
        assert_eq!(rows!(&mut p.primary.conn, "generic_relations", "animal"), 1);

        // The row is on the primary only: read there, not created again.
        let cts = &p.primary.cts;
        cts.clear_cache();
        let db = &mut Conn::routed(&mut p.primary.conn, &mut p.replica.conn, cts);
        assert_queries(&primary, 1, || assert_eq!(ContentType::for_model::<Animal>(db).unwrap(), ct));
        assert_eq!(assert_only_selects(&replica), 1);
        cts.clear_cache();
        let models = [Animal::DEF, Vegetable::DEF, Mineral::DEF];
        let found = assert_queries(&primary, 1, || ContentType::for_models(db, &models).unwrap());
        assert_eq!(assert_only_selects(&replica), 1);
        assert_eq!(found[0], ct);
        cts.clear_cache();
        assert_queries(&primary, 1, || assert_eq!(ContentType::for_id(db, ct.id).unwrap(), ct));
        assert_eq!(assert_only_selects(&replica), 1);
        cts.clear_cache();
        assert_queries(&primary, 1, || assert_eq!(ContentType::by_natural_key(db, "generic_relations", "animal").unwrap(), ct));
        assert_eq!(assert_only_selects(&replica), 1);
        // An id no database has: one SELECT each, and the error.
        assert_queries(&primary, 1, || assert!(ContentType::for_id(db, ct.id + 1000).is_err()));
        assert_eq!(assert_only_selects(&replica), 1);

        // Once replicated: the replica answers alone.
        p.replicate();
        p.primary.cts.clear_cache();
        let db = &mut p.routed();
        assert_queries(&primary, 0, || assert_eq!(ContentType::for_model::<Animal>(db).unwrap(), ct));
        assert_eq!(assert_only_selects(&replica), 1);
        assert_eq!(rows!(db.raw()), registered, "no row was added");
    }

    /// A write whose generic foreign key's content type the replica lacks: resolved on the
    /// primary (created there), then inserted there.
    fn a_generic_foreign_key_write_through_a_lagging_replica(p) {
        let (primary, replica) = (p.primary_log(), p.replica_log.clone());
        let lion = animal(&mut p.primary.db(), "Lion");
        replica.reset();
        let db = &mut p.routed();
        let item = assert_queries(&primary, 3 + per_backend::<Conn>(1, 2), || {
            TaggedItem::insert(db, NewTaggedItem { tag: "new".into(), content_object: Target::to(&lion) }).unwrap()
        });
        assert_eq!(assert_only_selects(&replica), 1);
        assert_eq!(item.content_type_id, ContentType::for_model::<Animal>(db).unwrap().id);
        assert_eq!(rows!(db.raw(), "generic_relations", "animal"), 1);
        assert_eq!(lion.tags().count(db.raw()).unwrap(), 1);
        assert_eq!(lion.tags().count(db).unwrap(), 0, "the replica lags");
        assert_eq!(assert_only_selects(&replica), 1);
    }
}

/// `Routed::transaction` (sync connections: on async ones, a transaction is begun on
/// `db.connection()` with diesel-async's transaction manager, as above): committed on `Ok`,
/// rolled back on `Err`, every statement inside on the primary.
mod transaction {
    use super::*;

    backend_tests! {
        sync_only;
        fixture = Pair::<Conn>::new();

        fn routed_transaction_runs_on_the_primary(p) {
            create_content_types(&mut p.primary.db()).unwrap();
            animal(&mut p.primary.db(), "Lion");
            p.replicate();
            let replica = p.replica_log.clone();
            replica.reset();
            let db = &mut p.routed();
            let seen = db.transaction(|db| {
                let tiger = animal(db, "Tiger");
                tiger.tags().create(db, tag("striped"))?;
                Ok::<_, contenttypes::Error>((Animal::count(db)?, tiger.tags().count(db)?))
            });
            assert_eq!(seen.unwrap(), (2, 1));
            let failed = db.transaction(|db| {
                animal(db, "Bear");
                assert_eq!(Animal::count(db)?, 3);
                Err::<(), _>(contenttypes::Error::InvalidArgument("undo".into()))
            });
            assert!(failed.is_err());
            assert_eq!(Animal::count(db.raw()).unwrap(), 2, "the bear was rolled back");
            assert_eq!(replica.count(), 0, "nothing went to the replica: {:?}", replica.take());
        }
    }
}
