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

/// The column types of a real application, through Diesel's own features: timestamps, dates
/// and times (chrono and time), JSON, decimals and UUIDs, each stored as Django stores it.
#[cfg(all(
    feature = "chrono",
    feature = "time",
    feature = "serde_json",
    feature = "numeric",
    feature = "uuid"
))]
mod real_types {
    use super::*;
    use std::str::FromStr;

    #[derive(Model, Clone, Debug, PartialEq)]
    #[model(app_label = "types")]
    pub struct Event {
        pub id: uuid::Uuid,
        pub created_at: chrono::NaiveDateTime,
        pub starts_at: chrono::DateTime<chrono::Utc>,
        pub day: chrono::NaiveDate,
        pub at: chrono::NaiveTime,
        pub t_created: time::PrimitiveDateTime,
        pub t_starts: time::OffsetDateTime,
        pub t_day: time::Date,
        pub t_at: time::Time,
        pub payload: serde_json::Value,
        #[model(max_digits = 12, decimal_places = 4)]
        pub price: bigdecimal::BigDecimal,
        pub maybe_starts: Option<chrono::DateTime<chrono::Utc>>,
        pub maybe_payload: Option<serde_json::Value>,
        pub owner: Option<uuid::Uuid>,
    }

    fn event() -> NewEvent {
        let naive = chrono::NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_micro_opt(23, 59, 58, 123_456)
            .unwrap();
        let t_day = time::Date::from_calendar_date(2023, time::Month::July, 4).unwrap();
        // Whole seconds: Diesel 2.3 writes `time::Time` to MySQL without its fraction
        // (chrono's `NaiveTime` keeps it, as `at` shows).
        let t_at = time::Time::from_hms(6, 30, 1).unwrap();
        NewEvent {
            id: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
            created_at: naive,
            starts_at: naive.and_utc() + chrono::Duration::hours(5),
            day: naive.date(),
            at: naive.time(),
            t_created: time::PrimitiveDateTime::new(
                t_day,
                time::Time::from_hms_micro(6, 30, 0, 654_321).unwrap(),
            ),
            t_starts: time::PrimitiveDateTime::new(
                t_day,
                time::Time::from_hms_micro(7, 0, 0, 1).unwrap(),
            )
            .assume_utc(),
            t_day,
            t_at,
            payload: serde_json::json!({"tags": ["a", "b"], "n": 3, "nested": {"ok": true}}),
            price: bigdecimal::BigDecimal::from_str("1234.5").unwrap(),
            maybe_starts: None,
            maybe_payload: Some(serde_json::json!([1, 2, 3])),
            owner: Some(uuid::Uuid::from_u128(42)),
        }
    }

    /// Django's `auto_now_add` and `auto_now`: the database's current time (UTC) on insert,
    /// and on every save for `auto_now`, whatever the row holds.
    #[derive(Model, Clone, Debug, PartialEq)]
    #[model(app_label = "types")]
    pub struct Stamped {
        pub id: i64,
        #[model(max_length = 20)]
        pub name: String,
        #[model(auto_now_add)]
        pub created: chrono::DateTime<chrono::Utc>,
        #[model(auto_now)]
        pub updated: chrono::NaiveDateTime,
        #[model(auto_now_add)]
        pub day: chrono::NaiveDate,
    }

    /// Decimals compare by value: `numeric(12, 4)` reads `1234.5` back as `1234.5000`.
    fn by_value(mut event: Event) -> Event {
        event.price = event.price.normalized();
        event
    }

    backend_tests! {
        /// Every value reads back as written, through the framework and through Diesel's
        /// query builder; a changed row saves and reads back too.
        fn real_column_types_round_trip(t) {
            let db = &mut t.db();
            let row = Event::insert(db, event()).unwrap();
            let loaded = Event::get(db, &row.id).unwrap().unwrap();
            assert_eq!(by_value(loaded.clone()), by_value(row.clone()));
            let new = event();
            let expected = (new.created_at, new.starts_at, new.day, new.at, new.t_created, new.t_starts, new.t_day, new.t_at, new.payload, new.price.normalized());
            assert_eq!((loaded.created_at, loaded.starts_at, loaded.day, loaded.at, loaded.t_created, loaded.t_starts, loaded.t_day, loaded.t_at, loaded.payload.clone(), loaded.price.normalized()), expected);
            let mut changed = loaded.clone();
            changed.maybe_starts = Some(changed.starts_at + chrono::Duration::days(1));
            changed.maybe_payload = None;
            changed.price = bigdecimal::BigDecimal::from_str("-0.25").unwrap();
            changed.owner = None;
            changed.save(db).unwrap();
            assert_eq!(by_value(Event::get(db, &row.id).unwrap().unwrap()), by_value(changed.clone()));
            let conn = &mut t.conn;
            let via_diesel: Vec<Event> = types_event::table.select(Event::as_select()).load(conn).unwrap();
            assert_eq!(via_diesel.into_iter().map(by_value).collect::<Vec<_>>(), vec![by_value(changed)]);
        }

        /// `auto_now_add` and `auto_now` write the database's time on insert, `auto_now` again
        /// on save; the values given in the new row are not used.
        fn auto_now_and_auto_now_add(t) {
            let db = &mut t.db();
            let before = chrono::Utc::now() - chrono::Duration::minutes(5);
            let row = Stamped::insert(db, NewStamped { name: "a".into(), ..Default::default() }).unwrap();
            assert!(row.created > before, "{row:?}");
            assert!(row.updated > before.naive_utc(), "{row:?}");
            assert!(row.created < chrono::Utc::now() + chrono::Duration::minutes(5), "{row:?}");
            assert_eq!(row.day, row.created.date_naive());
            assert_eq!(Stamped::get(db, &row.id).unwrap().unwrap(), row);
            let mut changed = row.clone();
            changed.name = "b".into();
            changed.updated = chrono::NaiveDateTime::default();
            changed.save(db).unwrap();
            let saved = changed.refresh(db).unwrap();
            assert_eq!((saved.name.as_str(), saved.created, saved.day), ("b", row.created, row.day));
            assert!(saved.updated >= row.updated, "{saved:?} after {row:?}");
        }

        /// UUIDs are stored as Django stores them: 32 hex digits on SQLite and MySQL,
        /// native `uuid` on PostgreSQL.
        fn uuids_are_stored_as_django_stores_them(t) {
            let db = &mut t.db();
            let row = Event::insert(db, event()).unwrap();
            let conn = &mut t.conn;
            let dialect = <<Conn as Connection>::Backend as contenttypes::SupportedBackend>::DIALECT;
            let text = match dialect {
                contenttypes::Dialect::Postgres => "CAST(id AS TEXT)",
                _ => "id",
            };
            #[derive(QueryableByName)]
            struct Stored {
                #[diesel(sql_type = diesel::sql_types::Text)]
                id: String,
            }
            let stored: Vec<Stored> = diesel::sql_query(format!("SELECT {text} AS id FROM types_event")).load(conn).unwrap();
            let expected = match dialect {
                contenttypes::Dialect::Postgres => row.id.hyphenated().to_string(),
                _ => row.id.simple().to_string(),
            };
            assert_eq!(stored[0].id, expected);
        }
    }
}

/// With the `serde` feature a model with a generic foreign key and a generic relation derives
/// serde's traits as it is: the caches serialize as nothing and come back empty.
#[cfg(all(feature = "serde", feature = "sqlite"))]
mod serde_models {
    use super::*;

    #[derive(Model, Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    #[model(app_label = "serde_models")]
    pub struct Note {
        pub id: i64,
        pub content_type_id: i32,
        pub object_id: i64,
        #[model(max_length = 100)]
        pub text: String,
        pub content_object: GenericForeignKey,
    }

    #[derive(
        Model, GenericRelation, Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize,
    )]
    #[model(app_label = "serde_models")]
    pub struct Page {
        pub id: i64,
        #[model(max_length = 100)]
        pub title: String,
        pub notes: GenericRelation<Note>,
    }

    #[test]
    fn models_with_caches_round_trip_through_serde() {
        let page = Page {
            id: 3,
            title: "Home".into(),
            notes: Default::default(),
        };
        let json = serde_json::to_string(&page).unwrap();
        assert_eq!(json, r#"{"id":3,"title":"Home","notes":null}"#);
        assert_eq!(serde_json::from_str::<Page>(&json).unwrap(), page);
        let note: Note = serde_json::from_str(r#"{"id":1,"content_type_id":2,"object_id":3,"text":"x","content_object":{"anything":1}}"#).unwrap();
        assert_eq!((note.id, note.object_id, note.text.as_str()), (1, 3, "x"));
    }
}
