//! Tagging (django-taggit's `TaggableManager`, and its open issues): every operation on all
//! three backends, with its statement count.

mod common;

use common::Raw;

use std::sync::{Arc, Barrier};

use common::{assert_queries, backend_tests, probe, TestConnection};
use contenttypes::prelude::*;
use contenttypes::tagging::{
    merge_tags, orphaned_tags, remove_orphaned_tags, tagged_all, tagged_any, tagged_none,
    MostCommon, TagDefaults, TagRef,
};
use diesel::prelude::*;

/// django-taggit's `Tag`.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "tagtest", tag)]
pub struct Tag {
    pub id: i64,
    #[model(unique, max_length = 100)]
    pub name: String,
    #[model(unique, max_length = 100)]
    pub slug: String,
}

/// The through model, with a column for the tag set, so `Person` has two sets over it.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(
    app_label = "tagtest",
    tagged_item(tag = tag_id, set = tag_set),
    unique(content_type_id, object_id, tag_set, tag_id)
)]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[model(max_length = 50)]
    pub tag_set: String,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "shop")]
pub struct Product {
    pub id: i64,
    #[model(max_length = 100)]
    pub title: String,
    pub tags: Tags<TaggedItem>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "shop")]
pub struct Recipe {
    pub id: i64,
    #[model(max_length = 100)]
    pub title: String,
    pub tags: Tags<TaggedItem>,
}

/// Several tag sets on one model, over one through model.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "people")]
pub struct Person {
    pub id: i64,
    #[model(max_length = 100)]
    pub name: String,
    pub skills: Tags<TaggedItem>,
    pub interests: Tags<TaggedItem>,
}

/// A case-insensitive tag model with a column of its own, and a through model with an extra
/// column and a text object id (django-taggit's `CommonGenericTaggedItemBase`), tagging a
/// model with a text key.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "labels2", tag(case_insensitive))]
pub struct Topic {
    pub id: i64,
    #[model(unique, max_length = 100)]
    pub name: String,
    #[model(unique, max_length = 100)]
    pub slug: String,
    #[model(max_length = 20, default = "grey")]
    pub colour: String,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(
    app_label = "labels2",
    tagged_item(tag = topic_id),
    unique(content_type_id, object_id, topic_id)
)]
pub struct Topicked {
    pub id: i64,
    #[model(foreign_key = Topic, on_delete = cascade)]
    pub topic_id: i64,
    pub content_type_id: i32,
    #[model(max_length = 64)]
    pub object_id: String,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
    pub weight: i32,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "labels2")]
pub struct Page {
    #[model(primary_key, max_length = 40)]
    pub slug: String,
    pub topics: Tags<Topicked>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "labels2")]
pub struct Chapter {
    pub id: i32,
    pub topics: Tags<Topicked>,
}

fn product(db: &mut impl Db<Mode = SyncMode>, title: &str) -> Product {
    Product::insert(
        db,
        NewProduct {
            title: title.into(),
        },
    )
    .unwrap()
}

fn names(tags: &[(Tag, i64)]) -> Vec<(&str, i64)> {
    tags.iter().map(|(t, n)| (t.name.as_str(), *n)).collect()
}

fn titles(products: &[Product]) -> Vec<&str> {
    products.iter().map(|p| p.title.as_str()).collect()
}

/// Looks up the content types the tests' objects use, so statement counts leave them out
/// (the tags' and the through rows' too: deleting either looks at what points at them).
fn warm(db: &mut impl Db<Mode = SyncMode>) {
    let defs = [
        Tag::DEF,
        TaggedItem::DEF,
        Product::DEF,
        Recipe::DEF,
        Person::DEF,
        Page::DEF,
        Chapter::DEF,
    ];
    ContentType::for_models(db, &defs).unwrap();
}

backend_tests! {
    /// `add` by name and by row, mixed; the order kept; existing tags found in 1 statement,
    /// new ones created in 2 more; adding again changes nothing.
    fn add_names_and_rows_in_order(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let p = product(db, "lamp");
        let rust = Tag::insert(db, NewTag { name: "Rust".into(), slug: "rust".into() }).unwrap();
        let added = assert_queries(&log, 4, || {
            p.tags().add(db, [TagRef::from("web dev"), TagRef::from(&rust), TagRef::from("  diesel ")]).unwrap()
        });
        assert_eq!(added.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["web dev", "Rust", "diesel"]);
        assert_eq!(p.tags().names(db).unwrap(), ["web dev", "Rust", "diesel"]);
        assert_eq!(p.tags().slugs(db).unwrap(), ["web-dev", "rust", "diesel"]);
        // Existing tags: the names' SELECT and the through rows' INSERT.
        let q = product(db, "desk");
        assert_queries(&log, 2, || q.tags().add(db, ["diesel", "web dev"]).unwrap());
        // Again: nothing new, no error, no duplicate.
        assert_queries(&log, 2, || q.tags().add(db, ["diesel"]).unwrap());
        assert_eq!(q.tags().names(db).unwrap(), ["diesel", "web dev"]);
        assert_eq!(Tag::all(db).unwrap().len(), 3);
        // Nothing to add: no statement.
        assert_queries(&log, 0, || p.tags().add(db, ["", "  "]).unwrap());
        assert_queries(&log, 1, || assert_eq!(q.tags().count(db).unwrap(), 2));
    }

    /// `remove` by names (the through rows' keys selected with the names' subquery) and by
    /// rows; `clear`. Through rows can be pointed at like any row: each removal is a SELECT
    /// of their keys, one probe of the generic foreign keys that can point at them, and
    /// one DELETE.
    fn remove_and_clear(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let p = product(db, "lamp");
        let tags = p.tags().add(db, ["a", "b", "c", "d"]).unwrap();
        let removing = 1 + probe::<TaggedItem>();
        let removed = assert_queries(&log, removing, || p.tags().remove(db, ["a", "zzz"]).unwrap());
        assert_eq!(removed, 1);
        let removed = assert_queries(&log, removing, || p.tags().remove(db, [&tags[1]]).unwrap());
        assert_eq!(removed, 1);
        assert_eq!(p.tags().names(db).unwrap(), ["c", "d"]);
        // The tags themselves stay.
        assert_eq!(Tag::all(db).unwrap().len(), 4);
        assert_queries(&log, removing, || assert_eq!(p.tags().clear(db).unwrap(), 2));
        assert!(p.tags().names(db).unwrap().is_empty());
    }

    /// `set` changes only what differs: kept tags keep their through rows (and so their
    /// place); `set_clearing` makes every row again.
    fn set_is_diff_based(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let p = product(db, "lamp");
        p.tags().add(db, ["a", "b", "c"]).unwrap();
        let before: Vec<TaggedItem> = TaggedItem::all(db).unwrap();
        // Lock, current rows, names, removal of "a" (its key, one probe of the generic
        // foreign keys that can point at a through row, the DELETE), INSERT of "d" (which
        // exists already).
        Tag::insert(db, NewTag { name: "d".into(), slug: "d".into() }).unwrap();
        let removal = 1 + probe::<TaggedItem>();
        assert_queries(&log, 4 + removal, || p.tags().set(db, ["c", "d", "b"]).unwrap());
        assert_eq!(p.tags().names(db).unwrap(), ["b", "c", "d"]);
        let after: Vec<TaggedItem> = TaggedItem::all(db).unwrap();
        let kept: Vec<i64> = after.iter().filter(|r| before.contains(r)).map(|r| r.id).collect();
        assert_eq!(kept.len(), 2, "the rows of b and c are the same rows");
        // Nothing differs: the lock, the rows and the names only.
        assert_queries(&log, 3, || p.tags().set(db, ["b", "c", "d"]).unwrap());
        // Lock, removal of every row, names, INSERT.
        assert_queries(&log, 3 + removal, || p.tags().set_clearing(db, ["d", "b"]).unwrap());
        assert_eq!(p.tags().names(db).unwrap(), ["d", "b"]);
        assert!(TaggedItem::all(db).unwrap().iter().all(|r| !after.contains(r)));
        p.tags().set(db, Vec::<&str>::new()).unwrap();
        assert!(p.tags().names(db).unwrap().is_empty());
    }

    /// Reads after a prefetch make no query (django-taggit #936): `names`, `slugs`, `count`,
    /// `all`, for every object, from 1 query.
    fn names_use_the_prefetch_cache(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let products: Vec<Product> = (0..5).map(|i| product(db, &format!("p{i}"))).collect();
        for (i, p) in products.iter().enumerate() {
            p.tags().add(db, ["shared", &format!("own{i}")]).unwrap();
        }
        let products = Product::all(db).unwrap();
        assert_queries(&log, 1, || Product::TAGS.prefetch(db, &products).unwrap());
        assert_queries(&log, 0, || {
            for (i, p) in products.iter().enumerate() {
                assert_eq!(p.tags().names(db).unwrap(), ["shared".to_string(), format!("own{i}")]);
                assert_eq!(p.tags().slugs(db).unwrap().len(), 2);
                assert_eq!(p.tags().count(db).unwrap(), 2);
            }
        });
        // A write drops that object's cache.
        products[0].tags().add(db, ["more"]).unwrap();
        assert_queries(&log, 1, || assert_eq!(products[0].tags().count(db).unwrap(), 3));
        // Strict loading: a lazy read is an error, a prefetched one is not.
        let _strict = contenttypes::strict_loading();
        assert!(products[0].tags().names(db).is_err());
        assert!(products[1].tags().names(db).is_ok());
    }

    /// Slugs: collisions are numbered, as django-taggit does; a case-sensitive tag model
    /// keeps "Rust" and "rust" apart.
    fn slugs_with_collisions(t) {
        let db = &mut t.db();
        warm(db);
        let p = product(db, "lamp");
        p.tags().add(db, ["C++", "C#", "Rust", "rust"]).unwrap();
        let mut tags: Vec<(String, String)> = Tag::all(db).unwrap().into_iter().map(|t| (t.name, t.slug)).collect();
        tags.sort();
        assert_eq!(tags, [
            ("C#".to_string(), "c_1".to_string()),
            ("C++".into(), "c".into()),
            ("Rust".into(), "rust".into()),
            ("rust".into(), "rust_1".into()),
        ]);
        assert_eq!(p.tags().names(db).unwrap(), ["C++", "C#", "Rust", "rust"]);
    }

    /// Lengths: a name as long as the name column holds is a tag, its slug as long too; a
    /// second name with that slug gets a numbered slug cut to fit (django-taggit lets the
    /// database refuse it); a name longer than the column is a typed error and nothing is
    /// written, where PostgreSQL and MySQL would refuse the insert and SQLite keep it.
    fn names_and_slugs_at_the_length_limit(t) {
        let db = &mut t.db();
        warm(db);
        let p = product(db, "shelf");
        let long = "é".repeat(100);
        let same_slug = "É".repeat(100);
        p.tags().add(db, [long.as_str(), same_slug.as_str()]).unwrap();
        let mut slugs: Vec<(usize, String)> =
            Tag::all(db).unwrap().into_iter().map(|t| (t.name.chars().count(), t.slug)).collect();
        slugs.sort();
        assert_eq!(slugs, [(100, format!("{}_1", "é".repeat(98))), (100, "é".repeat(100))]);
        let too_long = "x".repeat(101);
        let error = p.tags().add(db, ["fine", too_long.as_str()]).unwrap_err();
        assert!(matches!(error, contenttypes::Error::InvalidArgument(_)), "{error:?}");
        assert!(error.to_string().contains("101 characters long"), "{error}");
        assert!(error.to_string().contains("holds at most 100"), "{error}");
        assert_eq!(Tag::all(db).unwrap().len(), 2, "nothing written");
        assert_eq!(p.tags().names(db).unwrap().len(), 2);
    }

    /// A database whose collation ignores case (MySQL's defaults; the test makes the tag
    /// table's so on MySQL and MariaDB) finds "Rust" for "rust": the tag is the existing one,
    /// not an error or a loop over slugs. Elsewhere "rust" is a tag of its own.
    fn a_collation_that_ignores_case(t) {
        let db = &mut t.db();
        warm(db);
        let mysql = <<Conn as diesel::Connection>::Backend as contenttypes::SupportedBackend>::DIALECT
            == contenttypes::Dialect::Mysql;
        if mysql {
            diesel::sql_query("ALTER TABLE tagtest_tag CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
                .execute(db.raw())
                .unwrap();
        }
        let p = product(db, "lamp");
        p.tags().add(db, ["Rust"]).unwrap();
        let q = product(db, "desk");
        let added = q.tags().add(db, ["rust"]).unwrap();
        let bulk = Product::TAGS.tag_many(db, std::slice::from_ref(&p), ["RUST"]).unwrap();
        if mysql {
            assert_eq!(added[0].name, "Rust", "the database's one name");
            assert_eq!(bulk[0].name, "Rust");
            assert_eq!(Tag::all(db).unwrap().len(), 1);
        } else {
            assert_eq!((added[0].name.as_str(), added[0].slug.as_str()), ("rust", "rust_1"));
            assert_eq!((bulk[0].name.as_str(), bulk[0].slug.as_str()), ("RUST", "rust_2"));
            assert_eq!(Tag::all(db).unwrap().len(), 3);
        }
    }

    /// A case-insensitive tag model: one tag per name whatever its case, also within one
    /// call (django-taggit #460); the first spelling is kept. Through defaults and tag
    /// defaults fill the extra columns.
    fn case_insensitive_tags_and_defaults(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let page = Page::insert(db, NewPage { slug: "home".into() }).unwrap();
        let added = page.topics().add_with(db, ["Rust", "rust", "RUST", "Web"], TagDefaults::new()
            .through(|row: &mut NewTopicked| row.weight = 7)
            .tag(|tag: &mut NewTopic| tag.colour = "orange".into())).unwrap();
        assert_eq!(added.len(), 2);
        let topics = Topic::all(db).unwrap();
        assert_eq!(topics.iter().map(|t| (t.name.as_str(), t.colour.as_str())).collect::<Vec<_>>(), [("Rust", "orange"), ("Web", "orange")]);
        assert!(Topicked::all(db).unwrap().iter().all(|r| r.weight == 7 && r.object_id == "home"));
        // Found whatever the case: no new tag, one SELECT and the INSERT.
        let chapter = Chapter::insert(db, NewChapter::default()).unwrap();
        assert_queries(&log, 2, || chapter.topics().add_with(db, ["rUsT"], TagDefaults::new().through(|r: &mut NewTopicked| r.weight = 1)).unwrap());
        assert_eq!(chapter.topics().names(db).unwrap(), ["Rust"]);
        assert_eq!(Topic::all(db).unwrap().len(), 2);
        // Filters and removal ignore case too.
        assert_eq!(Page::filter(Page::TOPICS.any(["WEB"])).load(db).unwrap(), std::slice::from_ref(&page));
        assert_eq!(page.topics().remove(db, ["wEb"]).unwrap(), 1);
        // A through model with a text object id over an integer key: the casts hold.
        assert_eq!(Chapter::filter(Chapter::TOPICS.all(["rust"])).load(db).unwrap(), std::slice::from_ref(&chapter));
        assert_eq!(Chapter::TOPICS.most_common().load(db).unwrap().len(), 1);
        let top = MostCommon::<Topicked>::across_models().load(db).unwrap();
        assert_eq!(top.iter().map(|(t, n)| (t.name.as_str(), *n)).collect::<Vec<_>>(), [("Rust", 2)]);
    }

    /// Objects with any, all or none of a set of tags: one statement each, each object once.
    fn any_all_none_filters(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let a = product(db, "a");
        let b = product(db, "b");
        let c = product(db, "c");
        a.tags().add(db, ["red", "blue", "green"]).unwrap();
        b.tags().add(db, ["red", "blue"]).unwrap();
        c.tags().add(db, ["green"]).unwrap();
        product(db, "untagged");
        let any = assert_queries(&log, 1, || Product::filter(Product::TAGS.any(["red", "green"])).load(db).unwrap());
        assert_eq!(titles(&any), ["a", "b", "c"]);
        let all = assert_queries(&log, 1, || Product::filter(Product::TAGS.all(["red", "blue"])).load(db).unwrap());
        assert_eq!(titles(&all), ["a", "b"]);
        let all3 = Product::filter(Product::TAGS.all(["red", "blue", "green"])).load(db).unwrap();
        assert_eq!(titles(&all3), ["a"]);
        // A name no tag has: nobody has all.
        assert!(Product::filter(Product::TAGS.all(["red", "nope"])).load(db).unwrap().is_empty());
        let none = assert_queries(&log, 1, || Product::filter(Product::TAGS.none(["blue"])).load(db).unwrap());
        assert_eq!(titles(&none), ["c", "untagged"]);
        // Composable with Diesel's own filters.
        let both: Vec<Product> = shop_product::table
            .filter(Product::TAGS.any(["green"]).and(shop_product::title.ne("a")))
            .load(db.raw()).unwrap();
        assert_eq!(titles(&both), ["c"]);
        // Another model's rows in the same through table are not mixed in.
        let r = Recipe::insert(db, NewRecipe { title: "soup".into() }).unwrap();
        r.tags().add(db, ["red"]).unwrap();
        assert!(Recipe::filter(Recipe::TAGS.any(["blue"])).load(db).unwrap().is_empty());
        assert_eq!(Recipe::filter(Recipe::TAGS.all(["red"])).load(db).unwrap().len(), 1);
        // Across models: everything tagged so, whatever its model (1 + 1 per model).
        let red = assert_queries(&log, 3, || TaggedItem::CONTENT_OBJECT.load_targets(db, tagged_any::<TaggedItem>(["red"])).unwrap());
        assert_eq!(red.len(), 3);
        let all = assert_queries(&log, 2, || TaggedItem::CONTENT_OBJECT.load_targets(db, tagged_all::<TaggedItem>(["red", "blue"])).unwrap());
        let mut found: Vec<String> = all.iter().map(|o| o.downcast_ref::<Product>().unwrap().title.clone()).collect();
        found.sort();
        assert_eq!(found, ["a", "b"]);
        let none = TaggedItem::CONTENT_OBJECT.load_targets(db, tagged_none::<TaggedItem>(["blue", "green"])).unwrap();
        assert_eq!(none.len(), 1);
        assert!(none[0].downcast_ref::<Recipe>().is_ok());
    }

    /// `most_common`: per model, with a minimum count, a limit and a filter on the objects;
    /// across models. One statement each.
    fn most_common_tags(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        for (title, tags) in [("a", vec!["x", "y", "z"]), ("b", vec!["x", "y"]), ("c", vec!["x"])] {
            product(db, title).tags().add(db, tags).unwrap();
        }
        let r = Recipe::insert(db, NewRecipe { title: "soup".into() }).unwrap();
        r.tags().add(db, ["z", "soup"]).unwrap();
        let top = assert_queries(&log, 1, || Product::TAGS.most_common().load(db).unwrap());
        assert_eq!(names(&top), [("x", 3), ("y", 2), ("z", 1)]);
        let top = assert_queries(&log, 1, || Product::TAGS.most_common().min_count(2).limit(1).load(db).unwrap());
        assert_eq!(names(&top), [("x", 3)]);
        let top = assert_queries(&log, 1, || {
            Product::TAGS.most_common().filter(shop_product::title.ne("a")).load(db).unwrap()
        });
        assert_eq!(names(&top), [("x", 2), ("y", 1)]);
        let top = assert_queries(&log, 1, || MostCommon::<TaggedItem>::across_models().min_count(2).load(db).unwrap());
        assert_eq!(names(&top), [("x", 3), ("y", 2), ("z", 2)]);
    }

    /// `similar_objects`: the other objects ranked by shared tags, with the count, filtered
    /// and limited, in one statement (django-taggit #729, #751).
    fn similar_objects_ranked(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let a = product(db, "a");
        a.tags().add(db, ["x", "y", "z"]).unwrap();
        product(db, "b").tags().add(db, ["x", "y"]).unwrap();
        product(db, "c").tags().add(db, ["z"]).unwrap();
        product(db, "d").tags().add(db, ["w"]).unwrap();
        // Another model's rows with the same tags are not similar products.
        Recipe::insert(db, NewRecipe { title: "r".into() }).unwrap().tags().add(db, ["x", "y", "z"]).unwrap();
        let similar = assert_queries(&log, 1, || a.tags().similar_objects().load(db).unwrap());
        assert_eq!(similar.iter().map(|(p, n)| (p.title.as_str(), *n)).collect::<Vec<_>>(), [("b", 2), ("c", 1)]);
        let similar = assert_queries(&log, 1, || a.tags().similar_objects().limit(1).load(db).unwrap());
        assert_eq!(similar.len(), 1);
        // Across models: the recipe shares all three; 1 query ranks, 1 per model loads.
        let across = assert_queries(&log, 3, || a.tags().similar_objects().across_models().load(db).unwrap());
        let described: Vec<(String, i64)> = across
            .iter()
            .map(|(o, n)| match (o.downcast_ref::<Product>(), o.downcast_ref::<Recipe>()) {
                (Ok(p), _) => (format!("product {}", p.title), *n),
                (_, Ok(r)) => (format!("recipe {}", r.title), *n),
                _ => panic!("an unexpected model"),
            })
            .collect();
        assert_eq!(described, [("recipe r".to_string(), 3), ("product b".into(), 2), ("product c".into(), 1)]);
        assert_eq!(a.tags().similar_objects().across_models().limit(1).load(db).unwrap().len(), 1);
        let similar = a.tags().similar_objects().filter(shop_product::title.ne("b")).load(db).unwrap();
        assert_eq!(similar.iter().map(|(p, n)| (p.title.as_str(), *n)).collect::<Vec<_>>(), [("c", 1)]);
    }

    /// Two tag sets on one model over one through model (django-taggit #688): each its own.
    fn several_tag_sets_per_model(t) {
        let db = &mut t.db();
        warm(db);
        let ann = Person::insert(db, NewPerson { name: "Ann".into() }).unwrap();
        let bob = Person::insert(db, NewPerson { name: "Bob".into() }).unwrap();
        ann.skills().add(db, ["rust", "sql"]).unwrap();
        ann.interests().add(db, ["chess", "rust"]).unwrap();
        bob.interests().add(db, ["sql"]).unwrap();
        assert_eq!(ann.skills().names(db).unwrap(), ["rust", "sql"]);
        assert_eq!(ann.interests().names(db).unwrap(), ["chess", "rust"]);
        // One "rust" tag, used by both sets.
        assert_eq!(Tag::all(db).unwrap().len(), 3);
        let sql_skill = Person::filter(Person::SKILLS.any(["sql"])).load(db).unwrap();
        assert_eq!(sql_skill, std::slice::from_ref(&ann));
        let sql_interest = Person::filter(Person::INTERESTS.any(["sql"])).load(db).unwrap();
        assert_eq!(sql_interest, std::slice::from_ref(&bob));
        assert_eq!(names(&Person::SKILLS.most_common().load(db).unwrap()), [("rust", 1), ("sql", 1)]);
        ann.skills().clear(db).unwrap();
        assert_eq!(ann.interests().names(db).unwrap(), ["chess", "rust"]);
        let people = Person::all(db).unwrap();
        Person::INTERESTS.prefetch(db, &people).unwrap();
        assert_eq!(people[1].interests().names(db).unwrap(), ["sql"]);
        // Deleting a person deletes the rows of both sets.
        ann.interests().add(db, ["go"]).unwrap();
        ann.skills().add(db, ["go"]).unwrap();
        let deleted = ann.delete(db).unwrap();
        assert_eq!(deleted.of::<TaggedItem>(), 4);
    }

    /// Bulk: 2,000 objects × 5 new tags in 3 statements; retagging many objects at once.
    fn tag_many_in_constant_statements(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let new: Vec<NewProduct> = (0..2_000).map(|i| NewProduct { title: format!("p{i}") }).collect();
        let products = Product::insert_many(db, new).unwrap();
        let tags = assert_queries(&log, 3, || Product::TAGS.tag_many(db, &products, ["a", "b", "c", "d", "e"]).unwrap());
        assert_eq!(tags.len(), 5);
        assert_eq!(TaggedItem::all(db).unwrap().len(), 10_000);
        assert_eq!(products[1999].tags().names(db).unwrap(), ["a", "b", "c", "d", "e"]);
        // Again, with one new tag: nothing doubles.
        assert_queries(&log, 3, || Product::TAGS.tag_many(db, &products[..10], ["a", "f"]).unwrap());
        assert_eq!(TaggedItem::all(db).unwrap().len(), 10_010);
        assert_eq!(products[0].tags().names(db).unwrap(), ["a", "b", "c", "d", "e", "f"]);
        // Retag: each object's set becomes exactly these.
        // The names' INSERT and SELECT, one removal of the others (their keys, one statement
        // per generic foreign key that can point at a through row, the DELETE), one
        // INSERT ... SELECT.
        let removal = 1 + probe::<TaggedItem>();
        assert_queries(&log, 3 + removal, || Product::TAGS.retag_many(db, &products[..100], ["b", "z"]).unwrap());
        assert_eq!(products[0].tags().names(db).unwrap(), ["b", "z"]);
        assert_eq!(products[100].tags().names(db).unwrap().len(), 5);
        assert_eq!(Product::filter(Product::TAGS.all(["b", "z"])).count(db).unwrap(), 100);
    }

    /// Orphaned tags (dry run, then removal) and merging tags (duplicates dropped).
    fn orphans_and_merging(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let a = product(db, "a");
        let b = product(db, "b");
        let tags = a.tags().add(db, ["rust", "rustlang", "old"]).unwrap();
        b.tags().add(db, ["rustlang"]).unwrap();
        a.tags().remove(db, ["old"]).unwrap();
        let orphans = assert_queries(&log, 1, || orphaned_tags::<TaggedItem, _>(db).unwrap());
        assert_eq!(orphans.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["old"]);
        // The dry run changed nothing.
        assert_eq!(Tag::all(db).unwrap().len(), 3);
        // The orphans' keys, one probe of the generic foreign keys that can point at a tag,
        // the through rows pointing at them (none here), the tags.
        let removed = assert_queries(&log, 3 + probe::<Tag>() + probe::<TaggedItem>(), || remove_orphaned_tags::<TaggedItem, _>(db).unwrap());
        assert_eq!(removed.total, 1);
        assert_eq!(Tag::all(db).unwrap().len(), 2);
        // The duplicates' SELECT and their removal (a SELECT of their keys, one statement per
        // generic foreign key that can point at a through row, the DELETE), the UPDATE, then
        // the merged tag's delete (one probe of the generic foreign keys that can point at a
        // tag, the SELECT of the through rows pointing at it, none now, the DELETE).
        let merging = 6 + probe::<TaggedItem>() + probe::<Tag>();
        let merged = assert_queries(&log, merging, || merge_tags::<TaggedItem, _>(db, &[&tags[1]], &tags[0]).unwrap());
        assert_eq!((merged.moved, merged.duplicates, merged.deleted.total), (1, 1, 1));
        assert_eq!(a.tags().names(db).unwrap(), ["rust"]);
        assert_eq!(b.tags().names(db).unwrap(), ["rust"]);
        assert_eq!(Tag::all(db).unwrap().len(), 1);
    }

    /// 64 callers at once, each on its own connection, add the same new names (half to one
    /// shared object, half to their own): no error, one tag per name, no duplicate row
    /// (django-taggit #576, #349; acts-as-taggable-on #693).
    fn concurrent_tag_creation(t) {
        const CALLERS: usize = 64;
        let shared = common::TestDb::<Conn>::shared();
        let url = shared.url().expect("a shared database").to_string();
        let mut setup = <Conn as TestConnection>::reconnect(&url);
        contenttypes::create_content_types(&mut setup).unwrap();
        let common_product = product(&mut setup, "shared");
        let own: Vec<Product> = (0..CALLERS).map(|i| product(&mut setup, &format!("own{i}"))).collect();
        let names = ["alpha", "beta", "gamma", "delta", "epsilon"];
        let barrier = Arc::new(Barrier::new(CALLERS));
        let handles: Vec<_> = own
            .into_iter()
            .enumerate()
            .map(|(i, mine)| {
                let (url, barrier, common_product) = (url.clone(), barrier.clone(), common_product.clone());
                // Connected before the thread starts: a refused connection fails the test here
                // instead of leaving the other threads waiting at the barrier.
                let mut conn = <Conn as TestConnection>::reconnect(&url);
                std::thread::spawn(move || {
                    let target = if i % 2 == 0 { common_product } else { mine };
                    // Each caller names them in its own order.
                    let mut mine_names = names.to_vec();
                    mine_names.rotate_left(i % names.len());
                    barrier.wait();
                    target.tags().add(&mut conn, mine_names).map(|tags| tags.len())
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().expect("thread").expect("no error under contention"), 5);
        }
        let db = &mut setup;
        let mut tag_names: Vec<String> = Tag::all(db).unwrap().into_iter().map(|t| t.name).collect();
        tag_names.sort();
        assert_eq!(tag_names, ["alpha", "beta", "delta", "epsilon", "gamma"]);
        assert_eq!(common_product.tags().count(db).unwrap(), 5);
        assert_eq!(TaggedItem::all(db).unwrap().len(), 5 + 5 * CALLERS / 2);
        drop(t);
    }
}
