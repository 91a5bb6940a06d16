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

use contenttypes_core::ir::ModelDef;
use contenttypes_core::keys::{Key, PkValue};
use diesel::deserialize::{self, QueryableByName};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::row::NamedRow;
use diesel::{QueryResult, RunQueryDsl};

use crate::backend::{Dialect, SupportedBackend};
use crate::columns::RowRef;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::field::{FieldType, Scalar};
use crate::fxhash::FxHashMap;
use crate::model::{Loaded, Model, NewModel};
use crate::objects::select_by_keys;
use crate::query::{balanced_chunk_size, insert_columns, Insert, KeyOrder, Returning};
use crate::transaction;

/// [`crate::Objects::insert_many`].
pub(crate) fn insert_many<T: Model, D: Db>(db: &mut D, new: Vec<T::New>) -> Result<Vec<T>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    resolve_targets(db, &new)?;
    let given = new.iter().filter(|n| n.__pk().is_some()).count();
    let auto = T::DEF.primary_key().is_some_and(|pk| pk.auto_increment);
    if <D::Backend as SupportedBackend>::DIALECT != Dialect::Mysql {
        // The rows are the new rows with their keys, unless the database fills columns:
        // only the keys are read back (none when every row gives its own). Keys read back
        // alone are matched to rows by order, which only an auto-increment key follows.
        let keys_only = given == new.len() || (given == 0 && auto);
        if !<T::New as NewModel>::__DATABASE_FILLS && keys_only {
            return insert_returning_keys::<T, D>(db, new, given == 0);
        }
        return insert_returning::<T, D>(db, &new);
    }
    // One row is one `INSERT` and one key read either way: no need to ask the server.
    let batch = new.len() > 1 && auto && given == 0 && consecutive_keys(db.connection());
    if given == new.len() || batch {
        return insert_in_batches::<T, D>(db, new, given == 0);
    }
    insert_each_reading_last_id::<T, D>(db, new)
}

/// Whether one multi-row `INSERT` gets consecutive generated keys on this MySQL/MariaDB
/// server: `innodb_autoinc_lock_mode` 0 ("traditional") or 1 ("consecutive"). A server that
/// does not say is taken as not.
fn consecutive_keys<C: diesel::Connection + diesel::connection::LoadConnection>(
    conn: &mut C,
) -> bool
where
    C::Backend: SupportedBackend,
{
    AutoincLockMode
        .get_result::<Scalar<i64>>(conn)
        .is_ok_and(|Scalar(mode)| mode == 0 || mode == 1)
}

/// MySQL: multi-row `INSERT`s under the parameter limit, in one transaction; the keys are
/// the rows' own, or (`generated`) read after each statement: `LAST_INSERT_ID()` is the
/// first row's, the next rows' follow `auto_increment_increment` apart (checked by
/// [`consecutive_keys`]).
fn insert_in_batches<T: Model, D: Db>(
    db: &mut D,
    new: Vec<T::New>,
    generated: bool,
) -> Result<Vec<T>> {
    let size = rows_per_statement(D::Backend::DIALECT, T::DEF, new.len());
    transaction::atomic(db, |db| {
        let conn = db.connection();
        let mut keys: Vec<T::Pk> = Vec::with_capacity(new.len());
        for chunk in new.chunks(size) {
            Insert {
                rows: chunk,
                returning: Returning::Nothing,
                ignore_conflicts: false,
            }
            .execute(conn)?;
            if !generated {
                for row in chunk {
                    keys.push(row.__pk().ok_or_else(|| Error::Unsaved {
                        model: T::DEF.label(),
                        operation: "insert",
                    })?);
                }
                continue;
            }
            let FirstKey(first, step) = LastInsertId.get_result::<FirstKey>(conn)?;
            for i in 0..chunk.len() as i64 {
                let id = PkValue::Int(first + i * step);
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
        read_back_filled(db, out)
    })
}

/// The rows again as the database has them, when it fills columns the new rows do not hold
/// (`auto_now`, defaults): one `SELECT` per parameter limit.
fn read_back_filled<T: Model, D: Db>(db: &mut D, out: Vec<T>) -> Result<Vec<T>> {
    if !<T::New as NewModel>::__DATABASE_FILLS {
        return Ok(out);
    }
    let keys: Vec<PkValue> = out.iter().map(|r| r.pk().to_pk_value()).collect();
    let mut fresh: HashMap<PkValue, T> =
        select_by_keys::<T, _>(db.connection(), &keys, KeyOrder::Never)?
            .into_iter()
            .map(|r| (r.pk().to_pk_value(), r))
            .collect();
    Ok(keys.iter().filter_map(|k| fresh.remove(k)).collect())
}

/// [`crate::Objects::bulk_insert`] and, with `ignore_conflicts`,
/// [`crate::Objects::bulk_insert_ignoring_conflicts`].
pub(crate) fn bulk_insert<T: Model, D: Db>(
    db: &mut D,
    new: &[T::New],
    ignore_conflicts: bool,
) -> Result<usize> {
    resolve_targets(db, new)?;
    in_chunks(
        db,
        new,
        rows_per_statement(D::Backend::DIALECT, T::DEF, new.len()),
        |conn, chunk| {
            Ok(Insert {
                rows: chunk,
                returning: Returning::Nothing,
                ignore_conflicts,
            }
            .execute(conn)?)
        },
    )
    .map(|counts| counts.into_iter().sum())
}

/// The step every insert takes before binding its rows: the content types of their generic
/// foreign key targets, looked up (0 queries once cached). Outside the insert's transaction,
/// since creating a content type is a write of its own.
pub(crate) fn resolve_targets<N: NewModel, D: Db>(db: &mut D, new: &[N]) -> Result<()> {
    new.iter().try_for_each(|row| row.__resolve_targets(db))
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

/// Runs `f` on each run of `size` items, in one transaction when there is more than one run
/// (one statement is atomic by itself), and collects the results.
fn in_chunks<D: Db, I, T>(
    db: &mut D,
    items: &[I],
    size: usize,
    mut f: impl FnMut(&mut D::Connection, &[I]) -> Result<T>,
) -> Result<Vec<T>> {
    if items.len() <= size {
        return Ok(vec![f(db.connection(), items)?]);
    }
    transaction::atomic(db, |db| {
        let conn = db.connection();
        items.chunks(size).map(|chunk| f(conn, chunk)).collect()
    })
}

/// `INSERT ... RETURNING <key>` (`generated`), or a plain `INSERT` when every row gives its
/// key: the rows are the new rows with their keys, in the order given. A statement's
/// generated keys grow with the order of its rows; they are read back sorted.
fn insert_returning_keys<T: Model, D: Db>(
    db: &mut D,
    new: Vec<T::New>,
    generated: bool,
) -> Result<Vec<T>> {
    let size = rows_per_statement(D::Backend::DIALECT, T::DEF, new.len());
    let batches = in_chunks(db, &new, size, |conn, chunk| {
        if !generated {
            Insert {
                rows: chunk,
                returning: Returning::Nothing,
                ignore_conflicts: false,
            }
            .execute(conn)?;
            return Ok(Vec::new());
        }
        let mut keys: Vec<T::Pk> = Insert {
            rows: chunk,
            returning: Returning::Key,
            ignore_conflicts: false,
        }
        .load::<Scalar<T::Pk>>(conn)?
        .into_iter()
        .map(|k| k.0)
        .collect();
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
    })?;
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
fn insert_returning<T: Model, D: Db>(db: &mut D, new: &[T::New]) -> Result<Vec<T>> {
    let size = rows_per_statement(D::Backend::DIALECT, T::DEF, new.len());
    let batches = in_chunks(db, new, size, |conn, chunk| {
        let rows: Vec<Loaded<T>> = Insert {
            rows: chunk,
            returning: Returning::All,
            ignore_conflicts: false,
        }
        .load(conn)?;
        Ok(rows)
    })?;
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
fn insert_each_reading_last_id<T: Model, D: Db>(db: &mut D, new: Vec<T::New>) -> Result<Vec<T>> {
    transaction::atomic(db, |db| {
        let conn = db.connection();
        let auto = T::DEF.primary_key().is_some_and(|pk| pk.auto_increment);
        let mut out = Vec::with_capacity(new.len());
        for row in new {
            Insert {
                rows: std::slice::from_ref(&row),
                returning: Returning::Nothing,
                ignore_conflicts: false,
            }
            .execute(conn)?;
            let pk = if auto {
                let FirstKey(id, _) = LastInsertId.get_result::<FirstKey>(conn)?;
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
        read_back_filled(db, out)
    })
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
