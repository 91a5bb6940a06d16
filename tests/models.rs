//! Models with Diesel: the generated schema and impls work with Diesel's own query builder,
//! unmanaged models attach to a `table!` the user declared, and rows round-trip every column
//! type on every backend.

mod common;

use common::backend_tests;
use contenttypes::prelude::*;
use diesel::prelude::*;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "types")]
pub struct Everything {
    pub id: i64,
    pub flag: bool,
    pub small: i16,
    pub int: i32,
    pub big: i64,
    pub single: f32,
    pub double: f64,
    pub text: String,
    #[model(max_length = 20)]
    pub short: String,
    pub bytes: Vec<u8>,
    pub maybe_int: Option<i32>,
    pub maybe_text: Option<String>,
    #[model(skip)]
    pub scratch: Vec<String>,
}

diesel::table! {
    legacy_accounts (id) {
        id -> BigInt,
        email -> Text,
    }
}

/// Attached to the table above, which the framework neither declares nor creates.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "legacy", table_name = "legacy_accounts", managed = false)]
pub struct Account {
    pub id: i64,
    #[model(max_length = 100)]
    pub email: String,
}

fn everything() -> NewEverything {
    NewEverything {
        flag: true,
        small: -7,
        int: 1_000_000,
        big: 9_000_000_000,
        single: 1.5,
        double: -2.25,
        text: "a longer text with ünïcödé".into(),
        short: "short".into(),
        bytes: vec![0, 1, 2, 255],
        maybe_int: None,
        maybe_text: Some("here".into()),
    }
}

backend_tests! {
    /// Every column type reads back as written, through the framework and through Diesel.
    fn every_column_type_round_trips(t) {
        let db = &mut t.db();
        let row = Everything::insert(db, everything()).unwrap();
        assert_eq!(row.scratch, Vec::<String>::new());
        let loaded = Everything::get(db, &row.id).unwrap().unwrap();
        assert_eq!(loaded, row);
        let mut changed = loaded.clone();
        changed.maybe_int = Some(3);
        changed.maybe_text = None;
        changed.flag = false;
        changed.save(db).unwrap();
        assert_eq!(Everything::get(db, &row.id).unwrap().unwrap(), changed);
        let conn = &mut t.conn;
        let via_diesel: Vec<Everything> = types_everything::table.select(Everything::as_select()).load(conn).unwrap();
        assert_eq!(via_diesel, vec![changed]);
    }

    /// The generated `Insertable`, `Identifiable`, `AsChangeset` and `Queryable` impls, with
    /// Diesel's own statements.
    fn diesel_query_builder(t) {
        let conn = &mut t.conn;
        diesel::insert_into(types_everything::table).values(&everything()).execute(conn).unwrap();
        diesel::insert_into(types_everything::table).values(vec![everything(), everything()]).execute(conn).unwrap();
        let mut rows: Vec<Everything> = types_everything::table.order(types_everything::id).load(conn).unwrap();
        assert_eq!(rows.len(), 3);
        rows[0].short = "changed".into();
        diesel::update(&rows[0]).set(&rows[0]).execute(conn).unwrap();
        let first: Everything = types_everything::table.find(rows[0].id).first(conn).unwrap();
        assert_eq!(first.short, "changed");
        diesel::delete(&rows[1]).execute(conn).unwrap();
        let left: i64 = types_everything::table.count().get_result(conn).unwrap();
        assert_eq!(left, 2);
    }

    /// An unmanaged model uses the user's `table!`, gets no table from `create_tables`, and
    /// works once its table exists.
    fn unmanaged_models(t) {
        assert!(!Account::DEF.managed);
        let dialect = <<Conn as Connection>::Backend as contenttypes::SupportedBackend>::DIALECT;
        for statement in contenttypes::ddl::create_table(dialect, Account::DEF) {
            diesel::sql_query(statement).execute(&mut t.conn).unwrap();
        }
        let db = &mut t.db();
        let account = Account::insert(db, NewAccount { email: "a@example.com".into() }).unwrap();
        assert_eq!(Account::all(db).unwrap(), vec![account.clone()]);
        let ct = ContentType::for_model::<Account>(db).unwrap();
        assert_eq!(ct.natural_key(), ("legacy", "account"));
        let conn = &mut t.conn;
        let emails: Vec<String> = legacy_accounts::table.select(legacy_accounts::email).load(conn).unwrap();
        assert_eq!(emails, ["a@example.com"]);
    }
}

#[test]
fn unmanaged_models_get_no_schema() {
    let statements = contenttypes::schema::create_statements::<diesel::sqlite::Sqlite>(&[
        Account::DEF,
        Everything::DEF,
    ]);
    assert!(statements.iter().all(|s| !s.contains("legacy_accounts")));
    assert!(statements.iter().any(|s| s.contains("types_everything")));
}
