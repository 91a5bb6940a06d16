//! Deleting rows through the framework, with the generic cascade: before a model's rows go,
//! the rows of every generic relation pointing at them go, set-based, in one transaction
//! (Django's `bulk_related_objects` in the delete collector).
//!
//! Statements: per generic relation of the deleted model, one `DELETE FROM <through> WHERE
//! content_type_id = ? AND object_id IN (...)`, preceded by one `SELECT` of the through rows'
//! keys only when the through model has generic relations of its own (which then cascade in
//! turn); then one `DELETE` of the rows themselves. Ordinary foreign keys cascade in the
//! database (`ON DELETE`). Deleting a row that holds a generic foreign key never touches its
//! target.

use contenttypes_core::ir::{ModelDef, SqlType};
use contenttypes_core::keys::PkValue;
use contenttypes_core::registry::Registry;

use crate::content_type::ContentTypes;
use crate::db::{self, Db};
use crate::error::{Error, Result};
use crate::field::{Scalar, Value};
use crate::query::{chunks, Col, Cond, Delete, NoFilter, SelectColumn};
use diesel::connection::LoadConnection;
use diesel::query_builder::QueryFragment;
use diesel::{Connection, RunQueryDsl};

use crate::backend::SupportedBackend;

/// Deletes the rows of `model` with these keys, and everything that cascades from them
/// through generic relations. Returns how many rows of `model` were deleted.
pub(crate) fn delete_by_keys(
    db: &mut impl Db,
    model: &'static ModelDef,
    keys: &[PkValue],
) -> Result<usize> {
    if keys.is_empty() {
        return Ok(0);
    }
    db::transaction(db, |db| {
        let (conn, cts) = db.parts();
        let registry = cts.registry()?;
        cascade(conn, cts, registry, model, keys, 0)?;
        delete_rows(conn, model, keys)
    })
}

/// The cascade chain is bounded: a relation graph that cycles back (a through model related
/// to itself) stops once no rows are left, and this caps pathological declarations.
const MAX_DEPTH: usize = 32;

fn cascade<C>(
    conn: &mut C,
    cts: &ContentTypes,
    registry: &'static Registry,
    model: &'static ModelDef,
    keys: &[PkValue],
    depth: usize,
) -> Result<()>
where
    C: Connection + LoadConnection,
    C::Backend: SupportedBackend,
{
    if model.generic_relations.is_empty() || keys.is_empty() {
        return Ok(());
    }
    if depth > MAX_DEPTH {
        return Err(Error::InvalidArgument(format!(
            "generic relations cascade more than {MAX_DEPTH} levels deep from `{}`",
            model.type_name
        )));
    }
    let ct = cts.for_def(conn, model)?;
    for relation in model.generic_relations.iter() {
        let through = registry
            .get_by_natural_key(&relation.through_app_label, &relation.through_model)
            .ok_or_else(|| Error::NotRegistered {
                model: format!("{}.{}", relation.through_app_label, relation.through_model),
            })?
            .def;
        let gfk = through.generic_foreign_key(&relation.gfk).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "`{}` has no generic foreign key `{}`",
                through.type_name, relation.gfk
            ))
        })?;
        let oid = through.column(&gfk.fk_column).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "`{}` has no column `{}`",
                through.type_name, gfk.fk_column
            ))
        })?;
        let object_ids: Vec<Value> = keys
            .iter()
            .filter_map(|k| Value::from_key(oid.sql_type, k))
            .collect();
        let table = through.table.name.as_ref();
        for chunk in chunks(&object_ids) {
            let cond = Cond::And(vec![
                Cond::Eq(
                    Col::of(through, gfk.ct_column.as_ref()),
                    Value::Integer(ct.id),
                ),
                Cond::In(Col::of(through, gfk.fk_column.as_ref()), chunk.to_vec()),
            ]);
            if !through.generic_relations.is_empty() {
                let pk = through.primary_key().ok_or_else(|| Error::NotRegistered {
                    model: through.label(),
                })?;
                let query = SelectColumn {
                    table,
                    column: pk.name.as_ref(),
                    cond: cond.clone(),
                    extra: NoFilter,
                };
                let child_keys = load_keys(conn, query, pk.sql_type)?;
                cascade(conn, cts, registry, through, &child_keys, depth + 1)?;
            }
            Delete {
                table,
                cond,
                extra: NoFilter,
            }
            .execute(conn)?;
        }
    }
    Ok(())
}

fn delete_rows<C>(conn: &mut C, model: &'static ModelDef, keys: &[PkValue]) -> Result<usize>
where
    C: Connection + LoadConnection,
    C::Backend: SupportedBackend,
{
    let pk = model.primary_key().ok_or_else(|| Error::NotRegistered {
        model: model.label(),
    })?;
    let values: Vec<Value> = keys
        .iter()
        .filter_map(|k| Value::from_key(pk.sql_type, k))
        .collect();
    let mut deleted = 0;
    for chunk in chunks(&values) {
        let cond = Cond::In(Col::of(model, pk.name.as_ref()), chunk.to_vec());
        deleted += Delete {
            table: model.table.name.as_ref(),
            cond,
            extra: NoFilter,
        }
        .execute(conn)?;
    }
    Ok(deleted)
}

/// Loads one key column of type `sql_type`.
pub(crate) fn load_keys<C, E>(
    conn: &mut C,
    query: SelectColumn<E>,
    sql_type: SqlType,
) -> Result<Vec<PkValue>>
where
    C: Connection + LoadConnection,
    C::Backend: SupportedBackend,
    E: QueryFragment<C::Backend>,
{
    fn keys<K: contenttypes_core::keys::Key>(rows: Vec<Scalar<K>>) -> Vec<PkValue> {
        rows.into_iter().map(|r| r.0.to_pk_value()).collect()
    }
    Ok(match sql_type {
        SqlType::SmallInt => keys::<i16>(query.load(conn)?),
        SqlType::Integer => keys::<i32>(query.load(conn)?),
        SqlType::BigInt => keys::<i64>(query.load(conn)?),
        SqlType::Text | SqlType::Varchar(_) => keys::<String>(query.load(conn)?),
        #[cfg(feature = "uuid")]
        SqlType::Uuid => keys::<uuid::Uuid>(query.load(conn)?),
        other => {
            return Err(Error::InvalidArgument(format!(
                "a `{}` column cannot hold keys",
                other.name()
            )));
        }
    })
}
