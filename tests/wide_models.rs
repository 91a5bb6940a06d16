//! Models with more than 32 columns: the feature `64-column-tables` raises the derive's limit
//! together with Diesel's (`table!` and the tuples the derive implements Diesel's traits
//! for). Without it, such a model is a compile error at its 33rd column
//! (`tests/ui-32-columns/`).
#![cfg(feature = "64-column-tables")]

mod common;

use common::backend_tests;
use contenttypes::prelude::*;
use diesel::prelude::*;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "wide")]
pub struct Wide {
    pub id: i64,
    pub c1: i32,
    pub c2: i32,
    pub c3: i32,
    pub c4: i32,
    pub c5: i32,
    pub c6: i32,
    pub c7: i32,
    pub c8: i32,
    pub c9: i32,
    pub c10: i32,
    pub c11: i32,
    pub c12: i32,
    pub c13: i32,
    pub c14: i32,
    pub c15: i32,
    pub c16: i32,
    pub c17: i32,
    pub c18: i32,
    pub c19: i32,
    pub c20: i32,
    pub c21: i32,
    pub c22: i32,
    pub c23: i32,
    pub c24: i32,
    pub c25: i32,
    pub c26: i32,
    pub c27: i32,
    pub c28: i32,
    pub c29: i32,
    pub c30: i32,
    pub c31: i32,
    pub c32: i32,
    pub c33: i32,
    pub c34: i32,
    pub c35: i32,
    pub c36: i32,
    pub c37: i32,
    pub c38: i32,
    pub c39: i32,
    #[model(max_length = 20)]
    pub name: String,
}

fn wide() -> NewWide {
    NewWide {
        c1: 1,
        c2: 2,
        c3: 3,
        c4: 4,
        c5: 5,
        c6: 6,
        c7: 7,
        c8: 8,
        c9: 9,
        c10: 10,
        c11: 11,
        c12: 12,
        c13: 13,
        c14: 14,
        c15: 15,
        c16: 16,
        c17: 17,
        c18: 18,
        c19: 19,
        c20: 20,
        c21: 21,
        c22: 22,
        c23: 23,
        c24: 24,
        c25: 25,
        c26: 26,
        c27: 27,
        c28: 28,
        c29: 29,
        c30: 30,
        c31: 31,
        c32: 32,
        c33: 33,
        c34: 34,
        c35: 35,
        c36: 36,
        c37: 37,
        c38: 38,
        c39: 39,
        name: "forty-one columns".into(),
    }
}

backend_tests! {
    /// A 41-column row round-trips through the framework and through Diesel's query builder.
    fn a_wide_row_round_trips(t) {
        let db = &mut t.db();
        let row = Wide::insert(db, wide()).unwrap();
        assert_eq!(row.c39, 39);
        let mut loaded = Wide::get(db, &row.id).unwrap().unwrap();
        assert_eq!(loaded, row);
        loaded.c33 = -33;
        loaded.save(db).unwrap();
        let conn = &mut t.conn;
        let via_diesel: Vec<Wide> = wide_wide::table.select(Wide::as_select()).load(conn).unwrap();
        assert_eq!(via_diesel, vec![loaded]);
    }
}
