//! The side-by-side benchmark of issue 10: workloads W1–W8 written with the library's public
//! API and with hand-written Diesel 2.3, on the same database and data, interleaved.
//!
//! ```text
//! cargo bench --bench workloads                                  # SQLite (a file in the target dir)
//! PG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ct_bench \
//! MYSQL_DATABASE_URL=mysql://root@127.0.0.1:3306/ct_bench \
//!   cargo bench --bench workloads --features postgres,mysql      # and the servers
//! WORKLOADS_SCALE=10 cargo bench --bench workloads               # 10x the data (0.1: a smoke run)
//! ```
//!
//! The dataset (3 models x 10,000 rows, 200 tags, 150,000 tagged items at scale 1) is
//! generated untimed, deterministically. Per workload: one counted round (statements per
//! side, with `QueryLog`, and a check that both sides return the same value), one warm-up
//! round, then N timed rounds alternating which side goes first; writes are undone between
//! rounds, untimed. The table goes to stdout and to `<target>/workloads-<backend>.md`.
//! See docs/benchmarks.md.

use std::error::Error;
use std::fmt::Debug;
use std::time::{Duration, Instant};

use contenttypes::prelude::*;
use diesel::connection::Instrumentation;
use diesel::Connection;

mod dataset;

type BoxError = Box<dyn Error>;

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "workloads")]
pub struct Tag {
    pub id: i64,
    #[model(unique, max_length = 50)]
    pub name: String,
}

/// The through model, as in the walkthrough: a foreign key to `Tag` and a generic foreign key
/// to an article, a video or a photo.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "workloads", unique(tag_id, content_type_id, object_id))]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(ct_field = content_type_id, fk_field = object_id, targets(Article, Video, Photo))]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "workloads")]
pub struct Article {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    #[generic_relation(related_query_name = "article")]
    pub tags: GenericRelation<TaggedItem>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "workloads")]
pub struct Video {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub seconds: i32,
    #[generic_relation(related_query_name = "video")]
    pub tags: GenericRelation<TaggedItem>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "workloads")]
pub struct Photo {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub width: i32,
    #[generic_relation(related_query_name = "photo")]
    pub tags: GenericRelation<TaggedItem>,
}

pub const MODELS: [&contenttypes::ir::ModelDef; 5] = [
    Tag::DEF,
    TaggedItem::DEF,
    Article::DEF,
    Video::DEF,
    Photo::DEF,
];

diesel::joinable!(workloads_taggeditem -> workloads_tag (tag_id));
diesel::allow_tables_to_appear_in_same_query!(
    workloads_taggeditem,
    workloads_tag,
    workloads_article,
    workloads_video,
    workloads_photo
);

/// A new tagged item's `(tag_id, content_type_id, object_id)`; read back with its key first.
type NewItem = (i64, i32, i64);
type ItemRow = (i64, i64, i32, i64);

/// One workload's result on one backend.
pub struct Outcome {
    pub name: &'static str,
    /// Timed rounds per side.
    pub rounds: usize,
    /// Calls per round (W1 times a batch of calls and reports one call).
    pub per_round: u32,
    /// Median round times.
    pub lib: Duration,
    pub hand: Duration,
    pub lib_statements: usize,
    pub hand_statements: usize,
}

impl Outcome {
    fn ratio(&self) -> f64 {
        self.lib.as_secs_f64() / self.hand.as_secs_f64()
    }
}

/// Runs `lib` and `hand` side by side on `conn`: one counted round (statements, and the two
/// values must be equal), one warm-up round, then timed rounds alternating the order.
/// `restore` runs, untimed, after every round of either side.
pub struct Compare<'c, C: Connection> {
    pub conn: &'c mut C,
    /// Timed rounds per side: `None` picks them so a workload takes about `budget`.
    pub rounds: Option<usize>,
    pub budget: Duration,
    /// The workloads to run (`WORKLOADS_ONLY=W3,W4`); empty runs every one.
    pub only: Vec<String>,
}

impl<C: Connection + contenttypes::Conn> Compare<'_, C> {
    pub fn run<V: PartialEq + Debug>(
        &mut self,
        name: &'static str,
        per_round: u32,
        mut lib: impl FnMut(&mut C) -> Result<V, BoxError>,
        mut hand: impl FnMut(&mut C) -> Result<V, BoxError>,
        mut restore: impl FnMut(&mut C) -> Result<(), BoxError>,
    ) -> Result<Option<Outcome>, BoxError> {
        let id = name.split(' ').next().unwrap_or(name);
        if !self.only.is_empty() && !self.only.iter().any(|o| o.eq_ignore_ascii_case(id)) {
            return Ok(None);
        }
        let conn = &mut *self.conn;
        // The counted round: statements per side, and the same value on both.
        let log = contenttypes::testing::QueryLog::attach(conn);
        let lib_value = lib(conn)?;
        let lib_statements = log.count();
        restore(conn)?;
        log.reset();
        let hand_value = hand(conn)?;
        let hand_statements = log.count();
        restore(conn)?;
        // The timed rounds run without instrumentation.
        Connection::set_instrumentation(conn, None::<Box<dyn Instrumentation>>);
        if lib_value != hand_value {
            return Err(format!(
                "{name}: the library and the hand-written side disagree:\n  library: {}\n  hand:    {}",
                excerpt(&lib_value),
                excerpt(&hand_value)
            )
            .into());
        }
        // Warm-up, and the size of a round for the budget.
        let start = Instant::now();
        lib(conn)?;
        restore(conn)?;
        hand(conn)?;
        restore(conn)?;
        let round = start.elapsed().max(Duration::from_micros(1));
        let rounds = self.rounds.unwrap_or_else(|| {
            let fit = self.budget.as_secs_f64() / round.as_secs_f64();
            (fit as usize).clamp(7, 101)
        });
        let mut lib_times = Vec::with_capacity(rounds);
        let mut hand_times = Vec::with_capacity(rounds);
        for i in 0..rounds {
            for side in [i % 2, 1 - i % 2] {
                let start = Instant::now();
                let value = if side == 0 { lib(conn)? } else { hand(conn)? };
                let elapsed = start.elapsed();
                restore(conn)?;
                if value != lib_value {
                    return Err(format!(
                        "{name}: round {i}: the {} side returned another value",
                        if side == 0 { "library" } else { "hand-written" }
                    )
                    .into());
                }
                if side == 0 {
                    lib_times.push(elapsed);
                } else {
                    hand_times.push(elapsed);
                }
            }
        }
        let outcome = Outcome {
            name,
            rounds,
            per_round,
            lib: median(lib_times),
            hand: median(hand_times),
            lib_statements,
            hand_statements,
        };
        println!("{}", row(&outcome));
        Ok(Some(outcome))
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The start of a value's debug form (a mismatch message must stay readable).
fn excerpt(value: &impl Debug) -> String {
    let text = format!("{value:?}");
    match text.char_indices().nth(600) {
        Some((i, _)) => format!("{}... ({} chars)", &text[..i], text.len()),
        None => text,
    }
}

/// A round's time divided by its calls, readably.
fn show(d: Duration, calls: u32) -> String {
    let ns = d.as_secs_f64() * 1e9 / f64::from(calls);
    if ns < 10_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 10_000_000.0 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{:.1} ms", ns / 1e6)
    }
}

const HEADER: &str = "| workload | library (median) | hand-written (median) | library / hand | library statements | hand statements | rounds |\n|---|---:|---:|---:|---:|---:|---:|";

fn row(o: &Outcome) -> String {
    format!(
        "| {} | {} | {} | {:.2}× | {} | {} | {}{} |",
        o.name,
        show(o.lib, o.per_round),
        show(o.hand, o.per_round),
        o.ratio(),
        o.lib_statements,
        o.hand_statements,
        o.rounds,
        if o.per_round > 1 {
            format!(" × {} calls", o.per_round)
        } else {
            String::new()
        }
    )
}

/// The target directory the bench runs from (`<target>/release/deps/workloads-…`).
fn target_dir() -> std::path::PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| "target".into())
}

/// Writes the table as markdown to `<target>/workloads-<backend>.md`; `about` is the
/// database's version and the dataset's size.
fn report(backend: &str, about: &str, scale: f64, outcomes: &[Outcome]) -> Result<(), BoxError> {
    let mut text = format!(
        "## {backend}, scale {scale}\n\n{about}.\n\n{HEADER}\n{}\n",
        outcomes.iter().map(row).collect::<Vec<_>>().join("\n")
    );
    text.push('\n');
    let path = target_dir().join(format!("workloads-{backend}.md"));
    std::fs::write(&path, text)?;
    println!("written to {}\n", path.display());
    Ok(())
}

/// The table's title and header, printed before the first workload (each row is printed as
/// its workload ends).
fn begin(backend: &str, scale: f64) {
    println!("\n== {backend}, scale {scale} (library vs hand-written Diesel, medians of interleaved rounds)\n");
    println!("{HEADER}");
}

fn scale() -> Result<f64, BoxError> {
    let scale = match std::env::var("WORKLOADS_SCALE") {
        Ok(s) => s
            .parse::<f64>()
            .map_err(|e| format!("WORKLOADS_SCALE={s:?}: {e}"))?,
        Err(_) => 1.0,
    };
    if !(scale > 0.0 && scale <= 100.0) {
        return Err(format!("WORKLOADS_SCALE must be in (0, 100], not {scale}").into());
    }
    Ok(scale)
}

/// `WORKLOADS_ONLY`: the workloads to run, by number (`W3,W4`).
fn workloads_only() -> Vec<String> {
    std::env::var("WORKLOADS_ONLY")
        .map(|s| {
            s.split(',')
                .map(|w| w.trim().to_string())
                .filter(|w| !w.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn settings() -> Result<(Option<usize>, Duration), BoxError> {
    let rounds = match std::env::var("WORKLOADS_ROUNDS") {
        Ok(s) => Some(
            s.parse::<usize>()
                .map_err(|e| format!("WORKLOADS_ROUNDS={s:?}: {e}"))?
                .max(1),
        ),
        Err(_) => None,
    };
    let budget = match std::env::var("WORKLOADS_BUDGET_SECS") {
        Ok(s) => s
            .parse::<f64>()
            .map_err(|e| format!("WORKLOADS_BUDGET_SECS={s:?}: {e}"))?,
        Err(_) => 3.0,
    };
    Ok((rounds, Duration::from_secs_f64(budget)))
}

/// The hand-written multi-row `INSERT` of a backend with `RETURNING` (SQLite, PostgreSQL),
/// reading the rows back; MySQL's is written out in `on_mysql`.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
macro_rules! insert_returning_with_returning {
    () => {
        fn insert_returning(
            conn: &mut Conn,
            rows: &[super::NewItem],
        ) -> diesel::QueryResult<Vec<super::ItemRow>> {
            use super::workloads_taggeditem as ti;
            use diesel::prelude::*;
            let values: Vec<_> = rows
                .iter()
                .map(|&(tag, ct, object)| {
                    (
                        ti::tag_id.eq(tag),
                        ti::content_type_id.eq(ct),
                        ti::object_id.eq(object),
                    )
                })
                .collect();
            diesel::insert_into(ti::table)
                .values(&values)
                .returning((ti::id, ti::tag_id, ti::content_type_id, ti::object_id))
                .get_results(conn)
        }
    };
}

// Diesel code with operators cannot be generic over an abstract backend, so the workloads
// (`backend.rs`, including `library.rs` and `hand.rs`) are compiled once per backend.
#[cfg(feature = "sqlite")]
mod on_sqlite {
    pub type Conn = diesel::SqliteConnection;
    pub const BACKEND: &str = "sqlite";
    /// Host parameters per statement (SQLite's default limit).
    pub const MAX_BINDS: usize = 32_766;
    include!("backend.rs");
    insert_returning_with_returning!();
}
#[cfg(feature = "postgres")]
mod on_postgres {
    pub type Conn = diesel::PgConnection;
    pub const BACKEND: &str = "postgresql";
    pub const MAX_BINDS: usize = 65_535;
    include!("backend.rs");
    insert_returning_with_returning!();
}
#[cfg(feature = "mysql")]
mod on_mysql {
    pub type Conn = diesel::MysqlConnection;
    pub const BACKEND: &str = "mysql";
    pub const MAX_BINDS: usize = 65_535;
    include!("backend.rs");
    /// The hand-written multi-row `INSERT`; MySQL has no `RETURNING`: the keys are
    /// `LAST_INSERT_ID()` (the first of the statement's) onwards, consecutive for one
    /// multi-row insert.
    fn insert_returning(
        conn: &mut Conn,
        rows: &[super::NewItem],
    ) -> diesel::QueryResult<Vec<super::ItemRow>> {
        use super::workloads_taggeditem as ti;
        use diesel::prelude::*;
        let values: Vec<_> = rows
            .iter()
            .map(|&(tag, ct, object)| {
                (
                    ti::tag_id.eq(tag),
                    ti::content_type_id.eq(ct),
                    ti::object_id.eq(object),
                )
            })
            .collect();
        diesel::insert_into(ti::table)
            .values(&values)
            .execute(conn)?;
        let first: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "CAST(LAST_INSERT_ID() AS SIGNED)",
        ))
        .get_result(conn)?;
        Ok(rows
            .iter()
            .zip(first..)
            .map(|(&(tag, ct, object), id)| (id, tag, ct, object))
            .collect())
    }
}

fn main() {
    // The error as text (a mismatch prints both values on their own lines).
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), BoxError> {
    let scale = scale()?;
    let (rounds, budget) = settings()?;
    // `cargo bench` passes `--bench`; a name filter picks backends (`sqlite`, `postgresql`, `mysql`).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted =
        |backend: &str| only.is_empty() || only.iter().any(|o| backend.contains(o.as_str()));
    let data = dataset::Dataset::generate(scale);
    println!(
        "dataset: {} tags, {} articles, {} videos, {} photos, {} tagged items (scale {scale})",
        data.tags,
        data.objects,
        data.objects,
        data.objects,
        data.items.len()
    );
    #[cfg(feature = "sqlite")]
    if wanted("sqlite") {
        let path = target_dir().join("workloads.sqlite3");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
        contenttypes::sqlite::configure(&mut conn)?;
        on_sqlite::bench(&mut conn, &data, scale, rounds, budget)?;
    }
    #[cfg(feature = "postgres")]
    if wanted("postgresql") {
        match std::env::var("PG_DATABASE_URL") {
            Ok(url) => on_postgres::bench(
                &mut diesel::PgConnection::establish(&url)?,
                &data,
                scale,
                rounds,
                budget,
            )?,
            Err(_) => println!("\nPostgreSQL skipped: PG_DATABASE_URL is not set"),
        }
    }
    #[cfg(feature = "mysql")]
    if wanted("mysql") {
        match std::env::var("MYSQL_DATABASE_URL") {
            Ok(url) => on_mysql::bench(
                &mut diesel::MysqlConnection::establish(&url)?,
                &data,
                scale,
                rounds,
                budget,
            )?,
            Err(_) => println!("\nMySQL skipped: MYSQL_DATABASE_URL is not set"),
        }
    }
    Ok(())
}
