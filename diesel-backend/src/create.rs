//! `get_or_create` and `update_or_create` (Django's), in one place for the model
//! ([`crate::Objects::get_or_create`]...) and the relation managers
//! ([`crate::RelatedManager::get_or_create`]...).
//!
//! One description of the row: the insert struct. The lookup is equality on some of its
//! columns (all of them, or the ones named), each value bound from the description (a NULL
//! matched as NULL), identifiers from the IR; the other columns are Django's `defaults`.
//!
//! Race-safe on every backend: a `SELECT`, then an `INSERT` in a savepoint; when a
//! concurrent caller inserted the row first (a unique violation), the row is read back with a
//! locking read, which sees it even inside a transaction whose snapshot is older (MySQL's
//! `REPEATABLE READ`). Concurrent callers then all get the one row, given a unique
//! constraint that covers the lookup.

use std::sync::{Mutex, PoisonError};

use contenttypes_core::ir::ColumnDef;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::QueryResult;

use crate::backend::{Dialect, SupportedBackend};
use crate::conn::Conn;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::model::{Loaded, Model, NewModel};
use crate::objects::Objects;
use crate::query::{insert_columns, Col, Cond, Lock, Select};
use crate::transaction;

/// The columns a lookup matches on: a tuple of Diesel columns of the model's table, such as
/// `(tagging_tag::name,)`. A column of another table does not compile.
pub trait LookupColumns<Table> {
    /// The column names.
    #[doc(hidden)]
    fn __names() -> Vec<&'static str>;
}

macro_rules! lookup_tuples {
    ($(($($c:ident),+))*) => {$(
        impl<Table, $($c),+> LookupColumns<Table> for ($($c,)+)
        where
            $($c: diesel::Column<Table = Table>,)+
        {
            fn __names() -> Vec<&'static str> {
                vec![$(<$c as diesel::Column>::NAME),+]
            }
        }
    )*};
}

lookup_tuples! {
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, F)
    (A, B, C, D, E, F, G)
    (A, B, C, D, E, F, G, H)
}

/// Which inserted columns a lookup matches, by their position among the insert struct's
/// columns.
#[derive(Clone, Debug)]
pub(crate) struct DescribedColumns {
    columns: Vec<(usize, &'static ColumnDef)>,
}

impl DescribedColumns {
    /// Every column the insert struct writes with a value of its own (not the database's
    /// clock: `auto_now`, `auto_now_add`).
    pub(crate) fn all<T: Model>() -> DescribedColumns {
        DescribedColumns {
            columns: insert_columns(T::DEF)
                .enumerate()
                .filter(|(i, _)| !<T::New as NewModel>::__CLOCK.contains(i))
                .collect(),
        }
    }

    /// The named columns, or [`Error::InvalidArgument`] for one the insert struct holds no
    /// value for (a database-generated key, an `auto_now` column).
    pub(crate) fn of<T: Model>(names: &[&str]) -> Result<DescribedColumns> {
        let mut columns = Vec::with_capacity(names.len());
        for name in names {
            let found = insert_columns(T::DEF)
                .enumerate()
                .find(|(i, c)| c.name == *name && !<T::New as NewModel>::__CLOCK.contains(i));
            match found {
                Some(column) => columns.push(column),
                None => {
                    return Err(Error::InvalidArgument(format!(
                        "a lookup of `{}` on the column `{name}`, which a new row does not hold \
                         (a database-generated key, or a column the database's clock fills)",
                        T::DEF.type_name
                    )))
                }
            }
        }
        Ok(DescribedColumns { columns })
    }

    /// The lookup's columns, for an error message.
    fn describe(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(_, c)| c.name.as_ref()).collect();
        format!("a description on ({})", names.join(", "))
    }

    /// This lookup and the named columns too (a relation manager's generic foreign key).
    pub(crate) fn and<T: Model>(mut self, names: &[&str]) -> Result<DescribedColumns> {
        for column in DescribedColumns::of::<T>(names)?.columns {
            if !self.columns.iter().any(|(i, _)| *i == column.0) {
                self.columns.push(column);
            }
        }
        Ok(self)
    }
}

/// `<col> = ? AND ...` over a lookup's columns, each value bound from the description; a
/// nullable column is compared NULL-safely (`IS` on SQLite, `IS NOT DISTINCT FROM` on
/// PostgreSQL, `<=>` on MySQL), so a NULL value matches NULL as Django's `IS NULL` does.
struct Matching<'a, N> {
    lookup: &'a DescribedColumns,
    new: &'a N,
}

impl<DB: SupportedBackend, N: NewModel> QueryFragment<DB> for Matching<'_, N> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let model = <N::Model as Model>::DEF;
        if self.lookup.columns.is_empty() {
            out.push_sql("1 = 1");
        }
        for (k, (index, column)) in self.lookup.columns.iter().enumerate() {
            if k > 0 {
                out.push_sql(" AND ");
            }
            Col::of(model, column.name.as_ref()).walk(&mut out)?;
            out.push_sql(match (column.nullable, DB::DIALECT) {
                (false, _) => " = ",
                (true, Dialect::Sqlite) => " IS ",
                (true, Dialect::Postgres) => " IS NOT DISTINCT FROM ",
                (true, Dialect::Mysql) => " <=> ",
            });
            self.new.__bind_column(*index, &mut out)?;
        }
        Ok(())
    }
}

/// The row matching the lookup, optionally with a locking read; more than one is
/// [`Error::MultipleObjectsReturned`], as Django's `get` inside `get_or_create` raises.
/// 1 query.
async fn first_matching<T: Model, D: Db>(
    db: &mut D,
    lookup: &DescribedColumns,
    new: &T::New,
    lock: Option<Lock>,
) -> Result<Option<T>> {
    let mut query = Select::new(T::DEF, Cond::True).with_extra(Matching { lookup, new });
    query.limit = Some(2);
    query.lock = lock;
    let mut rows: Vec<Loaded<T>> = db.connection().load_rows(query).await?;
    if rows.len() > 1 {
        return Err(Error::MultipleObjectsReturned {
            model: T::DEF.label(),
            lookup: lookup.describe(),
        });
    }
    Ok(rows.pop().map(|r| r.0))
}

/// Django's `get_or_create`: the row matching `lookup` (values from `new`), or `new`
/// inserted. `(row, created)`. 1 query when found; a `SELECT` and the insert's statements
/// when not.
pub(crate) async fn get_or_create<T: Model, D: Db>(
    db: &mut D,
    lookup: &DescribedColumns,
    new: T::New,
) -> Result<(T, bool)>
where
    T::New: Clone,
{
    // The content types first, outside any transaction: creating one is a write of its own.
    new.__resolve_targets(db).await?;
    if let Some(row) = first_matching::<T, D>(db, lookup, &new, None).await? {
        return Ok((row, false));
    }
    let inserted = transaction::atomic(db, |db| {
        let new = new.clone();
        Box::pin(async move { T::insert_op(db, new).await })
    })
    .await;
    match inserted {
        Ok(row) => Ok((row, true)),
        Err(e) if e.is_unique_violation() => {
            match first_matching::<T, D>(db, lookup, &new, Some(Lock::Share)).await? {
                Some(row) => Ok((row, false)),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// Django's `update_or_create`: in one transaction, the row matching `lookup` (values from
/// `new`) is read with a locking read and changed by `update`, then saved; when none
/// matches, `create` is inserted in a savepoint, and a unique violation (a concurrent caller
/// inserted it first) locks and updates that row instead. A deadlock or serialization
/// failure reruns the whole transaction (a bounded number of times; `update` may then run
/// again, on the fresh row), except inside the caller's transaction, where it is returned.
pub(crate) async fn update_or_create<T: Model, D: Db>(
    db: &mut D,
    lookup: &DescribedColumns,
    new: &T::New,
    create: T::New,
    update: impl FnMut(&mut T) -> Result<()> + Send,
) -> Result<(T, bool)>
where
    T::New: Clone,
{
    new.__resolve_targets(db).await?;
    create.__resolve_targets(db).await?;
    // Shared by every run of the transaction (each run's future borrows it); locked only
    // while it runs, never across a statement.
    let update = Mutex::new(update);
    let (update, create) = (&update, &create);
    transaction::atomic_retry(db, move |db| {
        Box::pin(async move {
            if let Some(row) = first_matching::<T, _>(db, lookup, new, Some(Lock::Update)).await? {
                return save_updated(db, row, update).await;
            }
            let inserted = transaction::atomic(db, |db| {
                let create = create.clone();
                Box::pin(async move { T::insert_op(db, create).await })
            })
            .await;
            match inserted {
                Ok(row) => Ok((row, true)),
                Err(e) if e.is_unique_violation() => {
                    match first_matching::<T, _>(db, lookup, new, Some(Lock::Update)).await? {
                        Some(row) => save_updated(db, row, update).await,
                        None => Err(e),
                    }
                }
                Err(e) => Err(e),
            }
        })
    })
    .await
}

/// The locked row of [`update_or_create`] changed by `update` and saved: `(row, false)`.
async fn save_updated<T, D, F>(db: &mut D, mut row: T, update: &Mutex<F>) -> Result<(T, bool)>
where
    T: Model,
    D: Db,
    F: FnMut(&mut T) -> Result<()>,
{
    {
        let mut update = update.lock().unwrap_or_else(PoisonError::into_inner);
        (*update)(&mut row)?;
    }
    row.save_op(db).await?;
    Ok((row, false))
}

/// `update` for [`update_or_create`] that writes `new`'s columns (Django's `defaults`).
pub(crate) fn write_defaults<T: Model>(new: &T::New) -> impl FnMut(&mut T) -> Result<()> + Send + '_
where
    T::New: Clone,
{
    move |row| new.clone().__assign(row)
}
