//! Keeping a database's generic rows honest over its lifetime: content types whose model is
//! gone ([`stale_content_types`], [`remove_stale_content_types`], Django's
//! `remove_stale_contenttypes`) and generic rows whose target row is gone ([`orphans`],
//! [`sweep_orphans`]).
//!
//! Every count is set-based: one `SELECT <content type>, COUNT(*) ... GROUP BY <content
//! type>` per generic foreign key, and one anti-join per generic foreign key and content type
//! present in its rows; nothing is read row by row. Deletes go through the deletion
//! collector, so what cascades from the deleted rows goes with them.

mod orphans;
mod stale;

pub use orphans::{
    orphans, sweep_orphans, OrphanCount, OrphanKind, SweepControl, SweepOptions, SweepProgress,
    SweepReport,
};
pub use stale::{remove_stale_content_types, stale_content_types, RemovedStale, StaleContentType};

use contenttypes_core::ir::{ColumnDef, GenericForeignKeyDef, ModelDef};
use contenttypes_core::registry::Registry;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::QueryResult;

use crate::backend::SupportedBackend;
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::load_targets::Pair;
use crate::query::{statement_node, walk_where, Col, Cond, NoFilter};

/// A generic foreign key of a registered model, with its columns resolved.
#[derive(Clone, Copy)]
pub(crate) struct Gfk {
    pub(crate) model: &'static ModelDef,
    pub(crate) def: &'static GenericForeignKeyDef,
    pub(crate) ct: &'static ColumnDef,
    pub(crate) oid: &'static ColumnDef,
    pub(crate) pk: &'static ColumnDef,
}

impl Gfk {
    /// Django's label of the model holding it (`app_label.ModelName`).
    pub(crate) fn model_label(&self) -> String {
        format!("{}.{}", self.model.app_label, self.model.type_name)
    }

    pub(crate) fn ct_col(&self) -> Col {
        Col::of(self.model, self.ct.name.as_ref())
    }

    pub(crate) fn oid_col(&self) -> Col {
        Col::of(self.model, self.oid.name.as_ref())
    }

    pub(crate) fn pk_col(&self) -> Col {
        Col::of(self.model, self.pk.name.as_ref())
    }
}

/// Every generic foreign key of every registered managed model, in the registry's order.
pub(crate) fn generic_foreign_keys(registry: &'static Registry) -> Result<Vec<Gfk>> {
    let mut out = Vec::new();
    for registration in registry.models() {
        let model = registration.def;
        for def in model.generic_foreign_keys.iter() {
            let column = |name: &str| {
                model.column(name).ok_or_else(|| {
                    Error::Internal(format!(
                        "`{}` has no column `{name}` in its IR",
                        model.type_name
                    ))
                })
            };
            let pk = crate::object::key_column(model)?;
            out.push(Gfk {
                model,
                def,
                ct: column(&def.ct_column)?,
                oid: column(&def.fk_column)?,
                pk,
            });
        }
    }
    Ok(out)
}

/// `SELECT <ct>, COUNT(*) FROM <table> WHERE <cond> GROUP BY <ct>`: the rows of a generic
/// foreign key per content type.
struct CountPerContentType {
    ct: Col,
    cond: Cond,
}

statement_node!(impl for CountPerContentType);

impl<DB: SupportedBackend> QueryFragment<DB> for CountPerContentType {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT ");
        self.ct.walk(&mut out)?;
        out.push_sql(", COUNT(*) FROM ");
        out.push_identifier(self.ct.table)?;
        walk_where(&mut out, &self.cond, &NoFilter)?;
        out.push_sql(" GROUP BY ");
        self.ct.walk(&mut out)
    }
}

/// The rows of `gfk` per content type id (rows with no content type left out), among the
/// rows matching `cond`: one statement.
pub(crate) async fn count_per_content_type<C: Conn>(
    conn: &mut C,
    gfk: &Gfk,
    cond: Cond,
) -> Result<Vec<(i32, i64)>> {
    let rows: Vec<Pair<i64>> = conn
        .load_rows(CountPerContentType {
            ct: gfk.ct_col(),
            cond,
        })
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|Pair(ct, n)| Some((ct?, n.unwrap_or(0))))
        .collect())
}
