//! From names to tag rows: found, or created race-free.
//!
//! `SELECT` the names; the missing ones are inserted skipping conflicts (`ON CONFLICT DO
//! NOTHING`, `INSERT IGNORE` on MySQL), then read back with a locking read (which sees a
//! row a concurrent caller committed after this transaction's snapshot, on MySQL's
//! `REPEATABLE READ`). A name still missing then lost its slug to another tag (`C++` and `C#`
//! are both `c`): it is inserted again with `_1`, `_2`... after the slug, as django-taggit
//! does. Concurrent callers adding the same new names thus get one row per name and no
//! error; the unique `name` and `slug` of the tag model are what makes it so.
//! New names are inserted in the caller's order, which decides which of two names sharing a
//! slug gets it (as in django-taggit); two callers inserting the same new names in different
//! orders may then deadlock on MySQL, which aborts one: the framework's transaction is retried
//! (see `transaction.rs`), and inside the caller's transaction the error says it is retryable.

use std::collections::HashMap;

use crate::conn::Conn;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::field::Value;
use crate::insert;
use crate::model::Loaded;
use crate::query::{key_chunks, Col, Cond, KeyOrder, Lock, Select, FRAMEWORK_BINDS};

use super::names::{check_new_names, match_key, new_slug, TagRef, Wanted};
use super::TagModel;

/// How many slug suffixes are tried for one name before giving up.
const MAX_SLUG_ATTEMPTS: usize = 100;

/// The tag rows of `wanted`, in its order: rows given as rows, names found, and (with
/// `create`) names created, each new tag made by `create(name, slug)`. Without `create`,
/// names with no tag are left out. Runs inside the caller's transaction.
pub(crate) async fn resolve<T: TagModel, D: Db>(
    db: &mut D,
    wanted: &Wanted<'_, T>,
    create: Option<&(dyn Fn(String, String) -> T::New + Sync)>,
) -> Result<Vec<T>> {
    let names: Vec<&str> = wanted.names().collect();
    let mut found: HashMap<String, T> = HashMap::new();
    if !names.is_empty() {
        let read = by_names::<T, D>(db, &names, None).await?;
        assign(&names, read, &mut found);
        if let Some(create) = create {
            create_missing::<T, D>(db, &names, create, 0, &mut found).await?;
        }
    }
    Ok(in_order(wanted, &found))
}

/// [`resolve`] for bulk work: the names are inserted first (skipping conflicts) and read
/// back in one `SELECT`, 2 statements whether the tags are new or not; only names whose slug
/// was taken take more.
pub(crate) async fn resolve_creating_first<T: TagModel, D: Db>(
    db: &mut D,
    wanted: &Wanted<'_, T>,
    create: &(dyn Fn(String, String) -> T::New + Sync),
) -> Result<Vec<T>> {
    let names: Vec<&str> = wanted.names().collect();
    let mut found: HashMap<String, T> = HashMap::new();
    if !names.is_empty() {
        check_new_names::<T>(&names)?;
        let new: Vec<T::New> = names
            .iter()
            .map(|name| create(name.to_string(), new_slug::<T>(name, 0)))
            .collect();
        insert::bulk_insert::<T, D>(db, &new, true).await?;
        let read = by_names::<T, D>(db, &names, Some(Lock::Share)).await?;
        assign(&names, read, &mut found);
        create_missing::<T, D>(db, &names, create, 1, &mut found).await?;
    }
    Ok(in_order(wanted, &found))
}

/// The tags of `wanted` in its order: rows as given, names as found.
fn in_order<T: TagModel>(wanted: &Wanted<'_, T>, found: &HashMap<String, T>) -> Vec<T> {
    wanted
        .items
        .iter()
        .filter_map(|item| match item {
            TagRef::Tag(row) => Some((*row).clone()),
            TagRef::Name(name) => found.get(&match_key::<T>(name)).cloned(),
        })
        .collect()
}

/// Gives each of `names` not found yet its tag among `tags`, read by those names: the one
/// with the name as given, else one with the name in another case that no name asked for as
/// it is (the database matched it: its collation ignores case, so they are one name to it).
fn assign<T: TagModel>(names: &[&str], tags: Vec<T>, found: &mut HashMap<String, T>) {
    for name in names {
        let key = match_key::<T>(name);
        if found.contains_key(&key) {
            continue;
        }
        let tag = tags
            .iter()
            .find(|t| match_key::<T>(t.name()) == key)
            .or_else(|| {
                // Only a row no name asked for as it is: in a case-sensitive database,
                // "Rust" read for "Rust" is not "rust"'s.
                let lower = name.to_lowercase();
                tags.iter().find(|t| {
                    t.name().to_lowercase() == lower
                        && !names
                            .iter()
                            .any(|n| match_key::<T>(n) == match_key::<T>(t.name()))
                })
            });
        if let Some(tag) = tag {
            found.insert(key, tag.clone());
        }
    }
}

/// Inserts the tags of `names` not found yet, skipping conflicts, and reads them back into
/// `found`; names whose slug was taken by another tag are retried with a numbered slug.
async fn create_missing<T: TagModel, D: Db>(
    db: &mut D,
    names: &[&str],
    create: &(dyn Fn(String, String) -> T::New + Sync),
    first_attempt: usize,
    found: &mut HashMap<String, T>,
) -> Result<()> {
    let mut pending: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !found.contains_key(&match_key::<T>(n)))
        .collect();
    check_new_names::<T>(&pending)?;
    for attempt in first_attempt..=MAX_SLUG_ATTEMPTS {
        if pending.is_empty() {
            return Ok(());
        }
        let new: Vec<T::New> = pending
            .iter()
            .map(|name| create(name.to_string(), new_slug::<T>(name, attempt)))
            .collect();
        insert::bulk_insert::<T, D>(db, &new, true).await?;
        let read = by_names::<T, D>(db, &pending, Some(Lock::Share)).await?;
        assign(&pending, read, found);
        pending.retain(|n| !found.contains_key(&match_key::<T>(n)));
    }
    Err(Error::InvalidArgument(format!(
        "no free slug for the tags {pending:?} after {MAX_SLUG_ATTEMPTS} attempts"
    )))
}

/// The tags with these names (their lowercase for a case-insensitive tag model), in one
/// `SELECT` per bind-limit's worth of names.
pub(crate) async fn by_names<T: TagModel, D: Db>(
    db: &mut D,
    names: &[&str],
    lock: Option<Lock>,
) -> Result<Vec<T>> {
    let values: Vec<Value> = names
        .iter()
        .map(|n| Value::Text(match_key::<T>(n)))
        .collect();
    let column = Col::of(T::DEF, T::NAME_COLUMN);
    let mut out = Vec::new();
    for chunk in key_chunks::<D::Backend>(&values, FRAMEWORK_BINDS) {
        let cond = if T::CASE_INSENSITIVE {
            Cond::InLower(column, chunk.to_vec())
        } else {
            Cond::In(column, chunk.to_vec())
        };
        let mut query = Select::new(T::DEF, cond);
        query.order_by_pk = KeyOrder::Never;
        query.lock = lock;
        let rows: Vec<Loaded<T>> = db.connection().load_rows(query).await?;
        out.extend(rows.into_iter().map(|r| r.0));
    }
    Ok(out)
}
