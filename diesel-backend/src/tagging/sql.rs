//! The statements of tagging, as Diesel query nodes: identifiers from the IR, values bound.

use std::marker::PhantomData;

use contenttypes_core::ir::{ColumnDef, ModelDef};
use contenttypes_core::keys::join_needs_text_cast;
use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::query_source::{AppearsInFromClause, Once};
use diesel::sql_types::Bool;
use diesel::QueryResult;

use crate::backend::{Binds, SupportedBackend};
use crate::field::Value;
use crate::model::Model;
use crate::query::{
    statement_node, walk_columns, walk_limit, walk_where, Col, Cond, NoFilter, OnConflict,
};
use crate::relation::{walk_key_as_text, CtRef};

/// The tag model and the through model of a tag set, and how they join.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TagTables {
    pub(crate) tag: &'static ModelDef,
    pub(crate) through: &'static ModelDef,
    /// The through model's foreign key column to the tag.
    pub(crate) tag_column: &'static str,
    /// The tag model's name column.
    pub(crate) name_column: &'static str,
}

impl TagTables {
    pub(crate) fn tag_pk(&self) -> Col {
        Col::of(self.tag, self.tag.table.primary_key.as_ref())
    }

    pub(crate) fn through_tag(&self) -> Col {
        Col::of(self.through, self.tag_column)
    }

    /// `<tag> INNER JOIN <through> ON <through>.<tag> = <tag>.<pk>`.
    pub(crate) fn walk_join<DB: SupportedBackend>(
        &self,
        out: &mut AstPass<'_, '_, DB>,
    ) -> QueryResult<()> {
        out.push_identifier(self.tag.table.name.as_ref())?;
        out.push_sql(" INNER JOIN ");
        out.push_identifier(self.through.table.name.as_ref())?;
        out.push_sql(" ON ");
        self.through_tag().walk(out)?;
        out.push_sql(" = ");
        self.tag_pk().walk(out)
    }
}

/// `SELECT <tag>.* [, <through>.<object id>] FROM <tag> INNER JOIN <through> ON ... WHERE
/// <cond on the through rows> ORDER BY <through>.<pk>`: tags in the order they were added.
pub(crate) struct TagsOf {
    pub(crate) tables: TagTables,
    pub(crate) cond: Cond,
    /// The through model's object id column, read after the tag's columns (a prefetch).
    pub(crate) object_id: Option<&'static str>,
}

statement_node!(impl for TagsOf);

impl<DB: SupportedBackend> QueryFragment<DB> for TagsOf {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let t = &self.tables;
        out.push_sql("SELECT ");
        walk_columns(
            &mut out,
            t.tag.table.name.as_ref(),
            t.tag.table.columns.iter(),
        )?;
        if let Some(oid) = self.object_id {
            out.push_sql(", ");
            Col::of(t.through, oid).walk(&mut out)?;
        }
        out.push_sql(" FROM ");
        t.walk_join(&mut out)?;
        walk_where(&mut out, &self.cond, &NoFilter)?;
        out.push_sql(" ORDER BY ");
        Col::of(t.through, t.through.table.primary_key.as_ref()).walk(&mut out)
    }
}

/// The condition the tag filters put on through rows (`Article::TAGS.any(["rust"])`): the
/// row is in the tag set and its tag has one of the names, `[<through>.<set> = ? AND]
/// <through>.<tag> IN (SELECT <tag>.<pk> FROM <tag> WHERE <tag>.<name> IN (...))`, the
/// names compared in lowercase for a case-insensitive tag model.
pub struct TagCondition<C> {
    tables: TagTables,
    set: Option<(&'static str, &'static str)>,
    /// `<tag>.<name> IN (...)` (or `LOWER(<tag>.<name>) IN (...)`).
    names: Cond,
    _through: PhantomData<fn() -> C>,
}

impl<C> TagCondition<C> {
    pub(crate) fn new(
        tables: TagTables,
        set: Option<(&'static str, &'static str)>,
        names: Vec<Value>,
        lowercase: bool,
    ) -> Self {
        let column = Col::of(tables.tag, tables.name_column);
        TagCondition {
            tables,
            set,
            names: if lowercase {
                Cond::InLower(column, names)
            } else {
                Cond::In(column, names)
            },
            _through: PhantomData,
        }
    }
}

impl<C> Clone for TagCondition<C> {
    fn clone(&self) -> Self {
        TagCondition {
            tables: self.tables,
            set: self.set,
            names: self.names.clone(),
            _through: PhantomData,
        }
    }
}

impl<C> Expression for TagCondition<C> {
    type SqlType = Bool;
}

impl<C, GB> ValidGrouping<GB> for TagCondition<C> {
    type IsAggregate = is_aggregate::Never;
}

impl<C: Model, QS> AppearsOnTable<QS> for TagCondition<C> where
    QS: AppearsInFromClause<C::Table, Count = Once>
{
}

impl<C: Model, QS> SelectableExpression<QS> for TagCondition<C> where
    QS: AppearsInFromClause<C::Table, Count = Once>
{
}

impl<C> QueryId for TagCondition<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, DB: SupportedBackend> QueryFragment<DB> for TagCondition<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let t = &self.tables;
        if let Some((column, name)) = &self.set {
            Col::of(t.through, column).walk(&mut out)?;
            out.push_sql(" = ");
            <DB as Binds<str>>::bind(&mut out, name)?;
            out.push_sql(" AND ");
        }
        t.through_tag().walk(&mut out)?;
        out.push_sql(" IN (SELECT ");
        t.tag_pk().walk(&mut out)?;
        out.push_sql(" FROM ");
        out.push_identifier(t.tag.table.name.as_ref())?;
        out.push_sql(" WHERE ");
        if self.names.varies::<DB>() {
            out.unsafe_to_cache_prepared();
        }
        self.names.walk(&mut out)?;
        out.push_sql(")");
        Ok(())
    }
}

/// `SELECT <tag>.*, COUNT(*) FROM <tag> INNER JOIN <through> ON ... WHERE <cond> AND
/// (<extra>) GROUP BY <tag>.* [HAVING COUNT(*) >= ?] ORDER BY COUNT(*) DESC, <tag>.<name>
/// [LIMIT ?]`: django-taggit's `most_common`, each tag with how many rows use it.
pub(crate) struct MostCommonQuery<E> {
    pub(crate) tables: TagTables,
    pub(crate) cond: Cond,
    pub(crate) extra: E,
    pub(crate) min_count: Option<i64>,
    pub(crate) limit: Option<i64>,
}

statement_node!(impl<E> for MostCommonQuery<E>);

impl<DB: SupportedBackend, E: QueryFragment<DB>> QueryFragment<DB> for MostCommonQuery<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let t = &self.tables;
        let columns = || t.tag.table.columns.iter();
        out.push_sql("SELECT ");
        walk_columns(&mut out, t.tag.table.name.as_ref(), columns())?;
        out.push_sql(", COUNT(*) FROM ");
        t.walk_join(&mut out)?;
        walk_where(&mut out, &self.cond, &self.extra)?;
        out.push_sql(" GROUP BY ");
        walk_columns(&mut out, t.tag.table.name.as_ref(), columns())?;
        if let Some(min) = &self.min_count {
            out.push_sql(" HAVING COUNT(*) >= ");
            <DB as Binds<i64>>::bind(&mut out, min)?;
        }
        out.push_sql(" ORDER BY COUNT(*) DESC, ");
        Col::of(t.tag, t.name_column).walk(&mut out)?;
        walk_limit(&mut out, &self.limit, &None)
    }
}

/// The tag set of one through model: its columns, and the set's name when the through model
/// holds several sets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SetOf {
    pub(crate) tables: TagTables,
    pub(crate) ct_column: &'static str,
    pub(crate) object_id: &'static ColumnDef,
    pub(crate) set: Option<(&'static str, &'static str)>,
}

impl SetOf {
    /// `<through>.<tag> IN (SELECT "__mine".<tag> FROM <through> AS "__mine" WHERE
    /// "__mine" is the object's row in the set)`: rows holding one of the object's tags.
    fn walk_shares_a_tag<'b, DB: SupportedBackend>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        ct: &'b CtRef,
        object_id: &'b Value,
    ) -> QueryResult<()> {
        let through = self.tables.through.table.name.as_ref();
        Col::new(through, self.tables.tag_column).walk(out)?;
        out.push_sql(" IN (SELECT ");
        Col::new(MINE, self.tables.tag_column).walk(out)?;
        out.push_sql(" FROM ");
        out.push_identifier(through)?;
        out.push_sql(" AS ");
        out.push_identifier(MINE)?;
        out.push_sql(" WHERE ");
        self.walk_in_set(out, MINE, ct)?;
        out.push_sql(" AND ");
        Col::new(MINE, self.object_id.name.as_ref()).walk(out)?;
        out.push_sql(" = ");
        object_id.bind(out)?;
        out.push_sql(")");
        Ok(())
    }

    /// `<alias>.<ct> = ? [AND <alias>.<set> = ?]`.
    fn walk_in_set<'b, DB: SupportedBackend>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        alias: &'static str,
        ct: &'b CtRef,
    ) -> QueryResult<()> {
        Col::new(alias, self.ct_column).walk(out)?;
        out.push_sql(" = ");
        ct.walk(out)?;
        if let Some((column, name)) = &self.set {
            out.push_sql(" AND ");
            Col::new(alias, column).walk(out)?;
            out.push_sql(" = ");
            <DB as Binds<str>>::bind(out, name)?;
        }
        Ok(())
    }
}

/// The other objects of one model sharing tags with an object, ranked by how many:
///
/// `SELECT <model>.*, "__similar"."n" FROM <model> INNER JOIN (SELECT <t>.<oid> AS "oid",
/// COUNT(*) AS "n" FROM <t> WHERE <t> in the set AND <t>.<tag> IN (SELECT "__mine".<tag> FROM
/// <t> AS "__mine" WHERE "__mine" is the object's row in the set) AND <t>.<oid> <> ? GROUP BY
/// <t>.<oid>) AS "__similar" ON <model>.<pk> = "__similar"."oid" [WHERE (<filter>)] ORDER
/// BY "__similar"."n" DESC, <model>.<pk> [LIMIT ?]`.
pub(crate) struct SimilarQuery<E> {
    pub(crate) set: SetOf,
    pub(crate) model: &'static ModelDef,
    pub(crate) ct: CtRef,
    pub(crate) object_id: Value,
    pub(crate) extra: E,
    pub(crate) limit: Option<i64>,
}

statement_node!(impl<E> for SimilarQuery<E>);

const SIMILAR: &str = "__similar";
const MINE: &str = "__mine";

impl<DB: SupportedBackend, E: QueryFragment<DB>> QueryFragment<DB> for SimilarQuery<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let s = &self.set;
        let through = s.tables.through.table.name.as_ref();
        let table = self.model.table.name.as_ref();
        let pk = self.model.primary_key().ok_or_else(|| {
            diesel::result::Error::QueryBuilderError("a model without a primary key".into())
        })?;
        let oid = s.object_id.name.as_ref();
        out.push_sql("SELECT ");
        walk_columns(&mut out, table, self.model.table.columns.iter())?;
        out.push_sql(", ");
        Col::new(SIMILAR, "n").walk(&mut out)?;
        out.push_sql(" FROM ");
        out.push_identifier(table)?;
        out.push_sql(" INNER JOIN (SELECT ");
        Col::new(through, oid).walk(&mut out)?;
        out.push_sql(" AS ");
        out.push_identifier("oid")?;
        out.push_sql(", COUNT(*) AS ");
        out.push_identifier("n")?;
        out.push_sql(" FROM ");
        out.push_identifier(through)?;
        out.push_sql(" WHERE ");
        s.walk_in_set(&mut out, through, &self.ct)?;
        out.push_sql(" AND ");
        s.walk_shares_a_tag(&mut out, &self.ct, &self.object_id)?;
        out.push_sql(" AND ");
        Col::new(through, oid).walk(&mut out)?;
        out.push_sql(" <> ");
        self.object_id.bind(&mut out)?;
        out.push_sql(" GROUP BY ");
        Col::new(through, oid).walk(&mut out)?;
        out.push_sql(") AS ");
        out.push_identifier(SIMILAR)?;
        out.push_sql(" ON ");
        let key = Col::new(table, pk.name.as_ref());
        if join_needs_text_cast(s.object_id.sql_type, pk.sql_type) {
            walk_key_as_text(&mut out, key, pk.sql_type)?;
        } else {
            key.walk(&mut out)?;
        }
        out.push_sql(" = ");
        Col::new(SIMILAR, "oid").walk(&mut out)?;
        walk_where(&mut out, &Cond::True, &self.extra)?;
        out.push_sql(" ORDER BY ");
        Col::new(SIMILAR, "n").walk(&mut out)?;
        out.push_sql(" DESC, ");
        key.walk(&mut out)?;
        walk_limit(&mut out, &self.limit, &None)
    }
}

/// Tags many objects of one model with many tags in one statement:
///
/// `INSERT INTO <t> (<tag>, <ct>, <oid>[, <set>]) SELECT <tag>.<pk>, ?, <model>.<pk>[, ?]
/// FROM <tag>, <model> WHERE <tag>.<pk> IN (...) AND <model>.<pk> IN (...) ORDER BY
/// <model>.<pk>, <the tags' order>`, skipping rows that exist (`ON CONFLICT DO NOTHING`,
/// `INSERT IGNORE`). The key is cast to text for a text object id, as the filters compare
/// it.
pub(crate) struct TagMany {
    pub(crate) set: SetOf,
    pub(crate) model: &'static ModelDef,
    pub(crate) ct: i32,
    pub(crate) tags: Vec<Value>,
    /// `<tag>.<pk> IN (...)` and `<model>.<pk> IN (...)`.
    tag_cond: Cond,
    object_cond: Cond,
}

impl TagMany {
    pub(crate) fn new(
        set: SetOf,
        model: &'static ModelDef,
        ct: i32,
        tags: Vec<Value>,
        objects: Vec<Value>,
    ) -> Self {
        let key = Col::of(model, model.table.primary_key.as_ref());
        TagMany {
            tag_cond: Cond::In(set.tables.tag_pk(), tags.clone()),
            object_cond: Cond::In(key, objects),
            set,
            model,
            ct,
            tags,
        }
    }
}

statement_node!(impl for TagMany);

impl<DB: SupportedBackend> QueryFragment<DB> for TagMany {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let s = &self.set;
        let pk = self.model.primary_key().ok_or_else(|| {
            diesel::result::Error::QueryBuilderError("a model without a primary key".into())
        })?;
        out.unsafe_to_cache_prepared();
        out.push_sql(OnConflict::insert_into(DB::DIALECT, true));
        out.push_identifier(s.tables.through.table.name.as_ref())?;
        out.push_sql(" (");
        out.push_identifier(s.tables.tag_column)?;
        out.push_sql(", ");
        out.push_identifier(s.ct_column)?;
        out.push_sql(", ");
        out.push_identifier(s.object_id.name.as_ref())?;
        if let Some((column, _)) = &s.set {
            out.push_sql(", ");
            out.push_identifier(column)?;
        }
        out.push_sql(") SELECT ");
        s.tables.tag_pk().walk(&mut out)?;
        out.push_sql(", ");
        <DB as Binds<i32>>::bind(&mut out, &self.ct)?;
        out.push_sql(", ");
        let key = Col::of(self.model, pk.name.as_ref());
        if join_needs_text_cast(s.object_id.sql_type, pk.sql_type) {
            walk_key_as_text(&mut out, key, pk.sql_type)?;
        } else {
            key.walk(&mut out)?;
        }
        if let Some((_, name)) = &s.set {
            out.push_sql(", ");
            <DB as Binds<str>>::bind(&mut out, name)?;
        }
        out.push_sql(" FROM ");
        out.push_identifier(s.tables.tag.table.name.as_ref())?;
        out.push_sql(", ");
        out.push_identifier(self.model.table.name.as_ref())?;
        out.push_sql(" WHERE ");
        self.tag_cond.walk(&mut out)?;
        out.push_sql(" AND ");
        self.object_cond.walk(&mut out)?;
        // Rows in the order of the objects, then of the tags as given: the through keys
        // they get keep each object's tags in that order.
        out.push_sql(" ORDER BY ");
        key.walk(&mut out)?;
        out.push_sql(", CASE ");
        s.tables.tag_pk().walk(&mut out)?;
        for (i, tag) in self.tags.iter().enumerate() {
            out.push_sql(" WHEN ");
            tag.bind(&mut out)?;
            out.push_sql(&format!(" THEN {i}"));
        }
        out.push_sql(" END");
        out.push_sql(OnConflict::suffix(DB::DIALECT, true));
        Ok(())
    }
}

/// The objects of every model sharing tags with an object, ranked:
///
/// `SELECT <t>.<ct>, <t>.<oid>, COUNT(*) FROM <t> WHERE [<t>.<set> = ? AND] <t>.<tag> IN
/// (SELECT "__mine".<tag> FROM <t> AS "__mine" WHERE "__mine" is the object's row in the
/// set) AND NOT (<t>.<ct> = ? AND <t>.<oid> = ?) GROUP BY <t>.<ct>, <t>.<oid> ORDER BY
/// COUNT(*) DESC, <t>.<ct>, <t>.<oid> [LIMIT ?]`.
pub(crate) struct SimilarAcrossQuery {
    pub(crate) set: SetOf,
    pub(crate) ct: CtRef,
    pub(crate) object_id: Value,
    pub(crate) limit: Option<i64>,
}

statement_node!(impl for SimilarAcrossQuery);

impl<DB: SupportedBackend> QueryFragment<DB> for SimilarAcrossQuery {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let s = &self.set;
        let through = s.tables.through.table.name.as_ref();
        let oid = s.object_id.name.as_ref();
        let (ct, oid_col) = (Col::new(through, s.ct_column), Col::new(through, oid));
        out.push_sql("SELECT ");
        ct.walk(&mut out)?;
        out.push_sql(", ");
        oid_col.walk(&mut out)?;
        out.push_sql(", COUNT(*) FROM ");
        out.push_identifier(through)?;
        out.push_sql(" WHERE ");
        if let Some((column, name)) = &s.set {
            Col::new(through, column).walk(&mut out)?;
            out.push_sql(" = ");
            <DB as Binds<str>>::bind(&mut out, name)?;
            out.push_sql(" AND ");
        }
        s.walk_shares_a_tag(&mut out, &self.ct, &self.object_id)?;
        out.push_sql(" AND NOT (");
        ct.walk(&mut out)?;
        out.push_sql(" = ");
        self.ct.walk(&mut out)?;
        out.push_sql(" AND ");
        oid_col.walk(&mut out)?;
        out.push_sql(" = ");
        self.object_id.bind(&mut out)?;
        out.push_sql(") GROUP BY ");
        ct.walk(&mut out)?;
        out.push_sql(", ");
        oid_col.walk(&mut out)?;
        out.push_sql(" ORDER BY COUNT(*) DESC, ");
        ct.walk(&mut out)?;
        out.push_sql(", ");
        oid_col.walk(&mut out)?;
        walk_limit(&mut out, &self.limit, &None)
    }
}
