// The library's side: each workload written with the public API, the way its documentation
// shows (Django's idiom where there is one). Compiled once per backend by `backend.rs`.

use contenttypes::ContentTypeForModel;
use contenttypes::{Count, Direction, Target};

/// A tagged item's target, canonical: the model, its key and its title.
type Object = (Kind, i64, String);

fn object(target: Option<TaggedItemContentObject>) -> Result<Object, BoxError> {
    Ok(match target.ok_or("a tagged item's target is missing")? {
        TaggedItemContentObject::Article(a) => (Kind::Article, a.id, a.title.clone()),
        TaggedItemContentObject::Video(v) => (Kind::Video, v.id, v.title.clone()),
        TaggedItemContentObject::Photo(p) => (Kind::Photo, p.id, p.title.clone()),
    })
}

/// Untimed: the videos W2 tags.
pub fn videos(conn: &mut Conn, keys: &[i64]) -> Result<Vec<Video>, BoxError> {
    let mut rows = Vec::with_capacity(keys.len());
    for part in keys.chunks(MAX_BINDS) {
        rows.extend(Video::filter(workloads_video::id.eq_any(part)).load(conn)?);
    }
    Ok(rows)
}

/// Untimed: the tagged items W3 reads the targets of.
pub fn tagged_items(conn: &mut Conn, keys: &[i64]) -> Result<Vec<TaggedItem>, BoxError> {
    let mut rows = Vec::with_capacity(keys.len());
    for part in keys.chunks(MAX_BINDS) {
        rows.extend(TaggedItem::filter(workloads_taggeditem::id.eq_any(part)).load(conn)?);
    }
    Ok(rows)
}

/// Untimed: the articles W4 prefetches the tags of.
pub fn articles(conn: &mut Conn, keys: &[i64]) -> Result<Vec<Article>, BoxError> {
    let mut rows = Vec::with_capacity(keys.len());
    for part in keys.chunks(MAX_BINDS) {
        rows.extend(Article::filter(workloads_article::id.eq_any(part)).load(conn)?);
    }
    Ok(rows)
}

/// W2: `insert_many` of the new rows, each pointing at its video with `Target::to`; the rows
/// come back with their keys.
pub fn w2_attach(
    conn: &mut Conn,
    videos: &[Video],
    plan: &[(i64, Vec<i64>)],
) -> Result<Vec<(i64, i32, i64)>, BoxError> {
    let new: Vec<NewTaggedItem> = videos
        .iter()
        .zip(plan)
        .flat_map(|(video, (_, tags))| {
            tags.iter().map(move |&tag_id| NewTaggedItem {
                tag_id,
                content_object: Target::to(video),
            })
        })
        .collect();
    let rows = TaggedItem::insert_many(conn, new)?;
    let mut out: Vec<(i64, i32, i64)> = rows
        .iter()
        .map(|r| (r.tag_id, r.content_type_id, r.object_id))
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// W3: Django's `prefetch_related("content_object")`, then each row's target.
pub fn w3_targets(
    conn: &mut Conn,
    rows: &[TaggedItem],
) -> Result<Vec<(i64, Object)>, BoxError> {
    TaggedItem::CONTENT_OBJECT.prefetch(conn, rows)?;
    rows.iter()
        .map(|row| Ok((row.id, object(row.content_object(conn)?)?)))
        .collect()
}

/// W4: the articles' tags with the tags joined, then each article's tag names, read from
/// the prefetched rows themselves (`all_shared`: no copy of the rows).
pub fn w4_tag_names(
    conn: &mut Conn,
    articles: &[Article],
) -> Result<Vec<(i64, Vec<String>)>, BoxError> {
    Article::TAGS.prefetch_related(conn, articles, TaggedItem::TAG)?;
    articles
        .iter()
        .map(|article| {
            let mut names: Vec<String> = article
                .tags()
                .select_related(TaggedItem::TAG)
                .all_shared(conn)?
                .iter()
                .map(|(_, tag)| tag.name.clone())
                .collect();
            names.sort_unstable();
            Ok((article.id, names))
        })
        .collect()
}

/// W5: Django's `Article.objects.filter(tags__tag__name="t17")`.
pub fn w5_articles_tagged(conn: &mut Conn) -> Result<Vec<(i64, String)>, BoxError> {
    let tagged = Article::TAGS.any(TaggedItem::TAG.any(workloads_tag::name.eq(TAG)));
    let mut out: Vec<(i64, String)> = Article::filter(tagged)
        .load(conn)?
        .into_iter()
        .map(|a| (a.id, a.title))
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// W6: the objects tagged `t17`, whatever their model: `load_targets` reads the items' two
/// columns and then each model's rows (Django's `[i.content_object for i in
/// TaggedItem.objects.filter(tag__name="t17").prefetch_related("content_object")]`, without
/// loading the items).
pub fn w6_objects_tagged(conn: &mut Conn) -> Result<Vec<Object>, BoxError> {
    let tagged = TaggedItem::TAG.any(workloads_tag::name.eq(TAG));
    let mut out = TaggedItem::CONTENT_OBJECT
        .load_targets(conn, tagged)?
        .into_iter()
        .map(|target| object(Some(target)))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_unstable();
    Ok(out)
}

/// W7: `delete_many`, which deletes the articles' tagged items first (the generic cascade).
pub fn w7_delete(conn: &mut Conn, keys: &[i64]) -> Result<(usize, usize), BoxError> {
    let deleted = Article::delete_many(conn, keys)?;
    Ok((deleted.of::<Article>(), deleted.of::<TaggedItem>()))
}

/// W8: Django's `Tag.objects.filter(taggeditem__content_type=ContentType.objects
/// .get_for_model(Article)).annotate(n=Count("taggeditem")).order_by("-n")[:10]`.
pub fn w8_top_tags(conn: &mut Conn) -> Result<(Vec<i64>, Vec<String>), BoxError> {
    let article = ContentType::id_for_model::<Article>(conn)?;
    let top = TaggedItem::TAG
        .annotate(Count)
        .filter_related(workloads_taggeditem::content_type_id.eq(article))
        .order_by_aggregate(Direction::Desc)
        .limit(10)
        .load(conn)?;
    Ok(top_tags(top.into_iter().map(|(tag, n)| (tag.name, n)).collect()))
}
