// The workloads on one backend, compiled once per backend by `main.rs` (`Conn`, `BACKEND`
// and `MAX_BINDS` are that backend's): the dataset is loaded, then each workload runs with
// `library.rs` and `hand.rs` side by side.

use std::any::TypeId;
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use diesel::prelude::*;

use super::dataset::{Dataset, Kind, KINDS};
use super::*;

mod library {
    use super::*;
    include!("library.rs");
}
mod hand {
    use super::*;
    include!("hand.rs");
}

/// The content type ids, read once when the dataset is loaded: the hand-written side's cache
/// (as an application would keep them), and the map from a row's id to its model.
#[derive(Clone, Copy, Debug)]
pub struct Cts {
    pub article: i32,
    pub video: i32,
    pub photo: i32,
}

impl Cts {
    pub fn of(&self, kind: Kind) -> i32 {
        match kind {
            Kind::Article => self.article,
            Kind::Video => self.video,
            Kind::Photo => self.photo,
        }
    }

    pub fn kind(&self, ct: i32) -> Option<Kind> {
        KINDS.into_iter().find(|k| self.of(*k) == ct)
    }
}

/// The tag every filtering workload looks for.
pub const TAG: &str = "t17";

/// Drops and creates the five tables, inserts the dataset (untimed, plain Diesel, in one
/// transaction) and reads the content type ids.
fn load(conn: &mut Conn, data: &Dataset) -> Result<Cts, BoxError> {
    // `create_tables_for` creates the content-type table too, if it is missing.
    contenttypes::schema::drop_tables_for(conn, &MODELS)?;
    contenttypes::schema::create_tables_for(conn, &MODELS)?;
    contenttypes::create_content_types(conn)?;
    let cts = Cts {
        article: ContentType::for_model::<Article>(conn)?.id,
        video: ContentType::for_model::<Video>(conn)?.id,
        photo: ContentType::for_model::<Photo>(conn)?.id,
    };
    let chunk = 5_000;
    conn.transaction(|conn| -> Result<(), BoxError> {
        let names: Vec<_> = (0..data.tags)
            .map(|t| workloads_tag::name.eq(format!("t{t}")))
            .collect();
        diesel::insert_into(workloads_tag::table)
            .values(&names)
            .execute(conn)?;
        let ids: Vec<i64> = (1..=data.objects).collect();
        for part in ids.chunks(chunk) {
            let rows: Vec<_> = part
                .iter()
                .map(|i| workloads_article::title.eq(format!("article {i}")))
                .collect();
            diesel::insert_into(workloads_article::table)
                .values(&rows)
                .execute(conn)?;
            let rows: Vec<_> = part
                .iter()
                .map(|i| {
                    (
                        workloads_video::title.eq(format!("video {i}")),
                        workloads_video::seconds.eq((i % 3600) as i32),
                    )
                })
                .collect();
            diesel::insert_into(workloads_video::table)
                .values(&rows)
                .execute(conn)?;
            let rows: Vec<_> = part
                .iter()
                .map(|i| {
                    (
                        workloads_photo::title.eq(format!("photo {i}")),
                        workloads_photo::width.eq((i % 4000) as i32),
                    )
                })
                .collect();
            diesel::insert_into(workloads_photo::table)
                .values(&rows)
                .execute(conn)?;
        }
        for part in data.items.chunks(chunk) {
            let rows: Vec<_> = part
                .iter()
                .map(|i| {
                    (
                        workloads_taggeditem::tag_id.eq(i64::from(i.tag) + 1),
                        workloads_taggeditem::content_type_id.eq(cts.of(i.kind)),
                        workloads_taggeditem::object_id.eq(i.object),
                    )
                })
                .collect();
            diesel::insert_into(workloads_taggeditem::table)
                .values(&rows)
                .execute(conn)?;
        }
        Ok(())
    })?;
    // The workloads address rows by key: the fresh tables numbered them from 1, in order.
    let checks = [
        (
            "tags",
            workloads_tag::table.select(diesel::dsl::max(workloads_tag::id)).first::<Option<i64>>(conn)?,
            i64::from(data.tags),
        ),
        (
            "tagged items",
            workloads_taggeditem::table
                .select(diesel::dsl::max(workloads_taggeditem::id))
                .first::<Option<i64>>(conn)?,
            data.items.len() as i64,
        ),
        (
            "photos",
            workloads_photo::table.select(diesel::dsl::max(workloads_photo::id)).first::<Option<i64>>(conn)?,
            data.objects,
        ),
    ];
    for (what, max, expected) in checks {
        if max != Some(expected) {
            return Err(format!("{BACKEND}: the {what} were not numbered 1..={expected} (max {max:?})").into());
        }
    }
    if BACKEND != "sqlite" {
        // Planner statistics, as a database that has been running has them.
        diesel::sql_query("ANALYZE").execute(conn).ok();
    }
    Ok(cts)
}

/// Every `step`-th key from `offset`, up to `max`.
fn every(step: i64, offset: i64, max: i64) -> Vec<i64> {
    (1..=max).filter(|i| i % step == offset).collect()
}

pub fn bench(
    conn: &mut Conn,
    data: &Dataset,
    scale: f64,
    rounds: Option<usize>,
    budget: Duration,
) -> Result<(), BoxError> {
    let started = std::time::Instant::now();
    let cts = load(conn, data)?;
    let version: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        if BACKEND == "sqlite" { "sqlite_version()" } else { "version()" },
    ))
    .get_result(conn)?;
    println!(
        "\n{BACKEND} {version}: dataset loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    begin(BACKEND, scale);
    let mut outcomes = Vec::new();
    let mut cmp = Compare {
        conn,
        rounds,
        budget,
        only: workloads_only(),
    };
    let n = data.objects;
    let items = data.items.len() as i64;

    // W1: a cached content type, against a plain hash-map get of a cached id.
    let calls = 100_000u32;
    let floor: HashMap<TypeId, i32> = [(TypeId::of::<Article>(), cts.article)].into();
    outcomes.extend(cmp.run(
        "W1 hot `for_model`",
        calls,
        |c| {
            let mut id = 0;
            for _ in 0..calls {
                id = black_box(ContentType::for_model::<Article>(black_box(&mut *c))?.id);
            }
            Ok(id)
        },
        |_| {
            let mut id = 0;
            for _ in 0..calls {
                id = *black_box(&floor)
                    .get(&black_box(TypeId::of::<Article>()))
                    .ok_or("not cached")?;
            }
            Ok(id)
        },
        |_| Ok(()),
    )?);

    // W2: attach 5 tags to each of 2,000 videos (10,000 new tagged items), tags they lack.
    let videos = every(5, 3, n);
    let plan: Vec<(i64, Vec<i64>)> = videos
        .iter()
        .map(|&v| {
            let has = data.tags_of(Kind::Video, v);
            let new = (0..data.tags)
                .map(|t| (t * 37 + v as u32) % data.tags)
                .filter(|t| !has.contains(t))
                .take(5)
                .map(|t| i64::from(t) + 1)
                .collect();
            (v, new)
        })
        .collect();
    let video_rows = library::videos(cmp.conn, &videos)?;
    outcomes.extend(cmp.run(
        "W2 attach 2,000 objects × 5 tags",
        1,
        |c| library::w2_attach(c, &video_rows, &plan),
        |c| hand::w2_attach(c, cts, &plan),
        |c| hand::delete_items_after(c, items),
    )?);

    // W3: the targets of 10,000 generic rows (every 15th tagged item).
    let keys = every(15, 0, items);
    let lib_rows = library::tagged_items(cmp.conn, &keys)?;
    let hand_rows = hand::tagged_items(cmp.conn, &keys)?;
    outcomes.extend(cmp.run(
        "W3 prefetch the targets of 10,000 generic rows",
        1,
        |c| library::w3_targets(c, &lib_rows),
        |c| hand::w3_targets(c, cts, &hand_rows),
        // The prefetched targets are the library's result, kept on the rows: dropped
        // untimed, as each side's returned value is (a round starts from fresh rows).
        |_| {
            lib_rows.iter().for_each(|r| r.content_object.clear_cache());
            Ok(())
        },
    )?);

    // W4: the tags and tag names of 1,000 articles (every 10th).
    let keys = every(10, 0, n);
    let articles = library::articles(cmp.conn, &keys)?;
    outcomes.extend(cmp.run(
        "W4 prefetch the tags (and names) of 1,000 articles",
        1,
        |c| library::w4_tag_names(c, &articles),
        |c| hand::w4_tag_names(c, cts, &keys),
        |_| {
            articles.iter().for_each(|a| a.tags.clear_prefetched());
            Ok(())
        },
    )?);

    // W5: the articles having tag t17.
    outcomes.extend(cmp.run(
        "W5 articles having tag \"t17\"",
        1,
        library::w5_articles_tagged,
        |c| hand::w5_articles_tagged(c, cts),
        |_| Ok(()),
    )?);

    // W6: every object having tag t17, whatever its model.
    outcomes.extend(cmp.run(
        "W6 every object having tag \"t17\"",
        1,
        library::w6_objects_tagged,
        |c| hand::w6_objects_tagged(c, cts),
        |_| Ok(()),
    )?);

    // W7: delete 1,000 articles (every 10th, from 5) and their tagged items; put back untimed.
    let keys = every(10, 5, n);
    let saved = hand::Saved::read(cmp.conn, cts, &keys)?;
    outcomes.extend(cmp.run(
        "W7 delete 1,000 articles and their tagged items",
        1,
        |c| library::w7_delete(c, &keys),
        |c| hand::w7_delete(c, cts, &keys),
        |c| saved.restore(c),
    )?);

    // W8: the ten most common tags on articles.
    outcomes.extend(cmp.run(
        "W8 ten most common tags on articles",
        1,
        library::w8_top_tags,
        |c| hand::w8_top_tags(c, cts),
        |_| Ok(()),
    )?);

    println!(
        "\n{BACKEND}: done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let about = format!("{version}; {} tagged items", data.items.len());
    report(BACKEND, &about, scale, &outcomes)
}

/// The ten most common tags, canonical: the counts in order, and the names of the tags
/// counted more than the tenth (which tags share the tenth count is the database's choice).
pub fn top_tags(mut top: Vec<(String, i64)>) -> (Vec<i64>, Vec<String>) {
    top.sort_by_key(|t| std::cmp::Reverse(t.1));
    let last = top.last().map_or(0, |t| t.1);
    let counts = top.iter().map(|t| t.1).collect();
    let mut names: Vec<String> = top
        .into_iter()
        .filter(|t| t.1 > last)
        .map(|t| t.0)
        .collect();
    names.sort();
    (counts, names)
}
