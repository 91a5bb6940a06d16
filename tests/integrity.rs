//! Database-enforced generic foreign keys (`#[generic_foreign_key(db_constraint)]`): the
//! triggers `create_tables` (and the migrations) create make the database apply each policy
//! to deletes by any program, and refuse rows pointing at nothing, on every backend.
//!
//! Every change here is raw SQL, as another program would write it: the framework is used
//! only to set rows up and to read them back.

mod common;

use common::{backend_tests, TestConnection};
use contenttypes::lifecycle::orphans;
use contenttypes::prelude::*;
use contenttypes::Dialect;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "integ")]
pub struct Author {
    pub id: i64,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "integ")]
pub struct Article {
    pub id: i64,
    #[model(foreign_key = Author, on_delete = cascade)]
    pub author_id: i64,
}

/// A model that declares a generic relation over `Pin` with its own policy.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "integ")]
pub struct Video {
    pub id: i64,
    #[generic_relation(on_delete = cascade)]
    pub pins: GenericRelation<Pin>,
}

/// Cascade (the default), enforced by the database.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "integ")]
pub struct Note {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(db_constraint)]
    pub content_object: GenericForeignKey,
}

/// Restrict, except for videos (their relation says cascade).
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "integ")]
pub struct Pin {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(db_constraint, on_delete = restrict)]
    pub content_object: GenericForeignKey,
}

/// Set null.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "integ")]
pub struct Mark {
    pub id: i64,
    pub content_type_id: Option<i32>,
    pub object_id: Option<i64>,
    #[generic_foreign_key(db_constraint, on_delete = set_null)]
    pub content_object: GenericForeignKey,
}

/// A text object id (Django's `TextField` object ids) pointing at integer keys.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "integ")]
pub struct Label {
    pub id: i64,
    pub content_type_id: i32,
    #[model(max_length = 40)]
    pub object_id: String,
    #[generic_foreign_key(db_constraint)]
    pub content_object: GenericForeignKey,
}

/// Not enforced: the framework cascades it, raw SQL orphans it (the contrast).
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "integ")]
pub struct Loose {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

fn exec(
    conn: &mut impl diesel::connection::SimpleConnection,
    sql: &str,
) -> Result<(), diesel::result::Error> {
    conn.batch_execute(sql)
}

/// SQLite enforces foreign keys (and their cascades) only when asked.
fn foreign_keys_on<C: TestConnection>(conn: &mut C)
where
    C::Backend: contenttypes::SupportedBackend,
{
    if C::DIALECT == Dialect::Sqlite {
        exec(conn, "PRAGMA foreign_keys = ON").unwrap();
    }
}

fn ct<M: Model>(db: &mut impl Db<Mode = SyncMode>) -> i32 {
    ContentType::for_model::<M>(db).unwrap().id
}

fn count<M: Model>(db: &mut impl Db<Mode = SyncMode>) -> usize {
    M::all(db).unwrap().len()
}

fn orphan_rows(db: &mut impl Db<Mode = SyncMode>) -> i64 {
    orphans(db).unwrap().iter().map(|o| o.rows).sum()
}

backend_tests! {
    /// A raw `DELETE` of targets deletes the rows of a cascading generic foreign key pointing
    /// at them (and only those): 0 orphans, where the unenforced one is left orphaned.
    fn raw_delete_cascades(t) {
        let db = &mut t.db();
        let author = Author::insert(db, NewAuthor {}).unwrap();
        let a = Article::insert(db, NewArticle { author_id: author.id }).unwrap();
        let b = Article::insert(db, NewArticle { author_id: author.id }).unwrap();
        for target in [&a, &a, &a, &b] {
            Note::insert(db, NewNote { content_object: Target::to(target) }).unwrap();
            Loose::insert(db, NewLoose { content_object: Target::to(target) }).unwrap();
        }
        exec(&mut t.conn, &format!("DELETE FROM integ_article WHERE id = {}", a.id)).unwrap();
        assert_eq!(count::<Article>(&mut t.db()), 1);
        assert_eq!(count::<Note>(&mut t.db()), 1);
        let db = &mut t.db();
        let left: Vec<i64> = Note::all(db).unwrap().iter().map(|n| n.object_id).collect();
        assert_eq!(left, [b.id]);
        // Only the unenforced generic foreign key has orphans.
        let found = orphans(db).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].rows, found[0].model.as_str()), (3, "integ.Loose"));
    }

    /// An `INSERT` or `UPDATE` of a row pointing at no row is refused with a foreign-key
    /// violation naming the content type and the object id; a row pointing at a real row is
    /// taken, and so is a row with its generic foreign key unset.
    fn dangling_rows_are_refused(t) {
        let db = &mut t.db();
        let author = Author::insert(db, NewAuthor {}).unwrap();
        let a = Article::insert(db, NewArticle { author_id: author.id }).unwrap();
        let article_ct = ct::<Article>(db);
        let error = exec(
            &mut t.conn,
            &format!("INSERT INTO integ_note (content_type_id, object_id) VALUES ({article_ct}, 424242)"),
        )
        .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("points at no row"), "{message}");
        assert!(message.contains("integ.article") && message.contains("424242"), "{message}");
        assert!(message.contains(&article_ct.to_string()), "{message}");
        if Conn::DIALECT == Dialect::Postgres {
            assert!(
                matches!(error, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, _)),
                "{error:?}"
            );
        }
        // A content type that is no model's.
        let author_ct = ct::<Author>(&mut t.db());
        let error = exec(
            &mut t.conn,
            &format!("INSERT INTO integ_note (content_type_id, object_id) VALUES ({author_ct}, 999999)"),
        )
        .unwrap_err();
        assert!(error.to_string().contains("integ.author"), "{error}");
        assert_eq!(count::<Note>(&mut t.db()), 0);
        exec(
            &mut t.conn,
            &format!("INSERT INTO integ_note (content_type_id, object_id) VALUES ({article_ct}, {})", a.id),
        )
        .unwrap();
        let error = exec(&mut t.conn, "UPDATE integ_note SET object_id = 77777").unwrap_err();
        assert!(error.to_string().contains("77777"), "{error}");
        exec(&mut t.conn, "INSERT INTO integ_mark (content_type_id, object_id) VALUES (NULL, NULL)").unwrap();
        // A text object id must be the key's exact text.
        let error = exec(
            &mut t.conn,
            &format!("INSERT INTO integ_label (content_type_id, object_id) VALUES ({article_ct}, '0{}')", a.id),
        )
        .unwrap_err();
        assert!(error.to_string().contains("points at no row"), "{error}");
        exec(
            &mut t.conn,
            &format!("INSERT INTO integ_label (content_type_id, object_id) VALUES ({article_ct}, '{}')", a.id),
        )
        .unwrap();
        assert_eq!(count::<Note>(&mut t.db()), 1);
        assert_eq!(count::<Label>(&mut t.db()), 1);
    }

    /// `restrict`: a raw delete of a target with rows is refused, and nothing is deleted; a
    /// video's own relation says cascade, and wins for videos.
    fn raw_delete_restrict_and_the_relation_override(t) {
        let db = &mut t.db();
        let author = Author::insert(db, NewAuthor {}).unwrap();
        let a = Article::insert(db, NewArticle { author_id: author.id }).unwrap();
        let free = Article::insert(db, NewArticle { author_id: author.id }).unwrap();
        let v = Video::insert(db, NewVideo {}).unwrap();
        Pin::insert(db, NewPin { content_object: Target::to(&a) }).unwrap();
        Note::insert(db, NewNote { content_object: Target::to(&a) }).unwrap();
        Pin::insert(db, NewPin { content_object: Target::to(&v) }).unwrap();
        let error = exec(&mut t.conn, "DELETE FROM integ_article").unwrap_err();
        assert!(error.to_string().contains("on_delete = restrict"), "{error}");
        if Conn::DIALECT == Dialect::Postgres {
            assert!(
                matches!(error, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, _)),
                "{error:?}"
            );
        }
        assert_eq!(count::<Article>(&mut t.db()), 2);
        assert_eq!(count::<Note>(&mut t.db()), 1);
        exec(&mut t.conn, &format!("DELETE FROM integ_article WHERE id = {}", free.id)).unwrap();
        exec(&mut t.conn, &format!("DELETE FROM integ_video WHERE id = {}", v.id)).unwrap();
        assert_eq!(count::<Pin>(&mut t.db()), 1);
        // Through the framework: the typed error first, nothing deleted.
        let db = &mut t.db();
        let error = a.delete(db).unwrap_err();
        assert!(matches!(error, contenttypes::Error::Protected { .. }), "{error}");
        assert_eq!(orphan_rows(db), 0);
    }

    /// `set_null`: a raw delete unlinks the rows.
    fn raw_delete_set_null(t) {
        let db = &mut t.db();
        let author = Author::insert(db, NewAuthor {}).unwrap();
        let a = Article::insert(db, NewArticle { author_id: author.id }).unwrap();
        let b = Article::insert(db, NewArticle { author_id: author.id }).unwrap();
        Mark::insert(db, NewMark { content_object: Some(Target::to(&a)) }).unwrap();
        Mark::insert(db, NewMark { content_object: Some(Target::to(&b)) }).unwrap();
        exec(&mut t.conn, &format!("DELETE FROM integ_article WHERE id = {}", a.id)).unwrap();
        let db = &mut t.db();
        let marks: Vec<(Option<i32>, Option<i64>)> =
            Mark::all(db).unwrap().into_iter().map(|m| (m.content_type_id, m.object_id)).collect();
        assert_eq!(marks, [(None, None), (Some(ct::<Article>(db)), Some(b.id))]);
    }

    /// Targets deleted by another table's `ON DELETE CASCADE` are covered too (on MySQL and
    /// MariaDB, which fire no trigger for them, by the trigger on the table whose delete
    /// cascades).
    fn cascaded_targets_are_covered(t) {
        foreign_keys_on(&mut t.conn);
        let db = &mut t.db();
        let author = Author::insert(db, NewAuthor {}).unwrap();
        let other = Author::insert(db, NewAuthor {}).unwrap();
        let a = Article::insert(db, NewArticle { author_id: author.id }).unwrap();
        let kept = Article::insert(db, NewArticle { author_id: other.id }).unwrap();
        Note::insert(db, NewNote { content_object: Target::to(&a) }).unwrap();
        Note::insert(db, NewNote { content_object: Target::to(&kept) }).unwrap();
        Label::insert(db, NewLabel { content_object: Target::to(&a) }).unwrap();
        Mark::insert(db, NewMark { content_object: Some(Target::to(&a)) }).unwrap();
        exec(&mut t.conn, &format!("DELETE FROM integ_author WHERE id = {}", author.id)).unwrap();
        assert_eq!(count::<Article>(&mut t.db()), 1, "the foreign key cascaded");
        assert_eq!(count::<Note>(&mut t.db()), 1);
        assert_eq!(count::<Label>(&mut t.db()), 0);
        let db = &mut t.db();
        assert_eq!(Mark::all(db).unwrap()[0].object_id, None);
        // A restricted target refuses its author's delete.
        Pin::insert(db, NewPin { content_object: Target::to(&kept) }).unwrap();
        let error = exec(&mut t.conn, &format!("DELETE FROM integ_author WHERE id = {}", other.id)).unwrap_err();
        assert!(error.to_string().contains("on_delete = restrict"), "{error}");
        assert_eq!(count::<Article>(&mut t.db()), 1);
        assert_eq!(orphan_rows(&mut t.db()), 0);
    }

    /// A cascade through rows of one table (a note on a note on an article): PostgreSQL and
    /// SQLite (with `recursive_triggers`, which `contenttypes::sqlite::configure` turns on)
    /// follow it to the end. MySQL and MariaDB cannot change a table from a trigger its own
    /// statement fired, so tables holding an enforced generic foreign key get no delete
    /// trigger there: the note on the note is left, an orphan the sweep finds (the limit,
    /// as documented).
    fn cascades_through_rows_of_one_table(t) {
        if Conn::DIALECT == Dialect::Sqlite {
            exec(&mut t.conn, "PRAGMA recursive_triggers = ON").unwrap();
        }
        let db = &mut t.db();
        let author = Author::insert(db, NewAuthor {}).unwrap();
        let a = Article::insert(db, NewArticle { author_id: author.id }).unwrap();
        let first = Note::insert(db, NewNote { content_object: Target::to(&a) }).unwrap();
        let second = Note::insert(db, NewNote { content_object: Target::to(&first) }).unwrap();
        Note::insert(db, NewNote { content_object: Target::to(&second) }).unwrap();
        exec(&mut t.conn, &format!("DELETE FROM integ_article WHERE id = {}", a.id)).unwrap();
        let db = &mut t.db();
        if Conn::DIALECT == Dialect::Mysql {
            let left: Vec<i64> = Note::all(db).unwrap().iter().map(|n| n.object_id).collect();
            assert_eq!(left, [first.id, second.id]);
            assert_eq!(orphan_rows(db), 1);
        } else {
            assert_eq!(count::<Note>(db), 0);
        }
    }

    /// Inserts pointing at a row racing its delete, from several connections: whatever the
    /// interleaving, no row is left pointing at nothing (the check locks the target row, so
    /// a delete waits for the insert and then applies the policy to it, or the insert waits
    /// for the delete and is refused).
    fn inserts_racing_a_delete_leave_no_orphan(t) {
        drop(t);
        let shared = common::TestDb::<Conn>::shared();
        let url = shared.url().expect("a shared database").to_string();
        let mut conn = <Conn as TestConnection>::reconnect(&url);
        let cts = contenttypes::ContentTypes::new();
        let db = &mut cts.using(&mut conn);
        let author = Author::insert(db, NewAuthor {}).unwrap();
        let article_ct = ct::<Article>(db);
        const WRITERS: usize = 4;
        let (mut refused, mut taken) = (0, 0);
        for round in 0..8u64 {
            let db = &mut cts.using(&mut conn);
            let a = Article::insert(db, NewArticle { author_id: author.id }).unwrap();
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(WRITERS + 1));
            let writers: Vec<_> = (0..WRITERS)
                .map(|_| {
                    let (url, barrier) = (url.clone(), barrier.clone());
                    // Connected before the thread starts: a refused connection fails the test here
                    // instead of leaving the other threads waiting at the barrier.
                    let mut conn = <Conn as TestConnection>::reconnect(&url);
                    std::thread::spawn(move || {
                        barrier.wait();
                        let mut outcomes = (0, 0);
                        for _ in 0..10 {
                            let insert = format!(
                                "INSERT INTO integ_note (content_type_id, object_id) VALUES ({article_ct}, {})",
                                a.id
                            );
                            match exec(&mut conn, &insert) {
                                Ok(()) => outcomes.1 += 1,
                                Err(_) => outcomes.0 += 1,
                            }
                        }
                        outcomes
                    })
                })
                .collect();
            let deleter = {
                let (url, barrier) = (url.clone(), barrier.clone());
                // Connected before the thread starts: a refused connection fails the test here
                // instead of leaving the other threads waiting at the barrier.
                let mut conn = <Conn as TestConnection>::reconnect(&url);
                std::thread::spawn(move || {
                    barrier.wait();
                    std::thread::sleep(std::time::Duration::from_millis(round % 4));
                    // A deadlock victim (MySQL) tries again, as an application would.
                    for _ in 0..20 {
                        if exec(&mut conn, &format!("DELETE FROM integ_article WHERE id = {}", a.id)).is_ok() {
                            return;
                        }
                    }
                    panic!("the delete kept failing");
                })
            };
            for w in writers {
                let (r, k) = w.join().expect("writer");
                refused += r;
                taken += k;
            }
            deleter.join().expect("deleter");
        }
        let db = &mut cts.using(&mut conn);
        assert_eq!(count::<Article>(db), 0);
        assert_eq!(count::<Note>(db), 0, "every note taken was deleted with its article");
        assert_eq!(orphan_rows(db), 0);
        assert_eq!(refused + taken, 8 * WRITERS * 10);
        println!("inserts racing a delete: {taken} taken (then cascaded), {refused} refused");
    }
}
