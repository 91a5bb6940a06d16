//! Faults (issue 8): every multi-statement write is all or nothing.
//!
//! - A worker process is killed (`kill -9`) part-way through `insert_many` or `bulk_insert`
//!   of 30,000 rows, or a cascading `delete_many` (posts, their notes, the notes' likes):
//!   the tables then hold everything or nothing, never a part. The worker says when it
//!   starts and when it is done, so each kill is known to have landed mid-way or after.
//! - A row that fails part-way through a 30,000-row insert returns an error and leaves
//!   nothing.
//! - On PostgreSQL and MariaDB, a connection killed from the server side mid-insert
//!   (`pg_terminate_backend`, `KILL CONNECTION`) returns an error and leaves nothing.
//!   SQLite has no server session to kill; the process kill covers it.
//!
//! Figures go to `CARGO_TARGET_TMPDIR/contenttypes-figures/faults.txt`, which CI prints.

mod common;

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use common::models::*;
use common::procs::{self, Worker};
use common::{backend_tests, TestConnection, TestDb};
use contenttypes::prelude::*;
use contenttypes::SupportedBackend;

/// Rows of each insert.
const ROWS: usize = 30_000;
/// Kills per operation and backend.
const TRIES: usize = 5;
/// Server-side kills of a connection mid-insert.
#[cfg(any(feature = "postgres", feature = "mysql"))]
const SESSION_KILLS: usize = 8;
const WORKER: &str = "worker";
/// The cascade: doomed posts, each with notes (each note with likes) and likes of its own,
/// and one post that stays.
const POSTS: usize = 50;
const NOTES_PER_POST: usize = 200;
const LIKES_PER_NOTE: usize = 2;
const LIKES_PER_POST: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    InsertMany,
    BulkInsert,
    CascadeDelete,
}

impl Op {
    const ALL: [Op; 3] = [Op::InsertMany, Op::BulkInsert, Op::CascadeDelete];

    fn name(self) -> &'static str {
        match self {
            Op::InsertMany => "insert_many(30000 rows)",
            Op::BulkInsert => "bulk_insert(30000 rows)",
            Op::CascadeDelete => "delete_many(posts, cascading)",
        }
    }

    fn parse(name: &str) -> Op {
        Op::ALL
            .into_iter()
            .find(|op| op.name() == name)
            .unwrap_or_else(|| panic!("unknown operation {name:?}"))
    }
}

// --- sessions on the server ---------------------------------------------------------------

/// A connection's session on the server: its id, whether it still runs, killing it.
trait Session: TestConnection
where
    Self::Backend: SupportedBackend,
{
    /// This connection's session id (0 on SQLite, which has none).
    fn session_id(&mut self) -> i64;
    /// Whether the server still runs session `id` (SQLite: never; its writer's locks go
    /// with its process).
    fn session_alive(&mut self, id: i64) -> bool;
    /// Ends session `id` from this connection (nothing when it has ended already).
    #[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
    fn kill_session(&mut self, id: i64);
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
fn scalar<C: diesel::Connection>(conn: &mut C, query: &str) -> i64
where
    diesel::expression::SqlLiteral<diesel::sql_types::BigInt>:
        diesel::query_dsl::LoadQuery<'static, C, i64>,
{
    diesel::RunQueryDsl::get_result(diesel::dsl::sql::<diesel::sql_types::BigInt>(query), conn)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
}

#[cfg(feature = "sqlite")]
impl Session for diesel::SqliteConnection {
    fn session_id(&mut self) -> i64 {
        0
    }
    fn session_alive(&mut self, _: i64) -> bool {
        false
    }
    fn kill_session(&mut self, _: i64) {
        unreachable!("SQLite has no server session")
    }
}

#[cfg(feature = "postgres")]
impl Session for diesel::PgConnection {
    fn session_id(&mut self) -> i64 {
        scalar(self, "SELECT CAST(pg_backend_pid() AS BIGINT)")
    }
    fn session_alive(&mut self, id: i64) -> bool {
        scalar(
            self,
            &format!("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = {id}"),
        ) > 0
    }
    fn kill_session(&mut self, id: i64) {
        diesel::connection::SimpleConnection::batch_execute(
            self,
            &format!("SELECT pg_terminate_backend({id})"),
        )
        .expect("pg_terminate_backend");
    }
}

#[cfg(feature = "mysql")]
impl Session for diesel::MysqlConnection {
    fn session_id(&mut self) -> i64 {
        scalar(self, "SELECT CAST(CONNECTION_ID() AS SIGNED)")
    }
    fn session_alive(&mut self, id: i64) -> bool {
        scalar(
            self,
            &format!("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = {id}"),
        ) > 0
    }
    fn kill_session(&mut self, id: i64) {
        match diesel::connection::SimpleConnection::batch_execute(
            self,
            &format!("KILL CONNECTION {id}"),
        ) {
            // The session ended before the kill: the insert finished first.
            Err(e) if e.to_string().contains("Unknown thread id") => {}
            other => other.expect("KILL CONNECTION"),
        }
    }
}

/// Waits until the server has ended session `id` (and rolled back what it had open), so
/// what is counted afterwards is final.
fn await_session_end<C: Session>(conn: &mut C, id: i64)
where
    C::Backend: SupportedBackend,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while conn.session_alive(id) {
        assert!(
            Instant::now() < deadline,
            "session {id} still runs after 60 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

// --- the worker ---------------------------------------------------------------------------

/// The worker processes: does nothing in an ordinary test run.
#[test]
fn worker() {
    let Some(role) = procs::role() else { return };
    let op = Op::parse(&role);
    match procs::param::<String>("BACKEND").as_str() {
        #[cfg(feature = "sqlite")]
        "sqlite" => work::<diesel::SqliteConnection>(op),
        #[cfg(feature = "postgres")]
        "postgres" => work::<diesel::PgConnection>(op),
        #[cfg(feature = "mysql")]
        "mysql" => work::<diesel::MysqlConnection>(op),
        other => panic!("no backend {other:?} in this build"),
    }
}

/// Prepares everything, says "starting" (with its session id), runs the operation, says
/// "done" (with the microseconds it took) unless it was killed first.
fn work<C: Session>(op: Op)
where
    C::Backend: SupportedBackend,
{
    let url: String = procs::param("URL");
    let mut conn: C = procs::connect(&url);
    let session = conn.session_id();
    let cts = ContentTypes::new();
    let db = &mut conn.db(&cts);
    let rows = minerals();
    let mut doomed = Vec::new();
    if op == Op::CascadeDelete {
        ContentType::for_models(db, &[Post::DEF, Note::DEF, Like::DEF]).unwrap();
        doomed = Post::all(db)
            .unwrap()
            .into_iter()
            .filter(|p| p.title.starts_with("doomed"))
            .map(|p| p.id)
            .collect();
    }
    procs::signal("starting", &session.to_string());
    let started = Instant::now();
    match op {
        Op::InsertMany => assert_eq!(Mineral::insert_many(db, rows).unwrap().len(), ROWS),
        Op::BulkInsert => assert_eq!(Mineral::bulk_insert(db, &rows).unwrap(), ROWS),
        Op::CascadeDelete => {
            assert_eq!(Post::delete_many(db, &doomed).unwrap().of::<Post>(), POSTS)
        }
    }
    procs::signal("done", &started.elapsed().as_micros().to_string());
}

fn minerals() -> Vec<NewMineral> {
    (0..ROWS)
        .map(|i| NewMineral {
            name: format!("mineral {i}"),
            hardness: (i % 10) as i32,
        })
        .collect()
}

// --- the parent ---------------------------------------------------------------------------

/// One fault test at a time in this binary: the kill timings assume an otherwise idle
/// process.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn fresh<C: TestConnection>() -> TestDb<C>
where
    C::Backend: SupportedBackend,
{
    let mut db = TestDb::<C>::shared();
    procs::configure(&mut db.conn);
    db
}

/// Empties tables, bypassing the library.
fn empty<C: TestConnection>(db: &mut TestDb<C>, models: &[&contenttypes::ir::ModelDef])
where
    C::Backend: SupportedBackend,
{
    for model in models {
        let table = C::DIALECT.quote(&model.table.name);
        db.conn
            .batch_execute(&format!("DELETE FROM {table}"))
            .expect("empty a table");
    }
}

/// The row counts an operation is judged by.
fn counts<C: TestConnection>(db: &mut TestDb<C>, op: Op) -> Vec<i64>
where
    C::Backend: SupportedBackend,
{
    let db = &mut db.db();
    match op {
        Op::InsertMany | Op::BulkInsert => vec![Mineral::count(db).unwrap()],
        Op::CascadeDelete => vec![
            Post::count(db).unwrap(),
            Note::count(db).unwrap(),
            Like::count(db).unwrap(),
        ],
    }
}

/// Puts the tables in the state before the operation; returns the counts before and the
/// counts once it is done.
fn reset<C: TestConnection>(db: &mut TestDb<C>, op: Op) -> (Vec<i64>, Vec<i64>)
where
    C::Backend: SupportedBackend,
{
    match op {
        Op::InsertMany | Op::BulkInsert => {
            empty(db, &[Mineral::DEF]);
            (vec![0], vec![ROWS as i64])
        }
        Op::CascadeDelete => {
            empty(db, &[Like::DEF, Note::DEF, Post::DEF]);
            seed_posts(db)
        }
    }
}

/// `POSTS` doomed posts and one kept, each with notes that have likes, and likes.
fn seed_posts<C: TestConnection>(t: &mut TestDb<C>) -> (Vec<i64>, Vec<i64>)
where
    C::Backend: SupportedBackend,
{
    let db = &mut t.db();
    let titles = (0..POSTS)
        .map(|i| format!("doomed {i}"))
        .chain(["kept".into()]);
    let posts = Post::insert_many(db, titles.map(|title| NewPost { title }).collect()).unwrap();
    let post_ct = ContentType::for_model::<Post>(db).unwrap().id;
    let note_ct = ContentType::for_model::<Note>(db).unwrap().id;
    let notes: Vec<NewNote> = posts
        .iter()
        .flat_map(|p| {
            (0..NOTES_PER_POST).map(move |i| NewNote {
                body: format!("note {i}"),
                content_object: Target::from_ids(post_ct, p.id),
            })
        })
        .collect();
    Note::bulk_insert(db, &notes).unwrap();
    let like = |content_type_id, object_id| NewLike {
        content_object: Target::from_ids(content_type_id, object_id),
    };
    let likes: Vec<NewLike> = Note::all(db)
        .unwrap()
        .iter()
        .flat_map(|n| std::iter::repeat_n(like(note_ct, n.id), LIKES_PER_NOTE))
        .chain(
            posts
                .iter()
                .flat_map(|p| std::iter::repeat_n(like(post_ct, p.id), LIKES_PER_POST)),
        )
        .collect();
    Like::bulk_insert(db, &likes).unwrap();
    let all = (POSTS + 1) as i64;
    let per_post = (NOTES_PER_POST * LIKES_PER_NOTE + LIKES_PER_POST) as i64;
    (
        vec![all, all * NOTES_PER_POST as i64, all * per_post],
        vec![1, NOTES_PER_POST as i64, per_post],
    )
}

/// Kills a worker `TRIES` times part-way through `op` (after 10%, 30%... 90% of an
/// uninterrupted run) and finds all or nothing each time.
fn kill_during<C: Session>(op: Op)
where
    C::Backend: SupportedBackend,
{
    let _serial = serial();
    let mut t = fresh::<C>();
    let url = t.url().expect("a shared database").to_string();
    let params = [
        ("BACKEND", procs::backend_name(C::DIALECT).to_string()),
        ("URL", url),
    ];
    let (before, after) = reset(&mut t, op);
    // An uninterrupted run, to time the kills.
    let mut w = Worker::spawn(WORKER, op.name(), &params);
    w.expect("starting", Duration::from_secs(60));
    let full = Duration::from_micros(w.expect("done", Duration::from_secs(600)).parse().unwrap());
    w.finish().assert_success();
    assert_eq!(counts(&mut t, op), after, "{} did its work", op.name());
    let (mut mid_way, mut partial, mut left) = (0, 0, Vec::new());
    for i in 0..TRIES {
        let (before, after) = reset(&mut t, op);
        let delay = full * (2 * i as u32 + 1) / (2 * TRIES as u32);
        let mut w = Worker::spawn(WORKER, op.name(), &params);
        let session: i64 = w
            .expect("starting", Duration::from_secs(60))
            .parse()
            .unwrap();
        std::thread::sleep(delay);
        w.kill();
        let finished = w.finish();
        mid_way += usize::from(!finished.sent("done"));
        await_session_end(&mut t.conn, session);
        let now = counts(&mut t, op);
        partial += usize::from(now != before && now != after);
        left.push(format!("{now:?}"));
    }
    procs::record(
        "faults",
        &format!(
            "{:<8} kill -9 during {:<30} uninterrupted {:.3} s; {TRIES} kills at 10-90%: {mid_way} mid-way, {} after; \
             left: {} (before {before:?}, after {after:?}); {partial} partial",
            procs::backend_name(C::DIALECT),
            op.name(),
            full.as_secs_f64(),
            TRIES - mid_way,
            left.join(" "),
        ),
    );
    assert_eq!(
        partial,
        0,
        "{}: {partial} of {TRIES} kills left a part: {left:?}",
        op.name()
    );
    assert!(mid_way > 0, "no kill landed while {} ran", op.name());
}

/// Kills the inserting connection from the server side `SESSION_KILLS` times part-way
/// through `insert_many`: an error and nothing left, or (a kill after the commit) every row.
#[cfg(any(feature = "postgres", feature = "mysql"))]
fn session_killed_mid_insert<C: Session + Send>()
where
    C::Backend: SupportedBackend,
{
    let _serial = serial();
    let mut t = fresh::<C>();
    let url = t.url().expect("a shared database").to_string();
    let insert = |url: String, started: std::sync::mpsc::Sender<i64>| {
        move || {
            let mut conn: C = procs::connect(&url);
            let rows = minerals();
            started.send(conn.session_id()).unwrap();
            let begun = Instant::now();
            let result =
                Mineral::insert_many(&mut conn.db(ContentTypes::global()), rows).map(|r| r.len());
            (result, begun.elapsed())
        }
    };
    let (send, _started) = std::sync::mpsc::channel();
    let (result, full) = insert(url.clone(), send)();
    assert_eq!(result.unwrap(), ROWS);
    let (mut errors, mut partial, mut left) = (0, 0, Vec::new());
    for i in 0..SESSION_KILLS {
        empty(&mut t, &[Mineral::DEF]);
        let delay = full * (2 * i as u32 + 1) / (2 * SESSION_KILLS as u32);
        let (send, started) = std::sync::mpsc::channel();
        let handle = std::thread::spawn(insert(url.clone(), send));
        let session = started.recv().unwrap();
        std::thread::sleep(delay);
        t.conn.kill_session(session);
        let (result, _) = handle.join().expect("the inserting thread");
        await_session_end(&mut t.conn, session);
        let now = Mineral::count(&mut t.db()).unwrap();
        let failed = result.is_err();
        errors += usize::from(failed);
        let all_or_nothing = (failed && now == 0) || now == ROWS as i64;
        partial += usize::from(!all_or_nothing);
        left.push(format!("{}:{now}", if failed { "Err" } else { "Ok" }));
    }
    procs::record(
        "faults",
        &format!(
            "{:<8} session killed during insert_many(30000 rows)   uninterrupted {:.3} s; {SESSION_KILLS} kills at \
             6-94%: {errors} returned an error; result:rows left: {}; {partial} partial",
            procs::backend_name(C::DIALECT),
            full.as_secs_f64(),
            left.join(" "),
        ),
    );
    assert_eq!(
        partial, 0,
        "{partial} of {SESSION_KILLS} kills left a part: {left:?}"
    );
    assert!(errors > 0, "no kill landed while insert_many ran");
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_session_killed_mid_insert_leaves_nothing() {
    session_killed_mid_insert::<diesel::PgConnection>();
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_session_killed_mid_insert_leaves_nothing() {
    session_killed_mid_insert::<diesel::MysqlConnection>();
}

backend_tests! {
    sync_only;
    fn kill_during_insert_many(t) {
        drop(t);
        kill_during::<Conn>(Op::InsertMany);
    }

    fn kill_during_bulk_insert(t) {
        drop(t);
        kill_during::<Conn>(Op::BulkInsert);
    }

    fn kill_during_cascade_delete(t) {
        drop(t);
        kill_during::<Conn>(Op::CascadeDelete);
    }

    /// A duplicate at row 25,000 of 30,000: a unique violation, and no row is left.
    fn failing_row_mid_insert_many_leaves_nothing(t) {
        let db = &mut t.db();
        let mut labels: Vec<NewLabel> = (0..ROWS).map(|i| NewLabel { name: format!("label {i}") }).collect();
        labels[25_000].name = "label 10".into();
        let error = Label::insert_many(db, labels).unwrap_err();
        let left = Label::count(db).unwrap();
        procs::record("faults", &format!(
            "{:<8} duplicate at row 25000 of insert_many(30000 rows): {}; {left} rows left",
            procs::backend_name(<Conn as TestConnection>::DIALECT), procs::error_kind(&error)));
        assert!(error.is_unique_violation(), "{error}");
        assert_eq!(left, 0, "a failed insert_many leaves nothing");
    }

    /// The same through `bulk_insert`.
    fn failing_row_mid_bulk_insert_leaves_nothing(t) {
        let db = &mut t.db();
        let mut labels: Vec<NewLabel> = (0..ROWS).map(|i| NewLabel { name: format!("label {i}") }).collect();
        labels[25_000].name = "label 10".into();
        let error = Label::bulk_insert(db, &labels).unwrap_err();
        let left = Label::count(db).unwrap();
        procs::record("faults", &format!(
            "{:<8} duplicate at row 25000 of bulk_insert(30000 rows): {}; {left} rows left",
            procs::backend_name(<Conn as TestConnection>::DIALECT), procs::error_kind(&error)));
        assert!(error.is_unique_violation(), "{error}");
        assert_eq!(left, 0, "a failed bulk_insert leaves nothing");
    }
}
