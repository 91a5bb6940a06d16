//! The statements of generic many-to-many relations, as Diesel query nodes: identifiers
//! from the IR, values bound.

use std::marker::PhantomData;

use contenttypes_core::ir::ColumnDef;
use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::Bool;
use diesel::QueryResult;

use crate::backend::SupportedBackend;
use crate::error::{Error, Result};
use crate::field::Value;
use crate::model::NewModel;
use crate::query::{insert_columns, statement_node, walk_values, Col, Cond, OnConflict};
use crate::relation::{CtRef, Link};

use super::through::Through;

/// A condition on the rows of the through model `C` (the links): `[<content type> = <a
/// model's> AND] <condition>`. What the relation's filters and reads put on the through
/// table, as a boolean Diesel expression on it.
pub struct LinkCondition<C> {
    /// `<content type column> = <content type>`, when the links are to one model.
    ct: Option<(Col, CtRef)>,
    cond: Cond,
    _through: PhantomData<fn() -> C>,
}

impl<C> LinkCondition<C> {
    /// The links of one source object.
    pub(crate) fn of_source(through: &Through, key: Value) -> Self {
        LinkCondition {
            ct: None,
            cond: through.of_source(key),
            _through: PhantomData,
        }
    }

    /// The links to one target: its model's content type and its object id (`link` is
    /// the through model's generic foreign key as the target's model sees it).
    pub(crate) fn to_target(link: &Link, ct: CtRef, object_id: Value) -> Self {
        LinkCondition {
            ct: Some((link.ct_col(), ct)),
            cond: Cond::Eq(link.oid_col(), object_id),
            _through: PhantomData,
        }
    }

    /// No condition (a filter that cannot render uses it).
    pub(crate) fn nothing() -> Self {
        LinkCondition {
            ct: None,
            cond: Cond::True,
            _through: PhantomData,
        }
    }
}

impl<C> Clone for LinkCondition<C> {
    fn clone(&self) -> Self {
        LinkCondition {
            ct: self.ct,
            cond: self.cond.clone(),
            _through: PhantomData,
        }
    }
}

impl<C> std::fmt::Debug for LinkCondition<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkCondition")
            .field("cond", &self.cond)
            .finish_non_exhaustive()
    }
}

impl<C> Expression for LinkCondition<C> {
    type SqlType = Bool;
}

impl<C, GB> ValidGrouping<GB> for LinkCondition<C> {
    type IsAggregate = is_aggregate::Never;
}

// Built only by the relation, always inside a statement on the through table (a filter's
// subquery, a read of the links), so it claims any table, as `NoFilter` does: generic code
// over `C` cannot name `C::Table` appearing in its own `FROM` clause.
impl<C, QS> AppearsOnTable<QS> for LinkCondition<C> {}

impl<C, QS> SelectableExpression<QS> for LinkCondition<C> {}

impl<C> QueryId for LinkCondition<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, DB: SupportedBackend> QueryFragment<DB> for LinkCondition<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if self.cond.varies::<DB>() {
            out.unsafe_to_cache_prepared();
        }
        if let Some((column, ct)) = &self.ct {
            column.walk(&mut out)?;
            out.push_sql(" = ");
            ct.walk(&mut out)?;
            out.push_sql(" AND ");
        }
        self.cond.walk(&mut out)
    }
}

/// The rows an [`InsertLinks`] writes.
pub(crate) enum LinkRows<'a, N> {
    /// Each link's content type id and object id: the through model's other columns take
    /// their defaults (`add`).
    Bare(&'a [(Value, Value)]),
    /// Whole new rows of the through model (`add_with`).
    Made(&'a [N]),
}

impl<N> Clone for LinkRows<'_, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<N> Copy for LinkRows<'_, N> {}

impl<'a, N> LinkRows<'a, N> {
    pub(crate) fn len(&self) -> usize {
        match self {
            LinkRows::Bare(rows) => rows.len(),
            LinkRows::Made(rows) => rows.len(),
        }
    }

    /// The rows in runs of `size`.
    pub(crate) fn chunks(self, size: usize) -> Vec<LinkRows<'a, N>> {
        match self {
            LinkRows::Bare(rows) => rows.chunks(size).map(LinkRows::Bare).collect(),
            LinkRows::Made(rows) => rows.chunks(size).map(LinkRows::Made).collect(),
        }
    }
}

/// `INSERT INTO <through> (<columns>) VALUES (...), ... ON CONFLICT DO NOTHING` (`INSERT
/// IGNORE` on MySQL): links of one source object, skipping those that exist. The source
/// column is bound to the source's key in every row, whatever a made row holds there.
pub(crate) struct InsertLinks<'a, N> {
    pub(crate) through: Through,
    pub(crate) source: &'a Value,
    pub(crate) rows: LinkRows<'a, N>,
}

impl<N> InsertLinks<'_, N> {
    /// The columns the statement writes.
    pub(crate) fn columns(through: &Through, made: bool) -> Result<Vec<&'static ColumnDef>> {
        if made {
            return Ok(insert_columns(through.def).collect());
        }
        let ct = through.def.column(&through.gfk.ct_column).ok_or_else(|| {
            Error::Internal(format!(
                "`{}` has no column `{}` in its IR",
                through.def.type_name, through.gfk.ct_column
            ))
        })?;
        Ok(vec![through.source, ct, through.object_id])
    }
}

statement_node!(impl<'a, N> for InsertLinks<'a, N>);

impl<DB: SupportedBackend, N: NewModel> QueryFragment<DB> for InsertLinks<'_, N> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let t = &self.through;
        let made = matches!(self.rows, LinkRows::Made(_));
        let columns = Self::columns(t, made)
            .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
        if self.rows.len() != 1 {
            out.unsafe_to_cache_prepared();
        }
        out.push_sql(OnConflict::insert_into(DB::DIALECT, true));
        out.push_identifier(t.def.table.name.as_ref())?;
        let source = self.source;
        match &self.rows {
            LinkRows::Bare(rows) => {
                walk_values(
                    &mut out,
                    &columns,
                    rows.iter(),
                    |(ct, oid), i, out| match i {
                        0 => source.bind(out),
                        1 => ct.bind(out),
                        _ => oid.bind(out),
                    },
                )?;
            }
            LinkRows::Made(rows) => {
                let at = columns.iter().position(|c| c.name == t.source.name);
                walk_values(&mut out, &columns, rows.iter(), |row, i, out| {
                    if Some(i) == at {
                        source.bind(out)
                    } else {
                        row.__bind_column(i, out)
                    }
                })?;
            }
        }
        out.push_sql(OnConflict::suffix(DB::DIALECT, true));
        Ok(())
    }
}
