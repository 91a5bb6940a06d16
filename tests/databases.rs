//! `Databases` (feature `r2d2`) on every backend: named databases of r2d2 pools, each with
//! its own content-type manager, so two tenants' content-type ids differ and never mix;
//! replicas picked in turn by the default router, or as a router says; reads to the picked
//! replica and nothing but `SELECT`s there, writes to the primary; pool and name errors.

mod common;

use std::time::Duration;

use common::models::*;
use common::replica::{assert_only_selects, copy_database, Statements};
use common::{backend_tests, per_backend, TestConnection, TestDb};
use contenttypes::databases::{ConnectionPool, Database, Databases};
use contenttypes::prelude::*;
use contenttypes::router::{ReadFrom, Router};
use contenttypes::testing::QueryLog;
use contenttypes::{create_content_types, django_content_type, Error, Registry};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, R2D2Connection};

/// Logs the statements of a pool's connections into one log (SQLite's busy timeout set
/// first, unlogged): every statement ([`Statements`], for replicas), or the queries Django
/// counts ([`QueryLog`], transaction control left out).
#[derive(Clone, Debug)]
enum LogTo {
    Every(Statements),
    Queries(QueryLog),
}

impl<C: TestConnection + contenttypes::conn::SyncConn> CustomizeConnection<C, diesel::r2d2::Error>
    for LogTo
where
    <C as Connection>::Backend: contenttypes::SupportedBackend,
{
    fn on_acquire(&self, conn: &mut C) -> Result<(), diesel::r2d2::Error> {
        if C::DIALECT == contenttypes::Dialect::Sqlite {
            conn.batch_execute("PRAGMA busy_timeout = 10000")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        match self {
            LogTo::Every(log) => conn.set_instrumentation(log.clone()),
            LogTo::Queries(log) => log.record(conn),
        }
        Ok(())
    }
}

/// A pool of at most 2 connections to `db`'s database, logging into `log`.
fn pool<C>(db: &TestDb<C>, log: LogTo) -> ConnectionPool<C>
where
    C: TestConnection + contenttypes::conn::SyncConn + R2D2Connection + Send,
    <C as Connection>::Backend: contenttypes::SupportedBackend,
{
    Pool::builder()
        .max_size(2)
        .min_idle(Some(1))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(log))
        .build(ConnectionManager::<C>::new(
            db.url().expect("a shared database"),
        ))
        .expect("a pool")
}

/// Always the same answer.
struct Fixed(ReadFrom);

impl Router for Fixed {
    fn db_for_read(&self, _database: &str, _replicas: usize) -> ReadFrom {
        self.0
    }
}

/// The id of `(app_label, model)`'s row, read on `conn`.
macro_rules! row_id {
    ($conn:expr, $app_label:expr, $model:expr) => {
        django_content_type::table
            .filter(
                django_content_type::app_label
                    .eq($app_label)
                    .and(django_content_type::model.eq($model)),
            )
            .select(django_content_type::id)
            .get_result::<i32>($conn)
            .expect("the content type's row")
    };
}

backend_tests! {
    sync_only;
    fixture = ();

    /// Two tenants, one database each: their content-type ids differ (tenant B's database
    /// had other rows first), each is its own database's row, objects point at their own
    /// tenant's ids, and each database's cache holds its own.
    fn tenants_have_their_own_content_type_ids(_t) {
        let (mut a, mut b) = (TestDb::<Conn>::shared(), TestDb::<Conn>::shared());
        for model in ["one", "two", "three"] {
            diesel::insert_into(django_content_type::table)
                .values((django_content_type::app_label.eq("legacy"), django_content_type::model.eq(model)))
                .execute(&mut b.conn)
                .unwrap();
        }
        let (log_a, log_b) = (QueryLog::default(), QueryLog::default());
        let databases = Databases::new()
            .add("tenant_a", Database::new(pool(&a, LogTo::Queries(log_a.clone()))))
            .add("tenant_b", Database::new(pool(&b, LogTo::Queries(log_b.clone()))));
        assert_eq!(databases.names().collect::<Vec<_>>(), ["tenant_a", "tenant_b"]);
        let models: Vec<_> = Registry::global().unwrap().models().map(|r| r.def).collect();
        let mut on_a = databases.get("tenant_a").unwrap();
        let mut on_b = databases.get("tenant_b").unwrap();
        assert_eq!((on_a.replica_index(), on_b.replica_index()), (None, None));
        let types_a = ContentType::for_models(&mut on_a, &models).unwrap();
        let types_b = ContentType::for_models(&mut on_b, &models).unwrap();
        for (x, y) in types_a.iter().zip(&types_b) {
            assert_eq!(x.natural_key(), y.natural_key());
            assert_ne!(x.id, y.id, "{:?} has one id in both tenants", x.natural_key());
        }
        let id_a = ContentType::id_for_model::<Animal>(&mut on_a).unwrap();
        let id_b = ContentType::id_for_model::<Animal>(&mut on_b).unwrap();
        assert_eq!(id_a, row_id!(&mut a.conn, "generic_relations", "animal"));
        assert_eq!(id_b, row_id!(&mut b.conn, "generic_relations", "animal"));

        // Objects point at their own tenant's content types.
        let lion_a = animal(&mut on_a, "Lion");
        let lion_b = animal(&mut on_b, "Lion");
        let item_a = lion_a.tags().create(&mut on_a, tag("a")).unwrap();
        let item_b = lion_b.tags().create(&mut on_b, tag("b")).unwrap();
        assert_eq!((item_a.content_type_id, item_b.content_type_id), (id_a, id_b));
        let found = item_b.content_object(&mut on_b).unwrap().expect("tenant B's lion");
        assert_eq!(found.downcast_ref::<Animal>().unwrap(), &lion_b);
        assert_eq!(lion_b.tags().all(&mut on_b).unwrap(), [item_b]);

        // The caches are per database: warm now, each answers with its own id, no query.
        drop((on_a, on_b));
        let cached = |name: &str| databases.database(name).unwrap().content_types().cached_id_of(Animal::DEF);
        assert_eq!((cached("tenant_a"), cached("tenant_b")), (Some(id_a), Some(id_b)));
        let (mut on_a, mut on_b) = (databases.get("tenant_a").unwrap(), databases.get("tenant_b").unwrap());
        log_a.reset();
        log_b.reset();
        assert_eq!(ContentType::for_model::<Animal>(&mut on_b).unwrap().id, id_b);
        assert_eq!(ContentType::for_model::<Animal>(&mut on_a).unwrap().id, id_a);
        assert_eq!((log_a.count(), log_b.count()), (0, 0));
        // Tenant B's id of `Animal` is another model in tenant A, if any.
        if let Ok(other) = ContentType::for_id(&mut on_a, id_b) {
            assert_ne!(other.natural_key(), ("generic_relations", "animal"));
        }
    }

    /// A database with two replicas: each checkout reads from the next one (round robin),
    /// writes go to the primary, the replicas lag and receive nothing but SELECTs;
    /// `get_primary` reads the primary.
    fn reads_go_to_the_replicas_in_turn(_t) {
        let mut primary = TestDb::<Conn>::shared();
        let (r0, r1) = (TestDb::<Conn>::shared(), TestDb::<Conn>::shared());
        create_content_types(&mut primary.db()).unwrap();
        animal(&mut primary.db(), "Lion");
        for replica in [&r0, &r1] {
            copy_database::<Conn>(primary.cleanup.as_ref().unwrap(), replica.cleanup.as_ref().unwrap());
        }
        let (lp, l0, l1) = (QueryLog::default(), Statements::default(), Statements::default());
        let databases = Databases::new().add(
            "default",
            Database::new(pool(&primary, LogTo::Queries(lp.clone())))
                .replica(pool(&r0, LogTo::Every(l0.clone())))
                .replica(pool(&r1, LogTo::Every(l1.clone()))),
        );
        let mut first = databases.get("default").unwrap();
        let mut second = databases.get("default").unwrap();
        assert_eq!((first.replica_index(), second.replica_index()), (Some(0), Some(1)));
        lp.reset();
        l0.reset();
        l1.reset();
        assert_eq!(Animal::count(&mut first).unwrap(), 1);
        assert_eq!((lp.count(), l0.count(), l1.count()), (0, 1, 0));
        // A cold cache: the content type is read on the second replica, then the rows.
        let lion = Animal::all(&mut second).unwrap().remove(0);
        assert_eq!(lion.tags().count(&mut second).unwrap(), 0);
        assert_eq!((lp.count(), l0.count(), l1.count()), (0, 1, 3));
        // Writes: the primary; the replicas lag.
        let tiger = animal(&mut first, "Tiger");
        tiger.tags().create(&mut second, tag("striped")).unwrap();
        assert_eq!(lp.count(), 2 * per_backend::<Conn>(1, 2));
        assert_eq!(Animal::count(&mut first).unwrap(), 1, "replica 0 lags");
        assert_eq!(tiger.tags().count(&mut second).unwrap(), 0, "replica 1 lags");
        assert_eq!(Animal::count(first.connection()).unwrap(), 2, "the primary");
        let in_transaction = first.transaction(Animal::count).unwrap();
        assert_eq!(in_transaction, 2, "a transaction reads the primary");
        drop((first, second));
        assert_eq!(databases.get("default").unwrap().replica_index(), Some(0), "round robin");
        let mut on_primary = databases.get_primary("default").unwrap();
        assert_eq!(on_primary.replica_index(), None);
        assert_eq!(Animal::count(&mut on_primary).unwrap(), 2);
        assert_eq!(assert_only_selects(&l0), 2);
        assert_eq!(assert_only_selects(&l1), 4);
    }

    /// A router decides where a checkout's reads go: the primary here; an index past the
    /// replicas, an unknown name and a pool that times out are errors, not panics.
    fn a_router_decides_and_errors_are_typed(_t) {
        let mut primary = TestDb::<Conn>::shared();
        let replica = TestDb::<Conn>::shared();
        animal(&mut primary.db(), "Lion");
        let (lp, lr) = (QueryLog::default(), Statements::default());
        let primary_pool = pool(&primary, LogTo::Queries(lp.clone()));
        let replica_pool = pool(&replica, LogTo::Every(lr.clone()));
        let database = || Database::new(primary_pool.clone()).replica(replica_pool.clone());

        let databases = Databases::new().router(Fixed(ReadFrom::Primary)).add("default", database());
        let mut db = databases.get("default").unwrap();
        assert_eq!(db.replica_index(), None);
        lp.reset();
        assert_eq!(Animal::count(&mut db).unwrap(), 1);
        assert_eq!((lp.count(), lr.count()), (1, 0));
        drop(db);

        let databases = Databases::new().router(Fixed(ReadFrom::Replica(1))).add("default", database());
        assert!(matches!(databases.get("default"), Err(Error::InvalidArgument(m)) if m.contains("replica 1")));
        assert!(matches!(databases.get("other"), Err(Error::UnknownDatabase { name }) if name == "other"));

        // The pool's one connection held: a second checkout times out.
        let timing_out = Pool::builder()
            .max_size(1)
            .connection_timeout(Duration::from_millis(200))
            .build(ConnectionManager::<Conn>::new(primary.url().unwrap()))
            .unwrap();
        let databases = Databases::new().add("default", Database::new(timing_out));
        let held = databases.get("default").unwrap();
        let error = match databases.get("default") {
            Err(error) => error,
            Ok(_) => panic!("a pool of one connection gave two"),
        };
        assert!(matches!(&error, Error::Pool { database, .. } if database == "default (primary)"), "{error}");
        assert!(error.to_string().starts_with("no connection from the pool of `default (primary)`"), "{error}");
        drop(held);
        assert_eq!(lr.count(), 0);
    }
}
