//! A real PostgreSQL streaming replica (`.ci/pg-replica` makes one on port 5433 and exports
//! `PG_REPLICA_URL`, the replica's copy of `PG_DATABASE_URL`'s database): content types
//! created on the primary are read on the replica once replayed; a cascade delete on the
//! primary is seen there; with replay paused, a content type only the primary has is read
//! there, once, with no duplicate; and nothing but `SELECT`s is ever sent to the replica,
//! which is read-only by nature.
//!
//! PostgreSQL only, by nature; each test runs on `PgConnection` and on diesel-async's
//! `AsyncPgConnection` (every operation awaited, the routing rule the same). With `CI` set, a missing `PG_REPLICA_URL` fails these tests;
//! without it, they say so and pass (a developer's machine may have no replica).

mod common;

#[cfg(feature = "postgres")]
mod streaming {
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    use crate::common::models::*;
    use crate::common::replica::{assert_only_selects, Statements};
    use crate::common::{assert_queries, Raw, TestConnection, TestDb};
    use contenttypes::prelude::*;
    use contenttypes::{create_content_types, django_content_type, ContentTypes};
    use diesel::dsl::sql;
    use diesel::pg::Pg;
    use diesel::prelude::*;
    use diesel::sql_types::{Bool, Text};
    use diesel::PgConnection;

    /// The tests pause the replica's replay, which would stall another test waiting for it:
    /// they run one at a time.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    /// `PG_REPLICA_URL`, or `None` (with a note) when it is unset outside CI.
    fn replica_url() -> Option<String> {
        match std::env::var("PG_REPLICA_URL") {
            Ok(url) => Some(url),
            Err(_) if std::env::var_os("CI").is_some() => panic!(
                "PG_REPLICA_URL is not set, and CI is: `bash .ci/run` (.ci/pg-replica) starts a \
                 streaming replica on port 5433 and sets it"
            ),
            Err(_) => {
                eprintln!("PG_REPLICA_URL is not set: the streaming-replica tests do not run here");
                None
            }
        }
    }

    fn connect(url: &str) -> PgConnection {
        PgConnection::establish(url).unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
    }

    fn text(conn: &mut PgConnection, expression: &str) -> String {
        diesel::select(sql::<Text>(expression))
            .get_result(conn)
            .expect(expression)
    }

    fn flag(conn: &mut PgConnection, expression: &str) -> bool {
        diesel::select(sql::<Bool>(expression))
            .get_result(conn)
            .expect(expression)
    }

    /// A test's primary (a fresh schema with the tables) and the replica's copy of it, on
    /// connections `C` (`PgConnection`, or diesel-async's `AsyncPgConnection` in its sync
    /// wrapper, whose `Db` awaits every operation).
    pub(crate) struct Setup<C: TestConnection<Backend = Pg>> {
        primary: TestDb<C>,
        /// The primary's database, for WAL positions (unlogged).
        primary_admin: PgConnection,
        /// The replica, for replay positions and pausing (unlogged).
        replica_admin: PgConnection,
        /// The replica's copy of the test's schema, every statement logged.
        replica: C,
        replica_log: Statements,
        _serial: std::sync::MutexGuard<'static, ()>,
    }

    impl<C: TestConnection<Backend = Pg>> Setup<C> {
        fn new() -> Option<Setup<C>> {
            let replica_url = replica_url()?;
            let serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
            let primary = TestDb::<C>::new();
            let cleanup = primary.cleanup.as_ref().expect("a PostgreSQL schema");
            let mut primary_admin =
                connect(&std::env::var("PG_DATABASE_URL").expect("PG_DATABASE_URL"));
            let mut replica_admin = connect(&replica_url);
            assert!(
                flag(&mut replica_admin, "pg_is_in_recovery()"),
                "PG_REPLICA_URL is not a replica (not in recovery)"
            );
            assert!(
                !flag(&mut primary_admin, "pg_is_in_recovery()"),
                "PG_DATABASE_URL is not a primary"
            );
            assert_eq!(
                text(&mut replica_admin, "current_database()::text"),
                text(&mut primary_admin, "current_database()::text"),
                "PG_REPLICA_URL must name the replica's copy of PG_DATABASE_URL's database"
            );
            let sep = if replica_url.contains('?') { '&' } else { '?' };
            let mut replica = C::reconnect(&format!(
                "{replica_url}{sep}options=-c%20search_path%3D{}",
                cleanup.name
            ));
            let replica_log = Statements::attach(&mut replica);
            let mut setup = Setup {
                primary,
                primary_admin,
                replica_admin,
                replica,
                replica_log,
                _serial: serial,
            };
            setup.wait_for_replay();
            Some(setup)
        }

        /// Waits until the replica has replayed everything the primary has written so far.
        fn wait_for_replay(&mut self) {
            let target = text(&mut self.primary_admin, "pg_current_wal_lsn()::text");
            let started = Instant::now();
            let caught_up = format!("pg_last_wal_replay_lsn() >= '{target}'::pg_lsn");
            while !flag(&mut self.replica_admin, &caught_up) {
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "the replica did not replay up to {target} in 30 s"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }

        /// The primary and the replica, routed, with the test database's manager.
        fn routed(&mut self) -> C::Routed<'_> {
            C::routed(&mut self.primary.conn, &mut self.replica, &self.primary.cts)
        }
    }

    /// Replay paused on the replica until dropped (also when the test fails).
    struct Paused<'a>(&'a mut PgConnection);

    impl<'a> Paused<'a> {
        fn new(replica_admin: &'a mut PgConnection) -> Self {
            diesel::sql_query("SELECT pg_wal_replay_pause()")
                .execute(replica_admin)
                .expect("pause replay");
            Paused(replica_admin)
        }
    }

    impl Drop for Paused<'_> {
        fn drop(&mut self) {
            if let Err(e) = diesel::sql_query("SELECT pg_wal_replay_resume()").execute(self.0) {
                eprintln!("could not resume the replica's replay: {e}");
            }
        }
    }

    /// Content types created on the primary are read on the replica once it replayed them:
    /// a cold lookup of every model is 1 SELECT there, none on the primary, with the
    /// primary's ids.
    pub(crate) fn content_types_created_on_the_primary_are_read_on_the_replica<
        C: TestConnection<Backend = Pg>,
    >() {
        let Some(mut s) = Setup::<C>::new() else {
            return;
        };
        create_content_types(&mut s.primary.db()).unwrap();
        let models: Vec<_> = contenttypes::Registry::global()
            .unwrap()
            .models()
            .map(|r| r.def)
            .collect();
        let on_primary = ContentType::for_models(&mut s.primary.db(), &models).unwrap();
        s.wait_for_replay();
        s.replica_log.reset();
        s.primary.cts.clear_cache();
        let (log, replica_log) = (s.primary.log(), s.replica_log.clone());
        let db = &mut s.routed();
        let on_replica = assert_queries(&log, 0, || ContentType::for_models(db, &models).unwrap());
        assert_eq!(on_replica, on_primary);
        assert_eq!(assert_only_selects(&replica_log), 1);
    }

    /// Objects written through the routed connection land on the primary and are read on
    /// the replica once replayed; a delete with its generic cascade on the primary is seen
    /// there too.
    pub(crate) fn a_cascade_delete_on_the_primary_is_seen_on_the_replica<
        C: TestConnection<Backend = Pg>,
    >() {
        let Some(mut s) = Setup::<C>::new() else {
            return;
        };
        let log = s.primary.log();
        let lion = {
            let db = &mut s.routed();
            let lion = animal(db, "Lion");
            lion.tags().create(db, tag("yellow")).unwrap();
            lion.tags().create(db, tag("hairy")).unwrap();
            lion
        };
        s.wait_for_replay();
        {
            let db = &mut s.routed();
            assert_queries(&log, 0, || {
                assert_eq!(Animal::all(db).unwrap(), std::slice::from_ref(&lion));
                assert_eq!(lion.tags().count(db).unwrap(), 2);
            });
            let deleted = lion.delete(db).unwrap();
            assert_eq!((deleted.total, deleted.of::<TaggedItem>()), (3, 2));
        }
        s.wait_for_replay();
        let replica_log = s.replica_log.clone();
        let db = &mut s.routed();
        assert_queries(&log, 0, || {
            assert_eq!(Animal::count(db).unwrap(), 0);
            assert_eq!(TaggedItem::count(db).unwrap(), 0);
        });
        assert_eq!(assert_only_selects(&replica_log), 5);
    }

    /// With replay paused, content types created on the primary are not on the replica: a
    /// routed lookup reads the replica (a miss) and then the primary (the row), creates
    /// nothing, and gets the primary's id; by id likewise. Once replay resumes, the replica
    /// answers alone.
    pub(crate) fn with_replay_paused_a_lookup_falls_back_to_the_primary<
        C: TestConnection<Backend = Pg>,
    >() {
        let Some(mut s) = Setup::<C>::new() else {
            return;
        };
        let log = s.primary.log();
        let registered = contenttypes::Registry::global().unwrap().models().count() as i64;
        let (animal_id, vegetable_id) = {
            let paused = Paused::new(&mut s.replica_admin);
            let on_primary = ContentTypes::new();
            let (animal_id, vegetable_id) = {
                let db = &mut s.primary.conn.db(&on_primary);
                let animal_id = ContentType::id_for_model::<Animal>(db).unwrap();
                (
                    animal_id,
                    ContentType::id_for_model::<Vegetable>(db).unwrap(),
                )
            };
            let replica_rows: i64 = django_content_type::table
                .count()
                .get_result(&mut s.replica)
                .unwrap();
            s.replica_log.reset();
            assert_eq!(
                replica_rows, 0,
                "replay is paused: the replica has no content type yet"
            );

            let cts = &s.primary.cts;
            let db = &mut C::routed(&mut s.primary.conn, &mut s.replica, cts);
            let ct = assert_queries(&log, 1, || ContentType::for_model::<Animal>(db).unwrap());
            assert_eq!(ct.id, animal_id);
            assert_eq!(assert_only_selects(&s.replica_log), 1);
            assert_queries(&log, 1, || {
                assert_eq!(
                    ContentType::for_id(db, vegetable_id).unwrap().model,
                    "vegetable"
                )
            });
            assert_eq!(assert_only_selects(&s.replica_log), 1);
            let rows: i64 = django_content_type::table
                .count()
                .get_result(db.raw())
                .unwrap();
            assert_eq!(rows, registered, "no row was created twice");
            drop(paused);
            (animal_id, vegetable_id)
        };
        s.wait_for_replay();
        s.primary.cts.clear_cache();
        let replica_log = s.replica_log.clone();
        let db = &mut s.routed();
        assert_queries(&log, 0, || {
            assert_eq!(ContentType::id_for_model::<Animal>(db).unwrap(), animal_id);
            assert_eq!(
                ContentType::for_id(db, vegetable_id).unwrap().model,
                "vegetable"
            );
        });
        assert_eq!(assert_only_selects(&replica_log), 2);
    }

    /// The replica refuses writes (it is in recovery): the routing is what keeps the
    /// framework's writes off it.
    pub(crate) fn the_replica_is_read_only<C: TestConnection<Backend = Pg>>() {
        let Some(mut s) = Setup::<C>::new() else {
            return;
        };
        let refused = diesel::sql_query("CREATE TABLE written_on_a_replica (id integer)")
            .execute(&mut s.replica_admin)
            .unwrap_err();
        assert!(
            refused.to_string().contains("read-only transaction"),
            "{refused}"
        );
    }
}

/// Each test on `PgConnection` and on diesel-async's `AsyncPgConnection`.
macro_rules! replica_tests {
    ($($name:ident),* $(,)?) => {
        #[cfg(feature = "postgres")]
        mod postgres {
            $( #[test]
            fn $name() {
                super::streaming::$name::<diesel::PgConnection>()
            } )*
        }

        #[cfg(feature = "async-postgres")]
        mod async_postgres {
            $( #[test]
            fn $name() {
                super::streaming::$name::<crate::common::async_conns::AsyncPg>()
            } )*
        }
    };
}

replica_tests!(
    content_types_created_on_the_primary_are_read_on_the_replica,
    a_cascade_delete_on_the_primary_is_seen_on_the_replica,
    with_replay_paused_a_lookup_falls_back_to_the_primary,
    the_replica_is_read_only,
);
