//! The library's view of the shared tables, as the JSON document Django's side computes
//! through its ORM (`tests/interop/django/interop/snapshot.py`: the same fields, the same
//! order), so Django's `interop_check` can compare the two value for value.
//!
//! Read the way an application reads: prefetched generic foreign keys and generic relations,
//! then the accessors (which prefetching makes free).

use std::collections::HashMap;

use contenttypes::prelude::*;
use contenttypes::Result;
use serde_json::{json, Value};

use crate::models::*;

/// A generic foreign key's target: `[app_label.model, key as text, title]`, or `null`.
fn target(object: Option<GenericObject>) -> Value {
    let Some(object) = object else {
        return Value::Null;
    };
    let title = match (
        object.downcast_ref::<Note>(),
        object.downcast_ref::<Article>(),
    ) {
        (Ok(note), _) => note.title.clone(),
        (_, Ok(article)) => article.title.clone(),
        _ => panic!(
            "a generic foreign key points at {}",
            object.model_def().label()
        ),
    };
    json!([object.model_def().label(), object.pk().to_string(), title])
}

/// Tag names and activity verbs of a note or an article, from its prefetched relations.
fn owner(
    id: String,
    title: &str,
    tags: Vec<TaggedItem>,
    acted: Vec<Activity>,
    targeted: Vec<Activity>,
    tag_names: &HashMap<i64, String>,
) -> Value {
    let mut tags: Vec<&str> = tags.iter().map(|i| tag_names[&i.tag_id].as_str()).collect();
    let mut acted: Vec<String> = acted.into_iter().map(|a| a.verb).collect();
    let mut targeted: Vec<String> = targeted.into_iter().map(|a| a.verb).collect();
    tags.sort();
    acted.sort();
    targeted.sort();
    json!({"id": id, "title": title, "tags": tags, "acted": acted, "targeted": targeted})
}

/// The library's view; `content_types` are the rows of `django_content_type` as
/// `(id, app_label, model)`.
pub fn library_view<D: Db<Mode = SyncMode>>(
    db: &mut D,
    content_types: &[(i32, String, String)],
) -> Result<Value> {
    let tags = Tag::all(db)?;
    let tag_names: HashMap<i64, String> = tags.iter().map(|t| (t.id, t.name.clone())).collect();
    let items = TaggedItem::all(db)?;
    let mut tag_rows: Vec<Value> = tags
        .iter()
        .map(|tag| {
            let count = items.iter().filter(|i| i.tag_id == tag.id).count();
            json!({"name": tag.name, "items": count})
        })
        .collect();
    tag_rows.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));

    let notes = Note::all(db)?;
    Note::TAGS.prefetch(db, &notes)?;
    Note::ACTED.prefetch(db, &notes)?;
    Note::TARGETED.prefetch(db, &notes)?;
    let mut note_rows = Vec::new();
    for note in &notes {
        let (tags, acted, targeted) = (
            note.tags().all(db)?,
            note.acted().all(db)?,
            note.targeted().all(db)?,
        );
        let id = note.id.hyphenated().to_string();
        note_rows.push(owner(id, &note.title, tags, acted, targeted, &tag_names));
    }
    note_rows.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));

    let articles = Article::all(db)?;
    Article::TAGS.prefetch(db, &articles)?;
    Article::ACTED.prefetch(db, &articles)?;
    Article::TARGETED.prefetch(db, &articles)?;
    let mut article_rows = Vec::new();
    for article in &articles {
        let (tags, acted, targeted) = (
            article.tags().all(db)?,
            article.acted().all(db)?,
            article.targeted().all(db)?,
        );
        let id = article.id.to_string();
        article_rows.push(owner(id, &article.title, tags, acted, targeted, &tag_names));
    }
    // `Article::all` is ordered by key, as Django's list is sorted by it.

    TaggedItem::CONTENT_OBJECT.prefetch(db, &items)?;
    let mut item_rows = Vec::new();
    for item in &items {
        item_rows.push(json!({
            "tag": tag_names[&item.tag_id],
            "object_id": item.object_id,
            "target": target(item.content_object(db)?),
        }));
    }
    item_rows.sort_by_key(|i| (i["tag"].to_string(), i["object_id"].to_string()));

    let activities = Activity::all(db)?;
    Activity::ACTOR.prefetch(db, &activities)?;
    Activity::TARGET.prefetch(db, &activities)?;
    let mut activity_rows = Vec::new();
    for activity in &activities {
        activity_rows.push(json!({
            "verb": activity.verb,
            "actor_id": activity.actor_id,
            "actor": target(activity.actor(db)?),
            "target_id": activity.target_id,
            "target": target(activity.target(db)?),
        }));
    }
    activity_rows.sort_by(|a, b| a["verb"].as_str().cmp(&b["verb"].as_str()));

    let mut content_types = content_types.to_vec();
    content_types.sort();
    Ok(json!({
        "content_types": content_types.iter().map(|(id, app, model)| json!([id, app, model])).collect::<Vec<_>>(),
        "tags": tag_rows,
        "notes": note_rows,
        "articles": article_rows,
        "tagged_items": item_rows,
        "activities": activity_rows,
    }))
}

/// How many rows of the interop tables a view holds.
pub fn rows(view: &Value) -> usize {
    ["tags", "notes", "articles", "tagged_items", "activities"]
        .iter()
        .map(|k| view[k].as_array().map_or(0, Vec::len))
        .sum()
}
