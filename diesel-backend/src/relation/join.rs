//! How a generic relation joins: the resolved generic foreign key ([`Link`]), the content
//! type inside a query ([`CtOf`], [`CtRef`]), the join condition and the correlation the
//! relation filters use.

use contenttypes_core::content_type as ct_table;
use contenttypes_core::ddl::{key_as_text, KeyText};
use contenttypes_core::ir::{ColumnDef, GenericForeignKeyDef, ModelDef, SqlType};
use contenttypes_core::keys::join_needs_text_cast;
use diesel::query_builder::AstPass;
use diesel::QueryResult;

use crate::backend::{Binds, SupportedBackend};
use crate::error::{Error, Result};
use crate::field::Value;
use crate::filter::Correlation;
use crate::gfk::GenericForeignKeyField;
use crate::model::Model;
use crate::query::{Col, Cond};

/// What a relation needs to know about its generic foreign key, resolved once.
#[derive(Clone, Copy)]
pub(crate) struct Link {
    pub(crate) through: &'static ModelDef,
    pub(crate) gfk: &'static GenericForeignKeyDef,
    pub(crate) object_id: &'static ColumnDef,
    pub(crate) parent_pk: &'static ColumnDef,
}

impl Link {
    pub(crate) fn of<P: Model, C: GenericForeignKeyField<K>, const K: u64>() -> Result<Link> {
        let gfk = C::gfk_def()?;
        let object_id = C::DEF
            .column(&gfk.fk_column)
            .ok_or_else(|| missing(C::DEF, &gfk.fk_column))?;
        let parent_pk = P::DEF.primary_key().ok_or_else(|| Error::NotRegistered {
            model: P::DEF.label(),
        })?;
        Ok(Link {
            through: C::DEF,
            gfk,
            object_id,
            parent_pk,
        })
    }

    pub(crate) fn ct_col(&self) -> Col {
        Col::of(self.through, self.gfk.ct_column.as_ref())
    }

    pub(crate) fn oid_col(&self) -> Col {
        Col::of(self.through, self.gfk.fk_column.as_ref())
    }

    /// The through model's primary key column.
    pub(super) fn pk_def(&self) -> Result<&'static ColumnDef> {
        self.through
            .primary_key()
            .ok_or_else(|| Error::NotRegistered {
                model: self.through.label(),
            })
    }

    pub(super) fn pk_col(&self) -> Result<Col> {
        let pk = self
            .through
            .primary_key()
            .ok_or_else(|| Error::NotRegistered {
                model: self.through.label(),
            })?;
        Ok(Col::of(self.through, pk.name.as_ref()))
    }

    /// `content_type_id = ? AND object_id IN (...)`.
    pub(crate) fn cond(&self, ct: i32, object_ids: Vec<Value>) -> Cond {
        let oid = if object_ids.len() == 1 {
            Cond::Eq(
                self.oid_col(),
                object_ids.into_iter().next().unwrap_or(Value::Null),
            )
        } else {
            Cond::In(self.oid_col(), object_ids)
        };
        Cond::And(vec![Cond::Eq(self.ct_col(), Value::Integer(ct)), oid])
    }
}

pub(super) fn missing(model: &ModelDef, column: &str) -> Error {
    Error::Internal(format!(
        "`{}` has no column `{column}` in its IR",
        model.type_name
    ))
}

/// The content type of a model inside a query, by natural key:
/// `(SELECT id FROM django_content_type WHERE app_label = ? AND model = ?)`. Relation
/// expressions are built without a connection, so they cannot use the cached id; the
/// subquery reads one row by its unique key and is evaluated once per statement.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CtOf(pub(crate) &'static ModelDef);

impl CtOf {
    pub(super) fn walk<'b, DB: SupportedBackend>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql("(SELECT ");
        out.push_identifier("id")?;
        out.push_sql(" FROM ");
        out.push_identifier(ct_table::TABLE)?;
        out.push_sql(" WHERE ");
        out.push_identifier("app_label")?;
        out.push_sql(" = ");
        <DB as Binds<str>>::bind(out, self.0.app_label.as_ref())?;
        out.push_sql(" AND ");
        out.push_identifier("model")?;
        out.push_sql(" = ");
        <DB as Binds<str>>::bind(out, self.0.model_name.as_ref())?;
        out.push_sql(")");
        Ok(())
    }
}

/// The content type in a join: a bound id when it is known, else [`CtOf`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum CtRef {
    Id(i32),
    Of(CtOf),
}

impl CtRef {
    pub(crate) fn walk<'b, DB: SupportedBackend>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        match self {
            CtRef::Id(id) => <DB as Binds<i32>>::bind(out, id),
            CtRef::Of(of) => of.walk(out),
        }
    }
}

/// `<through>.content_type_id = <ct> AND <through>.object_id = <parent>.<pk>`, casting the
/// key to text when the object id is text and the key is not (PostgreSQL compares no text
/// with numbers or UUIDs).
pub(crate) fn walk_join<'b, DB: SupportedBackend>(
    out: &mut AstPass<'_, 'b, DB>,
    link: &'b Link,
    parent: &'static ModelDef,
    ct: &'b CtRef,
) -> QueryResult<()> {
    link.ct_col().walk(out)?;
    out.push_sql(" = ");
    ct.walk(out)?;
    out.push_sql(" AND ");
    link.oid_col().walk(out)?;
    out.push_sql(" = ");
    let pk = Col::of(parent, link.parent_pk.name.as_ref());
    if join_needs_text_cast(link.object_id.sql_type, link.parent_pk.sql_type) {
        walk_key_as_text(out, pk, link.parent_pk.sql_type)
    } else {
        pk.walk(out)
    }
}

/// A key column as the text a text object id stores for it: the key's `CAST` to text, and
/// for a UUID stored as 32 hex digits (SQLite, MySQL) its hyphenated form, as Django writes
/// `str(uuid)` into a text object id.
pub(crate) fn walk_key_as_text<DB: SupportedBackend>(
    out: &mut AstPass<'_, '_, DB>,
    pk: Col,
    key: SqlType,
) -> QueryResult<()> {
    for piece in key_as_text(DB::DIALECT, key) {
        match piece {
            KeyText::Sql(sql) => out.push_sql(&sql),
            KeyText::Key => pk.walk(out)?,
        }
    }
    Ok(())
}

/// The correlation of a generic relation between `P` and its through model `C`, with `P` the
/// outer table ([`Correlation::reversed`] for the through model).
pub(crate) fn generic_correlation<P, C, const K: u64>() -> Correlation
where
    P: Model,
    C: GenericForeignKeyField<K>,
{
    match Link::of::<P, C, K>() {
        Ok(link) => Correlation::Generic {
            link,
            parent: P::DEF,
            ct: CtRef::Of(CtOf(P::DEF)),
            parent_outer: true,
        },
        Err(_) => Correlation::Invalid(
            "a generic foreign key is missing from its model's IR; this is a contenttypes bug",
        ),
    }
}
