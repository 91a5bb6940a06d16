//! A generic many-to-many through model (§12 of the Django notes): labels on articles and
//! videos through `LabeledThing` (a foreign key to `Label` plus the generic trio, unique
//! together), queried both ways.

mod common;

use common::models::*;
use common::{assert_queries, backend_tests};
use contenttypes::prelude::*;
use contenttypes::strict_loading;
use diesel::prelude::*;

use blog_article as article;
use labels_label as label;
use labels_labeledthing as labeled;

// As in any Diesel schema: tables used together in one query are declared together.
diesel::allow_tables_to_appear_in_same_query!(
    labels_label,
    labels_labeledthing,
    blog_article,
    media_video
);

fn labels(db: &mut impl Db<Mode = SyncMode>, names: &[&str]) -> Vec<Label> {
    names
        .iter()
        .map(|n| Label::insert(db, NewLabel { name: (*n).into() }).unwrap())
        .collect()
}

fn link(label: &Label) -> impl FnOnce(Target<i64>) -> NewLabeledThing {
    let label_id = label.id;
    move |content_object| NewLabeledThing {
        label_id,
        content_object,
    }
}

backend_tests! {
    /// Objects by label through the far side, labels by object, and one relation over
    /// both models.
    fn queries_both_ways(t) {
        let db = &mut t.db();
        let l = labels(db, &["python", "rust"]);
        let a1 = Article::insert(db, NewArticle { title: "a1".into() }).unwrap();
        let a2 = Article::insert(db, NewArticle { title: "a2".into() }).unwrap();
        let v1 = Video::insert(db, NewVideo { title: "v1".into() }).unwrap();
        a1.labels().create(db, link(&l[0])).unwrap();
        a2.labels().create(db, link(&l[1])).unwrap();
        v1.labels().create(db, link(&l[0])).unwrap();
        let conn = &mut t.conn;

        // Article.filter(tagged__tag__name="python"), through the foreign key descriptor.
        let articles: Vec<Article> =
            article::table.filter(Article::LABELS.any(LabeledThing::LABEL.any(label::name.eq("python")))).load(conn).unwrap();
        assert_eq!(articles, vec![a1.clone()]);
        // The same with a Diesel subquery (the tables are declared together below).
        let python = label::table.select(label::id).filter(label::name.eq("python"));
        let same: Vec<Article> = article::table.filter(Article::LABELS.any(labeled::label_id.eq_any(python))).load(conn).unwrap();
        assert_eq!(same, articles);
        // Tag.filter(tagged__articles__title="a1")
        let on_a1 = labeled::table.select(labeled::label_id).filter(LabeledThing::ARTICLE.any(article::title.eq("a1")));
        let found: Vec<Label> = label::table.filter(label::id.eq_any(on_a1)).load(conn).unwrap();
        assert_eq!(found, vec![l[0].clone()]);
        // Labels used on any video.
        let on_videos = labeled::table.select(labeled::label_id).filter(LabeledThing::VIDEO.exists());
        let found: Vec<Label> = label::table.filter(label::id.eq_any(on_videos)).load(conn).unwrap();
        assert_eq!(found, vec![l[0].clone()]);
        // Everything labelled "python", whatever its model.
        let things: Vec<LabeledThing> = labeled::table.filter(labeled::label_id.eq(l[0].id)).order(labeled::id).load(conn).unwrap();
        let db = &mut t.db();
        LabeledThing::CONTENT_OBJECT.prefetch(db, &things).unwrap();
        let _strict = strict_loading();
        let targets: Vec<GenericObject> = things.iter().map(|t| t.content_object(db).unwrap().unwrap()).collect();
        assert_eq!(targets[0].downcast_ref::<Article>().unwrap(), &a1);
        assert_eq!(targets[1].downcast_ref::<Video>().unwrap(), &v1);
    }

    /// F.104, prefetch "labels__label": the objects, their links in one query, the labels in
    /// one (the foreign key's `load_for`), then every read is free.
    fn prefetch_through_to_the_labels(t) {
        let log = t.log();
        let db = &mut t.db();
        let l = labels(db, &["python", "rust"]);
        for title in ["a1", "a2", "a3"] {
            let a = Article::insert(db, NewArticle { title: title.into() }).unwrap();
            a.labels().create(db, link(&l[0])).unwrap();
            if title != "a3" {
                a.labels().create(db, link(&l[1])).unwrap();
            }
        }
        ContentType::for_model::<Article>(db).unwrap();
        let articles = Article::all(db).unwrap();
        let (links, targets) = assert_queries(&log, 2, || {
            Article::LABELS.prefetch(db, &articles).unwrap();
            let links: Vec<LabeledThing> =
                articles.iter().flat_map(|a| a.labels.prefetched().unwrap().as_ref().clone()).collect();
            let targets = LabeledThing::LABEL.load_for(db, &links).unwrap();
            (links, targets)
        });
        assert_eq!(targets.len(), links.len(), "one target per link, in order");
        for (link, label) in links.iter().zip(&targets) {
            assert_eq!(label.as_ref().map(|l| l.id), Some(link.label_id));
        }
        let _strict = contenttypes::strict_loading();
        let names: Vec<Vec<String>> = assert_queries(&log, 0, || {
            articles
                .iter()
                .map(|a| {
                    let ids: Vec<i64> = a.labels().all(db).unwrap().iter().map(|t| t.label_id).collect();
                    targets.iter().flatten().filter(|l| ids.contains(&l.id)).map(|l| l.name.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect()
                })
                .collect()
        });
        assert_eq!(names, [vec!["python", "rust"], vec!["python", "rust"], vec!["python"]]);
        // A link whose label is gone reads as `None`, in its place.
        let orphan = LabeledThing { label_id: l[1].id + 1000, ..links[0].clone() };
        let loaded = LabeledThing::LABEL.load_for(db, &[links[0].clone(), orphan]).unwrap();
        assert_eq!(loaded, [Some(l[0].clone()), None]);
    }

    /// The unique constraint refuses a duplicate link with a typed error, and deleting an
    /// object removes its links while deleting a label removes its links too.
    fn integrity(t) {
        let db = &mut t.db();
        let l = labels(db, &["python"]);
        let a = Article::insert(db, NewArticle { title: "a1".into() }).unwrap();
        a.labels().create(db, link(&l[0])).unwrap();
        let duplicate = a.labels().create(db, link(&l[0])).unwrap_err();
        assert!(duplicate.is_unique_violation(), "{duplicate}");
        let v = Video::insert(db, NewVideo { title: "v1".into() }).unwrap();
        v.labels().create(db, link(&l[0])).unwrap();
        a.delete(db).unwrap();
        assert_eq!(LabeledThing::count(db).unwrap(), 1);
        l[0].delete(db).unwrap();
        assert_eq!(LabeledThing::count(db).unwrap(), 0);
        assert!(Video::get(db, &v.id).unwrap().is_some());
    }

    /// The reverse of the foreign key (Django's `Label.objects.filter(labeledthing__...)`):
    /// labels used on videos, and labels used on no article, each once, in 1 query.
    fn labels_by_what_references_them(t) {
        let log = t.log();
        let db = &mut t.db();
        let l = labels(db, &["python", "rust", "zig"]);
        let a = Article::insert(db, NewArticle { title: "a".into() }).unwrap();
        let v = Video::insert(db, NewVideo { title: "v".into() }).unwrap();
        a.labels().create(db, link(&l[0])).unwrap();
        v.labels().create(db, link(&l[1])).unwrap();
        let v2 = Video::insert(db, NewVideo { title: "v2".into() }).unwrap();
        v2.labels().create(db, link(&l[1])).unwrap();
        let on_videos = assert_queries(&log, 1, || {
            Label::filter(LabeledThing::LABEL.referenced_by(LabeledThing::VIDEO.exists())).load(db).unwrap()
        });
        assert_eq!(on_videos, vec![l[1].clone()]);
        let unused = assert_queries(&log, 1, || {
            Label::filter(diesel::dsl::not(LabeledThing::LABEL.referenced_by(contenttypes::NoFilter))).load(db).unwrap()
        });
        assert_eq!(unused, vec![l[2].clone()]);
    }
}

#[cfg(feature = "uuid")]
mod uuid_keys {
    use super::*;

    backend_tests! {
        /// UUID keys: a text object id points at them (stored hyphenated), filters cast the
        /// key where needed, prefetching resolves them (F.93, H.117).
        fn uuid_primary_keys(t) {
            let db = &mut t.db();
            let thing = UuidThing::insert(db, NewUuidThing { id: uuid::Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0), name: "u".into() }).unwrap();
            let other = UuidThing::insert(db, NewUuidThing { id: uuid::Uuid::from_u128(7), name: "v".into() }).unwrap();
            assert_eq!(UuidThing::get(db, &thing.id).unwrap(), Some(thing.clone()));
            let c = thing.comments().create(db, |content_object| NewComment { text: "hi".into(), content_object }).unwrap();
            assert_eq!(c.object_pk, "12345678-9abc-def0-1234-56789abcdef0");
            let comments = Comment::all(db).unwrap();
            Comment::CONTENT_OBJECT.prefetch(db, &comments).unwrap();
            assert_eq!(comments[0].content_object(db).unwrap().unwrap().downcast_ref::<UuidThing>().unwrap(), &thing);
            let conn = &mut t.conn;
            let with: Vec<UuidThing> = keys_uuidthing::table.filter(UuidThing::COMMENTS.exists()).load(conn).unwrap();
            assert_eq!(with, vec![thing.clone()]);
            let db = &mut t.db();
            assert_eq!(other.comments().count(db).unwrap(), 0);
            thing.delete(db).unwrap();
            assert_eq!(Comment::count(db).unwrap(), 0);
        }
    }
}
