//! Concurrent first use: many threads, each with its own connection and its own cold
//! content-type manager, ask for the same content types at once. Each model gets exactly
//! one row, every thread sees the same id, and nobody gets an error.

mod common;

use std::sync::{Arc, Barrier};

use common::models::*;
use common::{backend_tests, TestConnection};
use contenttypes::prelude::*;
use contenttypes::{django_content_type, Model};
use diesel::prelude::*;

const THREADS: usize = 8;

backend_tests! {
    fn concurrent_first_use_creates_one_row_per_model(t) {
        let shared = common::TestDb::<Conn>::shared();
        let url = shared.url().expect("a shared database").to_string();
        let barrier = Arc::new(Barrier::new(THREADS));
        let defs = [Animal::DEF, Vegetable::DEF, Mineral::DEF, TaggedItem::DEF];
        let handles: Vec<_> = (0..THREADS)
            .map(|i| {
                let (url, barrier) = (url.clone(), barrier.clone());
                // Connected before the thread starts: a refused connection fails the test here
                // instead of leaving the other threads waiting at the barrier.
                let mut conn = <Conn as TestConnection>::reconnect(&url);
                std::thread::spawn(move || {
                    let cts = ContentTypes::new();
                    barrier.wait();
                    // Half the threads ask model by model, half all at once.
                    let ids: Vec<i32> = if i % 2 == 0 {
                        defs.iter().map(|def| {
                            let db = &mut cts.using(&mut conn);
                            match def.model_name.as_ref() {
                                "animal" => ContentType::for_model::<Animal>(db),
                                "vegetable" => ContentType::for_model::<Vegetable>(db),
                                "mineral" => ContentType::for_model::<Mineral>(db),
                                _ => ContentType::for_model::<TaggedItem>(db),
                            }
                            .expect("no error under contention")
                            .id
                        }).collect()
                    } else {
                        ContentType::for_models(&mut cts.using(&mut conn), &defs)
                            .expect("no error under contention")
                            .into_iter()
                            .map(|ct| ct.id)
                            .collect()
                    };
                    ids
                })
            })
            .collect();
        let results: Vec<Vec<i32>> = handles.into_iter().map(|h| h.join().expect("thread")).collect();
        assert!(results.iter().all(|ids| *ids == results[0]), "every thread sees the same ids: {results:?}");
        let mut conn = <Conn as TestConnection>::reconnect(&url);
        let rows: i64 = django_content_type::table.count().get_result(&mut conn).unwrap();
        // A first use creates the rows of every registered model, each once.
        let registered = contenttypes::Registry::global().unwrap().len() as i64;
        assert_eq!(rows, registered, "one row per registered model");
        drop(t);
    }

    /// `insert_many` from many threads at once: every row comes back with its own key (on
    /// MySQL/MariaDB the keys of a multi-row `INSERT` are computed from its first, which is
    /// right only while the server gives a statement consecutive keys).
    fn concurrent_insert_many_returns_each_rows_key(t) {
        let shared = common::TestDb::<Conn>::shared();
        let url = shared.url().expect("a shared database").to_string();
        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|i| {
                let (url, barrier) = (url.clone(), barrier.clone());
                // Connected before the thread starts: a refused connection fails the test here
                // instead of leaving the other threads waiting at the barrier.
                let mut conn = <Conn as TestConnection>::reconnect(&url);
                std::thread::spawn(move || {
                    let new: Vec<NewLabel> =
                        (0..2_000).map(|k| NewLabel { name: format!("t{i}_{k}") }).collect();
                    barrier.wait();
                    Label::insert_many(&mut conn, new).expect("no error under contention")
                })
            })
            .collect();
        let inserted: Vec<Label> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect();
        let mut conn = <Conn as TestConnection>::reconnect(&url);
        let keys: Vec<i64> = inserted.iter().map(|l| l.id).collect();
        let mut stored = Label::get_many(&mut conn, &keys).unwrap();
        let mut returned = inserted;
        stored.sort_by_key(|l| l.id);
        returned.sort_by_key(|l| l.id);
        assert_eq!(stored.len(), THREADS * 2_000);
        assert!(stored == returned, "a returned key names another row");
        drop(t);
    }
}

/// `contenttypes::sqlite::configure` on many new connections at once to a new database file
/// (a pool filling up, processes starting together): every call succeeds and the file ends
/// in WAL mode. Switching to WAL takes the file's exclusive lock, which SQLite refuses at
/// once instead of waiting when others hold a lock; `configure` retries it. SQLite only, by
/// nature.
#[cfg(feature = "sqlite")]
#[test]
fn sqlite_configure_on_many_new_connections_at_once() {
    const THREADS: usize = 16;
    let dir = std::env::temp_dir().join(format!("ct-configure-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for round in 0..10 {
        let path = dir.join(format!("round-{round}.db"));
        let url = path.to_str().unwrap().to_string();
        let barrier = Arc::new(Barrier::new(THREADS));
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let mut conn = SqliteConnection::establish(&url).expect("open the file");
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    contenttypes::sqlite::configure(&mut conn)?;
                    diesel::sql_query("SELECT 1").execute(&mut conn)?;
                    Ok::<_, contenttypes::Error>(conn)
                })
            })
            .collect();
        let mut conns: Vec<SqliteConnection> = threads
            .into_iter()
            .map(|t| {
                t.join()
                    .expect("the thread")
                    .expect("configure under contention")
            })
            .collect();
        let mode: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
            "(SELECT journal_mode FROM pragma_journal_mode)",
        ))
        .get_result(&mut conns[0])
        .unwrap();
        assert_eq!(mode, "wal", "round {round}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
