//! Inserting rows and reading back what the database filled (keys, `auto_now` columns), all
//! or none.
//!
//! `INSERT ... RETURNING` on SQLite and PostgreSQL. MySQL has no `RETURNING`, and MariaDB's
//! (10.5+) cannot be read through Diesel's MySQL connection, which asks for a prepared
//! statement's result columns before executing it; MariaDB 10.11 gives none for some
//! `INSERT ... RETURNING` statements ("No metadata exists"). So on MySQL/MariaDB rows whose
//! keys the database generates go in multi-row `INSERT`s when the server hands one statement
//! consecutive keys (`innodb_autoinc_lock_mode` 0 or 1, MariaDB's and MySQL 5.7's default):
//! the first is `LAST_INSERT_ID()`, the next ones `auto_increment_increment` apart. Otherwise
//! (MySQL 8's default 2 lets concurrent inserts interleave keys) each row is inserted on its
//! own and its key read after it.

use std::collections::HashMap;
use std::future::Future;

use contenttypes_core::ir::ModelDef;
use contenttypes_core::keys::{Key, PkValue};
use diesel::deserialize::{self, QueryableByName};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::row::NamedRow;
use diesel::QueryResult;

use crate::backend::{Dialect, SupportedBackend};
use crate::columns::RowRef;
use crate::conn::{first, Conn};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::field::{FieldType, Scalar};
use crate::fxhash::FxHashMap;
use crate::model::{Loaded, Model, NewModel};
use crate::objects::select_by_keys;
use crate::query::{balanced_chunk_size, insert_columns, Insert, KeyOrder, Returning};
use crate::transaction;

/// [`crate::Objects::insert_many`].
pub(crate) async fn insert_many<T: Model, D: Db>(db: &mut D, new: Vec<T::New>) -> Result<Vec<T>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    resolve_targets(db, &new).await?;
    let given = new.iter().filter(|n| n.__pk().is_some()).count();
    let auto = T::DEF.primary_key().is_some_and(|pk| pk.auto_increment);
    if <D::Backend as SupportedBackend>::DIALECT != Dialect::Mysql {
        // The rows are the new rows with their keys, unless the database fills columns:
        // only the keys are read back (none when every row gives its own). Keys read back
        // alone are matched to rows by order, which only an auto-increment key follows.
        let keys_only = given == new.len() || (given == 0 && auto);
        if !<T::New as NewModel>::__DATABASE_FILLS && keys_only {
            return insert_returning_keys::<T, D>(db, new, given == 0).await;
        }
        return insert_returning::<T, D>(db, &new).await;
    }
    // One row is one `INSERT` and one key read either way: no need to ask the server.
    let batch = new.len() > 1 && auto && given == 0 && consecutive_keys(db.connection()).await;
    if given == new.len() || batch {
        return insert_in_batches::<T, D>(db, new, given == 0).await;
    }
    insert_each_reading_last_id::<T, D>(db, new).await
}

/// Whether one multi-row `INSERT` gets consecutive generated keys on this MySQL/MariaDB
/// server: `innodb_autoinc_lock_mode` 0 ("traditional") or 1 ("consecutive"). A server that
/// does not say is taken as not.
async fn consecutive_keys<C: Conn>(conn: &mut C) -> bool {
    first(conn.load_rows::<_, Scalar<i64>>(AutoincLockMode).await)
        .is_ok_and(|Scalar(mode)| mode == 0 || mode == 1)
}

/// MySQL: multi-row `INSERT`s under the parameter limit, in one transaction; the keys are
/// the rows' own, or (`generated`) read after each statement: `LAST_INSERT_ID()` is the
/// first row's, the next rows' follow `auto_increment_increment` apart (checked by
/// [`consecutive_keys`]).
async fn insert_in_batches<T: Model, D: Db>(
    db: &mut D,
    new: Vec<T::New>,
    generated: bool,
) -> Result<Vec<T>> {
    let size = rows_per_statement(D::Backend::DIALECT, T::DEF, new.len());
    let mut new = new;
    transaction::atomic(db, |db| {
        // Not retried: the one run takes the rows.
        let new = std::mem::take(&mut new);
        Box::pin(async move {
            let conn = db.connection();
            let mut keys: Vec<T::Pk> = Vec::with_capacity(new.len());
            for chunk in new.chunks(size) {
                conn.execute_statement(Insert {
                    rows: chunk,
                    returning: Returning::Nothing,
                    ignore_conflicts: false,
                })
                .await?;
                if !generated {
                    for row in chunk {
                        keys.push(row.__pk().ok_or_else(|| Error::Unsaved {
                            model: T::DEF.label(),
                            operation: "insert",
                        })?);
                    }
                    continue;
                }
                let FirstKey(first_key, step) =
                    first(conn.load_rows::<_, FirstKey>(LastInsertId).await)?;
                for i in 0..chunk.len() as i64 {
                    let id = PkValue::Int(first_key + i * step);
                    keys.push(T::Pk::from_pk_value(&id).ok_or_else(|| Error::InvalidKey {
                        model: T::DEF.label(),
                        key: id,
                    })?);
                }
            }
            let out = new
                .into_iter()
                .zip(keys)
                .map(|(row, pk)| row.__into_model(pk))
                .collect::<Result<Vec<T>>>()?;
            read_back_filled(db, out).await
        })
    })
    .await
}

/// The rows again as the database has them, when it fills columns the new rows do not hold
/// (`auto_now`, defaults): one `SELECT` per parameter limit.
async fn read_back_filled<T: Model, D: Db>(db: &mut D, out: Vec<T>) -> Result<Vec<T>> {
    if !<T::New as NewModel>::__DATABASE_FILLS {
        return Ok(out);
    }
    let keys: Vec<PkValue> = out.iter().map(|r| r.pk().to_pk_value()).collect();
    let mut fresh: HashMap<PkValue, T> =
        select_by_keys::<T, _>(db.connection(), &keys, KeyOrder::Never)
            .await?
            .into_iter()
            .map(|r| (r.pk().to_pk_value(), r))
            .collect();
    Ok(keys.iter().filter_map(|k| fresh.remove(k)).collect())
}

/// [`crate::Objects::bulk_insert`] and, with `ignore_conflicts`,
/// [`crate::Objects::bulk_insert_ignoring_conflicts`].
pub(crate) async fn bulk_insert<T: Model, D: Db>(
    db: &mut D,
    new: &[T::New],
    ignore_conflicts: bool,
) -> Result<usize> {
    resolve_targets(db, new).await?;
    let size = rows_per_statement(D::Backend::DIALECT, T::DEF, new.len());
    let counts = in_chunks::<T, D, _>(db, new, size, Plain { ignore_conflicts }).await?;
    Ok(counts.into_iter().sum())
}

/// The step every insert takes before binding its rows: the content types of their generic
/// foreign key targets, looked up (0 queries once cached). Outside the insert's transaction,
/// since creating a content type is a write of its own.
pub(crate) async fn resolve_targets<N: NewModel, D: Db>(db: &mut D, new: &[N]) -> Result<()> {
    for row in new {
        row.__resolve_targets(db).await?;
    }
    Ok(())
}

/// How many of `rows` rows of `model` go in each `INSERT` on `dialect`: the fewest
/// statements under the backend's parameter cap (SQLite 32,766, PostgreSQL and MySQL 65,535;
/// an insert binds nothing but its rows), of equal sizes (10,001 rows by at most 5,000 are
/// three statements of 3,334, not two of 5,000 and one of 1).
fn rows_per_statement(dialect: Dialect, model: &'static ModelDef, rows: usize) -> usize {
    // A row of no columns is `DEFAULT VALUES`, one row per statement.
    let most = match insert_columns(model).count() {
        0 => 1,
        columns => (dialect.max_binds() / columns).max(1),
    };
    balanced_chunk_size(rows, most)
}

/// The `INSERT` [`in_chunks`] sends for each run of rows, and what it reads back.
trait ChunkInsert<T: Model>: Copy + Send + Sync {
    type Out: Send;

    /// Inserts `chunk` on `conn`.
    fn run<'c, C: Conn>(
        self,
        conn: &'c mut C,
        chunk: &'c [T::New],
    ) -> impl Future<Output = Result<Self::Out>> + Send + 'c;
}

/// A plain `INSERT` (optionally skipping conflicting rows): how many rows went in.
#[derive(Clone, Copy)]
struct Plain {
    ignore_conflicts: bool,
}

impl<T: Model> ChunkInsert<T> for Plain {
    type Out = usize;

    async fn run<'c, C: Conn>(self, conn: &'c mut C, chunk: &'c [T::New]) -> Result<usize> {
        Ok(conn
            .execute_statement(Insert {
                rows: chunk,
                returning: Returning::Nothing,
                ignore_conflicts: self.ignore_conflicts,
            })
            .await?)
    }
}

/// `INSERT ... RETURNING <key>` (`generated`), or a plain `INSERT` when every row gives its
/// key (no keys then): the keys in the order of the rows.
#[derive(Clone, Copy)]
struct Keys {
    generated: bool,
}

impl<T: Model> ChunkInsert<T> for Keys {
    type Out = Vec<T::Pk>;

    async fn run<'c, C: Conn>(self, conn: &'c mut C, chunk: &'c [T::New]) -> Result<Vec<T::Pk>> {
        if !self.generated {
            conn.execute_statement(Insert {
                rows: chunk,
                returning: Returning::Nothing,
                ignore_conflicts: false,
            })
            .await?;
            return Ok(Vec::new());
        }
        let returned: Vec<Scalar<T::Pk>> = conn
            .load_rows(Insert {
                rows: chunk,
                returning: Returning::Key,
                ignore_conflicts: false,
            })
            .await?;
        let mut keys: Vec<T::Pk> = returned.into_iter().map(|k| k.0).collect();
        if !keys.is_sorted_by_key(Key::to_pk_value) {
            keys.sort_by_cached_key(Key::to_pk_value);
        }
        if keys.len() != chunk.len() {
            return Err(Error::Internal(format!(
                "an INSERT of {} rows returned {} keys",
                chunk.len(),
                keys.len()
            )));
        }
        Ok(keys)
    }
}

/// `INSERT ... RETURNING` every column: the rows as the database returned them.
#[derive(Clone, Copy)]
struct Rows;

impl<T: Model> ChunkInsert<T> for Rows {
    type Out = Vec<Loaded<T>>;

    async fn run<'c, C: Conn>(
        self,
        conn: &'c mut C,
        chunk: &'c [T::New],
    ) -> Result<Vec<Loaded<T>>> {
        let rows: Vec<Loaded<T>> = conn
            .load_rows(Insert {
                rows: chunk,
                returning: Returning::All,
                ignore_conflicts: false,
            })
            .await?;
        Ok(rows)
    }
}

/// Runs `insert` on each run of `size` rows, in one transaction when there is more than one
/// run (one statement is atomic by itself), and collects the results.
async fn in_chunks<T: Model, D: Db, S: ChunkInsert<T>>(
    db: &mut D,
    items: &[T::New],
    size: usize,
    insert: S,
) -> Result<Vec<S::Out>> {
    if items.len() <= size {
        return Ok(vec![insert.run(db.connection(), items).await?]);
    }
    transaction::atomic(db, |db| {
        Box::pin(async move {
            let conn = db.connection();
            let mut out = Vec::with_capacity(items.len().div_ceil(size));
            for chunk in items.chunks(size) {
                out.push(insert.run(conn, chunk).await?);
            }
            Ok(out)
        })
    })
    .await
}

/// `INSERT ... RETURNING <key>` (`generated`), or a plain `INSERT` when every row gives its
/// key: the rows are the new rows with their keys, in the order given. A statement's
/// generated keys grow with the order of its rows; they are read back sorted.
async fn insert_returning_keys<T: Model, D: Db>(
    db: &mut D,
    new: Vec<T::New>,
    generated: bool,
) -> Result<Vec<T>> {
    let size = rows_per_statement(D::Backend::DIALECT, T::DEF, new.len());
    let batches = in_chunks::<T, D, _>(db, &new, size, Keys { generated }).await?;
    let mut keys = batches.into_iter().flatten();
    new.into_iter()
        .map(|row| {
            let pk = match row.__pk() {
                Some(pk) => pk,
                None => keys.next().ok_or_else(|| Error::Unsaved {
                    model: T::DEF.label(),
                    operation: "insert",
                })?,
            };
            row.__into_model(pk)
        })
        .collect()
}

/// `INSERT ... RETURNING` every column, rows put back in the order given.
async fn insert_returning<T: Model, D: Db>(db: &mut D, new: &[T::New]) -> Result<Vec<T>> {
    let size = rows_per_statement(D::Backend::DIALECT, T::DEF, new.len());
    let batches = in_chunks::<T, D, _>(db, new, size, Rows).await?;
    let mut out: Vec<T> = Vec::with_capacity(new.len());
    for (chunk, rows) in new.chunks(size).zip(batches) {
        let mut rows: Vec<T> = rows.into_iter().map(|r| r.0).collect();
        // The order of returned rows is not guaranteed (SQLite says so). Database-generated
        // keys grow with insertion order; given keys are matched back to their position.
        let given: Vec<Option<PkValue>> = chunk
            .iter()
            .map(|n| n.__pk().map(|k| k.to_pk_value()))
            .collect();
        // The databases return them in order in practice: checked in one pass, sorted
        // (each key read once) only when not.
        if given.iter().all(Option::is_some) {
            let position: FxHashMap<PkValue, usize> = given
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, k)| (k, i))
                .collect();
            let at = |r: &T| {
                position
                    .get(&r.pk().to_pk_value())
                    .copied()
                    .unwrap_or(usize::MAX)
            };
            if !rows.is_sorted_by_key(at) {
                rows.sort_by_cached_key(at);
            }
        } else if !rows.is_sorted_by_key(|r| r.pk().to_pk_value()) {
            rows.sort_by_cached_key(|r| r.pk().to_pk_value());
        }
        out.extend(rows);
    }
    Ok(out)
}

/// MySQL without `RETURNING`: one `INSERT` and one `LAST_INSERT_ID()` per row, in a
/// transaction, then one `SELECT` of the rows when the database fills columns.
async fn insert_each_reading_last_id<T: Model, D: Db>(
    db: &mut D,
    new: Vec<T::New>,
) -> Result<Vec<T>> {
    let mut new = new;
    transaction::atomic(db, |db| {
        // Not retried: the one run takes the rows.
        let new = std::mem::take(&mut new);
        Box::pin(async move {
            let conn = db.connection();
            let auto = T::DEF.primary_key().is_some_and(|pk| pk.auto_increment);
            let mut out = Vec::with_capacity(new.len());
            for row in new {
                conn.execute_statement(Insert {
                    rows: std::slice::from_ref(&row),
                    returning: Returning::Nothing,
                    ignore_conflicts: false,
                })
                .await?;
                let pk = if auto {
                    let FirstKey(id, _) = first(conn.load_rows::<_, FirstKey>(LastInsertId).await)?;
                    T::Pk::from_pk_value(&PkValue::Int(id)).ok_or_else(|| Error::InvalidKey {
                        model: T::DEF.label(),
                        key: PkValue::Int(id),
                    })?
                } else {
                    row.__pk().ok_or_else(|| Error::Unsaved {
                        model: T::DEF.label(),
                        operation: "insert",
                    })?
                };
                out.push(row.__into_model(pk)?);
            }
            read_back_filled(db, out).await
        })
    })
    .await
}

/// `SELECT LAST_INSERT_ID(), @@auto_increment_increment` (MySQL): the first key the last
/// `INSERT` generated, and the step between the keys of its rows.
struct LastInsertId;

crate::query::statement_node!(impl for LastInsertId);

impl<DB: SupportedBackend> QueryFragment<DB> for LastInsertId {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // MySQL returns unsigned BIGINTs; the casts make them the signed values the row
        // decoder reads.
        out.push_sql(
            "SELECT CAST(LAST_INSERT_ID() AS SIGNED), CAST(@@auto_increment_increment AS SIGNED)",
        );
        Ok(())
    }
}

/// A row of [`LastInsertId`].
struct FirstKey(i64, i64);

impl<DB: SupportedBackend> QueryableByName<DB> for FirstKey {
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        let row = RowRef::<_, DB>::new(row);
        Ok(FirstKey(i64::__read(&row, 0)?, i64::__read(&row, 1)?))
    }
}

/// `SELECT @@innodb_autoinc_lock_mode` (MySQL/MariaDB; see [`consecutive_keys`]).
struct AutoincLockMode;

crate::query::statement_node!(impl for AutoincLockMode);

impl<DB: SupportedBackend> QueryFragment<DB> for AutoincLockMode {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT CAST(@@innodb_autoinc_lock_mode AS SIGNED)");
        Ok(())
    }
}
