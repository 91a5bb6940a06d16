//! Which generic foreign keys have rows pointing at the rows a delete removes, in one
//! statement for all of them:
//!
//! ```sql
//! SELECT (CASE WHEN EXISTS (SELECT 1 FROM t0 WHERE t0.ct = ? AND t0.oid IN (...)) THEN 1 ELSE 0 END)
//!      + (CASE WHEN EXISTS (SELECT 1 FROM t1 WHERE ...) THEN 2 ELSE 0 END) + ...
//! ```
//!
//! Every generic foreign key that can point at a model is a place its deleted rows may be
//! referenced from, and most hold nothing for most models (nothing points at a tagged item):
//! the probe makes a delete pay one statement per model level for all of them, and the
//! policies' statements only where rows are found. The removed rows are keys, or the rows
//! of a model matching a condition (`oid IN (SELECT key FROM model WHERE ...)`: the rows a
//! cascade or a filtered delete is about to remove, without reading their keys first).

use contenttypes_core::generic_on_delete::GenericDependent;
use contenttypes_core::ir::ModelDef;
use contenttypes_core::keys::{join_needs_text_cast, PkValue};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::QueryResult;

use super::{column, primary_key, values_of};
use crate::backend::SupportedBackend;
use crate::conn::Conn;
use crate::error::Result;
use crate::field::{Scalar, Value};
use crate::query::{max_keys, statement_node, walk_where, Col, Cond, FRAMEWORK_BINDS};
use crate::relation::walk_key_as_text;
use contenttypes_core::ddl::Dialect;

/// The rows a delete removes.
pub(crate) enum Removed<'a, E> {
    Keys(&'a [PkValue]),
    Matching {
        model: &'static ModelDef,
        cond: &'a Cond,
        extra: &'a E,
    },
}

/// Terms per statement: the mask is a 64-bit integer.
const TERMS: usize = 62;

/// Whether each of `generic` has rows pointing at the removed rows, whose model's content type
/// is `ct`.
pub(crate) async fn with_rows<C, E>(
    conn: &mut C,
    ct: i32,
    generic: &[GenericDependent<'static>],
    removed: Removed<'_, E>,
) -> Result<Vec<bool>>
where
    C: Conn,
    E: QueryFragment<C::Backend> + Sync,
{
    let mut found = vec![false; generic.len()];
    // A condition is bound once per term: as many terms per statement as keep its
    // parameters under the bind limit.
    let dialect = <C::Backend as SupportedBackend>::DIALECT;
    let per_statement = match &removed {
        Removed::Keys(_) => TERMS,
        Removed::Matching { cond, .. } => {
            let binds = binds::<C::Backend>(cond) + 1;
            (max_keys(dialect, FRAMEWORK_BINDS) / binds).clamp(1, TERMS)
        }
    };
    for (batch, dependents) in generic.chunks(per_statement).enumerate() {
        let offset = batch * per_statement;
        match &removed {
            Removed::Keys(keys) => {
                // Every term binds its content type and its own list: the keys go in chunks
                // that keep the whole statement under the bind limit.
                // (PostgreSQL binds each list as one array: one chunk.)
                let per_chunk = if dialect == Dialect::Postgres {
                    keys.len().max(1)
                } else {
                    (max_keys(dialect, FRAMEWORK_BINDS + dependents.len()) / dependents.len())
                        .max(1)
                };
                for chunk in keys.chunks(per_chunk) {
                    let mut terms = Vec::with_capacity(dependents.len());
                    for d in dependents {
                        let oid = column(d.through, &d.gfk.fk_column)?;
                        terms.push(Term {
                            dependent: *d,
                            keys: TermKeys::Values(Cond::And(vec![
                                Cond::Eq(
                                    Col::of(d.through, d.gfk.ct_column.as_ref()),
                                    Value::Integer(ct),
                                ),
                                Cond::In(
                                    Col::of(d.through, d.gfk.fk_column.as_ref()),
                                    values_of(oid, chunk),
                                ),
                            ])),
                        });
                    }
                    let probe = Probe::<E> {
                        ct: Value::Integer(ct),
                        terms,
                    };
                    let mask = probe.mask(conn).await?;
                    mark(&mut found[offset..], mask);
                }
            }
            Removed::Matching {
                model: matched,
                cond,
                extra,
            } => {
                let terms = dependents
                    .iter()
                    .map(|d| Term {
                        dependent: *d,
                        keys: TermKeys::Matching {
                            model: matched,
                            cond,
                            extra,
                        },
                    })
                    .collect();
                let probe = Probe {
                    ct: Value::Integer(ct),
                    terms,
                };
                let mask = probe.mask(conn).await?;
                mark(&mut found[offset..], mask);
            }
        }
    }
    Ok(found)
}

/// How many parameters `cond` binds.
fn binds<DB: SupportedBackend>(cond: &Cond) -> usize {
    match cond {
        Cond::True => 0,
        Cond::Eq(_, Value::Null) => 0,
        Cond::Eq(..) => 1,
        Cond::In(_, values) | Cond::InLower(_, values) | Cond::NotIn(_, values) => {
            if values.is_empty() {
                0
            } else if DB::list_is_one_bind(values) {
                1
            } else {
                values.len()
            }
        }
        Cond::And(cs) | Cond::Or(cs) => cs.iter().map(binds::<DB>).sum(),
    }
}

fn mark(found: &mut [bool], mask: i64) {
    for (i, f) in found.iter_mut().enumerate().take(TERMS) {
        if mask & (1 << i) != 0 {
            *f = true;
        }
    }
}

struct Probe<'a, E> {
    /// The content type of the removed rows' model (`Value::Integer`).
    ct: Value,
    terms: Vec<Term<'a, E>>,
}

struct Term<'a, E> {
    dependent: GenericDependent<'static>,
    keys: TermKeys<'a, E>,
}

enum TermKeys<'a, E> {
    /// `content type = ? AND object id IN (...)`.
    Values(Cond),
    Matching {
        model: &'static ModelDef,
        cond: &'a Cond,
        extra: &'a E,
    },
}

impl<E> Probe<'_, E> {
    async fn mask<C>(&self, conn: &mut C) -> Result<i64>
    where
        C: Conn,
        E: QueryFragment<C::Backend> + Sync,
    {
        let rows: Vec<Scalar<i64>> = conn.load_rows(ProbeQuery(self)).await?;
        Ok(rows.first().map_or(0, |r| r.0))
    }
}

struct ProbeQuery<'p, 'a, E>(&'p Probe<'a, E>);

statement_node!(impl<'p, 'a, E> for ProbeQuery<'p, 'a, E>);

impl<DB: SupportedBackend, E: QueryFragment<DB>> QueryFragment<DB> for ProbeQuery<'_, '_, E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let probe = self.0;
        out.unsafe_to_cache_prepared();
        out.push_sql("SELECT ");
        for (i, term) in probe.terms.iter().enumerate() {
            if i > 0 {
                out.push_sql(" + ");
            }
            let d = &term.dependent;
            out.push_sql("(CASE WHEN EXISTS (SELECT 1 FROM ");
            out.push_identifier(&d.through.table.name)?;
            match &term.keys {
                TermKeys::Values(cond) => {
                    walk_where(&mut out, cond, &crate::query::NoFilter)?;
                }
                TermKeys::Matching { model, cond, extra } => {
                    out.push_sql(" WHERE ");
                    Col::of(d.through, d.gfk.ct_column.as_ref()).walk(&mut out)?;
                    out.push_sql(" = ");
                    probe.ct.bind(&mut out)?;
                    out.push_sql(" AND ");
                    Col::of(d.through, d.gfk.fk_column.as_ref()).walk(&mut out)?;
                    out.push_sql(" IN (SELECT ");
                    let pk = primary_key(model).map_err(|e| {
                        diesel::result::Error::QueryBuilderError(e.to_string().into())
                    })?;
                    let oid_type = column(d.through, &d.gfk.fk_column)
                        .map_err(|e| {
                            diesel::result::Error::QueryBuilderError(e.to_string().into())
                        })?
                        .sql_type;
                    let key = Col::of(model, pk.name.as_ref());
                    if join_needs_text_cast(oid_type, pk.sql_type) {
                        walk_key_as_text(&mut out, key, pk.sql_type)?;
                    } else {
                        key.walk(&mut out)?;
                    }
                    out.push_sql(" FROM ");
                    out.push_identifier(&model.table.name)?;
                    walk_where(&mut out, cond, *extra)?;
                    out.push_sql(")");
                }
            }
            let bit = 1i64 << i;
            if DB::DIALECT == Dialect::Postgres {
                out.push_sql(&format!(") THEN CAST({bit} AS BIGINT) ELSE 0 END)"));
            } else {
                out.push_sql(&format!(") THEN {bit} ELSE 0 END)"));
            }
        }
        out.push_sql(" AS n");
        Ok(())
    }
}
