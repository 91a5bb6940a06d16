// The exchange between Django and the library on one backend, included by each backend's
// module in `django_interop.rs`, which defines `Conn`, `shared()` and `open()`.

use contenttypes::prelude::*;
use contenttypes::testing::QueryLog;
use contenttypes::{ContentTypes, Dialect, SupportedBackend, Using};
use diesel::prelude::*;
use std::io::Write;
use uuid::Uuid;

use crate::django::Django;
use crate::models::*;
use crate::snapshot::{library_view, rows};
use crate::{GROCERIES, IDEAS, LIBRARY_NOTE};

/// The shared database: the connection with its own content-type cache (ids are this
/// database's).
type Shared<'a> = Using<'a, Conn>;

#[test]
fn shares_a_database_with_django() {
    let shared = shared();
    let django = Django::new(&shared.url);
    django.manage(&["migrate", "--noinput", "-v", "0"]);
    let wrote = django.manage(&["interop_write"]);
    let mut conn = open(&shared.url);
    let log = QueryLog::attach(&mut conn);
    let cts = ContentTypes::new();
    let db = &mut cts.using(&mut conn);
    // The library's own models beside Django's (the default tag models, with the feature
    // `taggit`) have their tables too, as an application migrates them: a delete through
    // the framework looks at the rows of every registered generic foreign key that can point
    // at what it deletes. Django's models are attached to Django's tables (no DDL).
    contenttypes::schema::create_tables(db).expect("the library's own tables");

    // 1. The library reads what Django wrote, and Django agrees with every value it read.
    django_names_are_the_models_names(db);
    reads_djangos_rows(db, &log);
    let read = check(&django, db);

    // 2. The library writes; Django reads it all back.
    let (inserted, updated, deleted) = library_writes(&django, db);
    stored_as_django_stores_them(db);
    let library_rows = check(&django, db);

    // 3. Django edits and deletes the library's rows; the library reads them back.
    let edited = django.manage(&["interop_edit", &LIBRARY_NOTE.to_string(), "library"]);
    reads_djangos_edits(db);
    let final_rows = check(&django, db);

    // Straight to the standard error, past the test harness's capture, so CI's log shows it.
    writeln!(
        std::io::stderr(),
        "django_interop[{:?}]: {}; the library read {read} rows and Django agreed on every value; \
         the library inserted {inserted} rows, updated {updated} and deleted {deleted}, and Django \
         read back {library_rows} rows and agreed; {}; the library read back {final_rows} rows \
         and Django agreed",
        <Conn as Connection>::Backend::DIALECT,
        wrote.trim(),
        edited.trim(),
    )
    .unwrap();
}

/// Hands the library's view of every table to Django's `interop_check`, which fails on any
/// difference from its own; returns how many rows were compared.
fn check(django: &Django, db: &mut Shared<'_>) -> usize {
    let content_types: Vec<(i32, String, String)> = contenttypes::django_content_type::table
        .select((
            contenttypes::django_content_type::id,
            contenttypes::django_content_type::app_label,
            contenttypes::django_content_type::model,
        ))
        .load(db.connection())
        .unwrap();
    let view = library_view(db, &content_types).expect("the library reads every table");
    django.manage_with_input(&["interop_check"], &view.to_string());
    rows(&view)
}

fn titles(notes: &[Note]) -> Vec<&str> {
    let mut titles: Vec<&str> = notes.iter().map(|n| n.title.as_str()).collect();
    titles.sort();
    titles
}

fn tag_names(db: &mut Shared<'_>, items: &[TaggedItem]) -> Vec<String> {
    let ids: Vec<i64> = items.iter().map(|i| i.tag_id).collect();
    let mut names: Vec<String> = Tag::get_many(db, &ids)
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    names
}

fn article(db: &mut Shared<'_>, title: &str) -> Article {
    let found = Article::filter(interop_article::title.eq(title))
        .load(db)
        .unwrap();
    found
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no article {title:?}"))
}

fn tag(db: &mut Shared<'_>, name: &str) -> Tag {
    let found = Tag::filter(interop_tag::name.eq(name)).load(db).unwrap();
    found
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no tag {name:?}"))
}

/// The library finds its models' content types among Django's rows, and every index and
/// constraint its models name exists in Django's schema under that name.
fn django_names_are_the_models_names(db: &mut Shared<'_>) {
    let defs = [
        Tag::DEF,
        TaggedItem::DEF,
        Activity::DEF,
        Note::DEF,
        Article::DEF,
    ];
    for ct in ContentType::for_models(db, &defs).unwrap() {
        assert_eq!(ct.app_label, "interop");
    }
    for def in defs {
        let names = index_names(db.connection(), &def.table.name);
        for index in def.table.indexes.iter() {
            assert!(
                names.iter().any(|n| *n == index.name),
                "{}: the model names an index or constraint {:?} that Django's schema does not have \
                 (it has {names:?})",
                def.label(),
                index.name
            );
        }
    }
}

/// Django's rows through the library: keys of both types, generic foreign keys (lazy and
/// prefetched), generic relation managers, relation filters.
fn reads_djangos_rows(db: &mut Shared<'_>, log: &QueryLog) {
    let notes = Note::all(db).unwrap();
    assert_eq!(titles(&notes), ["Groceries", "Ideas"]);
    let groceries = Note::get(db, &GROCERIES)
        .unwrap()
        .expect("Django's note, by its UUID key");
    assert_eq!(groceries.title, "Groceries");
    let hello = article(db, "Hello");
    let world = article(db, "World");

    // Generic relation managers, over a UUID key and an integer key.
    let items = groceries.tags().all(db).unwrap();
    assert_eq!(tag_names(db, &items), ["green", "red"]);
    assert_eq!(groceries.tags().count(db).unwrap(), 2);
    let items = hello.tags().all(db).unwrap();
    assert_eq!(tag_names(db, &items), ["blue", "red"]);
    assert_eq!(world.tags().count(db).unwrap(), 1);
    assert_eq!(groceries.targeted().all(db).unwrap()[0].verb, "wrote");
    assert_eq!(hello.acted().all(db).unwrap()[0].verb, "wrote");

    // Generic foreign keys, lazily: the text object ids Django wrote find their targets.
    for item in TaggedItem::all(db).unwrap() {
        let target = item
            .content_object(db)
            .unwrap()
            .expect("every item's target exists");
        assert_eq!(target.pk().to_string(), item.object_id);
    }
    let activities = Activity::all(db).unwrap();
    let wrote = activities.iter().find(|a| a.verb == "wrote").unwrap();
    let actor = wrote.actor(db).unwrap().unwrap();
    assert_eq!(actor.downcast_ref::<Article>().unwrap(), &hello);
    let target = wrote.target(db).unwrap().unwrap();
    assert_eq!(target.downcast_ref::<Note>().unwrap().id, GROCERIES);
    let joined = activities.iter().find(|a| a.verb == "joined").unwrap();
    assert!(
        joined.target(db).unwrap().is_none(),
        "an unset generic foreign key is None"
    );
    let actor = joined.actor(db).unwrap().unwrap();
    assert_eq!(actor.downcast_ref::<Note>().unwrap().id, GROCERIES);

    // Prefetched: the targets of 6 items over 2 models in 2 queries, a relation over every
    // note in 1; then reading them sends nothing.
    let items = TaggedItem::all(db).unwrap();
    log.reset();
    TaggedItem::CONTENT_OBJECT.prefetch(db, &items).unwrap();
    assert_eq!(
        log.take().len(),
        2,
        "targets of {} items over 2 models",
        items.len()
    );
    Note::TAGS.prefetch(db, &notes).unwrap();
    assert_eq!(log.take().len(), 1, "tags of every note");
    let strict = contenttypes::strict_loading();
    let on_notes = items
        .iter()
        .filter(|i| i.content_object(db).unwrap().unwrap().is::<Note>())
        .count();
    assert_eq!(on_notes, 3);
    assert_eq!(
        notes
            .iter()
            .map(|n| n.tags().count(db).unwrap())
            .sum::<i64>(),
        3
    );
    assert_eq!(log.take().len(), 0);
    drop(strict);

    // Relation filters: the join compares the text object id with each key type's text.
    let red = Note::filter(Note::TAGS.any(TaggedItem::TAG.any(interop_tag::name.eq("red"))));
    assert_eq!(titles(&red.load(db).unwrap()), ["Groceries"]);
    let blue =
        Article::filter(Article::TAGS.any(TaggedItem::TAG.any(interop_tag::name.eq("blue"))));
    assert_eq!(blue.load(db).unwrap(), [hello, world]);
}

/// The library writes: a tag, a UUID-keyed note, items through the relation managers,
/// updates of Django's rows, activities through both generic foreign keys, and deletes
/// that must cascade over generic relations and over Django's foreign keys. Returns how
/// many rows it inserted, updated and deleted.
fn library_writes(django: &Django, db: &mut Shared<'_>) -> (usize, usize, i64) {
    let library = Tag::insert(
        db,
        NewTag {
            name: "library".into(),
        },
    )
    .unwrap();
    let note = Note::insert(
        db,
        NewNote {
            id: LIBRARY_NOTE,
            title: "Written by the library".into(),
        },
    )
    .unwrap();
    let hello = article(db, "Hello");
    let on_library = |content_object| NewTaggedItem {
        tag_id: library.id,
        content_object,
    };
    note.tags().create(db, on_library).unwrap();
    hello.tags().create(db, on_library).unwrap();

    let mut ideas = Note::get(db, &IDEAS).unwrap().unwrap();
    ideas.title = "Ideas, edited by the library".into();
    ideas
        .save(db)
        .expect("an update of Django's UUID-keyed row finds it");
    let mut world = article(db, "World");
    world.title = "World, edited by the library".into();
    world.save(db).unwrap();

    let tagged = NewActivity {
        verb: "tagged".into(),
        actor: Target::to(&note),
        target: Some(Target::to(&hello)),
    };
    Activity::insert(db, tagged).unwrap();
    let noted = NewActivity {
        verb: "noted".into(),
        actor: Target::to(&world),
        target: None,
    };
    Activity::insert(db, noted).unwrap();

    // Django's note: its two tagged items and the two activities it is in go with it, and
    // the counts are the ones Django's `delete()` returns.
    let before = total(db);
    let groceries = Note::get(db, &GROCERIES).unwrap().unwrap();
    let django_counts = django.delete_counts("interop.Note", &GROCERIES.to_string());
    let deleted = groceries.delete(db).expect("delete Django's note");
    assert_eq!(counts(&deleted), django_counts);
    assert!(Note::get(db, &GROCERIES).unwrap().is_none());
    let on_groceries = interop_taggeditem::object_id.eq(GROCERIES.hyphenated().to_string());
    assert_eq!(TaggedItem::filter(on_groceries).count(db).unwrap(), 0);
    let verbs: Vec<String> = Activity::all(db)
        .unwrap()
        .into_iter()
        .map(|a| a.verb)
        .collect();
    assert_eq!(verbs, ["linked", "tagged", "noted"]);

    // Django's foreign key has no ON DELETE: the framework cascades to the tagged items.
    let green = tag(db, "green");
    let django_counts = django.delete_counts("interop.Tag", &green.id.to_string());
    let deleted = green.delete(db).expect("delete a tag on Django's schema");
    assert_eq!(counts(&deleted), django_counts);
    let tag_ids: Vec<i64> = TaggedItem::all(db)
        .unwrap()
        .iter()
        .map(|i| i.tag_id)
        .collect();
    assert!(!tag_ids.contains(&green.id), "the tag's items are gone");
    assert_eq!(tag_ids.iter().filter(|t| **t == library.id).count(), 2);
    assert_eq!(tag_ids.len(), 5);
    assert_eq!(Tag::count(db).unwrap(), 3);
    (6, 2, before - total(db))
}

/// What a delete returned, in the form of Django's `delete()`: `[total, {label: count}]`.
fn counts(deleted: &contenttypes::Deleted) -> serde_json::Value {
    serde_json::json!([deleted.total, deleted.per_model])
}

/// How many rows the interop tables hold.
fn total(db: &mut Shared<'_>) -> i64 {
    [
        Tag::count(db),
        TaggedItem::count(db),
        Activity::count(db),
        Note::count(db),
        Article::count(db),
    ]
    .into_iter()
    .map(Result::unwrap)
    .sum()
}

/// UUID keys as Django stores them: 32 hex digits on SQLite, the native type on PostgreSQL.
fn stored_as_django_stores_them(db: &mut Shared<'_>) {
    let (sql, form): (_, fn(&Uuid) -> String) = match <Conn as Connection>::Backend::DIALECT {
        Dialect::Sqlite => ("SELECT id AS name FROM interop_note ORDER BY name", |u| {
            u.simple().to_string()
        }),
        _ => (
            "SELECT CAST(id AS text) AS name FROM interop_note ORDER BY name",
            |u| u.hyphenated().to_string(),
        ),
    };
    let stored: Vec<String> = diesel::sql_query(sql)
        .load::<Name>(db.connection())
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect();
    let mut expected = vec![form(&IDEAS), form(&LIBRARY_NOTE)];
    expected.sort();
    assert_eq!(stored, expected);
}

/// What Django did to the library's rows, read by the library.
fn reads_djangos_edits(db: &mut Shared<'_>) {
    let note = Note::get(db, &LIBRARY_NOTE)
        .unwrap()
        .expect("the library's note");
    let items = note.tags().all(db).unwrap();
    assert_eq!(
        tag_names(db, &items),
        ["blue"],
        "Django tagged the library's note"
    );
    let replied = note.acted().all(db).unwrap();
    assert_eq!(replied.len(), 1);
    let target = replied[0]
        .target(db)
        .unwrap()
        .expect("Django's activity has a target");
    assert_eq!(target.downcast_ref::<Note>().unwrap().id, IDEAS);
    assert_eq!(Article::count(db).unwrap(), 1, "Django deleted Hello");
    let left: Vec<String> = TaggedItem::all(db)
        .unwrap()
        .into_iter()
        .map(|i| i.object_id)
        .collect();
    assert_eq!(left.len(), 2, "Django's cascades left {left:?}");
    let tags: Vec<String> = Tag::all(db).unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(tags, ["red", "blue"]);
}

/// One text column of a raw query.
#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// The names of a table's indexes and constraints in the database's catalog (on SQLite a
/// constraint created with its table has its name only in the table's SQL).
fn index_names(conn: &mut Conn, table: &str) -> Vec<String> {
    let mut load = |sql: String| -> Vec<String> {
        diesel::sql_query(sql)
            .load::<Name>(conn)
            .unwrap()
            .into_iter()
            .map(|n| n.name)
            .collect()
    };
    match <Conn as Connection>::Backend::DIALECT {
        Dialect::Sqlite => {
            let mut names = load(format!(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}'"
            ));
            for sql in load(format!(
                "SELECT sql AS name FROM sqlite_master WHERE name = '{table}'"
            )) {
                for part in sql.split("CONSTRAINT \"").skip(1) {
                    names.extend(part.split('"').next().map(str::to_string));
                }
            }
            names
        }
        _ => load(format!(
            "SELECT CAST(indexname AS text) AS name FROM pg_indexes WHERE tablename = '{table}'"
        )),
    }
}
