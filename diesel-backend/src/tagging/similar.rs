//! [`SimilarObjects`] and [`SimilarAcrossModels`]: the objects sharing tags with an object,
//! ranked by how many (django-taggit's `similar_objects`, as a query that can be filtered and
//! limited).

use std::fmt;
use std::marker::PhantomData;

use contenttypes_core::keys::ObjectIdFor;
use diesel::deserialize::QueryableByName;
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;

use crate::backend::SupportedBackend;
use crate::columns::RowRef;
use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::error::Result;
use crate::field::FieldType;
use crate::gfk::GenericForeignKeyField;
use crate::model::Model;
use crate::query::NoFilter;
use crate::relation::{CtRef, Link};

use super::counted::Counted;
use super::manager::tag_tables;
use super::sql::{SetOf, SimilarAcrossQuery, SimilarQuery};
use super::TaggedItemModel;

/// The other objects of one model that share tags with an object, each with how many it
/// shares, most first, then by key (django-taggit's `similar_objects`, as one query that can
/// be filtered and limited): `post.tags().similar_objects().limit(5).load(db)`.
pub struct SimilarObjects<'a, P, C, const K: u64, F = NoFilter> {
    object: &'a P,
    set: &'static str,
    filter: F,
    limit: Option<i64>,
    _through: PhantomData<fn() -> C>,
}

impl<P, C, const K: u64, F> fmt::Debug for SimilarObjects<'_, P, C, K, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimilarObjects")
            .field("set", &self.set)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl<'a, P, C, const K: u64> SimilarObjects<'a, P, C, K> {
    pub(crate) fn new(object: &'a P, set: &'static str) -> Self {
        SimilarObjects {
            object,
            set,
            filter: NoFilter,
            limit: None,
            _through: PhantomData,
        }
    }
}

impl<'a, P, C, const K: u64, F> SimilarObjects<'a, P, C, K, F>
where
    P: Model,
    C: TaggedItemModel + GenericForeignKeyField<K>,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
{
    /// Only objects matching `filter`, a Diesel expression on `P`'s table.
    pub fn filter<E>(self, filter: E) -> SimilarObjects<'a, P, C, K, E>
    where
        E: Expression + AppearsOnTable<P::Table>,
    {
        SimilarObjects {
            object: self.object,
            set: self.set,
            filter,
            limit: self.limit,
            _through: PhantomData,
        }
    }

    /// At most `n` objects.
    pub fn limit(mut self, n: i64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Runs the query: the objects with how many tags each shares. One query.
    pub fn load<'d, D: Db>(self, db: &'d mut D) -> crate::Output<'d, D, Result<Vec<(P, i64)>>>
    where
        F: QueryFragment<D::Backend> + Send + 'd,
        'a: 'd,
    {
        D::drive(self.load_op(db))
    }

    /// [`SimilarObjects::load`]'s operation.
    pub(crate) async fn load_op<D: Db>(self, db: &mut D) -> Result<Vec<(P, i64)>>
    where
        F: QueryFragment<D::Backend> + Send,
    {
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::id_for_model_op::<P, D>(db).await?;
        let query = SimilarQuery {
            set: SetOf {
                tables: tag_tables::<C>(),
                ct_column: link.gfk.ct_column.as_ref(),
                object_id: link.object_id,
                set: C::SET_COLUMN.map(|c| (c, self.set)),
            },
            model: P::DEF,
            ct: CtRef::Id(ct),
            object_id: <C::ObjectId as ObjectIdFor<P, P::Pk>>::from_key(self.object.pk())
                .to_value(),
            extra: self.filter,
            limit: self.limit,
        };
        let rows: Vec<Counted<P>> = db.connection_for_read().load_rows(query).await?;
        Ok(rows.into_iter().map(|Counted(p, n)| (p, n)).collect())
    }
}

/// The objects of every model that share tags with an object (in the same tag set, on any
/// model), each with how many it shares, most first: `post.tags().similar_objects()
/// .across_models().limit(10).load(db)`. One query ranks them; then 1 per model loads them
/// (the enum of `targets(..)` when the generic foreign key lists them, else
/// [`GenericObject`](crate::GenericObject)s).
pub struct SimilarAcrossModels<'a, P, C, const K: u64> {
    object: &'a P,
    set: &'static str,
    limit: Option<i64>,
    _through: PhantomData<fn() -> C>,
}

impl<P, C, const K: u64> fmt::Debug for SimilarAcrossModels<'_, P, C, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimilarAcrossModels")
            .field("set", &self.set)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl<'a, P, C, const K: u64> SimilarObjects<'a, P, C, K, NoFilter> {
    /// Objects of every model, not only `P`'s.
    pub fn across_models(self) -> SimilarAcrossModels<'a, P, C, K> {
        SimilarAcrossModels {
            object: self.object,
            set: self.set,
            limit: self.limit,
            _through: PhantomData,
        }
    }
}

/// A ranked object: its content type, its object id and the count.
struct Ranked<O>(i32, O, i64);

impl<DB: SupportedBackend, O: FieldType> QueryableByName<DB> for Ranked<O> {
    fn build<'a>(row: &impl diesel::row::NamedRow<'a, DB>) -> diesel::deserialize::Result<Self> {
        let reader = RowRef::<_, DB>::new(row);
        Ok(Ranked(
            i32::__read(&reader, 0)?,
            O::__read(&reader, 1)?,
            i64::__read(&reader, 2)?,
        ))
    }
}

impl<'a, P, C, const K: u64> SimilarAcrossModels<'a, P, C, K>
where
    P: Model,
    C: TaggedItemModel + GenericForeignKeyField<K>,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
{
    /// At most `n` objects.
    pub fn limit(mut self, n: i64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Runs the queries: the objects with how many tags each shares, most first.
    #[allow(clippy::type_complexity)] // `Output` of a list of pairs
    pub fn load<'d, D: Db>(
        self,
        db: &'d mut D,
    ) -> crate::Output<'d, D, Result<Vec<(<C::Targets as crate::targets::TargetSet>::Target, i64)>>>
    where
        <C::Targets as crate::targets::TargetSet>::Target: Send,
        'a: 'd,
    {
        D::drive(self.load_op(db))
    }

    /// [`SimilarAcrossModels::load`]'s operation.
    pub(crate) async fn load_op<D: Db>(
        self,
        db: &mut D,
    ) -> Result<Vec<(<C::Targets as crate::targets::TargetSet>::Target, i64)>> {
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::id_for_model_op::<P, D>(db).await?;
        let query = SimilarAcrossQuery {
            set: SetOf {
                tables: tag_tables::<C>(),
                ct_column: link.gfk.ct_column.as_ref(),
                object_id: link.object_id,
                set: C::SET_COLUMN.map(|c| (c, self.set)),
            },
            ct: CtRef::Id(ct),
            object_id: <C::ObjectId as ObjectIdFor<P, P::Pk>>::from_key(self.object.pk())
                .to_value(),
            limit: self.limit,
        };
        let ranked: Vec<Ranked<C::ObjectId>> = db.connection_for_read().load_rows(query).await?;
        let groups = crate::load_targets::load_groups::<C::Targets, _, _>(
            db,
            ranked.len(),
            ranked.iter().map(|r| (Some(r.0), Some(&r.1))),
        )
        .await?;
        let mut objects: Vec<Option<crate::GenericObject>> = vec![None; ranked.len()];
        for group in &groups {
            for &(row, place) in &group.ids.members {
                if let Some(object) = group.get(place) {
                    objects[row] = Some(object.clone());
                }
            }
        }
        let mut out = Vec::with_capacity(ranked.len());
        for (object, r) in objects.into_iter().zip(&ranked) {
            if let Some(object) = object {
                out.push((
                    <C::Targets as crate::targets::TargetSet>::from_object(object)?,
                    r.2,
                ));
            }
        }
        Ok(out)
    }
}
