//! Races across processes (issue 8): 4 processes × 16 threads, each thread with its own
//! connection and its own cold content-type manager, all released at once on a fresh
//! database (an SQLite file, PostgreSQL, MariaDB). Nothing is lost, duplicated or returned
//! to a caller as an error:
//!
//! - `update_or_create` of one row, `value += 1`: the final value is the number of calls;
//! - `get_or_create` of a few rows: one row per key, every caller gets its id;
//! - the first use of content types inside the caller's own transaction;
//! - `get_or_create` inside the caller's own transaction;
//! - `set()` on one parent, each caller with its own rows: the final set is one caller's.
//!
//! The test binary re-executes itself as the workers (see `common::procs`); the figures go
//! to `CARGO_TARGET_TMPDIR/contenttypes-figures/concurrency.txt`, which CI prints.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Barrier, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use common::models::*;
use common::procs::{self, Worker};
use common::{backend_tests, TestConnection, TestDb};
use contenttypes::prelude::*;
use contenttypes::{create_content_types, SupportedBackend};
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;
use serde::{Deserialize, Serialize};

const PROCESSES: usize = 4;
const THREADS: usize = 16;
/// The worker test's name, which the parent re-executes.
const WORKER: &str = "worker";
/// The keys `get_or_create` races on.
const KEYS: [&str; 4] = ["alpha", "beta", "gamma", "delta"];
const HITS: &str = "hits";
/// Rows of each caller of `set()`.
const SET_ROWS: usize = 3;

/// A named counter on any object: the row `update_or_create` and `get_or_create` race on.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "races", unique(content_type_id, object_id, key))]
pub struct Counter {
    pub id: i64,
    #[model(max_length = 50)]
    pub key: String,
    pub value: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "races")]
pub struct Scoreboard {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
    pub counters: GenericRelation<Counter>,
}

/// The models whose content types the callers create on first use.
fn first_use_models() -> [&'static contenttypes::ir::ModelDef; 6] {
    [
        Scoreboard::DEF,
        Counter::DEF,
        Animal::DEF,
        Vegetable::DEF,
        Mineral::DEF,
        TaggedItem::DEF,
    ]
}

/// `races_counter.key = ?`: the lookup of every race on counters.
type KeyIs = diesel::dsl::Eq<races_counter::key, String>;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Workload {
    UpdateOrCreate,
    GetOrCreate,
    FirstUseInTransaction,
    GetOrCreateInTransaction,
    Set,
}

impl Workload {
    const ALL: [Workload; 5] = [
        Workload::UpdateOrCreate,
        Workload::GetOrCreate,
        Workload::FirstUseInTransaction,
        Workload::GetOrCreateInTransaction,
        Workload::Set,
    ];

    fn name(self) -> &'static str {
        match self {
            Workload::UpdateOrCreate => "update_or_create(value += 1)",
            Workload::GetOrCreate => "get_or_create",
            Workload::FirstUseInTransaction => "first content-type use in caller's txn",
            Workload::GetOrCreateInTransaction => "get_or_create in caller's txn",
            Workload::Set => "set() on one parent",
        }
    }

    fn parse(name: &str) -> Workload {
        Workload::ALL
            .into_iter()
            .find(|w| w.name() == name)
            .unwrap_or_else(|| panic!("unknown workload {name:?}"))
    }

    fn calls_per_thread(self) -> usize {
        match self {
            Workload::UpdateOrCreate => 5,
            Workload::GetOrCreate | Workload::GetOrCreateInTransaction => 10,
            Workload::FirstUseInTransaction | Workload::Set => 1,
        }
    }
}

/// What the callers of a race got.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Report {
    calls: usize,
    ok: usize,
    created: usize,
    /// Errors returned to callers, by kind.
    errors: HashMap<String, usize>,
    /// The ids callers got, by key (a counter's key, a model's label).
    ids: BTreeMap<String, BTreeSet<i64>>,
}

impl Report {
    fn merge(&mut self, other: Report) {
        self.calls += other.calls;
        self.ok += other.ok;
        self.created += other.created;
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        for (key, ids) in other.ids {
            self.ids.entry(key).or_default().extend(ids);
        }
    }

    fn error_count(&self) -> usize {
        self.errors.values().sum()
    }
}

// --- the workers ------------------------------------------------------------------------

/// A connection that opens the caller's own transaction the way the library documents it:
/// `BEGIN IMMEDIATE` on SQLite (a deferred transaction that reads then writes cannot wait
/// for the lock), an ordinary transaction on the servers.
trait CallerConnection: TestConnection
where
    Self::Backend: SupportedBackend,
{
    fn caller_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> contenttypes::Result<T>,
    ) -> contenttypes::Result<T>;
}

#[cfg(feature = "sqlite")]
impl CallerConnection for diesel::SqliteConnection {
    fn caller_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> contenttypes::Result<T>,
    ) -> contenttypes::Result<T> {
        self.immediate_transaction(f)
    }
}

#[cfg(feature = "postgres")]
impl CallerConnection for diesel::PgConnection {
    fn caller_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> contenttypes::Result<T>,
    ) -> contenttypes::Result<T> {
        self.transaction(f)
    }
}

#[cfg(feature = "mysql")]
impl CallerConnection for diesel::MysqlConnection {
    fn caller_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> contenttypes::Result<T>,
    ) -> contenttypes::Result<T> {
        self.transaction(f)
    }
}

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

/// What a caller holds before the start: the parent object, its own rows for `set()`.
struct Caller {
    index: usize,
    board: Option<Scoreboard>,
    target: Option<Animal>,
    rows: Vec<TaggedItem>,
}

/// One worker process: its threads connect, load what they need, wait for the parent's
/// go, then all call at once.
fn work<C>(workload: Workload)
where
    C: CallerConnection,
    C::Backend: SupportedBackend,
    KeyIs: QueryFragment<C::Backend>,
{
    let url: String = procs::param("URL");
    let process: usize = procs::param("PROCESS");
    let threads: usize = procs::param("THREADS");
    let parent: i64 = procs::param("PARENT");
    let ready = Barrier::new(threads + 1);
    let go = Barrier::new(threads + 1);
    let report = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (url, ready, go) = (&url, &ready, &go);
                s.spawn(move || {
                    let mut conn: C = procs::connect(url);
                    let cts = ContentTypes::new();
                    let mut caller = prepare(
                        workload,
                        &mut cts.using(&mut conn),
                        process * threads + t,
                        parent,
                    );
                    ready.wait();
                    go.wait();
                    let mut report = Report::default();
                    for call in 0..workload.calls_per_thread() {
                        report.calls += 1;
                        match one_call(workload, &mut conn, &cts, &mut caller, call) {
                            Ok((ids, created)) => {
                                report.ok += 1;
                                report.created += usize::from(created);
                                for (key, id) in ids {
                                    report.ids.entry(key).or_default().insert(id);
                                }
                            }
                            Err(e) => *report.errors.entry(procs::error_kind(&e)).or_default() += 1,
                        }
                    }
                    report
                })
            })
            .collect();
        ready.wait();
        procs::signal("ready", "");
        procs::wait_go();
        go.wait();
        let mut report = Report::default();
        for handle in handles {
            report.merge(handle.join().expect("a caller thread panicked"));
        }
        report
    });
    procs::signal("report", &serde_json::to_string(&report).expect("json"));
}

/// Loads the caller's parent and rows (reads that touch no content type: the managers stay
/// cold).
fn prepare<D: Db>(workload: Workload, db: &mut D, index: usize, parent: i64) -> Caller {
    let mut caller = Caller {
        index,
        board: None,
        target: None,
        rows: Vec::new(),
    };
    if workload == Workload::Set {
        caller.target = Animal::get(db, &parent).expect("load the target");
        let prefix = format!("set{index}_");
        caller.rows = TaggedItem::all(db)
            .expect("load the caller's rows")
            .into_iter()
            .filter(|r| r.tag.starts_with(&prefix))
            .collect();
        assert_eq!(caller.rows.len(), SET_ROWS, "the rows of caller {index}");
    } else {
        caller.board = Scoreboard::get(db, &parent).expect("load the scoreboard");
    }
    caller
}

type Got = (Vec<(String, i64)>, bool);

fn one_call<C>(
    workload: Workload,
    conn: &mut C,
    cts: &ContentTypes,
    caller: &mut Caller,
    call: usize,
) -> contenttypes::Result<Got>
where
    C: CallerConnection,
    C::Backend: SupportedBackend,
    KeyIs: QueryFragment<C::Backend>,
{
    let key = KEYS[(caller.index + call) % KEYS.len()];
    match workload {
        Workload::UpdateOrCreate => {
            let board = caller.board.as_ref().expect("a scoreboard");
            let (row, created) = board.counters().update_or_create(
                &mut cts.using(conn),
                races_counter::key.eq(HITS.to_string()),
                |c| c.value += 1,
                counter(HITS, 1),
            )?;
            Ok((vec![(HITS.into(), row.id)], created))
        }
        Workload::GetOrCreate => {
            let board = caller.board.as_ref().expect("a scoreboard");
            let (row, created) = board.counters().get_or_create(
                &mut cts.using(conn),
                races_counter::key.eq(key.to_string()),
                counter(key, 0),
            )?;
            Ok((vec![(key.into(), row.id)], created))
        }
        Workload::GetOrCreateInTransaction => {
            let board = caller.board.as_ref().expect("a scoreboard");
            conn.caller_transaction(|conn| {
                let (row, created) = board.counters().get_or_create(
                    &mut cts.using(conn),
                    races_counter::key.eq(key.to_string()),
                    counter(key, 0),
                )?;
                Ok((vec![(key.into(), row.id)], created))
            })
        }
        Workload::FirstUseInTransaction => {
            let board = caller.board.as_ref().expect("a scoreboard");
            let index = caller.index;
            conn.caller_transaction(|conn| {
                let db = &mut cts.using(conn);
                let models = first_use_models();
                // Half the callers ask model by model, half all at once.
                let types = if index.is_multiple_of(2) {
                    (0..models.len())
                        .map(|i| content_type_of(db, i))
                        .collect::<contenttypes::Result<Vec<_>>>()?
                } else {
                    ContentType::for_models(db, &models)?
                };
                // And the caller's own write, which needs its parent's content type.
                board
                    .counters()
                    .create(db, counter(&format!("caller{index}"), 0))?;
                let ids = types
                    .iter()
                    .map(|ct| (format!("{}.{}", ct.app_label, ct.model), i64::from(ct.id)))
                    .collect();
                Ok((ids, false))
            })
        }
        Workload::Set => {
            let target = caller.target.as_ref().expect("a target");
            target
                .tags()
                .set(&mut cts.using(conn), caller.rows.iter_mut())?;
            Ok((Vec::new(), false))
        }
    }
}

/// `ContentType::for_model` of the `i`-th of [`first_use_models`].
fn content_type_of<D: Db>(db: &mut D, i: usize) -> contenttypes::Result<ContentType> {
    match i {
        0 => ContentType::for_model::<Scoreboard>(db),
        1 => ContentType::for_model::<Counter>(db),
        2 => ContentType::for_model::<Animal>(db),
        3 => ContentType::for_model::<Vegetable>(db),
        4 => ContentType::for_model::<Mineral>(db),
        _ => ContentType::for_model::<TaggedItem>(db),
    }
}

fn counter(key: &str, value: i64) -> NewCounter {
    NewCounter {
        key: key.into(),
        value,
        ..Default::default()
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
    assert_eq!(
        rows.len(),
        first_use_models().len(),
        "no other row: {rows:?}"
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
            content_type_id: ct,
            object_id: pool.id,
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
}
