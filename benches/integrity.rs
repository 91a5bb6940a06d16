//! What database integrity (`#[generic_foreign_key(db_constraint)]`, triggers) costs: the
//! same schema with and without the triggers, in one database, in one run, interleaved.
//!
//! ```text
//! cargo bench --bench integrity                                  # SQLite (a file in the target dir)
//! PG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ct_bench \
//! MYSQL_DATABASE_URL=mysql://root@127.0.0.1:3306/ct_bench \
//!   cargo bench --bench integrity --features postgres,mysql     # and the servers
//! ```
//!
//! Two copies of one schema (an article and a tagged item with a generic foreign key), one
//! plain (`plain_*`) and one enforced (`enforced_*`, the same models with `db_constraint`).
//! Per round, untimed: both copies emptied and filled with 2,000 articles. Timed:
//! - **bulk attach**: 20,000 tagged items (10 per article), in multi-row `INSERT`s of 500
//!   rows, the same SQL text on both copies (the enforced copy checks each row's target);
//! - **cascade delete, raw SQL**: deleting the 2,000 articles and their 20,000 items. Plain:
//!   what a program must write without triggers (`DELETE` of the items, then of the
//!   articles); enforced: one `DELETE` of the articles, the triggers delete the items;
//! - **cascade delete, through the framework**: `Article::filter(..).delete(db)` on both (the
//!   framework deletes the items itself first; the enforced copy's triggers then find none).
//!
//! Each figure is the median of 7 rounds, the two copies alternating which goes first.
//! Results in docs/benchmarks.md.

use std::error::Error;
use std::time::{Duration, Instant};

use contenttypes::prelude::*;
use contenttypes::SupportedBackend;
use diesel::connection::{LoadConnection, SimpleConnection};
use diesel::Connection;

type BoxError = Box<dyn Error>;

const ARTICLES: usize = 2_000;
const ITEMS_PER_ARTICLE: usize = 10;
const BATCH: usize = 500;
const ROUNDS: usize = 7;

mod plain {
    use contenttypes::prelude::*;

    #[derive(Model, Clone, Debug, PartialEq)]
    #[model(app_label = "plain")]
    pub struct Article {
        pub id: i64,
    }

    #[derive(Model, Clone, Debug, PartialEq)]
    #[model(app_label = "plain")]
    pub struct TaggedItem {
        pub id: i64,
        pub content_type_id: i32,
        pub object_id: i64,
        #[generic_foreign_key]
        pub content_object: GenericForeignKey,
    }
}

mod enforced {
    use contenttypes::prelude::*;

    #[derive(Model, Clone, Debug, PartialEq)]
    #[model(app_label = "enforced")]
    pub struct Article {
        pub id: i64,
    }

    #[derive(Model, Clone, Debug, PartialEq)]
    #[model(app_label = "enforced")]
    pub struct TaggedItem {
        pub id: i64,
        pub content_type_id: i32,
        pub object_id: i64,
        #[generic_foreign_key(db_constraint)]
        pub content_object: GenericForeignKey,
    }
}

/// One copy of the schema.
#[derive(Clone, Copy)]
struct Schema {
    name: &'static str,
    article: &'static str,
    item: &'static str,
    models: [&'static contenttypes::ir::ModelDef; 2],
}

const PLAIN: Schema = Schema {
    name: "plain",
    article: "plain_article",
    item: "plain_taggeditem",
    models: [plain::Article::DEF, plain::TaggedItem::DEF],
};

const ENFORCED: Schema = Schema {
    name: "enforced",
    article: "enforced_article",
    item: "enforced_taggeditem",
    models: [enforced::Article::DEF, enforced::TaggedItem::DEF],
};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Empties a copy and inserts the articles (untimed).
fn reset<C>(conn: &mut C, copy: Schema) -> Result<(), BoxError>
where
    C: Connection + LoadConnection + SimpleConnection,
    C::Backend: SupportedBackend,
{
    conn.batch_execute(&format!("DELETE FROM {}", copy.item))?;
    conn.batch_execute(&format!("DELETE FROM {}", copy.article))?;
    for chunk in (1..=ARTICLES).collect::<Vec<_>>().chunks(BATCH) {
        let values: Vec<String> = chunk.iter().map(|id| format!("({id})")).collect();
        conn.batch_execute(&format!(
            "INSERT INTO {} (id) VALUES {}",
            copy.article,
            values.join(", ")
        ))?;
    }
    Ok(())
}

fn attach<C>(conn: &mut C, copy: Schema, ct: i32) -> Result<Duration, BoxError>
where
    C: Connection + SimpleConnection,
{
    let rows: Vec<String> = (1..=ARTICLES)
        .flat_map(|id| (0..ITEMS_PER_ARTICLE).map(move |_| format!("({ct}, {id})")))
        .collect();
    let statements: Vec<String> = rows
        .chunks(BATCH)
        .map(|c| {
            format!(
                "INSERT INTO {} (content_type_id, object_id) VALUES {}",
                copy.item,
                c.join(", ")
            )
        })
        .collect();
    let start = Instant::now();
    conn.transaction(|conn| {
        for s in &statements {
            conn.batch_execute(s)?;
        }
        diesel::QueryResult::Ok(())
    })?;
    Ok(start.elapsed())
}

fn raw_delete<C>(conn: &mut C, copy: Schema, ct: i32) -> Result<Duration, BoxError>
where
    C: Connection + SimpleConnection,
{
    let start = Instant::now();
    conn.transaction(|conn| {
        if copy.name == "plain" {
            conn.batch_execute(&format!(
                "DELETE FROM {} WHERE content_type_id = {ct} AND object_id IN (SELECT id FROM {})",
                copy.item, copy.article
            ))?;
        }
        conn.batch_execute(&format!("DELETE FROM {}", copy.article))
    })?;
    Ok(start.elapsed())
}

fn framework_delete<C>(
    conn: &mut C,
    cts: &contenttypes::ContentTypes,
    copy: Schema,
) -> Result<Duration, BoxError>
where
    C: contenttypes::conn::SyncConn,
{
    let conn = &mut cts.using(conn);
    let start = Instant::now();
    let deleted = if copy.name == "plain" {
        plain::Article::filter(contenttypes::NoFilter).delete(conn)?
    } else {
        enforced::Article::filter(contenttypes::NoFilter).delete(conn)?
    };
    let elapsed = start.elapsed();
    assert_eq!(deleted.total, ARTICLES * (ITEMS_PER_ARTICLE + 1));
    Ok(elapsed)
}

fn bench<C>(conn: &mut C, backend: &str) -> Result<(), BoxError>
where
    C: Connection<Backend = <C as contenttypes::Conn>::Backend>
        + LoadConnection
        + SimpleConnection
        + contenttypes::conn::SyncConn,
{
    let all: Vec<&'static contenttypes::ir::ModelDef> = PLAIN
        .models
        .iter()
        .chain(ENFORCED.models.iter())
        .copied()
        .collect();
    contenttypes::schema::drop_tables_for(conn, &all)?;
    contenttypes::schema::create_tables_for(conn, &PLAIN.models)?;
    contenttypes::schema::create_tables_for(conn, &ENFORCED.models)?;
    // A cache of this database's content types (each backend's ids are its own).
    let cache = contenttypes::ContentTypes::new();
    let cts = [
        ContentType::for_model::<plain::Article>(&mut cache.using(conn))?.id,
        ContentType::for_model::<enforced::Article>(&mut cache.using(conn))?.id,
    ];
    let copies = [PLAIN, ENFORCED];
    let mut figures: [[Vec<Duration>; 3]; 2] = Default::default();
    for round in 0..ROUNDS {
        for i in 0..2 {
            // Alternate which copy goes first.
            let which = (i + round) % 2;
            let (copy, ct) = (copies[which], cts[which]);
            reset(conn, copy)?;
            figures[which][0].push(attach(conn, copy, ct)?);
            figures[which][1].push(raw_delete(conn, copy, ct)?);
            reset(conn, copy)?;
            attach(conn, copy, ct)?;
            figures[which][2].push(framework_delete(conn, &cache, copy)?);
        }
    }
    println!(
        "\n{backend}: {ARTICLES} articles, {} tagged items, median of {ROUNDS} rounds",
        ARTICLES * ITEMS_PER_ARTICLE
    );
    println!(
        "{:<40} {:>12} {:>12} {:>9}",
        "workload", "plain", "triggers", "ratio"
    );
    for (w, name) in [
        "bulk attach (INSERT x 500 rows)",
        "cascade delete, raw SQL",
        "cascade delete, through the framework",
    ]
    .iter()
    .enumerate()
    {
        let p = median(figures[0][w].clone());
        let e = median(figures[1][w].clone());
        println!(
            "{name:<40} {:>10.1}ms {:>10.1}ms {:>8.2}x",
            p.as_secs_f64() * 1e3,
            e.as_secs_f64() * 1e3,
            e.as_secs_f64() / p.as_secs_f64()
        );
    }
    contenttypes::schema::drop_tables_for(conn, &all)?;
    Ok(())
}

fn main() -> Result<(), BoxError> {
    #[cfg(feature = "sqlite")]
    {
        let dir = std::env::temp_dir().join(format!("ct-integrity-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut conn =
            diesel::SqliteConnection::establish(&dir.join("bench.db").to_string_lossy())?;
        contenttypes::sqlite::configure(&mut conn)?;
        bench(&mut conn, "SQLite")?;
        std::fs::remove_dir_all(&dir)?;
    }
    #[cfg(feature = "postgres")]
    if let Ok(url) = std::env::var("PG_DATABASE_URL") {
        bench(&mut diesel::PgConnection::establish(&url)?, "PostgreSQL")?;
    }
    #[cfg(feature = "mysql")]
    if let Ok(url) = std::env::var("MYSQL_DATABASE_URL") {
        bench(&mut diesel::MysqlConnection::establish(&url)?, "MariaDB")?;
    }
    Ok(())
}
