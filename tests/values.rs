//! Selected columns of a filtered query (Django's `values_list`) and `distinct()`, typed by
//! Diesel's `Queryable` of the selection.

mod common;

use common::models::*;
use common::{assert_queries, backend_tests};
use contenttypes::nulls_last;
use contenttypes::prelude::*;
use diesel::prelude::*;

use blog_article as article;

backend_tests! {
    /// One column, a tuple, distinct, ordered and sliced: 1 query each.
    fn values_and_distinct(t) {
        let log = t.log();
        let db = &mut t.db();
        let ids: Vec<i64> = ["b", "a", "b", "c", "a"]
            .iter()
            .map(|title| Article::insert(db, NewArticle { title: (*title).into() }).unwrap().id)
            .collect();
        let all = || Article::filter(article::title.ne("c"));
        let titles: Vec<String> = assert_queries(&log, 1, || all().values(article::title).load(db).unwrap());
        assert_eq!(titles, ["b", "a", "b", "a"]);
        let distinct: Vec<String> = assert_queries(&log, 1, || all().values(article::title).distinct().load(db).unwrap());
        assert_eq!(distinct, ["a", "b"]);
        let desc: Vec<String> = assert_queries(&log, 1, || {
            all().order_by(article::title.desc()).limit(1).values(article::title).distinct().load(db).unwrap()
        });
        assert_eq!(desc, ["b"]);
        let pairs: Vec<(i64, String)> = assert_queries(&log, 1, || {
            all().order_by(nulls_last(article::title.asc())).offset(1).values((article::id, article::title)).load(db).unwrap()
        });
        assert_eq!(pairs, [(ids[4], "a".into()), (ids[0], "b".into()), (ids[2], "b".into())]);
        let none: Vec<String> = assert_queries(&log, 1, || {
            Article::filter(article::title.eq("z")).values(article::title).distinct().load(db).unwrap()
        });
        assert!(none.is_empty());
    }
}
