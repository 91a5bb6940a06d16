//! Aggregates over a reverse foreign key (Django I.122, the "most common tags" query of a
//! tagging system): labels with the number of labeled things pointing at each, restricted to
//! one content type, ordered by the count and sliced, in one query.

mod common;

use common::models::*;
use common::{assert_queries, backend_tests};
use contenttypes::prelude::*;
use contenttypes::{Count, Direction, Having, Max, Sum};
use diesel::prelude::*;

/// Labels rust, go, zig and c; articles labeled rust+go, rust, rust+zig; videos go+zig and
/// zig. Returns the labels and the content type of `Article`.
fn seed<D: Db<Mode = SyncMode>>(db: &mut D) -> (Vec<Label>, i32) {
    let labels: Vec<Label> = ["rust", "go", "zig", "c"]
        .iter()
        .map(|n| Label::insert(db, NewLabel { name: (*n).into() }).unwrap())
        .collect();
    let label = |i: usize| {
        let label_id = labels[i].id;
        move |content_object| NewLabeledThing {
            label_id,
            content_object,
        }
    };
    for used in [&[0, 1][..], &[0], &[0, 2]] {
        let article = Article::insert(db, NewArticle { title: "a".into() }).unwrap();
        for &i in used {
            article.labels().create(db, label(i)).unwrap();
        }
    }
    for used in [&[1, 2][..], &[2]] {
        let video = Video::insert(db, NewVideo { title: "v".into() }).unwrap();
        for &i in used {
            video.labels().create(db, label(i)).unwrap();
        }
    }
    let ct = ContentType::for_model::<Article>(db).unwrap().id;
    (labels, ct)
}

fn names<T>(rows: Vec<(Label, T)>) -> Vec<(String, T)> {
    rows.into_iter().map(|(l, n)| (l.name, n)).collect()
}

backend_tests! {
    /// Django's `Label.objects.filter(labeledthing__content_type=ct)
    /// .annotate(n=Count("labeledthing")).order_by("-n")[:2]`: an INNER JOIN with the
    /// condition in WHERE, 1 query; the same with the reverse generic relation's filter.
    fn most_common_labels_of_articles(t) {
        let log = t.log();
        let db = &mut t.db();
        let (_, ct) = seed(db);
        let top = assert_queries(&log, 1, || {
            LabeledThing::LABEL
                .annotate(Count)
                .filter_related(labels_labeledthing::content_type_id.eq(ct))
                .order_by_aggregate(Direction::Desc)
                .limit(2)
                .load(db)
                .unwrap()
        });
        assert_eq!(names(top), [("rust".into(), 3), ("go".into(), 1)]);
        let all = assert_queries(&log, 1, || {
            LabeledThing::LABEL
                .annotate(Count)
                .filter_related(LabeledThing::ARTICLE.exists())
                .order_by_aggregate(Direction::Desc)
                .load(db)
                .unwrap()
        });
        // Labels on no article are left out, as with Django's join.
        assert_eq!(names(all), [("rust".into(), 3), ("go".into(), 1), ("zig".into(), 1)]);
    }

    /// Every label with the count of all its things (a LEFT JOIN: 0 kept), or of the things
    /// of one content type only (Django's `Count(..., filter=Q(...))`); filters on the label
    /// and on the count; slices in SQL.
    fn every_label_counted(t) {
        let log = t.log();
        let db = &mut t.db();
        let (_, article_ct) = seed(db);
        let video_ct = ContentType::for_model::<Video>(db).unwrap().id;
        let all = assert_queries(&log, 1, || LabeledThing::LABEL.annotate(Count).load(db).unwrap());
        assert_eq!(names(all), [("rust".into(), 3), ("go".into(), 2), ("zig".into(), 3), ("c".into(), 0)]);
        let on_videos = assert_queries(&log, 1, || {
            LabeledThing::LABEL.annotate(Count).aggregate_filter(labels_labeledthing::content_type_id.eq(video_ct)).load(db).unwrap()
        });
        assert_eq!(names(on_videos), [("rust".into(), 0), ("go".into(), 1), ("zig".into(), 2), ("c".into(), 0)]);
        let busy = assert_queries(&log, 1, || {
            LabeledThing::LABEL.annotate(Count).filter(labels_label::name.ne("rust")).having(Having::Gt(2)).load(db).unwrap()
        });
        assert_eq!(names(busy), [("zig".into(), 3)]);
        let page = assert_queries(&log, 1, || {
            LabeledThing::LABEL.annotate(Count).order_by_aggregate(Direction::Asc).offset(1).limit(2).load(db).unwrap()
        });
        assert_eq!(names(page), [("go".into(), 2), ("rust".into(), 3)]);
        let of_articles = assert_queries(&log, 1, || {
            LabeledThing::LABEL
                .annotate(Count)
                .filter_related(labels_labeledthing::content_type_id.eq(article_ct))
                .having(Having::Eq(1))
                .load(db)
                .unwrap()
        });
        assert_eq!(names(of_articles), [("go".into(), 1), ("zig".into(), 1)]);
    }

    /// Typed column aggregates over the referencing rows: `None` for a label with none.
    fn column_aggregates(t) {
        let log = t.log();
        let db = &mut t.db();
        let (labels, _) = seed(db);
        let things = LabeledThing::filter(labels_labeledthing::label_id.eq(labels[2].id)).load(db).unwrap();
        let max_id = things.iter().map(|t| t.id).max();
        let sum_oid: i64 = things.iter().map(|t| t.object_id).sum();
        let max = assert_queries(&log, 1, || LabeledThing::LABEL.annotate(Max(labels_labeledthing::id)).load(db).unwrap());
        assert_eq!(max[2], (labels[2].clone(), max_id));
        assert_eq!(max[3], (labels[3].clone(), None));
        let sums = assert_queries(&log, 1, || {
            LabeledThing::LABEL.annotate(Sum(labels_labeledthing::object_id)).having(Having::IsNotNull).order_by_aggregate(Direction::Desc).load(db).unwrap()
        });
        assert_eq!(sums.len(), 3);
        assert!(sums.contains(&(labels[2].clone(), Some(sum_oid))));
        assert!(sums.windows(2).all(|w| w[0].1 >= w[1].1));
    }
}
