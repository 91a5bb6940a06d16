//! `on_delete` of a generic foreign key (`#[generic_foreign_key(on_delete = ..)]`): what
//! deleting a row through the framework does to the rows whose generic foreign key points at
//! it, for every model the generic foreign key can point at (every model whose key its
//! object id column can hold), whether or not that model declares a generic relation:
//! `cascade` (the default) deletes them, `restrict` refuses the delete before anything is
//! deleted, listing every refusing field with its rows, `set_null` nulls a nullable generic
//! foreign key, `no_action` leaves them and sends nothing. A generic relation's own
//! `on_delete` wins for its model only. Instance deletes, `delete_many` and filtered deletes
//! apply the same policies.

mod common;

use common::{assert_queries, backend_tests, probe, protected};
use contenttypes::prelude::*;
use contenttypes::testing::QueryLog;
use contenttypes::NoFilter;
use diesel::prelude::*;

/// A target with no generic relation at all.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Doc {
    pub id: i64,
    #[model(max_length = 50)]
    pub title: String,
}

/// Another target with an integer key: rows pointing at it share object ids with a `Doc`'s,
/// and only the content type tells them apart.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Sheet {
    pub id: i64,
}

/// A target whose generic relation overrides `Hold`'s `restrict` with `cascade`.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Folder {
    pub id: i64,
    #[generic_relation(on_delete = cascade)]
    pub holds: GenericRelation<Hold>,
}

/// A target with a generic relation over `Hold` that says no `on_delete`: `Hold`'s applies.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Shelf {
    pub id: i64,
    pub holds: GenericRelation<Hold>,
}

/// A target with a text key: no integer object id can hold it.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Slug {
    #[model(primary_key, max_length = 40)]
    pub slug: String,
}

/// A target with a UUID key: only the text object id can hold it.
#[cfg(feature = "uuid")]
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Badge {
    #[model(primary_key)]
    pub id: uuid::Uuid,
}

/// The default policy: `cascade`.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Pin {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub subject: GenericForeignKey,
}

/// `restrict`, over an integer object id.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Hold {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(on_delete = restrict)]
    pub subject: GenericForeignKey,
}

/// `restrict`, over a text object id (it can hold integer, text and UUID keys).
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Claim {
    pub id: i64,
    pub content_type_id: i32,
    #[model(max_length = 64)]
    pub object_id: String,
    #[generic_foreign_key(on_delete = restrict)]
    pub subject: GenericForeignKey,
}

/// `set_null`, on a nullable generic foreign key.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Mark {
    pub id: i64,
    pub content_type_id: Option<i32>,
    pub object_id: Option<i64>,
    #[generic_foreign_key(on_delete = set_null)]
    pub subject: GenericForeignKey,
}

/// `no_action`.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Trace {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(on_delete = no_action)]
    pub subject: GenericForeignKey,
}

/// `cascade`, over a text object id.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Label {
    pub id: i64,
    pub content_type_id: i32,
    #[model(max_length = 64)]
    pub object_id: String,
    #[generic_foreign_key]
    pub subject: GenericForeignKey,
}

/// An ordinary `restrict` foreign key to `Doc`.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "gfkdel")]
pub struct Lease {
    pub id: i64,
    #[model(foreign_key = Doc, on_delete = restrict)]
    pub doc_id: i64,
}

fn doc(db: &mut impl Db<Mode = SyncMode>, title: &str) -> Doc {
    Doc::insert(
        db,
        NewDoc {
            title: title.into(),
        },
    )
    .unwrap()
}

fn pin<T: Model>(db: &mut impl Db<Mode = SyncMode>, on: &T) -> i64
where
    i64: contenttypes::ObjectIdFor<T, T::Pk>,
{
    Pin::insert(
        db,
        NewPin {
            subject: Target::to(on),
        },
    )
    .unwrap()
    .id
}

fn hold<T: Model>(db: &mut impl Db<Mode = SyncMode>, on: &T) -> i64
where
    i64: contenttypes::ObjectIdFor<T, T::Pk>,
{
    Hold::insert(
        db,
        NewHold {
            subject: Target::to(on),
        },
    )
    .unwrap()
    .id
}

fn claim<T: Model>(db: &mut impl Db<Mode = SyncMode>, on: &T) -> i64
where
    String: contenttypes::ObjectIdFor<T, T::Pk>,
{
    Claim::insert(
        db,
        NewClaim {
            subject: Target::to(on),
        },
    )
    .unwrap()
    .id
}

fn mark<T: Model>(db: &mut impl Db<Mode = SyncMode>, on: &T) -> i64
where
    i64: contenttypes::ObjectIdFor<T, T::Pk>,
{
    Mark::insert(
        db,
        NewMark {
            subject: Some(Target::to(on)),
        },
    )
    .unwrap()
    .id
}

fn trace<T: Model>(db: &mut impl Db<Mode = SyncMode>, on: &T) -> i64
where
    i64: contenttypes::ObjectIdFor<T, T::Pk>,
{
    Trace::insert(
        db,
        NewTrace {
            subject: Target::to(on),
        },
    )
    .unwrap()
    .id
}

fn label<T: Model>(db: &mut impl Db<Mode = SyncMode>, on: &T) -> i64
where
    String: contenttypes::ObjectIdFor<T, T::Pk>,
{
    Label::insert(
        db,
        NewLabel {
            subject: Target::to(on),
        },
    )
    .unwrap()
    .id
}

/// The keys of every row of `M`.
fn ids<M: Model<Pk = i64>>(db: &mut impl Db<Mode = SyncMode>) -> Vec<i64> {
    M::all(db).unwrap().iter().map(|r| *r.pk()).collect()
}

/// Every row the restrict test could change.
#[derive(Debug, PartialEq)]
struct Rows {
    docs: Vec<i64>,
    holds: Vec<i64>,
    claims: Vec<i64>,
    leases: Vec<i64>,
    pins: Vec<i64>,
    marks: Vec<Mark>,
}

fn rows(db: &mut impl Db<Mode = SyncMode>) -> Rows {
    Rows {
        docs: ids::<Doc>(db),
        holds: ids::<Hold>(db),
        claims: ids::<Claim>(db),
        leases: ids::<Lease>(db),
        pins: ids::<Pin>(db),
        marks: Mark::all(db).unwrap(),
    }
}

/// Runs `f` and gives what it returned with the statements it sent.
fn sent<T>(log: &QueryLog, f: impl FnOnce() -> T) -> (T, Vec<String>) {
    log.reset();
    let out = f();
    (out, log.take())
}

/// The statements that name `table`.
fn naming<'a>(statements: &'a [String], table: &str) -> Vec<&'a str> {
    let quoted = [format!("`{table}`"), format!("\"{table}\"")];
    statements
        .iter()
        .map(String::as_str)
        .filter(|s| quoted.iter().any(|q| s.contains(q.as_str())))
        .collect()
}

/// The content types the deletes look up, cached, so that counts leave them out.
fn warm(db: &mut impl Db<Mode = SyncMode>) {
    let defs = [
        Doc::DEF,
        Sheet::DEF,
        Folder::DEF,
        Shelf::DEF,
        Slug::DEF,
        Pin::DEF,
        Hold::DEF,
        Claim::DEF,
        Mark::DEF,
        Trace::DEF,
        Label::DEF,
    ];
    ContentType::for_models(db, &defs).unwrap();
}

backend_tests! {
    /// A model without any generic relation: the rows of a `cascade` generic foreign key
    /// that point at the deleted row go with it, and are counted per model; the rows that
    /// point at another row, or at a row of another model with the same key, stay.
    /// Statements: the refusals' SELECTs (`Lease`, and `Hold` and `Claim` among the generic
    /// foreign keys), one per generic foreign key that can point at a doc (the pins' SELECT
    /// of keys among them: pins can be pointed at too), one per generic foreign key that can
    /// point at a pin, the DELETE of the pins and of the doc.
    fn a_target_without_a_relation_loses_the_rows_pointing_at_it(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let (first, second) = (doc(db, "first"), doc(db, "second"));
        let sheet = Sheet::insert(db, NewSheet {}).unwrap();
        assert_eq!(sheet.id, first.id, "the same key in two models");
        let gone = [pin(db, &first), pin(db, &first)];
        let kept = [pin(db, &second), pin(db, &sheet)];

        let expected = 3 + probe::<Doc>() + probe::<Pin>();
        let (deleted, statements) = sent(&log, || first.delete(db).unwrap());
        assert_eq!(statements.len(), expected, "{statements:#?}");
        // The pins' keys, the pins that point at pins (`Pin` can point at itself), their DELETE.
        assert_eq!(naming(&statements, "gfkdel_pin").len(), 3, "{statements:#?}");
        assert_eq!((deleted.total, deleted.of::<Doc>(), deleted.of::<Pin>()), (3, 1, 2));
        assert_eq!(
            deleted.per_model.into_iter().collect::<Vec<_>>(),
            [("gfkdel.Doc".to_string(), 1), ("gfkdel.Pin".to_string(), 2)]
        );
        assert_eq!(ids::<Pin>(db), kept);
        assert!(gone.iter().all(|id| !ids::<Pin>(db).contains(id)));
        assert_eq!(ids::<Doc>(db), [second.id]);
    }

    /// `restrict`: a delete of docs that rows still point at, through two `restrict` generic
    /// foreign keys and a `restrict` foreign key, is refused with every refusing field and the
    /// keys of its rows; only the refusals' SELECTs are sent, and nothing is deleted or
    /// changed: not the docs, not the rows of the `cascade` and `set_null` generic foreign
    /// keys that would have gone or been nulled.
    fn restrict_refuses_with_every_dependent_and_deletes_nothing(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let (first, second, free) = (doc(db, "first"), doc(db, "second"), doc(db, "free"));
        let holds = [hold(db, &first), hold(db, &second), hold(db, &first)];
        let claimed = claim(db, &second);
        let lease = Lease::insert(db, NewLease { doc_id: first.id }).unwrap();
        pin(db, &first);
        mark(db, &second);
        let before = rows(db);
        assert_eq!((before.pins.len(), before.marks[0].object_id), (1, Some(second.id)), "a pin to delete, a mark to null");

        let keys = [first.id, second.id, free.id];
        let (error, statements) = sent(&log, || Doc::delete_many(db, &keys).unwrap_err());
        assert_eq!(
            protected(&error),
            Some((
                "gfkdel.Doc",
                vec![
                    ("gfkdel.Claim", "subject", vec![claimed.into()]),
                    ("gfkdel.Hold", "subject", vec![holds[0].into(), holds[1].into(), holds[2].into()]),
                    ("gfkdel.Lease", "doc_id", vec![lease.id.into()]),
                ]
            )),
            "{error}"
        );
        let message = error.to_string();
        for says in ["`gfkdel.Doc`", "`gfkdel.Claim` refer to them through `subject`", "3 row(s) of `gfkdel.Hold`", "`doc_id`"] {
            assert!(message.contains(says), "{message}");
        }
        assert_eq!(statements.len(), 1 + 3, "the probe, then one SELECT per refusing field, nothing else: {statements:#?}");
        assert!(statements.iter().all(|s| s.starts_with("SELECT")), "{statements:#?}");
        assert_eq!(rows(db), before);
        // One doc alone: only what refuses it is listed.
        let error = Doc::delete_many(db, &[second.id]).unwrap_err();
        let (_, dependents) = protected(&error).expect("refused");
        assert_eq!(dependents, [("gfkdel.Claim", "subject", vec![claimed.into()]), ("gfkdel.Hold", "subject", vec![holds[1].into()])]);
        assert_eq!(rows(db), before);
        // Nothing points at the free doc: it goes.
        assert_eq!(free.delete(db).unwrap().total, 1);
    }

    /// `set_null`: the rows that pointed at the deleted doc stay, with both columns NULL
    /// (one UPDATE), and read as unset; the rows pointing elsewhere keep their target; the
    /// delete counts the doc only.
    fn set_null_keeps_the_rows_unlinked(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let (first, second) = (doc(db, "first"), doc(db, "second"));
        let sheet = Sheet::insert(db, NewSheet {}).unwrap();
        let nulled = [mark(db, &first), mark(db, &first)];
        let (other, on_sheet) = (mark(db, &second), mark(db, &sheet));

        // The probe, the leases' refusal check, the marks' UPDATE, the doc's DELETE.
        let expected = 3 + probe::<Doc>();
        let (deleted, statements) = sent(&log, || first.delete(db).unwrap());
        assert_eq!(statements.len(), expected, "{statements:#?}");
        let updates: Vec<&str> = naming(&statements, "gfkdel_mark")
            .into_iter()
            .filter(|s| !s.starts_with("SELECT (CASE"))
            .collect();
        assert_eq!(updates.len(), 1, "{statements:#?}");
        assert!(updates[0].starts_with("UPDATE"), "{updates:?}");
        assert_eq!((deleted.total, deleted.of::<Mark>()), (1, 0));

        let marks = Mark::all(db).unwrap();
        let row = |id: i64| marks.iter().find(|m| m.id == id).map(|m| (m.content_type_id, m.object_id)).unwrap();
        assert_eq!(row(nulled[0]), (None, None));
        assert_eq!(row(nulled[1]), (None, None));
        assert_eq!(row(other).1, Some(second.id));
        assert_eq!(row(on_sheet), (Some(ContentType::for_model::<Sheet>(db).unwrap().id), Some(sheet.id)));
        let unlinked = Mark::get(db, &nulled[0]).unwrap().unwrap();
        assert!(unlinked.subject(db).unwrap().is_none());
    }

    /// `no_action`: the rows are left as they are, pointing at the deleted doc, and no
    /// statement names their table.
    fn no_action_leaves_the_rows_and_sends_nothing_for_them(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let first = doc(db, "first");
        let left = trace(db, &first);
        let before = Trace::all(db).unwrap();

        let expected = 2 + probe::<Doc>();
        let (deleted, statements) = sent(&log, || first.delete(db).unwrap());
        assert_eq!(statements.len(), expected, "{statements:#?}");
        assert!(naming(&statements, "gfkdel_trace").is_empty(), "{statements:#?}");
        assert_eq!(deleted.total, 1);
        assert_eq!(Trace::all(db).unwrap(), before);
        let row = Trace::get(db, &left).unwrap().unwrap();
        assert_eq!(row.object_id, first.id);
        assert!(row.subject(db).unwrap().is_none(), "the target is gone");
    }

    /// A generic relation's `on_delete` overrides the generic foreign key's for its model
    /// only: `Hold` is `restrict`, `Folder`'s relation over it says `cascade`, so a folder
    /// goes with its holds; a doc (no relation) and a shelf (a relation that says nothing)
    /// with the same key stay protected.
    fn a_relation_overrides_the_policy_for_its_model_only(t) {
        let db = &mut t.db();
        warm(db);
        let folder = Folder::insert(db, NewFolder {}).unwrap();
        let first = doc(db, "first");
        let shelf = Shelf::insert(db, NewShelf {}).unwrap();
        assert_eq!((folder.id, shelf.id), (first.id, first.id), "the same key in three models");
        let on_folder = [hold(db, &folder), hold(db, &folder)];
        let on_doc = hold(db, &first);
        let on_shelf = hold(db, &shelf);

        let deleted = folder.delete(db).unwrap();
        assert_eq!((deleted.of::<Folder>(), deleted.of::<Hold>()), (1, 2));
        assert_eq!(ids::<Hold>(db), [on_doc, on_shelf]);
        assert!(on_folder.iter().all(|id| !ids::<Hold>(db).contains(id)));

        let error = first.delete(db).unwrap_err();
        assert_eq!(protected(&error), Some(("gfkdel.Doc", vec![("gfkdel.Hold", "subject", vec![on_doc.into()])])), "{error}");
        let error = shelf.delete(db).unwrap_err();
        assert_eq!(protected(&error), Some(("gfkdel.Shelf", vec![("gfkdel.Hold", "subject", vec![on_shelf.into()])])), "{error}");
        assert_eq!(ids::<Hold>(db), [on_doc, on_shelf]);
        assert_eq!((ids::<Doc>(db), Shelf::count(db).unwrap()), (vec![first.id], 1));
    }

    /// Only the generic foreign keys whose object id can hold the key are looked at: deleting
    /// a row with a text key sends nothing for the integer object ids (`Pin`, `Hold`, `Mark`,
    /// `Trace`, whose rows with the same text as key are not touched), checks the text
    /// `restrict` one (`Claim`), and deletes the rows of the text `cascade` one (`Label`)
    /// pointing at it (labels can be pointed at by integer object ids, so those are looked
    /// at for the labels).
    fn a_text_key_is_looked_for_in_text_object_ids_only(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let one = doc(db, "one");
        let bare = Slug::insert(db, NewSlug { slug: one.id.to_string() }).unwrap();
        let slug = Slug::insert(db, NewSlug { slug: "labelled".into() }).unwrap();
        let labelled = label(db, &slug);
        let on_doc = label(db, &one);
        let pinned = pin(db, &one);
        let held = hold(db, &one);

        let (deleted, statements) = sent(&log, || bare.delete(db).unwrap());
        assert_eq!(statements.len(), 1 + probe::<Slug>(), "{statements:#?}");
        for table in ["gfkdel_pin", "gfkdel_hold", "gfkdel_mark", "gfkdel_trace"] {
            assert!(naming(&statements, table).is_empty(), "{table}: {statements:#?}");
        }
        assert_eq!(naming(&statements, "gfkdel_claim").len(), 1, "the text `restrict` one is checked");
        assert_eq!(naming(&statements, "gfkdel_label").len(), 1, "{statements:#?}");
        assert_eq!(deleted.total, 1);

        let expected = 2 + probe::<Slug>() + probe::<Label>();
        let deleted = assert_queries(&log, expected, || slug.delete(db).unwrap());
        assert_eq!((deleted.of::<Slug>(), deleted.of::<Label>()), (1, 1));
        assert_eq!(ids::<Label>(db), [on_doc]);
        assert!(!ids::<Label>(db).contains(&labelled));
        assert_eq!((ids::<Pin>(db), ids::<Hold>(db)), (vec![pinned], vec![held]));
    }

    /// A filtered delete (`Objects::filter(..).delete`) applies the same policies to the
    /// rows it matches: the pins of the matched docs go, their marks are nulled, their
    /// traces are left; the rows of the other docs are untouched. One more statement than
    /// a delete by keys: the SELECT of the matched keys. A filtered delete that matches a
    /// held doc is refused whole.
    fn a_filtered_delete_applies_the_same_policies(t) {
        let log = t.log();
        let db = &mut t.db();
        warm(db);
        let (a, b, c) = (doc(db, "x"), doc(db, "x"), doc(db, "y"));
        let gone = pin(db, &a);
        let kept = pin(db, &c);
        let nulled = mark(db, &b);
        let linked = mark(db, &c);
        let left = trace(db, &a);

        // The SELECT of the matched docs, their probe, the leases' refusal check, the marks'
        // UPDATE, the pins' probe (by condition) and DELETE, the docs' DELETE.
        let expected = 5 + probe::<Doc>() + probe::<Pin>();
        let deleted = assert_queries(&log, expected, || Doc::filter(gfkdel_doc::title.eq("x")).delete(db).unwrap());
        assert_eq!((deleted.total, deleted.of::<Doc>(), deleted.of::<Pin>()), (3, 2, 1));
        assert_eq!(ids::<Doc>(db), [c.id]);
        assert_eq!(ids::<Pin>(db), [kept]);
        assert!(!ids::<Pin>(db).contains(&gone));
        let marks = Mark::all(db).unwrap();
        assert_eq!(marks.iter().map(|m| (m.id, m.object_id)).collect::<Vec<_>>(), [(nulled, None), (linked, Some(c.id))]);
        assert_eq!(Trace::get(db, &left).unwrap().unwrap().object_id, a.id);

        let held = hold(db, &c);
        let d = doc(db, "z");
        let error = Doc::filter(NoFilter).delete(db).unwrap_err();
        assert_eq!(protected(&error), Some(("gfkdel.Doc", vec![("gfkdel.Hold", "subject", vec![held.into()])])), "{error}");
        assert_eq!(ids::<Doc>(db), [c.id, d.id]);
        assert_eq!(ids::<Pin>(db), [kept]);
        assert_eq!(Mark::get(db, &linked).unwrap().unwrap().object_id, Some(c.id));
    }

    /// A refusal further down a cascade: the doc's pin would go, but a hold points at the
    /// pin. The delete is refused for the pins (each model a cascade reaches is checked when
    /// the cascade reaches it, listing its own refusing fields), and the transaction leaves
    /// everything in place, the statements already sent for the doc included.
    fn a_refusal_down_a_cascade_deletes_nothing(t) {
        let db = &mut t.db();
        warm(db);
        let first = doc(db, "first");
        let pinned = pin(db, &first);
        let pin_row = Pin::get(db, &pinned).unwrap().unwrap();
        let held = hold(db, &pin_row);
        let marked = mark(db, &first);

        let error = first.delete(db).unwrap_err();
        assert_eq!(protected(&error), Some(("gfkdel.Pin", vec![("gfkdel.Hold", "subject", vec![held.into()])])), "{error}");
        assert_eq!((ids::<Doc>(db), ids::<Pin>(db), ids::<Hold>(db)), (vec![first.id], vec![pinned], vec![held]));
        assert_eq!(Mark::get(db, &marked).unwrap().unwrap().object_id, Some(first.id), "the UPDATE is rolled back");
    }
}

#[cfg(feature = "uuid")]
mod uuid_keys {
    use super::*;

    backend_tests! {
        /// A UUID key fits only the text object ids: the integer ones are not looked at, and
        /// the rows of the text one pointing at the deleted row go.
        fn a_uuid_key_is_looked_for_in_text_object_ids_only(t) {
            let log = t.log();
            let db = &mut t.db();
            warm(db);
            ContentType::for_model::<Badge>(db).unwrap();
            let bare = Badge::insert(db, NewBadge { id: uuid::Uuid::from_u128(0xf00d) }).unwrap();
            let badge = Badge::insert(db, NewBadge { id: uuid::Uuid::from_u128(0xfeed) }).unwrap();
            let other = Badge::insert(db, NewBadge { id: uuid::Uuid::from_u128(0xbeef) }).unwrap();
            let labelled = label(db, &badge);
            let kept = label(db, &other);

            let (_, statements) = sent(&log, || bare.delete(db).unwrap());
            assert_eq!(statements.len(), 1 + probe::<Badge>(), "{statements:#?}");
            for table in ["gfkdel_pin", "gfkdel_hold", "gfkdel_mark", "gfkdel_trace"] {
                assert!(naming(&statements, table).is_empty(), "{table}: {statements:#?}");
            }
            assert_eq!(naming(&statements, "gfkdel_label").len(), 1, "{statements:#?}");

            let expected = 2 + probe::<Badge>() + probe::<Label>();
            let deleted = assert_queries(&log, expected, || badge.delete(db).unwrap());
            assert_eq!((deleted.of::<Badge>(), deleted.of::<Label>()), (1, 1));
            assert_eq!(ids::<Label>(db), [kept]);
            assert!(!ids::<Label>(db).contains(&labelled));
        }
    }
}
