//! Orphans: generic rows whose target row is gone (deleted by raw SQL, by a plain Diesel
//! delete, by another program), counted with set-based anti-joins and swept in batches.

use std::ops::ControlFlow;

use contenttypes_core::ddl::Dialect;
use contenttypes_core::ir::{ColumnDef, ModelDef};
use contenttypes_core::keys::{join_needs_text_cast, object_id_can_hold};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::QueryResult;

use super::{count_per_content_type, generic_foreign_keys, Gfk};
use crate::backend::{Binds, SupportedBackend};
use crate::conn::{first, Conn};
use crate::db::Db;
use crate::delete::{collect, load_keys, Deleted};
use crate::error::{Error, Result};
use crate::field::{Scalar, Value};
use crate::query::{statement_node, Col, Cond};
use crate::relation::walk_key_as_text;
use crate::route::Connections;
use crate::transaction;

/// Why a generic row is an orphan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum OrphanKind {
    /// Its content type is a registered model, and that model has no row with its object id.
    MissingTarget,
    /// Its content type's model is not registered (a stale content type, or a model of
    /// another program sharing the database): [`sweep_orphans`] leaves these rows to
    /// [`remove_stale_content_types`](super::remove_stale_content_types) and its keep-list.
    StaleContentType,
    /// Its content type id has no row in `django_content_type` (a schema without the foreign
    /// key): it points at nothing.
    UnknownContentType,
}

/// The orphaned rows of one generic foreign key with one content type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrphanCount {
    /// Django's label of the model holding the generic foreign key (`app_label.ModelName`).
    pub model: String,
    /// The generic foreign key's field name.
    pub field: String,
    /// The content type the rows point at.
    pub content_type_id: i32,
    /// Its `app_label.model` (empty for [`OrphanKind::UnknownContentType`]).
    pub content_type: String,
    pub kind: OrphanKind,
    /// How many rows.
    pub rows: i64,
}

/// How [`sweep_orphans`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepOptions {
    /// At most this many rows are deleted per transaction (at least 1).
    pub batch: usize,
    /// Count only; delete nothing.
    pub dry_run: bool,
}

impl Default for SweepOptions {
    /// Batches of 1,000, deleting.
    fn default() -> Self {
        SweepOptions {
            batch: 1_000,
            dry_run: false,
        }
    }
}

/// Where a sweep is, after each committed batch.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SweepProgress {
    /// The batch's generic foreign key and content type, as in [`OrphanCount`].
    pub model: String,
    pub field: String,
    pub content_type: String,
    /// Orphans deleted by this batch.
    pub batch_rows: usize,
    /// Orphans deleted so far by the sweep, this batch included.
    pub done: usize,
    /// The orphans the sweep set out to delete (counted before the first batch).
    pub expected: usize,
    /// Batches committed so far.
    pub batches: usize,
}

/// What [`sweep_orphans`] found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SweepReport {
    /// The orphans counted before the sweep (all kinds; the rows of stale content types are
    /// counted but not deleted).
    pub orphans: Vec<OrphanCount>,
    /// Every row deleted, per model (the orphans and what cascaded from them); empty for a
    /// dry run.
    pub deleted: Deleted,
    /// Batches committed.
    pub batches: usize,
    /// Whether the progress callback stopped the sweep (orphans may be left: run it again).
    pub stopped: bool,
}

/// What a [`sweep_orphans`] progress callback returns: `()` to go on, or a [`ControlFlow`],
/// whose `Break(())` stops the sweep after the batch just committed (a user's Ctrl-C, a time
/// budget). A callback that never returns (one that only panics) names its type:
/// `|_| -> ControlFlow<()> { .. }`.
pub trait SweepControl {
    /// Whether the sweep stops here.
    fn stops(self) -> bool;
}

impl SweepControl for () {
    fn stops(self) -> bool {
        false
    }
}

impl SweepControl for ControlFlow<()> {
    fn stops(self) -> bool {
        self.is_break()
    }
}

/// For every generic foreign key of a registered model, per content type its rows point at,
/// the number of its rows whose target row is gone; only counts above zero are listed.
///
/// Statements: one `SELECT <content type>, COUNT(*) ... GROUP BY <content type>` per generic
/// foreign key, at most one `SELECT` of the content types not cached, and one `SELECT
/// COUNT(*)` anti-join per generic foreign key and registered content type present in its
/// rows: `NOT EXISTS (SELECT 1 FROM <target> WHERE <key> = <object id>)`, or on SQLite
/// `<object id> NOT IN (SELECT <key> FROM <target>)` (see [`filter`](crate::filter) for the
/// measurements), with the key cast to text where the object id is text and the key is not.
/// The rows of a content type whose model is not registered are counted as
/// [`OrphanKind::StaleContentType`], with no anti-join.
///
/// ```
/// # include!("../../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// use contenttypes::lifecycle::{orphans, OrphanKind};
/// use diesel::prelude::*;
/// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
/// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
/// article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
/// // A delete that bypasses the framework leaves the tagged item behind.
/// diesel::delete(blog_article::table).execute(&mut conn)?;
/// let found = orphans(&mut conn)?;
/// assert_eq!(found.len(), 1);
/// assert_eq!((found[0].model.as_str(), found[0].content_type.as_str()), ("tagging.TaggedItem", "blog.article"));
/// assert_eq!((found[0].kind, found[0].rows), (OrphanKind::MissingTarget, 1));
/// # Ok(())
/// # }
/// ```
pub fn orphans<D: Db>(db: &mut D) -> crate::Output<'_, D, Result<Vec<OrphanCount>>> {
    D::drive(orphans_op(db))
}

/// [`orphans`]'s operation.
pub(crate) async fn orphans_op<D: Db>(db: &mut D) -> Result<Vec<OrphanCount>> {
    Ok(find(&mut db.connections())
        .await?
        .into_iter()
        .map(|(_, _, count)| count)
        .collect())
}

/// An orphan count with what it was counted over: the generic foreign key and, for
/// [`OrphanKind::MissingTarget`], the target model.
type Found = (Gfk, Option<&'static ModelDef>, OrphanCount);

/// The orphan counts, read where `conns` sends reads.
async fn find<C: Conn>(conns: &mut Connections<'_, C>) -> Result<Vec<Found>> {
    let cts = conns.content_types();
    let gfks = generic_foreign_keys(cts.registry()?)?;
    let mut per_gfk = Vec::with_capacity(gfks.len());
    let mut ids = Vec::new();
    for gfk in gfks {
        let counts = count_per_content_type(conns.for_read(), &gfk, Cond::True).await?;
        ids.extend(counts.iter().map(|(ct, _)| *ct));
        per_gfk.push((gfk, counts));
    }
    ids.sort_unstable();
    ids.dedup();
    let content_types = cts.for_ids(conns, &ids).await?;
    let mut out = Vec::new();
    for (gfk, counts) in per_gfk {
        for (ct, rows) in counts {
            let content_type = content_types.get(&ct);
            let target = content_type.and_then(|c| c.model_class()).map(|r| r.def);
            let (kind, rows) = match (content_type, target) {
                (None, _) => (OrphanKind::UnknownContentType, rows),
                (Some(_), None) => (OrphanKind::StaleContentType, rows),
                (Some(_), Some(target)) => {
                    let query = OrphanRows::new(&gfk, ct, target, Shape::Count)?;
                    let Scalar(n) =
                        first(conns.for_read().load_rows::<_, Scalar<i64>>(query).await)?;
                    (OrphanKind::MissingTarget, n)
                }
            };
            if rows > 0 {
                out.push((
                    gfk,
                    target,
                    OrphanCount {
                        model: gfk.model_label(),
                        field: gfk.def.name.to_string(),
                        content_type_id: ct,
                        content_type: content_type
                            .map(|c| format!("{}.{}", c.app_label, c.model))
                            .unwrap_or_default(),
                        kind,
                        rows,
                    },
                ));
            }
        }
    }
    Ok(out)
}

/// Deletes the orphans [`orphans`] finds (but the rows of stale content types: see
/// [`OrphanKind::StaleContentType`]) in batches of at most `options.batch` rows: each batch
/// selects the keys of up to `batch` orphans and deletes them through the deletion collector,
/// in one transaction, then `progress` is called (returning `ControlFlow::Break(())` stops
/// the sweep there: [`SweepControl`]; it is `Send`, as the sweep holds it). Memory stays
/// O(batch); an interrupted sweep (stopped, failed or killed) leaves whole batches deleted,
/// and running it again finds what is left. With `options.dry_run` it only counts
/// ([`orphans`]) and `progress` is not called.
///
/// Statements: those of [`orphans`], then per batch one `SELECT <key> ... ORDER BY <key>
/// LIMIT ?` (the anti-join) and one `DELETE` (more when something cascades from the rows);
/// a generic foreign key and content type whose last batch was short ends there, else one
/// more `SELECT` finds nothing left.
///
/// A batch's keys are read without a lock on PostgreSQL and MySQL (SQLite's write lock
/// covers it): a target row inserted again with an orphan's object id between a batch's
/// `SELECT` and its `DELETE` does not save that row. Sweep when targets are not being
/// re-created under their old keys (auto-increment keys never are).
///
/// ```
/// # include!("../../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// use contenttypes::lifecycle::{orphans, sweep_orphans, SweepOptions};
/// use diesel::prelude::*;
/// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
/// for title in ["a", "b", "c"] {
///     let article = Article::insert(&mut conn, NewArticle { title: title.into() })?;
///     article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
/// }
/// diesel::delete(blog_article::table).execute(&mut conn)?;
/// let mut seen = Vec::new();
/// let report = sweep_orphans(&mut conn, SweepOptions { batch: 2, dry_run: false }, |p| seen.push(p.done))?;
/// assert_eq!(seen, [2, 3]);
/// assert_eq!((report.deleted.of::<TaggedItem>(), report.batches), (3, 2));
/// assert!(orphans(&mut conn)?.is_empty());
/// # Ok(())
/// # }
/// ```
pub fn sweep_orphans<'a, D: Db, R: SweepControl + 'a>(
    db: &'a mut D,
    options: SweepOptions,
    progress: impl FnMut(&SweepProgress) -> R + Send + 'a,
) -> crate::Output<'a, D, Result<SweepReport>> {
    D::drive(sweep_orphans_op(db, options, progress))
}

/// [`sweep_orphans`]'s operation.
pub(crate) async fn sweep_orphans_op<D: Db, R: SweepControl>(
    db: &mut D,
    options: SweepOptions,
    mut progress: impl FnMut(&SweepProgress) -> R + Send,
) -> Result<SweepReport> {
    if options.batch == 0 {
        return Err(Error::InvalidArgument(
            "a sweep's batch size must be at least 1".into(),
        ));
    }
    // What the sweep deletes is read on the primary, as its batches are.
    let found = {
        let (primary, cts) = db.parts();
        find(&mut Connections::new(primary, cts)).await?
    };
    let mut report = SweepReport {
        orphans: found.iter().map(|(_, _, c)| c.clone()).collect(),
        ..SweepReport::default()
    };
    if options.dry_run {
        return Ok(report);
    }
    let sweepable = |c: &OrphanCount| c.kind != OrphanKind::StaleContentType;
    let expected = found
        .iter()
        .filter(|(_, _, c)| sweepable(c))
        .map(|(_, _, c)| usize::try_from(c.rows).unwrap_or(usize::MAX))
        .fold(0usize, usize::saturating_add);
    let limit = i64::try_from(options.batch).unwrap_or(i64::MAX);
    let mut done = 0usize;
    for (gfk, target, count) in found.iter().filter(|(_, _, c)| sweepable(c)) {
        let shape = Shape::Keys(limit);
        let query = match target {
            Some(target) => OrphanRows::new(gfk, count.content_type_id, target, shape)?,
            None => OrphanRows::any(gfk, count.content_type_id, shape),
        };
        let (model, pk) = (gfk.model, gfk.pk.sql_type);
        loop {
            // The keys are read in the batch's transaction, so a retried batch reads again.
            let (n, deleted) = transaction::atomic_retry(db, |db| {
                let query = query.clone();
                Box::pin(async move {
                    let keys = load_keys(db.parts().0, query, pk).await?;
                    Ok((keys.len(), collect(db, model, keys).await?))
                })
            })
            .await?;
            if n == 0 {
                break;
            }
            let rows = deleted.of_def(model);
            report.deleted.merge(deleted);
            report.batches += 1;
            done = done.saturating_add(rows);
            let control = progress(&SweepProgress {
                model: count.model.clone(),
                field: count.field.clone(),
                content_type: count.content_type.clone(),
                batch_rows: rows,
                done,
                expected,
                batches: report.batches,
            });
            if control.stops() {
                report.stopped = true;
                return Ok(report);
            }
            if n < options.batch {
                break;
            }
        }
    }
    Ok(report)
}

/// What an [`OrphanRows`] selects.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// `COUNT(*)`.
    Count,
    /// The keys of the first orphans, by key, at most this many.
    Keys(i64),
}

/// `SELECT COUNT(*) | <key> FROM <table> WHERE <ct> = ? AND <object id> IS NOT NULL AND
/// <no target row> [ORDER BY <key> LIMIT ?]`: the orphans of one generic foreign key with
/// one content type.
#[derive(Clone)]
struct OrphanRows {
    gfk: Gfk,
    ct: Value,
    /// The target model and whether its key is compared as text; `None`: every row with the
    /// content type is an orphan (no target model, or an object id that cannot hold its key).
    target: Option<(&'static ModelDef, &'static ColumnDef)>,
    shape: Shape,
}

/// The alias of the target table in the anti-join (the target may be the generic row's own
/// model).
const TARGET: &str = "__target";

impl OrphanRows {
    fn new(gfk: &Gfk, ct: i32, target: &'static ModelDef, shape: Shape) -> Result<Self> {
        let key = crate::object::key_column(target)?;
        let mut rows = OrphanRows::any(gfk, ct, shape);
        if object_id_can_hold(gfk.oid.sql_type, key.sql_type) {
            rows.target = Some((target, key));
        }
        Ok(rows)
    }

    fn any(gfk: &Gfk, ct: i32, shape: Shape) -> Self {
        OrphanRows {
            gfk: *gfk,
            ct: Value::Integer(ct),
            target: None,
            shape,
        }
    }
}

statement_node!(impl for OrphanRows);

impl<DB: SupportedBackend> QueryFragment<DB> for OrphanRows {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT ");
        match self.shape {
            Shape::Count => out.push_sql("COUNT(*)"),
            Shape::Keys(_) => self.gfk.pk_col().walk(&mut out)?,
        }
        out.push_sql(" FROM ");
        out.push_identifier(self.gfk.model.table.name.as_ref())?;
        out.push_sql(" WHERE ");
        self.gfk.ct_col().walk(&mut out)?;
        out.push_sql(" = ");
        self.ct.bind(&mut out)?;
        if let Some((target, key)) = self.target {
            let oid = self.gfk.oid_col();
            let key_col = Col::new(TARGET, key.name.as_ref());
            let as_text = join_needs_text_cast(self.gfk.oid.sql_type, key.sql_type);
            let walk_key = |out: &mut AstPass<'_, 'b, DB>| {
                if as_text {
                    walk_key_as_text(out, key_col, key.sql_type)
                } else {
                    key_col.walk(out)
                }
            };
            out.push_sql(" AND ");
            oid.walk(&mut out)?;
            out.push_sql(" IS NOT NULL AND ");
            // The shapes each backend plans best (see `filter.rs`).
            if DB::DIALECT == Dialect::Sqlite {
                oid.walk(&mut out)?;
                out.push_sql(" NOT IN (SELECT ");
                walk_key(&mut out)?;
                out.push_sql(" FROM ");
                out.push_identifier(target.table.name.as_ref())?;
                out.push_sql(" AS ");
                out.push_identifier(TARGET)?;
                out.push_sql(")");
            } else {
                out.push_sql("NOT EXISTS (SELECT 1 FROM ");
                out.push_identifier(target.table.name.as_ref())?;
                out.push_sql(" AS ");
                out.push_identifier(TARGET)?;
                out.push_sql(" WHERE ");
                walk_key(&mut out)?;
                out.push_sql(" = ");
                oid.walk(&mut out)?;
                out.push_sql(")");
            }
        }
        if let Shape::Keys(limit) = &self.shape {
            out.push_sql(" ORDER BY ");
            self.gfk.pk_col().walk(&mut out)?;
            out.push_sql(" LIMIT ");
            <DB as Binds<i64>>::bind(&mut out, limit)?;
        }
        Ok(())
    }
}
