//! [`MostCommon`]: the most common tags of a tag set, of a filtered set of objects, or of a
//! through model across models (django-taggit's `most_common`), in one query.

use std::fmt;
use std::marker::PhantomData;

use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;

use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::field::Value;
use crate::filter::RelationFilter;
use crate::gfk::GenericForeignKeyField;
use crate::model::Model;
use crate::query::{Col, Cond, NoFilter};
use crate::relation::generic_correlation;

use super::counted::Counted;
use super::manager::tag_tables;
use super::sql::MostCommonQuery;
use super::TaggedItemModel;

/// The most common tags (django-taggit's `most_common`): `Article::TAGS.most_common()` (the
/// set's tags on articles), or [`MostCommon::across_models`] (a through model's tags on every
/// model). Each tag with how many through rows hold it, most first, ties by name. One query.
pub struct MostCommon<C, P = (), F = NoFilter, const K: u64 = 0> {
    /// The model whose objects' tags count and the set, or `None` across models.
    scope: Option<(&'static contenttypes_core::ir::ModelDef, Cond)>,
    filter: F,
    min_count: Option<i64>,
    limit: Option<i64>,
    _types: PhantomData<fn() -> (C, P)>,
}

impl<C, P, F, const K: u64> fmt::Debug for MostCommon<C, P, F, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MostCommon")
            .field("min_count", &self.min_count)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl<C, P, const K: u64> MostCommon<C, P, NoFilter, K> {
    /// The tags of the set (`set`, a condition on the through rows) on objects of `model`.
    pub(super) fn of_model(model: &'static contenttypes_core::ir::ModelDef, set: Cond) -> Self {
        MostCommon {
            scope: Some((model, set)),
            filter: NoFilter,
            min_count: None,
            limit: None,
            _types: PhantomData,
        }
    }
}

impl<C: TaggedItemModel> MostCommon<C> {
    /// The tags of `C` on objects of every model.
    ///
    /// ```
    /// # include!("../../../src/doctest_tagging.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// use contenttypes::tagging::MostCommon;
    /// Post::insert(&mut conn, NewPost { title: "a".into() })?.tags().add(&mut conn, ["rust"])?;
    /// let top = MostCommon::<TaggedItem>::across_models().limit(10).load(&mut conn)?;
    /// assert_eq!(top[0].1, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn across_models() -> Self {
        MostCommon {
            scope: None,
            filter: NoFilter,
            min_count: None,
            limit: None,
            _types: PhantomData,
        }
    }
}

impl<C: TaggedItemModel, P, F, const K: u64> MostCommon<C, P, F, K> {
    /// Only tags held at least `n` times (django-taggit's `min_count`).
    pub fn min_count(mut self, n: i64) -> Self {
        self.min_count = Some(n);
        self
    }

    /// At most `n` tags.
    pub fn limit(mut self, n: i64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Runs the query: each tag with its count.
    #[allow(clippy::type_complexity)] // `Output` of a list of pairs
    pub fn load<'a, D: Db>(self, db: &'a mut D) -> crate::Output<'a, D, Result<Vec<(C::Tag, i64)>>>
    where
        F: QueryFragment<D::Backend> + Send + 'a,
        P: 'a,
    {
        D::drive(self.load_op(db))
    }

    /// [`MostCommon::load`]'s operation.
    pub(crate) async fn load_op<D: Db>(self, db: &mut D) -> Result<Vec<(C::Tag, i64)>>
    where
        F: QueryFragment<D::Backend> + Send,
    {
        let cond = match self.scope {
            Some((model, set)) => {
                let ct = ContentType::for_models_op(db, &[model])
                    .await?
                    .first()
                    .map(|ct| ct.id)
                    .ok_or_else(|| Error::NotRegistered {
                        model: model.label(),
                    })?;
                Cond::Eq(Col::of(C::DEF, ct_column::<C>()?), Value::Integer(ct)).and(set)
            }
            None => Cond::True,
        };
        let query = MostCommonQuery {
            tables: tag_tables::<C>(),
            cond,
            extra: self.filter,
            min_count: self.min_count,
            limit: self.limit,
        };
        let rows: Vec<Counted<C::Tag>> = db.connection_for_read().load_rows(query).await?;
        Ok(rows.into_iter().map(|Counted(t, n)| (t, n)).collect())
    }
}

impl<C, P, const K: u64> MostCommon<C, P, NoFilter, K>
where
    P: Model,
    C: TaggedItemModel + GenericForeignKeyField<K>,
{
    /// Only the tags of objects matching `filter`, a Diesel expression on `P`'s table
    /// (django-taggit's `extra_filters`).
    pub fn filter<E>(self, filter: E) -> MostCommon<C, P, RelationFilter<C, P, E>, K>
    where
        E: Expression + AppearsOnTable<P::Table>,
    {
        MostCommon {
            scope: self.scope,
            filter: RelationFilter::new(generic_correlation::<P, C, K>().reversed(), filter, false),
            min_count: self.min_count,
            limit: self.limit,
            _types: PhantomData,
        }
    }
}

/// The content-type column of a tagged-item model's (sole) generic foreign key.
fn ct_column<C: Model>() -> Result<&'static str> {
    C::DEF
        .generic_foreign_keys
        .first()
        .map(|g| g.ct_column.as_ref())
        .ok_or_else(|| Error::NotRegistered {
            model: C::DEF.label(),
        })
}
