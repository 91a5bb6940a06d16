//! The errors a database returns when it aborts a transaction for a reason that goes away on
//! retry (a real deadlock on PostgreSQL and MariaDB, SQLite's "database is locked") read as
//! retryable, and other errors do not. The framework retries its own transactions on these
//! and returns them from inside yours (`Error::is_retryable`).

mod common;

use std::sync::{Arc, Barrier};

use common::models::*;
use common::{backend_tests, TestConnection};
use contenttypes::prelude::*;
use contenttypes::{Dialect, Error, SupportedBackend};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

backend_tests! {
    fn deadlocks_and_busy_databases_are_retryable(t) {
        let shared = common::TestDb::<Conn>::shared();
        let url = shared.url().expect("a shared database").to_string();
        let mut setup = <Conn as TestConnection>::reconnect(&url);
        let (a, b) = (
            Label::insert(&mut setup, NewLabel { name: "a".into() }).unwrap(),
            Label::insert(&mut setup, NewLabel { name: "b".into() }).unwrap(),
        );
        let dialect = <<Conn as diesel::Connection>::Backend as SupportedBackend>::DIALECT;
        let error = if dialect == Dialect::Sqlite {
            // One connection holds the write lock; another, with no busy timeout, asks for it.
            let mut holder = <Conn as TestConnection>::reconnect(&url);
            holder.batch_execute("BEGIN IMMEDIATE").unwrap();
            let mut other = <Conn as TestConnection>::reconnect(&url);
            other.batch_execute("PRAGMA busy_timeout = 0").unwrap();
            let error = Error::from(other.batch_execute("BEGIN IMMEDIATE").unwrap_err());
            holder.batch_execute("ROLLBACK").unwrap();
            error
        } else {
            // Two transactions lock two rows in opposite orders: the server aborts one.
            let barrier = Arc::new(Barrier::new(2));
            let handles: Vec<_> = [(a.id, b.id), (b.id, a.id)]
                .into_iter()
                .map(|(first, second)| {
                    let (url, barrier) = (url.clone(), barrier.clone());
                    // Connected before the thread starts: a refused connection fails the test here
                    // instead of leaving the other threads waiting at the barrier.
                    let mut conn = <Conn as TestConnection>::reconnect(&url);
                    std::thread::spawn(move || -> Result<(), Error> {
                        conn.transaction::<(), Error, _>(|conn| {
                            // Distinct names: the unique index must not make one wait early.
                            diesel::update(labels_label::table.find(first))
                                .set(labels_label::name.eq(format!("first {first}")))
                                .execute(conn)?;
                            barrier.wait();
                            diesel::update(labels_label::table.find(second))
                                .set(labels_label::name.eq(format!("second {second}")))
                                .execute(conn)?;
                            Ok(())
                        })
                    })
                })
                .collect();
            let results: Vec<Result<(), Error>> =
                handles.into_iter().map(|h| h.join().expect("thread")).collect();
            let mut errors: Vec<Error> = results.into_iter().filter_map(Result::err).collect();
            assert_eq!(errors.len(), 1, "one of the two is aborted: {errors:?}");
            errors.remove(0)
        };
        assert!(error.is_retryable(), "{error:?}");
        Label::insert(&mut setup, NewLabel { name: "c".into() }).unwrap();
        let unique = Label::insert(&mut setup, NewLabel { name: "c".into() }).unwrap_err();
        assert!(unique.is_unique_violation() && !unique.is_retryable(), "{unique:?}");
        drop(t);
    }
}
