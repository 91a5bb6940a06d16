//! The descriptors: `Article::TAGS` (filter, count and prefetch parents by their related
//! rows) and its reverse, `TaggedItem::ARTICLE`.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use contenttypes_core::keys::{Key, ObjectIdFor, PkValue};
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;
use diesel::RunQueryDsl;

use crate::content_type::ContentType;
use crate::db::Db;
use crate::error::Result;
use crate::field::{FieldType, Scalar, Value};
use crate::filter::RelationFilter;
use crate::gfk::GenericForeignKeyField;
use crate::model::{Loaded, Model};
use crate::query::{chunks, NoFilter, Select};

use super::*;

/// The generic relation from `P` to its through model `C`: `Article::TAGS`.
pub struct GenericRelationDescriptor<P, C, const K: u64> {
    name: &'static str,
    field: fn(&P) -> &GenericRelation<C>,
}

impl<P, C, const K: u64> Clone for GenericRelationDescriptor<P, C, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, C, const K: u64> Copy for GenericRelationDescriptor<P, C, K> {}

impl<P: Model, C: Model, const K: u64> fmt::Debug for GenericRelationDescriptor<P, C, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GenericRelation({}.{} -> {})",
            P::DEF.type_name,
            self.name,
            C::DEF.type_name
        )
    }
}

impl<P, C, const K: u64> GenericRelationDescriptor<P, C, K> {
    /// Used by the generated constant: the relation's name and how to reach its field.
    pub const fn new(name: &'static str, field: fn(&P) -> &GenericRelation<C>) -> Self {
        GenericRelationDescriptor { name, field }
    }

    /// The relation's field name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<P, C, const K: u64> GenericRelationDescriptor<P, C, K>
where
    P: Model,
    C: GenericForeignKeyField<K> + Clone,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
{
    /// A filter on `P`'s table: the object has a related row matching `condition` (a Diesel
    /// expression on the through model's table). Renders `EXISTS (SELECT 1 FROM <through>
    /// WHERE <content type and object id match> AND <condition>)`.
    ///
    /// ```
    /// # include!("../../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// # let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// # let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// # article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
    /// use diesel::prelude::*;
    /// let tagged: Vec<Article> = blog_article::table
    ///     .filter(Article::TAGS.any(tagging_taggeditem::tag_id.eq(rust.id)))
    ///     .load(&mut conn)?;
    /// assert_eq!(tagged, vec![article]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn any<E>(self, condition: E) -> RelationFilter<P, C, E>
    where
        E: Expression + AppearsOnTable<C::Table>,
    {
        RelationFilter::new(generic_correlation::<P, C, K>(), condition, false)
    }

    /// A filter on `P`'s table: the object has at least one related row.
    pub fn exists(self) -> RelationFilter<P, C, NoFilter> {
        RelationFilter::new(generic_correlation::<P, C, K>(), NoFilter, false)
    }

    /// A filter on `P`'s table: no related row matches `condition` (a correlated
    /// `NOT EXISTS`, Django's `exclude`).
    pub fn none<E>(self, condition: E) -> RelationFilter<P, C, E>
    where
        E: Expression + AppearsOnTable<C::Table>,
    {
        RelationFilter::new(generic_correlation::<P, C, K>(), condition, true)
    }

    /// Every object of `P` with an aggregate of its related rows, by a `LEFT JOIN` with the
    /// content type in the `ON` clause (objects with no related row are kept). See
    /// [`Annotate`].
    pub fn annotate(self, aggregate: Aggregate) -> Annotate<P, C, K, NoFilter> {
        Annotate {
            aggregate,
            filter: NoFilter,
            having: None,
            _types: PhantomData,
        }
    }

    /// The total number of related rows of all `P` objects (Django's
    /// `aggregate(Count("tags"))`). 1 query.
    pub fn total_count<D: Db>(self, db: &mut D) -> Result<i64> {
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::for_model::<P>(db)?.id;
        let query = AggregateAll {
            link: &link,
            parent: P::DEF,
            ct: CtRef::Id(ct),
        };
        Ok(query.get_result::<Scalar<i64>>(db.connection())?.0)
    }

    /// Loads the related rows of all `parents` in one query and stores them on each parent;
    /// their managers then read them with no query. Parents that are not saved get none.
    pub fn prefetch<D: Db>(self, db: &mut D, parents: &[P]) -> Result<()> {
        self.prefetch_filtered(db, parents, NoFilter)
    }

    /// [`GenericRelationDescriptor::prefetch`] with only the related rows matching
    /// `condition` (Django's `Prefetch("tags", queryset=...)`).
    pub fn prefetch_filtered<D: Db, E>(self, db: &mut D, parents: &[P], condition: E) -> Result<()>
    where
        E: Expression + AppearsOnTable<C::Table> + QueryFragment<D::Backend>,
    {
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::for_model::<P>(db)?.id;
        let object_ids: Vec<Value> = parents
            .iter()
            .map(|p| <C::ObjectId as ObjectIdFor<P, P::Pk>>::from_key(p.pk()).to_value())
            .collect();
        let mut by_object: HashMap<PkValue, Vec<C>> = HashMap::new();
        if !object_ids.is_empty() {
            let conn = db.connection();
            let mut rows: Vec<Loaded<C>> = Vec::new();
            let extra = &condition;
            for chunk in chunks(&object_ids) {
                let query = Select::new(C::DEF, link.cond(ct, chunk.to_vec())).with_extra(extra);
                rows.extend(query.load::<Loaded<C>>(conn)?);
            }
            for row in rows {
                if let Some(oid) = row.0.__object_id() {
                    by_object.entry(oid.to_pk_value()).or_default().push(row.0);
                }
            }
        }
        for parent in parents {
            let oid = <C::ObjectId as ObjectIdFor<P, P::Pk>>::from_key(parent.pk()).to_pk_value();
            let rows = by_object.remove(&oid).unwrap_or_default();
            (self.field)(parent).set_prefetched(rows);
        }
        Ok(())
    }
}

/// The reverse of a generic relation, from the through model `C` to `P`:
/// `TaggedItem::ARTICLE` for `related_query_name = "article"` on `Article.tags`.
pub struct ReverseGenericRelation<C, P, const K: u64> {
    name: &'static str,
    _types: PhantomData<fn() -> (C, P)>,
}

impl<C, P, const K: u64> Clone for ReverseGenericRelation<C, P, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C, P, const K: u64> Copy for ReverseGenericRelation<C, P, K> {}

impl<C: Model, P: Model, const K: u64> fmt::Debug for ReverseGenericRelation<C, P, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ReverseGenericRelation({} -> {}.{})",
            C::DEF.type_name,
            P::DEF.type_name,
            self.name
        )
    }
}

impl<C, P, const K: u64> ReverseGenericRelation<C, P, K> {
    /// Used by the generated constant.
    pub const fn new(name: &'static str) -> Self {
        ReverseGenericRelation {
            name,
            _types: PhantomData,
        }
    }
}

impl<C, P, const K: u64> ReverseGenericRelation<C, P, K>
where
    P: Model,
    C: GenericForeignKeyField<K> + Clone,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
{
    /// A filter on `C`'s table: the row points at a `P` matching `condition` (a Diesel
    /// expression on `P`'s table).
    pub fn any<E>(self, condition: E) -> RelationFilter<C, P, E>
    where
        E: Expression + AppearsOnTable<P::Table>,
    {
        RelationFilter::new(generic_correlation::<P, C, K>(), condition, false)
    }

    /// A filter on `C`'s table: the row points at an existing `P` (Django's
    /// `article__isnull=False`).
    pub fn exists(self) -> RelationFilter<C, P, NoFilter> {
        RelationFilter::new(generic_correlation::<P, C, K>(), NoFilter, false)
    }

    /// The `P` a row points at, typed; `None` when it points at another model or at nothing.
    /// Uses the row's generic foreign key cache: 1 query, 0 once cached or prefetched.
    pub fn get<D: Db>(self, db: &mut D, row: &C) -> Result<Option<Arc<P>>> {
        let ct = ContentType::for_model::<P>(db)?.id;
        if row.__content_type_id() != Some(ct) {
            return Ok(None);
        }
        match crate::gfk::get::<C, K, D>(row, db)? {
            Some(object) => Ok(Some(object.downcast::<P>()?)),
            None => Ok(None),
        }
    }

    /// Loads, in one query, the `P` every row pointing at a `P` points at, into the rows'
    /// generic foreign key caches (Django's prefetch of a `related_query_name`).
    pub fn prefetch<D: Db>(self, db: &mut D, rows: &[C]) -> Result<()> {
        crate::prefetch::prefetch_one_type::<C, K, P, D>(db, rows)
    }
}
