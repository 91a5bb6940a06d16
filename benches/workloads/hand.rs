// The hand-written side: the same work in plain Diesel 2.3, as a skilled developer writes it
// with the `table!` schema the derive generates: `eq_any` key lists (one array parameter on
// PostgreSQL), subqueries, one batch per statement's parameter limit, and the content type
// ids read once up front (`Cts`). Compiled once per backend by `backend.rs`.

use diesel::dsl::count_star;

use workloads_taggeditem as ti;

type Object = (Kind, i64, String);

/// Untimed: the tagged items W3 reads the targets of: `(key, content type, object id)`.
pub fn tagged_items(conn: &mut Conn, keys: &[i64]) -> Result<Vec<(i64, i32, i64)>, BoxError> {
    let mut rows = Vec::with_capacity(keys.len());
    for part in keys.chunks(MAX_BINDS) {
        rows.extend(
            ti::table
                .filter(ti::id.eq_any(part))
                .select((ti::id, ti::content_type_id, ti::object_id))
                .order(ti::id)
                .load::<(i64, i32, i64)>(conn)?,
        );
    }
    Ok(rows)
}

/// The rows of these keys of one model (every column, as the library's prefetch loads the
/// objects), as their titles by key: one `SELECT` per parameter limit.
fn titles(conn: &mut Conn, kind: Kind, keys: &[i64]) -> Result<HashMap<i64, String>, BoxError> {
    let mut out = HashMap::with_capacity(keys.len());
    for part in keys.chunks(MAX_BINDS) {
        match kind {
            Kind::Article => out.extend(
                workloads_article::table
                    .filter(workloads_article::id.eq_any(part))
                    .select((workloads_article::id, workloads_article::title))
                    .load::<(i64, String)>(conn)?,
            ),
            Kind::Video => out.extend(
                workloads_video::table
                    .filter(workloads_video::id.eq_any(part))
                    .select(workloads_video::all_columns)
                    .load::<(i64, String, i32)>(conn)?
                    .into_iter()
                    .map(|(id, title, _)| (id, title)),
            ),
            Kind::Photo => out.extend(
                workloads_photo::table
                    .filter(workloads_photo::id.eq_any(part))
                    .select(workloads_photo::all_columns)
                    .load::<(i64, String, i32)>(conn)?
                    .into_iter()
                    .map(|(id, title, _)| (id, title)),
            ),
        }
    }
    Ok(out)
}

/// The targets of `(content type, object id)` pairs: one query per model present, keyed by
/// model and key.
fn targets(
    conn: &mut Conn,
    cts: Cts,
    pairs: impl Iterator<Item = (i32, i64)>,
) -> Result<HashMap<Kind, HashMap<i64, String>>, BoxError> {
    let mut keys: HashMap<Kind, Vec<i64>> = HashMap::new();
    for (ct, object) in pairs {
        let kind = cts.kind(ct).ok_or("an unknown content type")?;
        keys.entry(kind).or_default().push(object);
    }
    let mut out = HashMap::with_capacity(keys.len());
    for (kind, mut ids) in keys {
        ids.sort_unstable();
        ids.dedup();
        out.insert(kind, titles(conn, kind, &ids)?);
    }
    Ok(out)
}

fn target(found: &HashMap<Kind, HashMap<i64, String>>, kind: Kind, id: i64) -> Result<Object, BoxError> {
    let title = found
        .get(&kind)
        .and_then(|m| m.get(&id))
        .ok_or("a tagged item's target is missing")?;
    Ok((kind, id, title.clone()))
}

/// W2: one multi-row `INSERT` per parameter limit, reading the new rows back.
pub fn w2_attach(
    conn: &mut Conn,
    cts: Cts,
    plan: &[(i64, Vec<i64>)],
) -> Result<Vec<(i64, i32, i64)>, BoxError> {
    let rows: Vec<(i64, i32, i64)> = plan
        .iter()
        .flat_map(|(video, tags)| {
            tags.iter().map(move |&tag| (tag, cts.video, *video))
        })
        .collect();
    let inserted = conn.transaction(|conn| -> Result<Vec<(i64, i64, i32, i64)>, BoxError> {
        let mut inserted = Vec::with_capacity(rows.len());
        for part in rows.chunks(MAX_BINDS / 3) {
            inserted.extend(super::insert_returning(conn, part)?);
        }
        Ok(inserted)
    })?;
    let mut out: Vec<(i64, i32, i64)> = inserted
        .iter()
        .map(|&(_, tag, ct, object)| (tag, ct, object))
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// Untimed, after W2: deletes the tagged items past the dataset's.
pub fn delete_items_after(conn: &mut Conn, last: i64) -> Result<(), BoxError> {
    diesel::delete(ti::table.filter(ti::id.gt(last))).execute(conn)?;
    Ok(())
}

/// W3: the targets, one query per model, then each row's.
pub fn w3_targets(
    conn: &mut Conn,
    cts: Cts,
    rows: &[(i64, i32, i64)],
) -> Result<Vec<(i64, Object)>, BoxError> {
    let found = targets(conn, cts, rows.iter().map(|&(_, ct, object)| (ct, object)))?;
    rows.iter()
        .map(|&(id, ct, object)| {
            let kind = cts.kind(ct).ok_or("an unknown content type")?;
            Ok((id, target(&found, kind, object)?))
        })
        .collect()
}

/// W4: the articles' tagged items, then their tags (Django's two prefetch queries). The items
/// are read whole, as the prefetch it is compared with holds them (reading only
/// `(object_id, tag_id)` is ~0.2 ms less on SQLite: the price of rows over two columns).
pub fn w4_tag_names(
    conn: &mut Conn,
    cts: Cts,
    keys: &[i64],
) -> Result<Vec<(i64, Vec<String>)>, BoxError> {
    let mut links: Vec<(i64, i64)> = Vec::new();
    for part in keys.chunks(MAX_BINDS - 1) {
        links.extend(
            ti::table
                .filter(ti::content_type_id.eq(cts.article))
                .filter(ti::object_id.eq_any(part))
                .select((ti::id, ti::tag_id, ti::content_type_id, ti::object_id))
                .load::<(i64, i64, i32, i64)>(conn)?
                .into_iter()
                .map(|(_, tag, _, object)| (object, tag)),
        );
    }
    let mut tag_ids: Vec<i64> = links.iter().map(|l| l.1).collect();
    tag_ids.sort_unstable();
    tag_ids.dedup();
    let names: HashMap<i64, String> = workloads_tag::table
        .filter(workloads_tag::id.eq_any(&tag_ids))
        .select((workloads_tag::id, workloads_tag::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut per_article: HashMap<i64, Vec<String>> = HashMap::with_capacity(keys.len());
    for (article, tag) in links {
        let name = names.get(&tag).ok_or("a tag is missing")?;
        per_article.entry(article).or_default().push(name.clone());
    }
    Ok(keys
        .iter()
        .map(|k| {
            let mut names = per_article.remove(k).unwrap_or_default();
            names.sort_unstable();
            (*k, names)
        })
        .collect())
}

/// The keys of the tags named `t17`, as a subquery.
fn tag_keys() -> diesel::dsl::Select<diesel::dsl::Filter<workloads_tag::table, diesel::dsl::Eq<workloads_tag::name, &'static str>>, workloads_tag::id> {
    workloads_tag::table
        .filter(workloads_tag::name.eq(TAG))
        .select(workloads_tag::id)
}

/// W5: `id IN (SELECT object_id … WHERE content_type_id = ? AND tag_id IN (SELECT id …))`.
pub fn w5_articles_tagged(conn: &mut Conn, cts: Cts) -> Result<Vec<(i64, String)>, BoxError> {
    let tagged = ti::table
        .filter(ti::content_type_id.eq(cts.article))
        .filter(ti::tag_id.eq_any(tag_keys()))
        .select(ti::object_id);
    let mut out: Vec<(i64, String)> = workloads_article::table
        .filter(workloads_article::id.eq_any(tagged))
        .select((workloads_article::id, workloads_article::title))
        .load(conn)?;
    out.sort_unstable();
    Ok(out)
}

/// W6: the items having the tag, then their targets, one query per model.
pub fn w6_objects_tagged(conn: &mut Conn, cts: Cts) -> Result<Vec<Object>, BoxError> {
    let items: Vec<(i32, i64)> = ti::table
        .filter(ti::tag_id.eq_any(tag_keys()))
        .select((ti::content_type_id, ti::object_id))
        .load(conn)?;
    let found = targets(conn, cts, items.iter().copied())?;
    let mut out = items
        .iter()
        .map(|&(ct, object)| target(&found, cts.kind(ct).ok_or("an unknown content type")?, object))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_unstable();
    Ok(out)
}

/// W7: in a transaction, the articles' tagged items, then the articles.
pub fn w7_delete(conn: &mut Conn, cts: Cts, keys: &[i64]) -> Result<(usize, usize), BoxError> {
    Ok(conn.transaction(|conn| -> QueryResult<(usize, usize)> {
        let mut items = 0;
        let mut articles = 0;
        for part in keys.chunks(MAX_BINDS - 1) {
            items += diesel::delete(
                ti::table
                    .filter(ti::content_type_id.eq(cts.article))
                    .filter(ti::object_id.eq_any(part)),
            )
            .execute(conn)?;
            articles += diesel::delete(workloads_article::table.filter(workloads_article::id.eq_any(part)))
                .execute(conn)?;
        }
        Ok((articles, items))
    })?)
}

/// W7's rows, read before it runs, to put back (untimed) after each round.
pub struct Saved {
    articles: Vec<(i64, String)>,
    items: Vec<(i64, i64, i32, i64)>,
}

impl Saved {
    pub fn read(conn: &mut Conn, cts: Cts, keys: &[i64]) -> Result<Saved, BoxError> {
        let mut saved = Saved {
            articles: Vec::new(),
            items: Vec::new(),
        };
        for part in keys.chunks(MAX_BINDS - 1) {
            saved.articles.extend(
                workloads_article::table
                    .filter(workloads_article::id.eq_any(part))
                    .select((workloads_article::id, workloads_article::title))
                    .load::<(i64, String)>(conn)?,
            );
            saved.items.extend(
                ti::table
                    .filter(ti::content_type_id.eq(cts.article))
                    .filter(ti::object_id.eq_any(part))
                    .select((ti::id, ti::tag_id, ti::content_type_id, ti::object_id))
                    .load::<(i64, i64, i32, i64)>(conn)?,
            );
        }
        Ok(saved)
    }

    pub fn restore(&self, conn: &mut Conn) -> Result<(), BoxError> {
        conn.transaction(|conn| -> QueryResult<()> {
            for part in self.articles.chunks(2_000) {
                let rows: Vec<_> = part
                    .iter()
                    .map(|(id, title)| (workloads_article::id.eq(*id), workloads_article::title.eq(title)))
                    .collect();
                diesel::insert_into(workloads_article::table)
                    .values(&rows)
                    .execute(conn)?;
            }
            for part in self.items.chunks(2_000) {
                let rows: Vec<_> = part
                    .iter()
                    .map(|&(id, tag, ct, object)| {
                        (
                            ti::id.eq(id),
                            ti::tag_id.eq(tag),
                            ti::content_type_id.eq(ct),
                            ti::object_id.eq(object),
                        )
                    })
                    .collect();
                diesel::insert_into(ti::table).values(&rows).execute(conn)?;
            }
            Ok(())
        })?;
        Ok(())
    }
}

/// W8: a join, `GROUP BY` the tag, ordered by the count, first 10.
pub fn w8_top_tags(conn: &mut Conn, cts: Cts) -> Result<(Vec<i64>, Vec<String>), BoxError> {
    let top: Vec<(String, i64)> = ti::table
        .inner_join(workloads_tag::table)
        .filter(ti::content_type_id.eq(cts.article))
        .group_by((workloads_tag::id, workloads_tag::name))
        .select((workloads_tag::name, count_star()))
        .order(count_star().desc())
        .limit(10)
        .load(conn)?;
    Ok(top_tags(top))
}
