//! Related rows with the row a foreign key of theirs references: in one query on a relation
//! manager (Django's `select_related`), in two for many parents (F.104, Django's
//! `prefetch_related("labels__label")`), and a filtered subset next to the relation's own
//! cache (Django's `to_attr`, F.99).

mod common;

use common::models::*;
use common::{assert_queries, backend_tests};
use contenttypes::prelude::*;
use std::sync::Arc;

use contenttypes::{strict_loading, Error};
use diesel::prelude::*;

/// A through model whose foreign key may be NULL: its joined reads give `Option<Label>`.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "select_related")]
pub struct Pin {
    pub id: i64,
    #[model(foreign_key = Label, on_delete = set_null)]
    pub label_id: Option<i64>,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "select_related")]
pub struct Corkboard {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
    pub pins: GenericRelation<Pin>,
}

fn label(db: &mut impl Db<Mode = SyncMode>, name: &str) -> Label {
    Label::insert(db, NewLabel { name: name.into() }).unwrap()
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

fn link(label: &Label) -> impl FnOnce(Target<i64>) -> NewLabeledThing {
    let label_id = label.id;
    move |content_object| NewLabeledThing {
        label_id,
        content_object,
    }
}

fn pin(label: Option<&Label>) -> impl FnOnce(Target<i64>) -> NewPin {
    let label_id = label.map(|l| l.id);
    move |content_object| NewPin {
        label_id,
        content_object,
    }
}

fn names(rows: &[(LabeledThing, Arc<Label>)]) -> Vec<&str> {
    rows.iter().map(|(_, l)| l.name.as_str()).collect()
}

backend_tests! {
    /// An article's label names: 1 query (an INNER JOIN), where the manager and then the
    /// labels took 2; each row comes with its own label, in the items' key order.
    fn a_manager_read_joins_the_foreign_key(t) {
        let log = t.log();
        let db = &mut t.db();
        let (rust, go) = (label(db, "rust"), label(db, "go"));
        let a = article(db, "a");
        let other = article(db, "other");
        a.labels().create(db, link(&rust)).unwrap();
        a.labels().create(db, link(&go)).unwrap();
        other.labels().create(db, link(&go)).unwrap();
        let rows = assert_queries(&log, 1, || a.labels().select_related(LabeledThing::LABEL).all(db).unwrap());
        assert_eq!(names(&rows), ["rust", "go"]);
        for (item, l) in &rows {
            assert_eq!(item.label_id, l.id);
            assert_eq!(item.object_id, a.id);
        }
        let empty = article(db, "empty");
        assert!(assert_queries(&log, 1, || empty.labels().select_related(LabeledThing::LABEL).all(db).unwrap()).is_empty());
    }

    /// F.104 in 3 statements: the articles, their items, then the items' labels by distinct
    /// key (Django's `prefetch_related("labels__label")`); every read after that (the items,
    /// the items with labels) makes no query.
    fn prefetch_related_is_two_statements_for_items_and_labels(t) {
        let log = t.log();
        let db = &mut t.db();
        let (rust, go) = (label(db, "rust"), label(db, "go"));
        for (title, labels) in [("a", vec![&rust, &go]), ("b", vec![&go]), ("c", vec![])] {
            let a = article(db, title);
            for l in labels {
                a.labels().create(db, link(l)).unwrap();
            }
        }
        let articles = assert_queries(&log, 1, || Article::all(db).unwrap());
        assert_queries(&log, 2, || Article::LABELS.prefetch_related(db, &articles, LabeledThing::LABEL).unwrap());
        let _strict = strict_loading();
        assert_queries(&log, 0, || {
            let per_article: Vec<Vec<&str>> = articles
                .iter()
                .map(|a| {
                    let rows = a.labels().select_related(LabeledThing::LABEL).all(db).unwrap();
                    rows.iter().map(|(_, l)| if l.id == rust.id { "rust" } else { "go" }).collect()
                })
                .collect();
            assert_eq!(per_article, [vec!["rust", "go"], vec!["go"], vec![]]);
            assert_eq!(articles[0].labels().count(db).unwrap(), 2);
            // Each label is read once and shared by the rows that reference it, as Django's
            // prefetch gives them one instance; the prefetched rows are not copied.
            let first = articles[0].labels().select_related(LabeledThing::LABEL).all_shared(db).unwrap();
            let second = articles[1].labels().select_related(LabeledThing::LABEL).all_shared(db).unwrap();
            assert!(Arc::ptr_eq(&first[1].1, &second[0].1));
            assert!(Arc::ptr_eq(&first, &articles[0].labels().select_related(LabeledThing::LABEL).all_shared(db).unwrap()));
        });
        // A change drops both caches.
        articles[1].labels().create(db, link(&rust)).unwrap();
        assert!(matches!(articles[1].labels().select_related(LabeledThing::LABEL).all(db), Err(Error::LazyLoad { .. })));
    }

    /// After a plain prefetch the items are cached and only the labels are read: 1 query.
    fn after_a_plain_prefetch_only_the_labels_are_read(t) {
        let log = t.log();
        let db = &mut t.db();
        let rust = label(db, "rust");
        let a = article(db, "a");
        a.labels().create(db, link(&rust)).unwrap();
        let articles = Article::all(db).unwrap();
        Article::LABELS.prefetch(db, &articles).unwrap();
        let rows = assert_queries(&log, 1, || articles[0].labels().select_related(LabeledThing::LABEL).all(db).unwrap());
        assert_eq!(names(&rows), ["rust"]);
    }

    /// A nullable foreign key is a LEFT OUTER JOIN: a row with no label comes back with
    /// `None`, in one query, and in a prefetch (2 queries: the pins, then their labels).
    fn a_nullable_foreign_key_gives_options(t) {
        let log = t.log();
        let db = &mut t.db();
        let rust = label(db, "rust");
        let board = Corkboard::insert(db, NewCorkboard { name: "b".into() }).unwrap();
        board.pins().create(db, pin(Some(&rust))).unwrap();
        board.pins().create(db, pin(None)).unwrap();
        let rows = assert_queries(&log, 1, || board.pins().select_related(Pin::LABEL).all(db).unwrap());
        let labels: Vec<Option<String>> = rows.into_iter().map(|(_, l)| l.map(|l| l.name.clone())).collect();
        assert_eq!(labels, [Some("rust".to_string()), None]);
        let boards = Corkboard::all(db).unwrap();
        assert_queries(&log, 2, || Corkboard::PINS.prefetch_related(db, &boards, Pin::LABEL).unwrap());
        let _strict = strict_loading();
        let rows = boards[0].pins().select_related(Pin::LABEL).all(db).unwrap();
        assert_eq!(rows.iter().filter(|(_, l)| l.is_none()).count(), 1);
    }

    /// F.99 (`to_attr`): a filtered subset of many parents' related rows in one query, in
    /// the parents' order, while the relation's own prefetched rows stay as they were.
    fn a_filtered_subset_leaves_the_relation_cache_alone(t) {
        let log = t.log();
        let db = &mut t.db();
        let (rust, go) = (label(db, "rust"), label(db, "go"));
        let (a, b) = (article(db, "a"), article(db, "b"));
        a.labels().create(db, link(&rust)).unwrap();
        a.labels().create(db, link(&go)).unwrap();
        b.labels().create(db, link(&go)).unwrap();
        let articles = Article::all(db).unwrap();
        Article::LABELS.prefetch(db, &articles).unwrap();
        let rusty = assert_queries(&log, 1, || {
            Article::LABELS.load_for_filtered(db, &articles, labels_labeledthing::label_id.eq(rust.id)).unwrap()
        });
        let counts: Vec<usize> = rusty.iter().map(Vec::len).collect();
        assert_eq!(counts, [1, 0]);
        assert_eq!(rusty[0][0].label_id, rust.id);
        let _strict = strict_loading();
        let all: Vec<i64> = articles.iter().map(|a| a.labels().count(db).unwrap()).collect();
        assert_eq!(all, [2, 1]);
        let every = assert_queries(&log, 1, || Article::LABELS.load_for(db, &articles).unwrap());
        assert_eq!(every.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1]);
    }
}
