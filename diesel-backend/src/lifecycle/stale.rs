//! Stale content types: rows of `django_content_type` whose model is not registered (a model
//! renamed or removed), Django's `remove_stale_contenttypes`.

use super::{count_per_content_type, generic_foreign_keys};
use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::content_types::ContentTypes;
use crate::db::Db;
use crate::delete::{delete_by_keys, Deleted};
use crate::error::Result;
use crate::field::Value;
use crate::model::Loaded;
use crate::query::{Cond, Select};
use contenttypes_core::content_type as ct_table;
use contenttypes_core::keys::PkValue;

/// A row of `django_content_type` whose model is not registered, and the generic rows that
/// point at it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StaleContentType {
    /// The row's id.
    pub id: i32,
    pub app_label: String,
    /// The lowercased model name, as stored.
    pub model: String,
    /// Per generic foreign key of a registered model, the number of its rows pointing at this
    /// content type, by the generic foreign key's label (`app_label.ModelName.field`); only
    /// generic foreign keys with rows are listed.
    pub dependents: Vec<(String, i64)>,
}

impl StaleContentType {
    /// `app_label.model`, the label [`stale_content_types`]' keep-list matches.
    pub fn label(&self) -> String {
        format!("{}.{}", self.app_label, self.model)
    }

    /// The generic rows pointing at it, of every model.
    pub fn dependent_rows(&self) -> i64 {
        self.dependents.iter().map(|(_, n)| n).sum()
    }
}

/// What [`remove_stale_content_types`] deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemovedStale {
    /// The content types removed (`dependents` left empty: [`RemovedStale::deleted`] counts
    /// what went, per model).
    pub content_types: Vec<StaleContentType>,
    /// Every row deleted, per model: the content-type rows (`contenttypes.ContentType`), the
    /// generic rows pointing at them and what cascaded from those.
    pub deleted: Deleted,
}

/// The rows of `django_content_type` whose `(app_label, model)` is not a registered model,
/// except those `keep` names, by label (`"app_label.model"`, the model's name in any case:
/// `"blog.OldPost"` too) or by app label
/// (`"app_label"`): models of another program sharing the database (a Django project,
/// another service), whose rows must never be cascaded away. Each comes with its dependent
/// rows counted per generic foreign key. Nothing is deleted: this is the dry run of
/// [`remove_stale_content_types`].
///
/// Statements: one `SELECT` of the content-type rows, then, when some are stale, one
/// `SELECT <content type>, COUNT(*) ... GROUP BY <content type>` per generic foreign key of
/// the registered models.
///
/// ```
/// # include!("../../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// use contenttypes::django_content_type::dsl::*;
/// use contenttypes::lifecycle::stale_content_types;
/// use diesel::prelude::*;
/// // A model that was removed from the program, but whose content type is still there.
/// diesel::insert_into(django_content_type)
///     .values((app_label.eq("blog"), model.eq("oldpost")))
///     .execute(&mut conn)?;
/// let stale = stale_content_types(&mut conn, &[])?;
/// assert_eq!(stale.len(), 1);
/// assert_eq!(stale[0].label(), "blog.oldpost");
/// // Kept: another program's model.
/// assert!(stale_content_types(&mut conn, &["blog.oldpost"])?.is_empty());
/// assert!(stale_content_types(&mut conn, &["blog"])?.is_empty());
/// # Ok(())
/// # }
/// ```
pub fn stale_content_types<'a, D: Db>(
    db: &'a mut D,
    keep: &'a [&'a str],
) -> crate::Output<'a, D, Result<Vec<StaleContentType>>> {
    D::drive(stale_content_types_op(db, keep))
}

/// [`stale_content_types`]'s operation.
pub(crate) async fn stale_content_types_op<D: Db>(
    db: &mut D,
    keep: &[&str],
) -> Result<Vec<StaleContentType>> {
    let (conn, cts) = db.parts_for_read();
    let mut stale = list(conn, cts, keep).await?;
    if stale.is_empty() {
        return Ok(stale);
    }
    let ids: Vec<Value> = stale.iter().map(|s| Value::Integer(s.id)).collect();
    for gfk in generic_foreign_keys(cts.registry()?)? {
        let label = format!("{}.{}", gfk.model_label(), gfk.def.name);
        let cond = Cond::In(gfk.ct_col(), ids.clone());
        for (ct, rows) in count_per_content_type(conn, &gfk, cond).await? {
            if let Some(s) = stale.iter_mut().find(|s| s.id == ct) {
                s.dependents.push((label.clone(), rows));
            }
        }
    }
    Ok(stale)
}

/// Deletes the content types [`stale_content_types`] lists (with the same `keep`), and,
/// through the deletion collector, every row that points at them (the `on_delete` of each
/// content-type column, `#[model(on_delete = ..)]` on that field: cascade by default;
/// `restrict` refuses with [`Error::Protected`] and nothing is deleted), in one
/// transaction. Then the content-type cache is cleared.
///
/// Statements: the `SELECT` of the content-type rows, then one statement per foreign key to
/// `django_content_type` (every generic foreign key's content-type column): a `DELETE`, or,
/// when generic foreign keys can point at its model's rows, a `SELECT` of their keys followed
/// by their delete (one statement per such generic foreign key, then the `DELETE`); and one
/// `DELETE` of the content types. The dependents are not counted again.
///
/// [`Error::Protected`]: crate::error::Error::Protected
///
/// ```
/// # include!("../../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// use contenttypes::django_content_type::dsl::*;
/// use contenttypes::lifecycle::remove_stale_content_types;
/// use diesel::prelude::*;
/// diesel::insert_into(django_content_type)
///     .values((app_label.eq("blog"), model.eq("oldpost")))
///     .execute(&mut conn)?;
/// let removed = remove_stale_content_types(&mut conn, &[])?;
/// assert_eq!(removed.content_types[0].label(), "blog.oldpost");
/// assert_eq!(removed.deleted.per_model["contenttypes.ContentType"], 1);
/// # Ok(())
/// # }
/// ```
pub fn remove_stale_content_types<'a, D: Db>(
    db: &'a mut D,
    keep: &'a [&'a str],
) -> crate::Output<'a, D, Result<RemovedStale>> {
    D::drive(remove_stale_content_types_op(db, keep))
}

/// [`remove_stale_content_types`]'s operation.
pub(crate) async fn remove_stale_content_types_op<D: Db>(
    db: &mut D,
    keep: &[&str],
) -> Result<RemovedStale> {
    // What is deleted is read on the primary, where it is deleted.
    let (primary, cts) = db.parts();
    let content_types = list(primary, cts, keep).await?;
    if content_types.is_empty() {
        return Ok(RemovedStale::default());
    }
    let keys: Vec<PkValue> = content_types
        .iter()
        .map(|s| PkValue::Int(i64::from(s.id)))
        .collect();
    let deleted = delete_by_keys(db, ct_table::DEF, &keys).await?;
    db.parts().1.clear_cache();
    Ok(RemovedStale {
        content_types,
        deleted,
    })
}

/// The stale content types, without their dependents: one `SELECT` on `conn`.
async fn list<C: Conn>(
    conn: &mut C,
    cts: &ContentTypes,
    keep: &[&str],
) -> Result<Vec<StaleContentType>> {
    let registry = cts.registry()?;
    let def = ct_table::DEF;
    let rows: Vec<Loaded<ContentType>> = conn.load_rows(Select::new(def, Cond::True)).await?;
    Ok(rows
        .into_iter()
        .map(|Loaded(ct)| ct)
        .filter(|ct| {
            registry
                .get_by_natural_key(&ct.app_label, &ct.model)
                .is_none()
        })
        .filter(|ct| {
            let label = format!("{}.{}", ct.app_label, ct.model);
            !keep
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&label) || *k == ct.app_label)
        })
        .map(|ct| StaleContentType {
            id: ct.id,
            app_label: ct.app_label.into_owned(),
            model: ct.model.into_owned(),
            dependents: Vec::new(),
        })
        .collect())
}
