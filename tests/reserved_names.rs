//! SQL reserved words and Rust keywords as table and column names work: the DDL quotes them,
//! Diesel's `table!` takes keywords as raw identifiers (`r#type`), and every statement the
//! framework and Diesel build quotes them too.

mod common;

use common::backend_tests;
use contenttypes::prelude::*;
use diesel::prelude::*;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "reserved", table_name = "order")]
pub struct Order {
    pub id: i64,
    #[model(max_length = 20)]
    pub select: String,
    pub group: i32,
    #[model(column = "user")]
    pub customer: Option<String>,
    #[model(unique, max_length = 10)]
    pub key: String,
    pub r#type: i16,
    #[model(column = "from", index)]
    pub origin: i64,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(
    app_label = "reserved",
    table_name = "table",
    unique(order_id, r#where)
)]
pub struct Table {
    pub id: i64,
    #[model(foreign_key = Order, on_delete = cascade)]
    pub order_id: i64,
    pub r#where: i32,
}

fn order(key: &str) -> NewOrder {
    NewOrder {
        select: "all".into(),
        group: 2,
        customer: Some("me".into()),
        key: key.into(),
        r#type: 3,
        origin: 4,
    }
}

backend_tests! {
    /// Rows of tables and columns named like SQL keywords are inserted, read, updated,
    /// queried through Diesel and deleted with their dependents.
    fn reserved_words_are_quoted_everywhere(t) {
        let db = &mut t.db();
        let row = Order::insert(db, order("k1")).unwrap();
        let other = Order::insert(db, order("k2")).unwrap();
        assert_eq!(Order::get(db, &row.id).unwrap().unwrap(), row);
        let mut changed = row.clone();
        changed.select = "some".into();
        changed.r#type = -1;
        changed.customer = None;
        changed.save(db).unwrap();
        assert_eq!(Order::get(db, &row.id).unwrap().unwrap(), changed);
        Table::insert(db, NewTable { order_id: row.id, r#where: 1 }).unwrap();
        Table::insert(db, NewTable { order_id: other.id, r#where: 1 }).unwrap();

        let conn = &mut t.conn;
        let found: Vec<Order> = order::table
            .filter(order::select.eq("some").and(order::r#type.eq(-1)))
            .select(Order::as_select())
            .load(conn)
            .unwrap();
        assert_eq!(found, vec![changed.clone()]);
        let wheres: Vec<i32> = table::table
            .filter(table::order_id.eq(other.id))
            .select(table::r#where)
            .load(conn)
            .unwrap();
        assert_eq!(wheres, vec![1]);

        let db = &mut t.db();
        changed.delete(db).unwrap();
        assert!(Order::get(db, &row.id).unwrap().is_none());
    }
}
