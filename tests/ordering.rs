//! NULLS FIRST / NULLS LAST on every backend (native on PostgreSQL and SQLite, emulated on
//! MySQL/MariaDB), for `Filtered::order_by`, `RelatedQuery::order_by` and Diesel's `order`.

mod common;

use common::models::*;
use common::{assert_queries, backend_tests};
use contenttypes::prelude::*;
use contenttypes::{nulls_first, nulls_last};
use diesel::prelude::*;

use generic_relations_allowsnullgfk as rows;

backend_tests! {
    /// Every combination on a nullable column, the key breaking ties between NULLs. 1 query each.
    fn nulls_first_and_last(t) {
        let log = t.log();
        let db = &mut t.db();
        for object_id in [Some(5), None, Some(2), None] {
            AllowsNullGfk::insert(db, NewAllowsNullGfk { object_id, ..Default::default() }).unwrap();
        }
        let ids = |rows: Vec<AllowsNullGfk>| -> Vec<Option<i64>> { rows.into_iter().map(|r| r.object_id).collect() };
        let all = || AllowsNullGfk::filter(rows::id.gt(0));
        let first_asc = assert_queries(&log, 1, || all().order_by(nulls_first(rows::object_id.asc())).load(db).unwrap());
        assert_eq!(ids(first_asc.clone()), [None, None, Some(2), Some(5)]);
        assert!(first_asc[0].id < first_asc[1].id);
        let last_asc = assert_queries(&log, 1, || all().order_by(nulls_last(rows::object_id.asc())).load(db).unwrap());
        assert_eq!(ids(last_asc), [Some(2), Some(5), None, None]);
        let first_desc = assert_queries(&log, 1, || all().order_by(nulls_first(rows::object_id.desc())).load(db).unwrap());
        assert_eq!(ids(first_desc), [None, None, Some(5), Some(2)]);
        let last_desc = assert_queries(&log, 1, || all().order_by(nulls_last(rows::object_id.desc())).limit(1).load(db).unwrap());
        assert_eq!(ids(last_desc), [Some(5)]);
        // In a tuple, and in Diesel's own query builder.
        let tuple = assert_queries(&log, 1, || {
            all().order_by((nulls_last(rows::object_id.desc()), rows::id.desc())).load(db).unwrap()
        });
        assert_eq!(ids(tuple.clone()), [Some(5), Some(2), None, None]);
        assert!(tuple[2].id > tuple[3].id);
        let diesel_ids: Vec<Option<i64>> = assert_queries(&log, 1, || {
            rows::table.select(rows::object_id).order((nulls_first(rows::object_id.desc()), rows::id)).load(db.connection()).unwrap()
        });
        assert_eq!(diesel_ids, [None, None, Some(5), Some(2)]);
    }

    /// On a related query: the through rows of one article.
    fn nulls_on_a_related_query(t) {
        let log = t.log();
        let db = &mut t.db();
        let article = Article::insert(db, NewArticle { title: "a".into() }).unwrap();
        let labels: Vec<Label> = ["x", "y"].iter().map(|n| Label::insert(db, NewLabel { name: (*n).into() }).unwrap()).collect();
        for label in &labels {
            article.labels().create(db, NewLabeledThing { label_id: label.id, ..Default::default() }).unwrap();
        }
        let things = assert_queries(&log, 1, || {
            article.labels().filter(labels_labeledthing::id.gt(0)).order_by(nulls_last(labels_labeledthing::label_id.desc())).load(db).unwrap()
        });
        assert_eq!(things.iter().map(|t| t.label_id).collect::<Vec<_>>(), [labels[1].id, labels[0].id]);
    }
}
