//! The SQL shape of relation filters per backend (issue 10: the shape each backend plans
//! best, measured in `diesel-backend/src/filter.rs`), `none` with NULL object ids, and
//! PostgreSQL key lists as one array parameter.

mod common;

use common::Raw;

use common::models::*;
use common::{assert_queries, backend_tests, TestConnection};
use contenttypes::prelude::*;
use diesel::prelude::*;

use blog_article as article;
use keys_comment as comment;
use labels_label as label;
use labels_labeledthing as labeled;

/// A parent whose through rows may have a NULL object id.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "filters")]
pub struct FiltersBox {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
    pub items: GenericRelation<AllowsNullGfk>,
}

/// A row whose foreign key may be NULL.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "filters")]
pub struct FiltersPin {
    pub id: i64,
    #[model(foreign_key = Label, on_delete = set_null)]
    pub label_id: Option<i64>,
}

/// The SQL of `query` on backend `DB`, binds left out.
fn sql<DB, Q>(query: &Q) -> String
where
    DB: diesel::backend::Backend,
    Q: diesel::query_builder::QueryFragment<DB>,
    DB::QueryBuilder: Default,
    for<'a> diesel::query_builder::DebugQuery<'a, Q, DB>: std::fmt::Display,
{
    diesel::debug_query::<DB, _>(query)
        .to_string()
        .split(" -- binds")
        .next()
        .unwrap()
        .to_string()
}

/// Every relation filter's SQL on one backend.
macro_rules! shapes {
    ($db:ty) => {{
        let any = article::table
            .select(article::id)
            .filter(Article::LABELS.any(labeled::label_id.eq(1)));
        let none = article::table
            .select(article::id)
            .filter(Article::LABELS.none(labeled::label_id.eq(1)));
        let reverse = labeled::table
            .select(labeled::id)
            .filter(LabeledThing::ARTICLE.any(article::title.eq("a")));
        let fk = labeled::table
            .select(labeled::id)
            .filter(LabeledThing::LABEL.any(label::name.eq("a")));
        let fk_exists = labeled::table
            .select(labeled::id)
            .filter(LabeledThing::LABEL.exists());
        let referenced = label::table
            .select(label::id)
            .filter(LabeledThing::LABEL.referenced_by(LabeledThing::ARTICLE.exists()));
        let text = keys_book::table
            .select(keys_book::id)
            .filter(Book::COMMENTS.any(comment::text.eq("a")));
        [
            sql::<$db, _>(&any),
            sql::<$db, _>(&none),
            sql::<$db, _>(&reverse),
            sql::<$db, _>(&fk),
            sql::<$db, _>(&fk_exists),
            sql::<$db, _>(&referenced),
            sql::<$db, _>(&text),
        ]
    }};
}

/// Puts the backend's quotes and placeholders into a `"`-quoted, `?`-placeholder template.
fn expected(template: &str, quote: char, numbered: bool) -> String {
    let mut out = String::new();
    let mut n = 0;
    for c in template.chars() {
        match c {
            '"' => out.push(quote),
            '?' if numbered => {
                n += 1;
                out.push_str(&format!("${n}"));
            }
            c => out.push(c),
        }
    }
    out
}

const CT_ARTICLE: &str =
    r#"(SELECT "id" FROM "django_content_type" WHERE "app_label" = ? AND "model" = ?)"#;

fn templates(not_in: bool, text_cast: &str) -> Vec<String> {
    let ct = CT_ARTICLE;
    let none = if not_in {
        format!(
            r#"SELECT "blog_article"."id" FROM "blog_article" WHERE "blog_article"."id" NOT IN (SELECT "labels_labeledthing"."object_id" FROM "labels_labeledthing" WHERE "labels_labeledthing"."content_type_id" = {ct} AND (("labels_labeledthing"."label_id" = ?)))"#
        )
    } else {
        format!(
            r#"SELECT "blog_article"."id" FROM "blog_article" WHERE NOT EXISTS (SELECT 1 FROM "labels_labeledthing" WHERE "labels_labeledthing"."content_type_id" = {ct} AND "labels_labeledthing"."object_id" = "blog_article"."id" AND (("labels_labeledthing"."label_id" = ?)))"#
        )
    };
    vec![
        format!(r#"SELECT "blog_article"."id" FROM "blog_article" WHERE "blog_article"."id" IN (SELECT "labels_labeledthing"."object_id" FROM "labels_labeledthing" WHERE "labels_labeledthing"."content_type_id" = {ct} AND (("labels_labeledthing"."label_id" = ?)))"#),
        none,
        format!(r#"SELECT "labels_labeledthing"."id" FROM "labels_labeledthing" WHERE ("labels_labeledthing"."content_type_id" = {ct} AND "labels_labeledthing"."object_id" IN (SELECT "blog_article"."id" FROM "blog_article" WHERE (("blog_article"."title" = ?))))"#),
        r#"SELECT "labels_labeledthing"."id" FROM "labels_labeledthing" WHERE "labels_labeledthing"."label_id" IN (SELECT "labels_label"."id" FROM "labels_label" WHERE (("labels_label"."name" = ?)))"#.to_string(),
        r#"SELECT "labels_labeledthing"."id" FROM "labels_labeledthing" WHERE "labels_labeledthing"."label_id" IN (SELECT "labels_label"."id" FROM "labels_label")"#.to_string(),
        format!(r#"SELECT "labels_label"."id" FROM "labels_label" WHERE "labels_label"."id" IN (SELECT "labels_labeledthing"."label_id" FROM "labels_labeledthing" WHERE (("labels_labeledthing"."content_type_id" = {ct} AND "labels_labeledthing"."object_id" IN (SELECT "blog_article"."id" FROM "blog_article"))))"#),
        format!(r#"SELECT "keys_book"."id" FROM "keys_book" WHERE CAST("keys_book"."id" AS {text_cast}) IN (SELECT "keys_comment"."object_pk" FROM "keys_comment" WHERE "keys_comment"."content_type_id" = {ct} AND (("keys_comment"."text" = ?)))"#),
    ]
}

/// SQLite: every filter an uncorrelated `IN (SELECT ...)`, `none` a guarded `NOT IN`.
#[cfg(feature = "sqlite")]
#[test]
fn sqlite_shapes() {
    let want: Vec<String> = templates(true, "text")
        .iter()
        .map(|t| expected(t, '`', false))
        .collect();
    assert_eq!(shapes!(diesel::sqlite::Sqlite).to_vec(), want);
}

/// PostgreSQL: `IN (SELECT ...)` semi-joins, `none` a `NOT EXISTS` anti-join.
#[cfg(feature = "postgres")]
#[test]
fn postgres_shapes() {
    let got = shapes!(diesel::pg::Pg);
    let want = templates(false, "text");
    for (got, want) in got.iter().zip(&want) {
        // Placeholders are numbered per statement.
        assert_eq!(got, &expected(want, '"', true));
    }
}

/// MySQL/MariaDB: `IN (SELECT ...)` semi-joins, `none` a `NOT EXISTS`.
#[cfg(feature = "mysql")]
#[test]
fn mysql_shapes() {
    let want: Vec<String> = templates(false, "char")
        .iter()
        .map(|t| expected(t, '`', false))
        .collect();
    assert_eq!(shapes!(diesel::mysql::Mysql).to_vec(), want);
}

/// The statements' SQL, binds left out.
fn key_list_sql(sent: Vec<String>) -> Vec<String> {
    sent.into_iter()
        .map(|q| q.split(" -- binds").next().unwrap().to_string())
        .collect()
}

/// Counts the statements Diesel puts in its prepared statement cache.
#[derive(Clone, Default)]
struct Cached(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl diesel::connection::Instrumentation for Cached {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        if let diesel::connection::InstrumentationEvent::CacheQuery { sql, .. } = event {
            self.0.lock().unwrap().push(sql.to_string());
        }
    }
}

backend_tests! {
    /// A filter through a nullable foreign key negates exactly under `NOT`, as Django's
    /// `exclude` does: a row whose key is NULL is not "related to a matching row", and a NULL
    /// key among the referencing rows hides no row. 1 query each.
    fn filters_negate_exactly_with_null_keys(t) {
        let log = t.log();
        let db = &mut t.db();
        let (a, b) = (Label::insert(db, NewLabel { name: "a".into() }).unwrap(), Label::insert(db, NewLabel { name: "b".into() }).unwrap());
        let on_a = FiltersPin::insert(db, NewFiltersPin { label_id: Some(a.id) }).unwrap();
        let unset = FiltersPin::insert(db, NewFiltersPin { label_id: None }).unwrap();
        let named_a = || FiltersPin::LABEL.any(label::name.eq("a"));
        let got: Vec<FiltersPin> = assert_queries(&log, 1, || filters_filterspin::table.filter(named_a()).load(db.raw()).unwrap());
        assert_eq!(got, [on_a]);
        let got: Vec<FiltersPin> = assert_queries(&log, 1, || {
            filters_filterspin::table.filter(diesel::dsl::not(named_a())).load(db.raw()).unwrap()
        });
        assert_eq!(got, [unset]);
        let got: Vec<Label> = assert_queries(&log, 1, || {
            label::table.filter(diesel::dsl::not(FiltersPin::LABEL.referenced_by(contenttypes::NoFilter))).load(db.raw()).unwrap()
        });
        assert_eq!(got, [b]);
    }

    /// `none` keeps boxes whose only through rows have a NULL object id (a `NOT IN` without
    /// the `IS NOT NULL` guard would drop every box). 1 query each.
    fn none_ignores_null_object_ids(t) {
        let log = t.log();
        let db = &mut t.db();
        let a = FiltersBox::insert(db, NewFiltersBox { name: "a".into() }).unwrap();
        let b = FiltersBox::insert(db, NewFiltersBox { name: "b".into() }).unwrap();
        AllowsNullGfk::insert(db, NewAllowsNullGfk { content_object: Some(Target::to(&a)) }).unwrap();
        let orphan = AllowsNullGfk::insert(db, NewAllowsNullGfk { content_object: Some(Target::to(&b)) }).unwrap();
        diesel::update(generic_relations_allowsnullgfk::table.filter(generic_relations_allowsnullgfk::id.eq(orphan.id)))
            .set(generic_relations_allowsnullgfk::object_id.eq(None::<i64>))
            .execute(db.raw())
            .unwrap();
        let without = assert_queries(&log, 1, || {
            filters_filtersbox::table.filter(FiltersBox::ITEMS.none(contenttypes::NoFilter)).load::<FiltersBox>(db.raw()).unwrap()
        });
        assert_eq!(without, [b]);
        let with = assert_queries(&log, 1, || {
            filters_filtersbox::table.filter(FiltersBox::ITEMS.exists()).load::<FiltersBox>(db.raw()).unwrap()
        });
        assert_eq!(with, [a]);
    }

    /// A key list's SQL: on PostgreSQL `= ANY($1)`, the same text for any number of keys
    /// (so Diesel keeps it prepared); elsewhere `IN (?, ...)`, one parameter per key. 1 query each.
    fn key_list_sql_is_independent_of_the_number_of_keys(t) {
        let log = t.log();
        let db = &mut t.db();
        let labels: Vec<Label> = (0..5).map(|i| Label::insert(db, NewLabel { name: format!("l{i}") }).unwrap()).collect();
        let ids: Vec<i64> = labels.iter().map(|l| l.id).collect();
        log.reset();
        let two = Label::get_many(db, &ids[..2]).unwrap();
        let two_sql = key_list_sql(log.take());
        let five = Label::get_many(db, &ids).unwrap();
        let five_sql = key_list_sql(log.take());
        assert_eq!((two_sql.len(), five_sql.len()), (1, 1));
        assert_eq!((two, five), (labels[..2].to_vec(), labels.clone()));
        if <Conn as TestConnection>::DIALECT == contenttypes::Dialect::Postgres {
            assert_eq!(two_sql, five_sql);
            assert!(five_sql[0].contains(r#""labels_label"."id" = ANY($1)"#), "{five_sql:?}");
        } else {
            assert_ne!(two_sql, five_sql);
            assert!(five_sql[0].contains(" IN (?, ?, ?, ?, ?)"), "{five_sql:?}");
        }
        let none = assert_queries(&log, 0, || Label::get_many(db, &[]).unwrap());
        assert!(none.is_empty());
    }

    /// The targets of 20,000 generic rows: one statement on PostgreSQL (one array
    /// parameter), one per parameter cap's worth of keys elsewhere (1: 20,000 fit).
    fn prefetch_of_20_000_keys(t) {
        let log = t.log();
        let db = &mut t.db();
        let count: usize = 20_000;
        let new: Vec<NewLabel> = (0..count).map(|i| NewLabel { name: format!("l{i}") }).collect();
        Label::bulk_insert(db, &new).unwrap();
        let labels = Label::all(db).unwrap();
        let boxes: Vec<NewFiltersBox> = (0..count).map(|i| NewFiltersBox { name: format!("b{i}") }).collect();
        FiltersBox::bulk_insert(db, &boxes).unwrap();
        let boxes = FiltersBox::all(db).unwrap();
        let things: Vec<NewAllowsNullGfk> = boxes.iter().map(|b| NewAllowsNullGfk { content_object: Some(Target::to(b)) }).collect();
        AllowsNullGfk::bulk_insert(db, &things).unwrap();
        let rows = AllowsNullGfk::all(db).unwrap();
        ContentType::for_model::<FiltersBox>(db).unwrap();
        let dialect = <Conn as TestConnection>::DIALECT;
        let statements = count.div_ceil(contenttypes::max_keys(dialect, 16));
        assert_queries(&log, statements, || AllowsNullGfk::CONTENT_OBJECT.prefetch(db, &rows).unwrap());
        let _strict = contenttypes::strict_loading();
        let last = rows.last().unwrap().content_object(db).unwrap().unwrap();
        assert_eq!(last.downcast_ref::<FiltersBox>().ok(), boxes.last());
        // A foreign key's targets likewise.
        let keys: Vec<i64> = labels.iter().map(|l| l.id).collect();
        let loaded = assert_queries(&log, statements, || Label::get_many(db, &keys).unwrap());
        assert_eq!(loaded.len(), count);
    }

    /// On PostgreSQL a key list's statement is prepared once and reused for any number of
    /// keys (one cache entry for 2, 3 and 5 keys); elsewhere it is never cached.
    fn key_list_statements_are_cached_on_postgres(t) {
        let db = &mut t.db();
        let labels: Vec<Label> = (0..5).map(|i| Label::insert(db, NewLabel { name: format!("l{i}") }).unwrap()).collect();
        let ids: Vec<i64> = labels.iter().map(|l| l.id).collect();
        let cached = Cached::default();
        db.raw().set_instrumentation(cached.clone());
        for n in [2, 3, 5] {
            assert_eq!(Label::get_many(db, &ids[..n]).unwrap(), labels[..n]);
        }
        let entries = cached.0.lock().unwrap().clone();
        let postgres = <Conn as TestConnection>::DIALECT == contenttypes::Dialect::Postgres;
        assert_eq!(entries.len(), usize::from(postgres), "{entries:?}");
    }
}
