//! The worker side of the races: a worker process's threads connect, load what they need,
//! wait for the parent's go, then all call at once, and the process reports what they got.

use std::sync::Barrier;

use contenttypes::prelude::*;
use contenttypes::SupportedBackend;
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;

use super::*;
use crate::common::models::*;
use crate::common::procs;
use crate::common::TestConnection;

/// A connection that opens the caller's own transaction the way the library documents it:
/// `BEGIN IMMEDIATE` on SQLite (a deferred transaction that reads then writes cannot wait
/// for the lock), an ordinary transaction on the servers.
pub trait CallerConnection: TestConnection
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

/// What a caller holds before the start: the parent object, its own rows for `set()`.
struct Caller {
    index: usize,
    board: Option<Scoreboard>,
    target: Option<Animal>,
    rows: Vec<TaggedItem>,
}

/// One worker process: its threads connect, load what they need, wait for the parent's
/// go, then all call at once.
pub fn work<C>(workload: Workload)
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
                    let mut caller =
                        prepare(workload, &mut conn.db(&cts), process * threads + t, parent);
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
fn prepare<D: Db<Mode = SyncMode>>(
    workload: Workload,
    db: &mut D,
    index: usize,
    parent: i64,
) -> Caller {
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
            let (row, created) = board.counters().modify_or_create(
                &mut conn.db(cts),
                (races_counter::key,),
                counter(HITS, 1),
                |c| c.value += 1,
            )?;
            Ok((vec![(HITS.into(), row.id)], created))
        }
        Workload::GetOrCreate => {
            let board = caller.board.as_ref().expect("a scoreboard");
            let (row, created) = board.counters().get_or_create_by(
                &mut conn.db(cts),
                (races_counter::key,),
                counter(key, 0),
            )?;
            Ok((vec![(key.into(), row.id)], created))
        }
        Workload::GetOrCreateInTransaction => {
            let board = caller.board.as_ref().expect("a scoreboard");
            conn.caller_transaction(|conn| {
                let (row, created) = board.counters().get_or_create_by(
                    &mut conn.db(cts),
                    (races_counter::key,),
                    counter(key, 0),
                )?;
                Ok((vec![(key.into(), row.id)], created))
            })
        }
        Workload::FirstUseInTransaction => {
            let board = caller.board.as_ref().expect("a scoreboard");
            let index = caller.index;
            conn.caller_transaction(|conn| {
                let db = &mut conn.db(cts);
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
        Workload::AddTags => {
            // Every caller adds the same new names, each in its own order, to one object.
            let board = caller.board.as_ref().expect("a scoreboard");
            let mut names = KEYS.to_vec();
            names.rotate_left(caller.index % KEYS.len());
            let tags = board.tags().add(&mut conn.db(cts), names)?;
            Ok((tags.into_iter().map(|t| (t.name, t.id)).collect(), false))
        }
        Workload::Set => {
            let target = caller.target.as_ref().expect("a target");
            target
                .tags()
                .set(&mut conn.db(cts), caller.rows.iter_mut())?;
            Ok((Vec::new(), false))
        }
    }
}

/// `ContentType::for_model` of the `i`-th of [`first_use_models`].
fn content_type_of<D: Db<Mode = SyncMode>>(
    db: &mut D,
    i: usize,
) -> contenttypes::Result<ContentType> {
    match i {
        0 => ContentType::for_model::<Scoreboard>(db),
        1 => ContentType::for_model::<Counter>(db),
        2 => ContentType::for_model::<Animal>(db),
        3 => ContentType::for_model::<Vegetable>(db),
        4 => ContentType::for_model::<Mineral>(db),
        _ => ContentType::for_model::<TaggedItem>(db),
    }
}

fn counter(key: &str, value: i64) -> impl FnOnce(Target<i64>) -> NewCounter {
    let key = key.to_string();
    move |content_object| NewCounter {
        key,
        value,
        content_object,
    }
}
