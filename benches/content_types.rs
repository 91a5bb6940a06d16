//! How long a cached content-type lookup takes (the hot path every generic relation read
//! goes through): `cargo bench --bench content_types`. No query is made; the numbers are
//! nanoseconds per call, next to a plain `HashMap` lookup of the same key for scale.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use contenttypes::prelude::*;
use diesel::Connection;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
}

const ITERATIONS: u32 = 2_000_000;

fn measure(name: &str, mut f: impl FnMut()) {
    for _ in 0..ITERATIONS / 10 {
        f();
    }
    let mut best = f64::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..ITERATIONS {
            f();
        }
        best = best.min(start.elapsed().as_nanos() as f64 / f64::from(ITERATIONS));
    }
    println!("{name:<44} {best:>8.1} ns/call (best of 5 x {ITERATIONS})");
}

fn main() {
    let mut conn = diesel::SqliteConnection::establish(":memory:").expect("SQLite");
    contenttypes::schema::create_tables(&mut conn).expect("tables");
    let log = contenttypes::testing::QueryLog::attach(&mut conn);
    let ct = ContentType::for_model::<Article>(&mut conn).expect("content type");
    log.reset();

    measure("ContentType::for_model::<Article> (cached)", || {
        black_box(ContentType::for_model::<Article>(black_box(&mut conn)).unwrap());
    });
    measure("ContentType::id_for_model::<Article> (cached)", || {
        black_box(ContentType::id_for_model::<Article>(black_box(&mut conn)).unwrap());
    });
    measure("ContentType::for_id (cached)", || {
        black_box(ContentType::for_id(black_box(&mut conn), black_box(ct.id)).unwrap());
    });
    measure("ContentType::by_natural_key (cached)", || {
        black_box(ContentType::by_natural_key(black_box(&mut conn), "blog", "article").unwrap());
    });
    let map: HashMap<(String, String), i32> =
        [(("blog".to_string(), "article".to_string()), ct.id)].into();
    let key = ("blog".to_string(), "article".to_string());
    measure("baseline: HashMap<(String, String), i32>::get", || {
        black_box(map.get(black_box(&key)));
    });
    let by_address: HashMap<usize, i32> = [(Article::DEF as *const _ as usize, ct.id)].into();
    measure("baseline: HashMap<usize, i32>::get", || {
        black_box(by_address.get(black_box(&(Article::DEF as *const _ as usize))));
    });
    assert_eq!(log.count(), 0, "a cached lookup makes no query");
    println!("queries made by the cached lookups: {}", log.count());
}
