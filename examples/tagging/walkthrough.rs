// The walkthrough, compiled once per backend by `main.rs` (`Conn` is that backend's
// connection).

use std::error::Error;

use contenttypes::prelude::*;
use contenttypes::testing::QueryLog;
use contenttypes::{strict_loading, Count, Direction, NoFilter, SupportedBackend};
use diesel::prelude::*;

use super::*;

pub fn walkthrough(conn: &mut Conn) -> Result<(), Box<dyn Error>> {
    let dialect = <<Conn as Connection>::Backend as SupportedBackend>::DIALECT;
    let log = QueryLog::attach(conn);
    let db = conn;
    println!("== contenttypes walkthrough on {}\n", dialect.name());

    // --- The schema -----------------------------------------------------------------------
    // Every registered model's table: a delete applies the policy of every generic foreign
    // key that can point at the deleted rows, so their tables must all be there.
    contenttypes::schema::drop_tables(db)?;
    contenttypes::schema::create_tables(db)?;
    println!("The through model's table, as the migrations create it:");
    for statement in contenttypes::ddl::create_table(dialect, TaggedItem::DEF) {
        println!("  {statement}");
    }
    contenttypes::create_content_types(db)?;
    log.reset();

    // --- Attach tags ------------------------------------------------------------------------
    let tags = Tag::insert_many(
        db,
        ["django", "rust", "python", "video"]
            .into_iter()
            .map(|n| NewTag { name: n.into() })
            .collect(),
    )?;
    let [django, rust, python, video_tag] = [&tags[0], &tags[1], &tags[2], &tags[3]];
    let articles = Article::insert_many(
        db,
        [
            "Generic relations in Rust",
            "Django's contenttypes",
            "A quiet week",
        ]
        .into_iter()
        .map(|t| NewArticle { title: t.into() })
        .collect(),
    )?;
    let videos = Video::insert_many(
        db,
        vec![
            NewVideo {
                title: "Tagging, live".into(),
                seconds: 600,
            },
            NewVideo {
                title: "Prefetching explained".into(),
                seconds: 900,
            },
        ],
    )?;
    step(&log, "created 4 tags, 3 articles and 2 videos");

    for (article, tags) in [
        (&articles[0], vec![rust, django]),
        (&articles[1], vec![django, python]),
    ] {
        for tag in tags {
            article.tags().create(
                db,
                |content_object| NewTaggedItem {
                    tag_id: tag.id,
                    content_object,
                },
            )?;
        }
    }
    for video in &videos {
        video.tags().create(
            db,
            |content_object| NewTaggedItem {
                tag_id: video_tag.id,
                content_object,
            },
        )?;
        video.tags().create(
            db,
            |content_object| NewTaggedItem {
                tag_id: rust.id,
                content_object,
            },
        )?;
    }
    step(
        &log,
        "attached 8 tags: one INSERT each, plus one lookup per model's content type, then cached",
    );

    // Django's get_or_create, from one description of the row: the tag exists, so it is read.
    let (rust_again, created) = Tag::get_or_create(
        db,
        NewTag {
            name: "rust".into(),
        },
    )?;
    assert!(!created && rust_again == *rust);
    step(&log, "get_or_create of an existing tag: one SELECT");

    // --- Forward: the tags of an article -----------------------------------------------------
    let names: Vec<String> = articles[0]
        .tags()
        .select_related(TaggedItem::TAG)
        .all(db)?
        .iter()
        .map(|(_item, tag)| tag.name.clone())
        .collect();
    println!("\nTags of {:?}: {names:?}", articles[0].title);
    step(
        &log,
        "an article's tags with their names: one query, joining the tag",
    );

    // --- Every object with a tag, whatever its model --------------------------------------------
    let rust_items = TaggedItem::filter(tagging_taggeditem::tag_id.eq(rust.id)).load(db)?;
    TaggedItem::CONTENT_OBJECT.prefetch(db, &rust_items)?;
    println!("\nEverything tagged \"rust\":");
    {
        let _strict = strict_loading(); // any lazy load below would be an error
        for item in &rust_items {
            // `targets(Article, Video)`: the read is an enum, matched exhaustively.
            match item
                .content_object(db)?
                .ok_or("a tagged object is missing")?
            {
                TaggedItemContentObject::Article(a) => println!("  Article  {:?}", a.title),
                TaggedItemContentObject::Video(v) => {
                    println!("  Video    {:?} ({} s)", v.title, v.seconds)
                }
            }
        }
    }
    step(
        &log,
        "loaded the rows and their targets: 1 query, plus 1 per target model",
    );
    // The objects alone, each once, without loading the items.
    let objects = TaggedItem::CONTENT_OBJECT
        .load_targets(db, tagging_taggeditem::tag_id.eq(rust.id))?;
    assert_eq!(objects.len(), rust_items.len());
    step(
        &log,
        "the same objects without the items: 1 query for their two columns, plus 1 per model",
    );

    // --- Reverse: articles having tag "django" ------------------------------------------------
    let tagged_django = Article::TAGS.any(TaggedItem::TAG.any(tagging_tag::name.eq("django")));
    let sql = diesel::debug_query::<<Conn as Connection>::Backend, _>(
        &blog_article::table
            .filter(tagged_django.clone())
            .select(blog_article::id),
    )
    .to_string();
    let django_articles = Article::filter(tagged_django).load(db)?;
    println!(
        "\nArticles tagged \"django\": {:?}",
        titles(&django_articles)
    );
    println!("  {sql}");
    step(
        &log,
        "IN (SELECT ...) over the through table, with the content type in its condition",
    );
    let untagged = Article::filter(Article::TAGS.none(NoFilter)).load(db)?;
    println!("Articles with no tag: {:?}", titles(&untagged));
    let names: Vec<String> = Tag::filter(TaggedItem::TAG.referenced_by(TaggedItem::VIDEO.exists()))
        .order_by(tagging_tag::name)
        .values(tagging_tag::name)
        .load::<String, _>(db)?;
    println!("Tags used on any video: {names:?}");
    step(&log, "articles with no tag, and the tags used on videos");

    // --- Counts per object ---------------------------------------------------------------------
    println!("\nTags per article (LEFT JOIN, so untagged articles count 0):");
    for (article, count) in Article::TAGS.annotate(Count).load(db)? {
        println!("  {:<28} {}", article.title, count);
    }
    step(&log, "one query");
    println!("\nThe most common tags of articles (INNER JOIN, as Django's filter-then-annotate):");
    let article_ct = ContentType::for_model::<Article>(db)?.id;
    let common = TaggedItem::TAG
        .annotate(Count)
        .filter_related(tagging_taggeditem::content_type_id.eq(article_ct))
        .order_by_aggregate(Direction::Desc)
        .limit(3)
        .load(db)?;
    for (tag, count) in common {
        println!("  {:<28} {}", tag.name, count);
    }
    step(&log, "one query");

    // --- Prefetch: no N+1 -----------------------------------------------------------------------
    let all = Article::all(db)?;
    for article in &all {
        article.tags().count(db)?;
    }
    step(&log, "the naive loop: one query per article (N+1)");
    let all = Article::filter(NoFilter)
        .order_by(Article::TAGS.count().desc())
        .load(db)?;
    Article::TAGS.prefetch_related(db, &all, TaggedItem::TAG)?;
    {
        let _strict = strict_loading();
        for article in &all {
            let tags = article.tags().select_related(TaggedItem::TAG).all_shared(db)?;
            let names: Vec<&str> = tags.iter().map(|(_, tag)| tag.name.as_str()).collect();
            println!("  {:<28} {names:?}", article.title);
        }
    }
    step(
        &log,
        "articles (most tagged first), their tags and the tags' names: 3 queries whatever the number",
    );

    // --- The constraints ------------------------------------------------------------------------
    match articles[0].tags().create(
        db,
        |content_object| NewTaggedItem {
            tag_id: rust.id,
            content_object,
        },
    ) {
        Err(e) if e.is_unique_violation() => {
            println!("\nTagging {:?} with \"rust\" twice is refused by UNIQUE(tag, content type, object).", articles[0].title)
        }
        other => return Err(format!("the duplicate tag was not refused: {other:?}").into()),
    }
    log.reset();

    // --- Cascades -------------------------------------------------------------------------------
    let before = TaggedItem::count(db)?;
    log.reset();
    println!();
    articles[1].delete(db)?;
    step(
        &log,
        "deleted an article: its tagged items first, then the article, in one transaction",
    );
    println!("Tagged items: {before} -> {}", TaggedItem::count(db)?);
    video_tag.delete(db)?;
    println!(
        "Deleted the tag \"video\": the database cascaded its tagged items ({} left).",
        TaggedItem::count(db)?
    );

    // --- Caveats --------------------------------------------------------------------------------
    println!("\nCaveats:");
    for _ in 0..3 {
        Like::insert(
            db,
            NewLike {
                content_object: Target::to(&articles[0]),
            },
        )?;
    }
    diesel::delete(blog_article::table.filter(blog_article::id.eq(articles[0].id))).execute(db)?;
    let article_ct = ContentType::for_model::<Article>(db)?.id;
    let orphans = TaggedItem::filter(
        tagging_taggeditem::content_type_id
            .eq(article_ct)
            .and(diesel::dsl::not(TaggedItem::ARTICLE.exists())),
    )
    .load(db)?;
    let reads_none = orphans
        .iter()
        .all(|o| matches!(o.content_object(db), Ok(None)));
    println!(
        "  - A plain Diesel DELETE skips the cascade: {} tagged items now point at a missing article \
         (they read as None: {reads_none}).",
        orphans.len()
    );
    // The same raw DELETE, with database integrity on (`db_constraint` on `Like`): the
    // triggers deleted the article's likes.
    let like_orphans: i64 = contenttypes::lifecycle::orphans(db)?
        .iter()
        .filter(|o| o.model == "tagging.Like")
        .map(|o| o.rows)
        .sum();
    println!(
        "  - With database integrity on (`#[generic_foreign_key(db_constraint)]` on Like), the same raw \
         DELETE took the article's {} likes along: orphans after raw DELETE: {like_orphans}",
        3 - Like::count(db)?
    );
    let refused = diesel::sql_query(format!(
        "INSERT INTO tagging_like (content_type_id, object_id) VALUES ({article_ct}, {})",
        articles[0].id
    ))
    .execute(db);
    match refused {
        Err(e) => println!("    and a like pointing at the deleted article is refused: {e}"),
        Ok(_) => return Err("the database took a like pointing at nothing".into()),
    }
    println!(
        "  - Content type ids differ between databases: use one ContentTypes manager per database."
    );
    println!("  - Without `db_constraint`, a generic foreign key has no database foreign key to its target; the framework cascades instead.");
    println!("\nDone.");
    Ok(())
}

fn step(log: &QueryLog, what: &str) {
    let n = log.count();
    println!(
        "  [{n} {}] {what}",
        if n == 1 { "query" } else { "queries" }
    );
    log.reset();
}

fn titles(articles: &[Article]) -> Vec<&str> {
    articles.iter().map(|a| a.title.as_str()).collect()
}
