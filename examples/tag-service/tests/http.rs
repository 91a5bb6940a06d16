//! The service over HTTP, on SQLite, PostgreSQL and MySQL/MariaDB: started in-process on an
//! ephemeral port over a fresh database, driven by an HTTP client with many requests at once.
//!
//! - many clients tag one object with overlapping new tags at once: every request succeeds,
//!   each tag exists once, the object's tags are the union;
//! - many objects tagged at once while others read: each object's tags, the objects of each
//!   tag (across articles and videos) and the most common tags with their counts are exactly
//!   what was sent;
//! - objects by tag take the same statements for 2 objects as for 42;
//! - bad input answers 4xx with a JSON message, never 500, and changes nothing;
//! - the service started again on its database finds its schema and its data.
//!
//! The figures (requests, concurrency, time) go to CI's figures step (`support::record`).

#[macro_use]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::Barrier;

use support::{record, Api, Backend, Service};

on_every_backend!(
    one_object_tagged_by_many_clients_at_once,
    many_objects_tagged_at_once_then_queried,
    objects_by_tag_take_the_same_statements_for_any_number,
    bad_input_answers_4xx_with_a_message,
    a_restart_keeps_the_schema_and_the_data,
);

/// Concurrent clients tagging one object.
const TAGGERS: usize = 64;

async fn one_object_tagged_by_many_clients_at_once(backend: Backend) {
    let service = Service::start(backend).await;
    let api = service.api.clone();
    let id = create(&api, "articles", "Under load").await;

    // Each client adds 5 names, new when it starts, overlapping other clients' (16 names
    // `t00`..`t15` over 64 clients, `shared` in every request), among them two whose slugs
    // collide (`C++` and `C#`, both `c`).
    let wanted = |i: usize| -> Vec<String> {
        vec![
            format!("t{:02}", i % 16),
            format!("t{:02}", (i * 7 + 3) % 16),
            "shared".to_string(),
            format!("Shared {}", i % 2),
            if i.is_multiple_of(2) { "C#" } else { "C++" }.to_string(),
        ]
    };
    let barrier = Arc::new(Barrier::new(TAGGERS));
    let started = Instant::now();
    let tasks: Vec<_> = (0..TAGGERS)
        .map(|i| {
            let (api, barrier, tags) = (api.clone(), Arc::clone(&barrier), wanted(i));
            tokio::spawn(async move {
                barrier.wait().await;
                let sent = Instant::now();
                let reply = api
                    .post(&format!("/articles/{id}/tags"), json!({ "tags": tags }))
                    .await;
                (tags, reply, sent.elapsed())
            })
        })
        .collect();
    let mut union = BTreeSet::new();
    let mut latencies = Vec::new();
    for task in tasks {
        let (tags, reply, latency) = task.await.expect("a tagging client");
        latencies.push(latency);
        let after = names(&reply.ok("tagging one object from many clients"));
        for tag in &tags {
            assert!(
                after.contains(tag),
                "{tag} missing from the answer {after:?}"
            );
        }
        union.extend(tags);
    }
    let elapsed = started.elapsed();

    // The object's tags: the union, each once.
    let tags = names(
        &api.get(&format!("/articles/{id}/tags"))
            .await
            .ok("the tags"),
    );
    assert_eq!(tags.len(), union.len(), "a tag twice: {tags:?}");
    assert_eq!(tags.iter().cloned().collect::<BTreeSet<_>>(), union);
    // One tag row per name, and the slugs of `C++` and `C#` kept apart.
    let all = api.get("/tags").await.ok("every tag");
    let rows: Vec<(String, String)> = all["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| (string(&t["name"]), string(&t["slug"])))
        .collect();
    assert_eq!(
        rows.iter()
            .map(|(name, _)| name.clone())
            .collect::<Vec<_>>(),
        union.iter().cloned().collect::<Vec<_>>(),
        "one row per name"
    );
    let mut c_slugs: Vec<&str> = rows
        .iter()
        .filter(|(name, _)| name.starts_with('C'))
        .map(|(_, slug)| slug.as_str())
        .collect();
    c_slugs.sort();
    assert_eq!(
        c_slugs,
        ["c", "c_1"],
        "C++ and C# share `c`: one is numbered"
    );
    // Each held once: one object.
    let common = counts(
        &api.get("/tags/most-common?limit=1000")
            .await
            .ok("most common"),
    );
    assert_eq!(common.len(), union.len());
    assert!(common.iter().all(|(_, n)| *n == 1), "{common:?}");

    record(&format!(
        "tag-service {}: one object, {TAGGERS} concurrent clients each adding 5 tags ({} new names, \
         overlapping): {TAGGERS} requests in {} ms ({:.0} req/s), latency {}, 0 errors, {} tag rows",
        backend.name(),
        union.len(),
        elapsed.as_millis(),
        TAGGERS as f64 / elapsed.as_secs_f64(),
        spread(latencies),
        rows.len(),
    ));
}

/// Objects of each kind, and tagging requests per object.
const PER_KIND: usize = 8;
const REQUESTS_PER_OBJECT: usize = 4;
/// Clients reading while the others tag.
const READERS: usize = 16;

async fn many_objects_tagged_at_once_then_queried(backend: Backend) {
    let service = Service::start(backend).await;
    let api = service.api.clone();

    // 8 articles and 8 videos, created at once.
    let creators: Vec<_> = (0..2 * PER_KIND)
        .map(|j| {
            let api = api.clone();
            let (collection, kind) = if j < PER_KIND {
                ("articles", "article")
            } else {
                ("videos", "video")
            };
            tokio::spawn(async move {
                let title = format!("{kind} {j}");
                let id = create(&api, collection, &title).await;
                (collection, kind, id, title)
            })
        })
        .collect();
    let mut objects = Vec::new();
    for task in creators {
        objects.push(task.await.expect("a creating client"));
    }

    // What each object is tagged with: 4 requests per object, each 3 names (`n0`..`n9`
    // overlapping between objects, `m0`..`m2` by object, `all` on every object).
    let plan: Vec<(usize, Vec<String>)> = (0..objects.len())
        .flat_map(|j| {
            (0..REQUESTS_PER_OBJECT).map(move |r| {
                (
                    j,
                    vec![
                        format!("n{}", (j + r) % 10),
                        format!("m{}", j % 3),
                        "all".to_string(),
                    ],
                )
            })
        })
        .collect();
    let writers = plan.len();
    let barrier = Arc::new(Barrier::new(writers + READERS));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (j, tags) in plan.clone() {
        let (api, barrier) = (api.clone(), Arc::clone(&barrier));
        let (collection, _, id, _) = objects[j].clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let sent = Instant::now();
            api.post(&format!("/{collection}/{id}/tags"), json!({ "tags": tags }))
                .await
                .ok("tagging many objects at once");
            sent.elapsed()
        }));
    }
    for i in 0..READERS {
        let (api, barrier) = (api.clone(), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let path = if i.is_multiple_of(2) {
                "/tags/all/objects"
            } else {
                "/tags/most-common"
            };
            let sent = Instant::now();
            api.get(path).await.ok("reading while others tag");
            sent.elapsed()
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.push(task.await.expect("a client"));
    }
    let elapsed = started.elapsed();

    // What the service must answer now.
    let mut expected_tags: Vec<BTreeSet<String>> = vec![BTreeSet::new(); objects.len()];
    for (j, tags) in &plan {
        expected_tags[*j].extend(tags.iter().cloned());
    }
    let mut by_tag: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (j, tags) in expected_tags.iter().enumerate() {
        let (_, kind, id, title) = &objects[j];
        for tag in tags {
            by_tag
                .entry(tag.clone())
                .or_default()
                .push(json!({ "kind": kind, "id": id, "title": title }));
        }
    }
    for list in by_tag.values_mut() {
        // The service's order: articles, then videos, each by id.
        list.sort_by_key(|o| (string(&o["kind"]), o["id"].as_i64()));
    }

    // Each object's tags.
    let readers: Vec<_> = objects
        .iter()
        .map(|(collection, _, id, _)| {
            let (api, path) = (api.clone(), format!("/{collection}/{id}/tags"));
            tokio::spawn(async move { names(&api.get(&path).await.ok("an object's tags")) })
        })
        .collect();
    for (j, task) in readers.into_iter().enumerate() {
        let tags = task.await.expect("a reader");
        assert_eq!(tags.len(), expected_tags[j].len(), "a tag twice: {tags:?}");
        assert_eq!(tags.into_iter().collect::<BTreeSet<_>>(), expected_tags[j]);
    }
    // Each tag's objects, across articles and videos.
    let readers: Vec<_> = by_tag
        .keys()
        .map(|tag| {
            let (api, path) = (api.clone(), format!("/tags/{tag}/objects"));
            tokio::spawn(async move { api.get(&path).await.ok("a tag's objects") })
        })
        .collect();
    for ((tag, expected), task) in by_tag.iter().zip(readers) {
        let found = task.await.expect("a reader");
        assert_eq!(found["tag"], json!(tag));
        assert_eq!(
            found["objects"],
            json!(expected),
            "the objects tagged {tag}"
        );
    }
    // The most common tags: each with the number of objects holding it, most first, ties
    // by name.
    let mut expected_counts: Vec<(String, i64)> = by_tag
        .iter()
        .map(|(tag, list)| (tag.clone(), list.len() as i64))
        .collect();
    expected_counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    assert_eq!(expected_counts[0], ("all".to_string(), 16));
    let common = counts(
        &api.get("/tags/most-common?limit=1000")
            .await
            .ok("most common"),
    );
    assert_eq!(common, expected_counts);
    let top = counts(&api.get("/tags/most-common?limit=3").await.ok("the top 3"));
    assert_eq!(top, expected_counts[..3]);
    let frequent = counts(
        &api.get("/tags/most-common?limit=1000&min_count=6")
            .await
            .ok("held at least 6 times"),
    );
    let expected_frequent: Vec<_> = expected_counts
        .iter()
        .filter(|(_, n)| *n >= 6)
        .cloned()
        .collect();
    assert!(!expected_frequent.is_empty() && expected_frequent.len() < expected_counts.len());
    assert_eq!(frequent, expected_frequent);

    record(&format!(
        "tag-service {}: {} objects (articles and videos), {writers} tagging requests and {READERS} \
         reads at once: {} requests in {} ms ({:.0} req/s), latency {}, 0 errors; then {} tags' \
         objects and the most common tags exact",
        backend.name(),
        objects.len(),
        writers + READERS,
        elapsed.as_millis(),
        (writers + READERS) as f64 / elapsed.as_secs_f64(),
        spread(latencies),
        by_tag.len(),
    ));
}

async fn objects_by_tag_take_the_same_statements_for_any_number(backend: Backend) {
    let service = Service::start(backend).await;
    let api = &service.api;
    for (collection, title) in [("articles", "first"), ("videos", "second")] {
        let id = create(api, collection, title).await;
        api.post(
            &format!("/{collection}/{id}/tags"),
            json!({ "tags": ["x"] }),
        )
        .await
        .ok("tagging");
    }
    api.get("/tags/x/objects")
        .await
        .ok("warming the content-type cache");

    let (few, found) = statements(&service, "/tags/x/objects").await;
    assert_eq!(found["objects"].as_array().map(Vec::len), Some(2));
    for i in 0..20 {
        for collection in ["articles", "videos"] {
            let id = create(api, collection, &format!("more {i}")).await;
            api.post(
                &format!("/{collection}/{id}/tags"),
                json!({ "tags": ["x"] }),
            )
            .await
            .ok("tagging");
        }
    }
    let (many, found) = statements(&service, "/tags/x/objects").await;
    assert_eq!(found["objects"].as_array().map(Vec::len), Some(42));
    assert_eq!(
        (few, many),
        (3, 3),
        "1 query for the tagged objects' content types and ids, 1 per model"
    );
    let (common, found) = statements(&service, "/tags/most-common").await;
    assert_eq!(counts(&found), [("x".to_string(), 42)]);
    assert_eq!(common, 1, "the most common tags: 1 query");
    let id = found_id(&api.get("/tags/x/objects").await.ok("objects"), 0);
    let (read, _) = statements(&service, &format!("/articles/{id}/tags")).await;
    assert_eq!(read, 2, "an object's tags: the object, its tags");

    record(&format!(
        "tag-service {}: statements for objects by tag: {few} for 2 objects, {many} for 42; \
         most common: {common}; an object's tags: {read}",
        backend.name()
    ));
}

/// A bad request: method, path, content type, body; the status and a part of the message.
type Case<'a> = (Method, String, Option<&'a str>, String, StatusCode, &'a str);

async fn bad_input_answers_4xx_with_a_message(backend: Backend) {
    let service = Service::start(backend).await;
    let api = &service.api;
    let id = create(api, "articles", "Target").await;
    let tags = format!("/articles/{id}/tags");
    let long = |n: usize| "a".repeat(n);
    let too_many: Vec<String> = (0..101).map(|i| format!("tag {i}")).collect();
    let json = Some("application/json");

    #[rustfmt::skip]
    let cases: Vec<Case> = vec![
        // Creating: the body.
        (Method::POST, "/articles".into(), None, r#"{"title":"x"}"#.into(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "Content-Type"),
        (Method::POST, "/articles".into(), json, r#"{"title":"#.into(), StatusCode::BAD_REQUEST, "JSON"),
        (Method::POST, "/articles".into(), json, r#"{"title":5}"#.into(), StatusCode::BAD_REQUEST, "title"),
        (Method::POST, "/articles".into(), json, "{}".into(), StatusCode::BAD_REQUEST, "title"),
        (Method::POST, "/articles".into(), json, r#"{"title":"x","extra":1}"#.into(), StatusCode::BAD_REQUEST, "extra"),
        (Method::POST, "/articles".into(), json, r#"{"title":"   "}"#.into(), StatusCode::BAD_REQUEST, "empty"),
        (Method::POST, "/videos".into(), json, json!({ "title": long(201) }).to_string(), StatusCode::BAD_REQUEST, "longer than 200"),
        (Method::POST, "/videos".into(), json, r#"{"title":"a\u0000b"}"#.into(), StatusCode::BAD_REQUEST, "control character"),
        (Method::POST, "/podcasts".into(), json, r#"{"title":"x"}"#.into(), StatusCode::NOT_FOUND, "no such route"),
        // The object.
        (Method::GET, "/articles/abc".into(), None, String::new(), StatusCode::BAD_REQUEST, "not an id"),
        (Method::GET, "/articles/99999999999999999999".into(), None, String::new(), StatusCode::BAD_REQUEST, "not an id"),
        (Method::GET, "/articles/987654".into(), None, String::new(), StatusCode::NOT_FOUND, "no article has the id 987654"),
        (Method::GET, "/videos/-1/tags".into(), None, String::new(), StatusCode::NOT_FOUND, "no video has the id -1"),
        (Method::POST, "/videos/987654/tags".into(), json, r#"{"tags":["ok"]}"#.into(), StatusCode::NOT_FOUND, "no video"),
        // Tags.
        (Method::POST, tags.clone(), json, r#"{"tags":[]}"#.into(), StatusCode::BAD_REQUEST, "at least one"),
        (Method::POST, tags.clone(), json, r#"{"tags":"rust"}"#.into(), StatusCode::BAD_REQUEST, "tags"),
        (Method::POST, tags.clone(), json, r#"{"tags":["rust",""]}"#.into(), StatusCode::BAD_REQUEST, "empty"),
        (Method::POST, tags.clone(), json, r#"{"tags":["a\u0000b"]}"#.into(), StatusCode::BAD_REQUEST, "control character"),
        (Method::POST, tags.clone(), json, r#"{"tags":["line\nbreak"]}"#.into(), StatusCode::BAD_REQUEST, "control character"),
        (Method::POST, tags.clone(), json, json!({ "tags": [long(101)] }).to_string(), StatusCode::BAD_REQUEST, "longer than 100"),
        (Method::POST, tags.clone(), json, json!({ "tags": [long(97)] }).to_string(), StatusCode::BAD_REQUEST, "slug"),
        (Method::POST, tags.clone(), json, json!({ "tags": too_many }).to_string(), StatusCode::BAD_REQUEST, "at most 100"),
        (Method::DELETE, tags.clone(), json, r#"{"tags":[]}"#.into(), StatusCode::BAD_REQUEST, "at least one"),
        (Method::GET, "/tags/%00/objects".into(), None, String::new(), StatusCode::BAD_REQUEST, "control character"),
        (Method::GET, "/tags/%FF/objects".into(), None, String::new(), StatusCode::BAD_REQUEST, "UTF-8"),
        (Method::GET, "/tags/most-common?limit=0".into(), None, String::new(), StatusCode::BAD_REQUEST, "limit"),
        (Method::GET, "/tags/most-common?limit=1001".into(), None, String::new(), StatusCode::BAD_REQUEST, "limit"),
        (Method::GET, "/tags/most-common?limit=ten".into(), None, String::new(), StatusCode::BAD_REQUEST, "limit"),
        (Method::GET, "/tags/most-common?min_count=0".into(), None, String::new(), StatusCode::BAD_REQUEST, "min_count"),
        (Method::GET, "/tags/most-common?top=3".into(), None, String::new(), StatusCode::BAD_REQUEST, "top"),
        // Routes.
        (Method::GET, "/nowhere".into(), None, String::new(), StatusCode::NOT_FOUND, "no such route"),
        (Method::GET, "/articles/1/comments".into(), None, String::new(), StatusCode::NOT_FOUND, "no such route"),
        (Method::PUT, "/articles".into(), json, "{}".into(), StatusCode::METHOD_NOT_ALLOWED, "method"),
        (Method::POST, "/tags".into(), json, "{}".into(), StatusCode::METHOD_NOT_ALLOWED, "method"),
    ];
    for (method, path, content_type, body, status, message) in &cases {
        let what = format!("{method} {path} {body:.40}");
        let reply = api.send(method.clone(), path, *content_type, body).await;
        let error = reply.error(*status, &what);
        assert!(
            error.contains(message),
            "{what}: the message {error:?} does not say {message:?}"
        );
    }

    // Nothing was written; the limits themselves are accepted.
    assert_eq!(api.get("/tags").await.ok("every tag")["tags"], json!([]));
    let ok = api
        .post(&tags, json!({ "tags": [long(96), "é".repeat(96)] }))
        .await
        .ok("the longest names");
    assert_eq!(names(&ok).len(), 2);
    let removed = api
        .delete(&tags, json!({ "tags": ["never added"] }))
        .await
        .ok("removing a tag the object does not have");
    assert_eq!(removed["removed"], json!(0));
    assert_eq!(names(&removed).len(), 2);

    record(&format!(
        "tag-service {}: {} bad requests, each 4xx with a JSON message, none written",
        backend.name(),
        cases.len()
    ));
}

async fn a_restart_keeps_the_schema_and_the_data(backend: Backend) {
    let service = Service::start(backend).await;
    let id = create(&service.api, "videos", "Kept").await;
    service
        .api
        .post(&format!("/videos/{id}/tags"), json!({ "tags": ["kept"] }))
        .await
        .ok("tagging");
    let db = service.stop().await;

    // The migrations are applied already: opening again applies none and loses nothing.
    let service = Service::on(db).await;
    let video = service
        .api
        .get(&format!("/videos/{id}"))
        .await
        .ok("the video, after a restart");
    assert_eq!(
        video,
        json!({ "kind": "video", "id": id, "title": "Kept", "tags": ["kept"] })
    );
    let next = create(&service.api, "videos", "Next").await;
    assert!(next > id);
}

// ----- Helpers ---------------------------------------------------------------------------------

/// Creates an article or a video; its id.
async fn create(api: &Api, collection: &str, title: &str) -> i64 {
    let reply = api
        .post(&format!("/{collection}"), json!({ "title": title }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    assert_eq!(reply.json["title"], json!(title));
    reply.json["id"].as_i64().expect("an id")
}

/// A `GET` and the statements the service sent for it (nothing else runs meanwhile).
async fn statements(service: &Service, path: &str) -> (u64, Value) {
    let before = service.store.statements();
    let found = service.api.get(path).await.ok(path);
    (service.store.statements() - before, found)
}

/// The `tags` of an answer, as names.
fn names(value: &Value) -> Vec<String> {
    value["tags"]
        .as_array()
        .unwrap_or_else(|| panic!("no tags in {value}"))
        .iter()
        .map(string)
        .collect()
}

/// `(name, count)` of a most-common answer.
fn counts(value: &Value) -> Vec<(String, i64)> {
    value["tags"]
        .as_array()
        .unwrap_or_else(|| panic!("no tags in {value}"))
        .iter()
        .map(|t| (string(&t["name"]), t["count"].as_i64().expect("a count")))
        .collect()
}

/// The id of the `n`th of an objects-by-tag answer's articles.
fn found_id(value: &Value, n: usize) -> i64 {
    value["objects"]
        .as_array()
        .and_then(|objects| {
            objects
                .iter()
                .filter(|o| o["kind"] == "article")
                .nth(n)
                .and_then(|o| o["id"].as_i64())
        })
        .unwrap_or_else(|| panic!("no article {n} in {value}"))
}

/// Latencies as `median X ms, max Y ms`.
fn spread(mut latencies: Vec<Duration>) -> String {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.1} ms, max {:.1} ms",
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() - 1])
    )
}

fn string(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
        .to_string()
}
