// The story, compiled once per backend by `main.rs` (`Conn` is that backend's connection).

use std::error::Error;

use contenttypes::prelude::*;
use contenttypes::tagging::{merge_tags, orphaned_tags, remove_orphaned_tags, tagged_all, tagged_any, MostCommon};
use contenttypes::testing::QueryLog;
use contenttypes::SupportedBackend;
use diesel::prelude::*;

use super::*;

pub fn story(conn: &mut Conn) -> Result<(), Box<dyn Error>> {
    let dialect = <<Conn as Connection>::Backend as SupportedBackend>::DIALECT;
    let log = QueryLog::attach(conn);
    let db = conn;
    println!("== tags on anything, django-taggit style, on {}\n", dialect.name());
    // Every registered model's table: a delete applies the policy of every generic foreign
    // key that can point at the deleted rows, so their tables must all be there.
    contenttypes::schema::drop_tables(db)?;
    contenttypes::schema::create_tables(db)?;
    contenttypes::create_content_types(db)?;
    ContentType::for_models(db, &MODELS)?;
    log.reset();

    let articles = Article::insert_many(
        db,
        ["Generic relations in Rust", "Django's contenttypes", "A quiet week"]
            .into_iter()
            .map(|t| NewArticle { title: t.into() })
            .collect(),
    )?;
    let videos = Video::insert_many(
        db,
        ["Tagging, live", "Prefetching explained"]
            .into_iter()
            .map(|t| NewVideo { title: t.into() })
            .collect(),
    )?;
    log.reset();

    // --- Adding tags by name: created when missing, race-free --------------------------------
    articles[0].tags().add(db, ["rust", "Django", "web dev"])?;
    step(&log, "tagged an article with 3 new tags: the names' SELECT, their INSERT and SELECT, the rows' INSERT");
    articles[1].tags().add(db, ["Django", "python"])?;
    step(&log, "tagged another: 1 new tag");
    videos[0].tags().add(db, ["rust", "live"])?;
    videos[0].audiences().add(db, ["beginners"])?;
    videos[1].tags().add(db, ["rust", "python"])?;
    videos[1].audiences().add(db, ["experts", "rust"])?;
    log.reset();
    for tag in Tag::all(db)? {
        println!("  tag {:<10} slug {}", tag.name, tag.slug);
    }
    println!(
        "Tags of {:?}, in the order added: {:?}",
        articles[0].title,
        articles[0].tags().names(db)?
    );
    println!(
        "Video {:?}: tags {:?}, audiences {:?} (two tag sets, one table)",
        videos[1].title,
        videos[1].tags().names(db)?,
        videos[1].audiences().names(db)?
    );
    step(&log, "one query per read");

    // --- set: only what differs ------------------------------------------------------------------
    articles[0].tags().set(db, ["rust", "web dev", "diesel"])?;
    println!("\nAfter set([rust, web dev, diesel]): {:?}", articles[0].tags().names(db)?);
    step(&log, "set: a lock, the current rows, the names (and the new tag), one DELETE, one INSERT; then the read");

    // --- Filters: any, all, none ------------------------------------------------------------------
    let any = Article::filter(Article::TAGS.any(["python", "diesel"])).load(db)?;
    let all = Video::filter(Video::TAGS.all(["rust", "python"])).load(db)?;
    let none = Article::filter(Article::TAGS.none(["rust"])).load(db)?;
    println!("\nArticles tagged python or diesel: {:?}", titles(&any));
    println!("Videos tagged rust and python:    {:?}", vtitles(&all));
    println!("Articles not tagged rust:         {:?}", titles(&none));
    step(&log, "one statement each");
    let everything = TaggedItem::CONTENT_OBJECT.load_targets(db, tagged_any::<TaggedItem>(["rust"]))?;
    println!("Everything tagged rust, whatever its model (in any set):");
    for object in &everything {
        match object {
            TaggedItemContentObject::Article(a) => println!("  Article {:?}", a.title),
            TaggedItemContentObject::Video(v) => println!("  Video   {:?}", v.title),
        }
    }
    step(&log, "1 query for the objects' ids, 1 per model");
    let both = TaggedItem::CONTENT_OBJECT.load_targets(db, tagged_all::<TaggedItem>(["rust", "python"]))?;
    println!("Everything tagged rust and python: {} object(s)", both.len());
    log.reset();

    // --- The most common tags, similar objects ---------------------------------------------------
    println!("\nMost common tags of videos:");
    for (tag, n) in Video::TAGS.most_common().limit(3).load(db)? {
        println!("  {:<10} {n}", tag.name);
    }
    println!("Most common tags overall, used at least twice:");
    for (tag, n) in MostCommon::<TaggedItem>::across_models().min_count(2).load(db)? {
        println!("  {:<10} {n}", tag.name);
    }
    step(&log, "one query each");
    println!("Videos like {:?}:", videos[0].title);
    for (video, shared) in videos[0].tags().similar_objects().limit(5).load(db)? {
        println!("  {:?} shares {shared} tag(s)", video.title);
    }
    step(&log, "one query, ranked by shared tags");

    // --- Prefetch: every read after it is free ----------------------------------------------------
    let articles = Article::all(db)?;
    Article::TAGS.prefetch(db, &articles)?;
    step(&log, "all articles and all their tags: two queries");
    for article in &articles {
        println!("  {:<28} {:?}", article.title, article.tags().names(db)?);
    }
    step(&log, "names() read the prefetched tags");

    // --- Bulk tagging ------------------------------------------------------------------------------
    let many = Article::insert_many(
        db,
        (0..2_000).map(|i| NewArticle { title: format!("archive {i}") }).collect(),
    )?;
    log.reset();
    Article::TAGS.tag_many(db, &many, ["archive", "2025", "rust", "old", "imported"])?;
    step(&log, "2,000 articles × 5 tags: the names' INSERT and SELECT, one INSERT ... SELECT");

    // --- Maintenance: orphans, merging ----------------------------------------------------------
    Article::TAGS.retag_many(db, &many, ["archive"])?;
    let orphans = orphaned_tags::<TaggedItem, _>(db)?;
    println!(
        "\nOrphaned tags (dry run): {:?}",
        orphans.iter().map(|t| t.name.as_str()).collect::<Vec<_>>()
    );
    let removed = remove_orphaned_tags::<TaggedItem, _>(db)?;
    println!("Removed {} orphaned tag(s)", removed.total);
    let web = Tag::filter(tagging_tag::name.eq("web dev")).first(db)?.ok_or("no web dev tag")?;
    let rust = Tag::filter(tagging_tag::name.eq("rust")).first(db)?.ok_or("no rust tag")?;
    let merged = merge_tags::<TaggedItem, _>(db, &[&web], &rust)?;
    println!(
        "Merged \"web dev\" into \"rust\": {} row(s) moved, {} duplicate(s) dropped",
        merged.moved, merged.duplicates
    );
    log.reset();

    // --- Deleting an object deletes its tags' rows, the tags stay ---------------------------------
    let deleted = videos[1].delete(db)?;
    println!(
        "\nDeleted {:?}: {} row(s) of tags (both sets) went with it",
        videos[1].title,
        deleted.of::<TaggedItem>()
    );
    step(&log, "the rows, then the video, in one transaction");
    Ok(())
}

fn step(log: &QueryLog, what: &str) {
    let n = log.count();
    println!("  [{n} {}] {what}", if n == 1 { "query" } else { "queries" });
    log.reset();
}

fn titles(articles: &[Article]) -> Vec<&str> {
    articles.iter().map(|a| a.title.as_str()).collect()
}

fn vtitles(videos: &[Video]) -> Vec<&str> {
    videos.iter().map(|a| a.title.as_str()).collect()
}
