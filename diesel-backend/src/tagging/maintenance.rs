//! Tag maintenance: orphaned tags (django-taggit's `remove_orphaned_tags`, #111) and merging
//! tags (#899).

use contenttypes_core::keys::{Key, PkValue};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::QueryResult;

use crate::backend::SupportedBackend;
use crate::conn::Conn;
use crate::db::Db;
use crate::delete::{self, Deleted};
use crate::error::{Error, Result};
use crate::field::Value;
use crate::filter::{Correlation, RelationFilter};
use crate::model::{Loaded, Model};
use crate::object::key_column;
use crate::query::{
    key_chunks, statement_node, Col, Cond, NoFilter, Select, Update, FRAMEWORK_BINDS,
};
use crate::transaction;

use super::TaggedItemModel;

/// `NOT EXISTS` a row of `C` holding the tag: a filter on the tag model's table.
fn orphaned<C: TaggedItemModel>() -> RelationFilter<C::Tag, C, NoFilter> {
    RelationFilter::new(
        Correlation::ReverseForeignKey {
            outer: <C::Tag as Model>::DEF,
            inner: C::DEF,
            column: C::TAG_COLUMN,
        },
        NoFilter,
        true,
    )
}

/// The tags no row of the through model `C` holds: what [`remove_orphaned_tags`] would
/// delete (its dry run; the count is the length). 1 query.
///
/// ```
/// # include!("../../../src/doctest_tagging.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// use contenttypes::tagging::{orphaned_tags, remove_orphaned_tags};
/// let post = Post::insert(&mut conn, NewPost { title: "a".into() })?;
/// post.tags().add(&mut conn, ["rust", "old"])?;
/// post.tags().remove(&mut conn, ["old"])?;
/// let orphans = orphaned_tags::<TaggedItem, _>(&mut conn)?;
/// assert_eq!(orphans.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["old"]);
/// assert_eq!(remove_orphaned_tags::<TaggedItem, _>(&mut conn)?.total, 1);
/// assert!(orphaned_tags::<TaggedItem, _>(&mut conn)?.is_empty());
/// # Ok(())
/// # }
/// ```
pub fn orphaned_tags<C: TaggedItemModel, D: Db>(
    db: &mut D,
) -> crate::Output<'_, D, Result<Vec<C::Tag>>> {
    D::drive(orphaned_tags_op::<C, D>(db))
}

/// [`orphaned_tags`]'s operation.
pub(crate) async fn orphaned_tags_op<C: TaggedItemModel, D: Db>(db: &mut D) -> Result<Vec<C::Tag>> {
    let query = Select::new(<C::Tag as Model>::DEF, Cond::True).with_extra(orphaned::<C>());
    let rows: Vec<Loaded<C::Tag>> = db.connection_for_read().load_rows(query).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Deletes the tags no row of the through model `C` holds, with what cascades from them,
/// in one transaction; returns Django's counts. One `DELETE` when nothing else refers to
/// tags, else a `SELECT` of their keys and the cascade.
pub fn remove_orphaned_tags<C: TaggedItemModel, D: Db>(
    db: &mut D,
) -> crate::Output<'_, D, Result<Deleted>> {
    D::drive(remove_orphaned_tags_op::<C, D>(db))
}

/// [`remove_orphaned_tags`]'s operation.
pub(crate) async fn remove_orphaned_tags_op<C: TaggedItemModel, D: Db>(
    db: &mut D,
) -> Result<Deleted> {
    delete::delete_matching(db, <C::Tag as Model>::DEF, Cond::True, orphaned::<C>()).await
}

/// What [`merge_tags`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Merged {
    /// Through rows moved to the kept tag.
    pub moved: usize,
    /// Through rows deleted because the object already had the kept tag.
    pub duplicates: usize,
    /// The merged tags, deleted.
    pub deleted: Deleted,
}

/// Merges the tags `from` into `into` (django-taggit's merge action, #899): the through rows
/// of `C` holding one of `from` are moved to `into`, those that would then be duplicates
/// (the object has `into` already, in the same set) are deleted, and the `from` tags are
/// deleted. Atomic: per merged tag, a `SELECT` of the duplicates, their `DELETE` and one
/// `UPDATE`; then the tags' `DELETE`.
///
/// ```
/// # include!("../../../src/doctest_tagging.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// use contenttypes::tagging::merge_tags;
/// let (a, b) = (Post::insert(&mut conn, NewPost { title: "a".into() })?, Post::insert(&mut conn, NewPost { title: "b".into() })?);
/// let tags = a.tags().add(&mut conn, ["rust", "rustlang"])?;
/// b.tags().add(&mut conn, ["rustlang"])?;
/// let merged = merge_tags::<TaggedItem, _>(&mut conn, &[&tags[1]], &tags[0])?;
/// assert_eq!((merged.moved, merged.duplicates), (1, 1));
/// assert_eq!(b.tags().names(&mut conn)?, ["rust"]);
/// # Ok(())
/// # }
/// ```
pub fn merge_tags<'a, C: TaggedItemModel, D: Db>(
    db: &'a mut D,
    from: &'a [&'a C::Tag],
    into: &'a C::Tag,
) -> crate::Output<'a, D, Result<Merged>> {
    D::drive(merge_tags_op::<C, D>(db, from, into))
}

/// [`merge_tags`]'s operation.
pub(crate) async fn merge_tags_op<C: TaggedItemModel, D: Db>(
    db: &mut D,
    from: &[&C::Tag],
    into: &C::Tag,
) -> Result<Merged> {
    let tag_def = <C::Tag as Model>::DEF;
    let tag_pk = key_column(tag_def)?;
    let through_pk = key_column(C::DEF)?;
    let gfk = C::DEF
        .generic_foreign_keys
        .first()
        .ok_or_else(|| Error::NotRegistered {
            model: C::DEF.label(),
        })?;
    let into_key = into.pk().to_pk_value();
    let into_value = Value::from_key(tag_pk.sql_type, &into_key).ok_or_else(|| {
        Error::InvalidArgument("the kept tag's key does not fit its column".into())
    })?;
    let mut merged_keys: Vec<PkValue> = Vec::new();
    for tag in from {
        let key = tag.pk().to_pk_value();
        if key != into_key && !merged_keys.contains(&key) {
            merged_keys.push(key);
        }
    }
    let (merged_keys, into_value) = (&merged_keys, &into_value);
    transaction::atomic_retry(db, |db| {
        Box::pin(async move {
            let mut out = Merged::default();
            for key in merged_keys {
                let from_value = Value::from_key(tag_pk.sql_type, key).ok_or_else(|| {
                    Error::InvalidArgument("a merged tag's key does not fit its column".into())
                })?;
                let duplicates = DuplicateItems {
                    through: C::DEF,
                    pk: through_pk.name.as_ref(),
                    tag: C::TAG_COLUMN,
                    same: [
                        Some(gfk.ct_column.as_ref()),
                        Some(gfk.fk_column.as_ref()),
                        C::SET_COLUMN,
                    ],
                    from: from_value.clone(),
                    into: into_value.clone(),
                };
                let keys =
                    crate::delete::load_keys(db.connection(), duplicates, through_pk.sql_type)
                        .await?;
                let values: Vec<Value> = keys
                    .iter()
                    .filter_map(|k| Value::from_key(through_pk.sql_type, k))
                    .collect();
                for chunk in key_chunks::<D::Backend>(&values, FRAMEWORK_BINDS) {
                    let cond = Cond::In(Col::of(C::DEF, through_pk.name.as_ref()), chunk.to_vec());
                    out.duplicates += delete::delete_matching(db, C::DEF, cond, NoFilter)
                        .await?
                        .of_def(C::DEF);
                }
                out.moved += db
                    .connection()
                    .execute_statement(Update {
                        table: C::DEF.table.name.as_ref(),
                        set: vec![(C::TAG_COLUMN, into_value.clone())],
                        cond: Cond::Eq(Col::of(C::DEF, C::TAG_COLUMN), from_value),
                        extra: NoFilter,
                    })
                    .await?;
            }
            out.deleted = delete::delete_by_keys(db, tag_def, merged_keys).await?;
            Ok(out)
        })
    })
    .await
}

/// `SELECT f.<pk> FROM <through> AS f INNER JOIN <through> AS d ON d.<ct> = f.<ct> AND
/// d.<oid> = f.<oid> [AND d.<set> = f.<set>] WHERE f.<tag> = <from> AND d.<tag> = <into>`:
/// the rows of the merged tag whose object has the kept tag already.
struct DuplicateItems {
    through: &'static contenttypes_core::ir::ModelDef,
    pk: &'static str,
    tag: &'static str,
    same: [Option<&'static str>; 3],
    from: Value,
    into: Value,
}

statement_node!(impl for DuplicateItems);

impl<DB: SupportedBackend> QueryFragment<DB> for DuplicateItems {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        const F: &str = "__from";
        const D: &str = "__into";
        let table = self.through.table.name.as_ref();
        out.push_sql("SELECT ");
        Col::new(F, self.pk).walk(&mut out)?;
        out.push_sql(" FROM ");
        out.push_identifier(table)?;
        out.push_sql(" AS ");
        out.push_identifier(F)?;
        out.push_sql(" INNER JOIN ");
        out.push_identifier(table)?;
        out.push_sql(" AS ");
        out.push_identifier(D)?;
        out.push_sql(" ON ");
        for (i, column) in self.same.iter().flatten().enumerate() {
            if i > 0 {
                out.push_sql(" AND ");
            }
            Col::new(D, column).walk(&mut out)?;
            out.push_sql(" = ");
            Col::new(F, column).walk(&mut out)?;
        }
        out.push_sql(" WHERE ");
        Col::new(F, self.tag).walk(&mut out)?;
        out.push_sql(" = ");
        self.from.bind(&mut out)?;
        out.push_sql(" AND ");
        Col::new(D, self.tag).walk(&mut out)?;
        out.push_sql(" = ");
        self.into.bind(&mut out)?;
        out.push_sql(" ORDER BY ");
        Col::new(F, self.pk).walk(&mut out)
    }
}
