//! Races across processes (issue 8): 4 processes × 16 threads, each thread with its own
//! connection and its own cold content-type manager, all released at once on a fresh
//! database (an SQLite file, PostgreSQL, MariaDB). Nothing is lost, duplicated or returned
//! to a caller as an error:
//!
//! - `update_or_create` of one row, `value += 1`: the final value is the number of calls;
//! - `get_or_create` of a few rows: one row per key, every caller gets its id;
//! - the first use of content types inside the caller's own transaction;
//! - `get_or_create` inside the caller's own transaction;
//! - `set()` on one parent, each caller with its own rows: the final set is one caller's;
//! - `tags().add()` of the same new tag names on one object, with cold content-type caches:
//!   one tag per name, one row per tag, every caller gets the same tags.
//!
//! The test binary re-executes itself as the workers (see `common::procs`); the figures go
//! to `CARGO_TARGET_TMPDIR/contenttypes-figures/concurrency.txt`, which CI prints.

mod common;
mod races;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use common::models::*;
use common::procs::{self, Worker};
use common::{backend_tests, TestConnection, TestDb};
use contenttypes::prelude::*;
use contenttypes::{create_content_types, SupportedBackend};
use races::worker::work;
use races::*;

const PROCESSES: usize = 4;
const THREADS: usize = 16;
/// The worker test's name, which the parent re-executes.
const WORKER: &str = "worker";

/// The worker processes: does nothing in an ordinary test run.
#[test]
fn worker() {
    let Some(role) = procs::role() else { return };
    let workload = Workload::parse(&role);
    match procs::param::<String>("BACKEND").as_str() {
        #[cfg(feature = "sqlite")]
        "sqlite" => work::<diesel::SqliteConnection>(workload),
        #[cfg(feature = "postgres")]
        "postgres" => work::<diesel::PgConnection>(workload),
        #[cfg(feature = "mysql")]
        "mysql" => work::<diesel::MysqlConnection>(workload),
        other => panic!("no backend {other:?} in this build"),
    }
}

// --- the parent ---------------------------------------------------------------------------

/// One race at a time in this binary, so the figures of one backend are not the load of
/// another.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// A fresh database other processes can open, its connection configured like theirs.
fn fresh<C: TestConnection>() -> TestDb<C>
where
    C::Backend: SupportedBackend,
{
    let mut db = TestDb::<C>::shared();
    procs::configure(&mut db.conn);
    db
}

/// Starts the worker processes, waits until every caller is connected, releases them all
/// at once and collects what they got.
fn race<C: TestConnection>(db: &TestDb<C>, workload: Workload, parent: i64) -> (Report, Duration)
where
    C::Backend: SupportedBackend,
{
    let url = db.url().expect("a shared database").to_string();
    let mut workers: Vec<Worker> = (0..PROCESSES)
        .map(|process| {
            Worker::spawn(
                WORKER,
                workload.name(),
                &[
                    ("BACKEND", procs::backend_name(C::DIALECT).to_string()),
                    ("URL", url.clone()),
                    ("PROCESS", process.to_string()),
                    ("THREADS", THREADS.to_string()),
                    ("PARENT", parent.to_string()),
                ],
            )
        })
        .collect();
    for worker in &mut workers {
        worker.expect("ready", Duration::from_secs(120));
    }
    let started = Instant::now();
    for worker in &mut workers {
        worker.go();
    }
    let mut report = Report::default();
    for worker in &mut workers {
        let json = worker.expect("report", Duration::from_secs(300));
        report.merge(serde_json::from_str(&json).expect("a worker's report"));
    }
    let elapsed = started.elapsed();
    for worker in workers {
        worker.finish().assert_success();
    }
    (report, elapsed)
}

fn record<C: TestConnection>(workload: Workload, report: &Report, elapsed: Duration, extra: &str)
where
    C::Backend: SupportedBackend,
{
    procs::record(
        "concurrency",
        &format!(
            "{:<8} {:<40} {PROCESSES}x{THREADS} callers: {} calls, {} ok, {} errors ({}); {extra}; {:.2} s",
            procs::backend_name(C::DIALECT),
            workload.name(),
            report.calls,
            report.ok,
            report.error_count(),
            procs::tally(&report.errors),
            elapsed.as_secs_f64(),
        ),
    );
}

/// A scoreboard and, unless the race is about creating them, every content type.
fn scoreboard<C: TestConnection>(db: &mut TestDb<C>, content_types: bool) -> Scoreboard
where
    C::Backend: SupportedBackend,
{
    let board = Scoreboard::insert(&mut db.db(), NewScoreboard { name: "b".into() }).unwrap();
    if content_types {
        create_content_types(&mut db.db()).unwrap();
    }
    board
}

fn update_or_create<C: TestConnection>()
where
    C::Backend: SupportedBackend,
{
    let _serial = serial();
    let mut db = fresh::<C>();
    let board = scoreboard(&mut db, true);
    let workload = Workload::UpdateOrCreate;
    let (report, elapsed) = race(&db, workload, board.id);
    let rows = Counter::all(&mut db.db()).unwrap();
    let value: i64 = rows.iter().map(|r| r.value).sum();
    let lost = report.ok as i64 - value;
    record::<C>(
        workload,
        &report,
        elapsed,
        &format!(
            "{} row(s), final value {value}, lost updates {lost}",
            rows.len()
        ),
    );
    assert_eq!(
        report.error_count(),
        0,
        "errors returned to callers: {:?}",
        report.errors
    );
    assert_eq!(rows.len(), 1, "one counter row: {rows:?}");
    assert_eq!(
        value, report.ok as i64,
        "every successful call's increment is kept"
    );
}

/// `get_or_create` (in the caller's transaction or not): 0 errors, one row per key, and
/// every caller got that row.
fn get_or_create<C: TestConnection>(workload: Workload)
where
    C::Backend: SupportedBackend,
{
    let _serial = serial();
    let mut db = fresh::<C>();
    let board = scoreboard(&mut db, true);
    let (report, elapsed) = race(&db, workload, board.id);
    let rows = Counter::all(&mut db.db()).unwrap();
    let mut per_key: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for row in &rows {
        per_key.entry(row.key.as_str()).or_default().push(row.id);
    }
    let split = report.ids.values().filter(|ids| ids.len() > 1).count();
    record::<C>(
        workload,
        &report,
        elapsed,
        &format!(
            "{} row(s) for {} keys, {} created, {split} key(s) with callers disagreeing on the id",
            rows.len(),
            KEYS.len(),
            report.created
        ),
    );
    assert_eq!(
        report.error_count(),
        0,
        "errors returned to callers: {:?}",
        report.errors
    );
    for key in KEYS {
        let ids = per_key.get(key).cloned().unwrap_or_default();
        assert_eq!(ids.len(), 1, "one row for key {key}: {ids:?}");
        let got: Vec<i64> = report.ids.get(key).into_iter().flatten().copied().collect();
        assert_eq!(got, ids, "every caller of {key} got its one row");
    }
    assert_eq!(rows.len(), KEYS.len(), "no other row: {rows:?}");
    assert_eq!(report.created, KEYS.len(), "each row created once");
}

fn add_tags<C: TestConnection>()
where
    C::Backend: SupportedBackend,
{
    let _serial = serial();
    let mut db = fresh::<C>();
    let board = scoreboard(&mut db, false);
    let (report, elapsed) = race(&db, Workload::AddTags, board.id);
    let tags = RaceTag::all(&mut db.db()).unwrap();
    let rows = RaceTagged::all(&mut db.db()).unwrap();
    let split = report.ids.values().filter(|ids| ids.len() > 1).count();
    record::<C>(
        Workload::AddTags,
        &report,
        elapsed,
        &format!(
            "{} tag(s) and {} row(s) for {} names, {split} name(s) with callers disagreeing on the id",
            tags.len(),
            rows.len(),
            KEYS.len()
        ),
    );
    assert_eq!(
        report.error_count(),
        0,
        "errors returned to callers: {:?}",
        report.errors
    );
    assert_eq!(report.ok, PROCESSES * THREADS);
    assert_eq!(tags.len(), KEYS.len(), "one tag per name: {tags:?}");
    assert_eq!(
        rows.len(),
        KEYS.len(),
        "one row per tag on the object: {rows:?}"
    );
    for tag in &tags {
        let got: Vec<i64> = report
            .ids
            .get(&tag.name)
            .into_iter()
            .flatten()
            .copied()
            .collect();
        assert_eq!(got, [tag.id], "every caller got the one tag {}", tag.name);
    }
    let mut names = board.tags().names(&mut db.db()).unwrap();
    names.sort();
    let mut keys = KEYS.to_vec();
    keys.sort();
    assert_eq!(names, keys);
}

fn first_use_in_transaction<C: TestConnection>()
where
    C::Backend: SupportedBackend,
{
    let _serial = serial();
    let mut db = fresh::<C>();
    let board = scoreboard(&mut db, false);
    let workload = Workload::FirstUseInTransaction;
    let (report, elapsed) = race(&db, workload, board.id);
    let rows = ContentType::all(&mut db.db()).unwrap();
    let split = report.ids.values().filter(|ids| ids.len() > 1).count();
    let written = Counter::count(&mut db.db()).unwrap();
    record::<C>(
        workload,
        &report,
        elapsed,
        &format!(
            "{} content-type row(s) for {} models, {split} model(s) with callers disagreeing on the id, \
             {written} caller rows written",
            rows.len(),
            first_use_models().len()
        ),
    );
    assert_eq!(
        report.error_count(),
        0,
        "errors returned to callers: {:?}",
        report.errors
    );
    for def in first_use_models() {
        let label = format!("{}.{}", def.app_label, def.model_name);
        let ids: Vec<i64> = rows
            .iter()
            .filter(|ct| ct.natural_key() == def.natural_key())
            .map(|ct| i64::from(ct.id))
            .collect();
        assert_eq!(ids.len(), 1, "one content type for {label}: {rows:?}");
        let got: Vec<i64> = report
            .ids
            .get(&label)
            .into_iter()
            .flatten()
            .copied()
            .collect();
        assert_eq!(got, ids, "every caller got the one content type of {label}");
    }
    // A first use creates the rows of every registered model, each once.
    assert_eq!(
        rows.len(),
        contenttypes::Registry::global()
            .expect("the registry")
            .len(),
        "one row per registered model: {rows:?}"
    );
    assert_eq!(
        written,
        (PROCESSES * THREADS) as i64,
        "every caller's write committed"
    );
}

fn set<C: TestConnection>()
where
    C::Backend: SupportedBackend,
{
    let _serial = serial();
    let mut db = fresh::<C>();
    create_content_types(&mut db.db()).unwrap();
    let pool = animal(&mut db.db(), "pool");
    let target = animal(&mut db.db(), "target");
    let ct = ContentType::for_model::<Animal>(&mut db.db()).unwrap().id;
    let callers = PROCESSES * THREADS;
    let new: Vec<NewTaggedItem> = (0..callers)
        .flat_map(|c| (0..SET_ROWS).map(move |k| format!("set{c}_{k}")))
        .map(|tag| NewTaggedItem {
            tag,
            content_object: Target::from_ids(ct, pool.id),
        })
        .collect();
    let mut sets: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); callers];
    for row in TaggedItem::insert_many(&mut db.db(), new).unwrap() {
        let caller: usize = row.tag[3..row.tag.find('_').unwrap()].parse().unwrap();
        sets[caller].insert(row.id);
    }
    let workload = Workload::Set;
    let (report, elapsed) = race(&db, workload, target.id);
    let target = Animal::get(&mut db.db(), &target.id).unwrap().unwrap();
    let last: BTreeSet<i64> = target
        .tags()
        .all(&mut db.db())
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    let mixed = sets.iter().filter(|s| !s.is_disjoint(&last)).count();
    let matches = sets.iter().filter(|s| **s == last).count();
    record::<C>(
        workload,
        &report,
        elapsed,
        &format!(
            "final set: {} rows from {mixed} caller(s), equal to {matches} caller's set",
            last.len()
        ),
    );
    assert_eq!(
        report.error_count(),
        0,
        "errors returned to callers: {:?}",
        report.errors
    );
    assert_eq!(
        matches,
        1,
        "the final set ({} rows from {mixed} callers) is exactly one caller's set",
        last.len()
    );
}

backend_tests! {
    /// `update_or_create` of one counter, `value += 1`, by every caller: no lost update,
    /// no error.
    fn processes_update_or_create(t) {
        drop(t);
        update_or_create::<Conn>();
    }

    /// `get_or_create` of four rows by every caller: one row per key, one id for everyone.
    fn processes_get_or_create(t) {
        drop(t);
        get_or_create::<Conn>(Workload::GetOrCreate);
    }

    /// The first content-type use of every caller, inside its own transaction.
    fn processes_first_content_type_use_in_transaction(t) {
        drop(t);
        first_use_in_transaction::<Conn>();
    }

    /// `get_or_create` inside the caller's own transaction.
    fn processes_get_or_create_in_transaction(t) {
        drop(t);
        get_or_create::<Conn>(Workload::GetOrCreateInTransaction);
    }

    /// `set()` on one parent from every caller: the final set is one caller's set.
    fn processes_set(t) {
        drop(t);
        set::<Conn>();
    }

    /// `tags().add()` of the same new names on one object from every caller (64 at once,
    /// in 4 processes, each with a cold content-type cache): no error, one tag per name.
    fn processes_add_tags(t) {
        drop(t);
        add_tags::<Conn>();
    }
}
