//! [`TagsDescriptor`]: a model's tag set as a whole, `Article::TAGS`: filters by tags, the
//! most common tags ([`MostCommon`]), prefetching, bulk tagging.

use std::collections::{HashMap, HashSet};
use std::fmt;

use contenttypes_core::keys::{Key, ObjectIdFor, PkValue};
use diesel::deserialize::QueryableByName;

use crate::backend::SupportedBackend;
use crate::columns::RowRef;
use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::delete;
use crate::error::Result;
use crate::field::{FieldType, Value};
use crate::filter::RelationFilter;
use crate::gfk::GenericForeignKeyField;
use crate::model::Model;
use crate::object::key_column;
use crate::query::{key_chunks, others_fill_themselves, Col, Cond, NoFilter, FRAMEWORK_BINDS};
use crate::relation::{generic_correlation, Link};
use crate::target::Target;
use crate::targets::Admits;
use crate::transaction;

use super::manager::{collect_refs, set_cond, tag_tables, TagDefaults};
use super::most_common::MostCommon;
use super::names::{compared_names, TagRef, Wanted};
use super::resolve;
use super::sql::{SetOf, TagCondition, TagMany, TagsOf};
use super::{TagModel, TaggedItemModel, Tags};

/// A model's tag set (`Article::TAGS`), the constant `#[derive(GenericRelation)]` generates
/// for a `Tags<Through>` field.
pub struct TagsDescriptor<P, C, const K: u64> {
    name: &'static str,
    field: fn(&P) -> &Tags<C>,
}

impl<P, C, const K: u64> Clone for TagsDescriptor<P, C, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, C, const K: u64> Copy for TagsDescriptor<P, C, K> {}

impl<P, C, const K: u64> fmt::Debug for TagsDescriptor<P, C, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tags({})", self.name)
    }
}

impl<P, C, const K: u64> TagsDescriptor<P, C, K> {
    /// Used by the generated constant: the set's name (the field's) and how to reach it.
    pub const fn new(name: &'static str, field: fn(&P) -> &Tags<C>) -> Self {
        TagsDescriptor { name, field }
    }

    /// The tag set's name: its field's.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// A row of a tag with the object id of the through row that holds it (a prefetch).
struct TagOf<T, O>(T, O);

impl<DB: SupportedBackend, T: Model, O: FieldType> QueryableByName<DB> for TagOf<T, O> {
    fn build<'a>(row: &impl diesel::row::NamedRow<'a, DB>) -> diesel::deserialize::Result<Self> {
        let reader = RowRef::<_, DB>::new(row);
        let tag = T::__read(&reader)?;
        let oid = O::__read(&reader, T::DEF.table.columns.len())?;
        Ok(TagOf(tag, oid))
    }
}

impl<P, C, const K: u64> TagsDescriptor<P, C, K>
where
    P: Model,
    C: TaggedItemModel<ContentObject = Target<C::ObjectId, C::Targets>> + GenericForeignKeyField<K>,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
    C::Targets: Admits<P>,
{
    fn set(&self) -> Option<(&'static str, &'static str)> {
        C::SET_COLUMN.map(|column| (column, self.name))
    }

    /// The filter on `P`'s table by the through rows holding one of these names in this set.
    fn filter(&self, names: Vec<Value>, negated: bool) -> RelationFilter<P, C, TagCondition<C>> {
        let condition = TagCondition::new(
            tag_tables::<C>(),
            self.set(),
            names,
            <C::Tag as TagModel>::CASE_INSENSITIVE,
        );
        RelationFilter::new(generic_correlation::<P, C, K>(), condition, negated)
    }

    /// A filter on `P`'s table: objects with **any** of these tags (by name; tag rows count
    /// by their name), in this set. One subquery: `<key> IN (SELECT <object id> FROM
    /// <through> WHERE <content type> AND <set> AND <tag> IN (SELECT <tag key> FROM <tag>
    /// WHERE <name> IN (...)))`, so each object once.
    ///
    /// ```
    /// # include!("../../../src/doctest_tagging.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let a = Post::insert(&mut conn, NewPost { title: "a".into() })?;
    /// let b = Post::insert(&mut conn, NewPost { title: "b".into() })?;
    /// a.tags().add(&mut conn, ["rust", "web"])?;
    /// b.tags().add(&mut conn, ["rust"])?;
    /// assert_eq!(Post::filter(Post::TAGS.any(["web", "go"])).load(&mut conn)?, [a.clone()]);
    /// assert_eq!(Post::filter(Post::TAGS.all(["rust", "web"])).load(&mut conn)?, [a]);
    /// assert_eq!(Post::filter(Post::TAGS.none(["web"])).load(&mut conn)?, [b]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn any<'t>(
        &self,
        tags: impl IntoIterator<Item = impl Into<TagRef<'t, C::Tag>>>,
    ) -> RelationFilter<P, C, TagCondition<C>>
    where
        C::Tag: 't,
    {
        self.filter(compared_names::<C::Tag, _, _>(tags), false)
    }

    /// A filter on `P`'s table: objects with **all** of these tags, in one subquery that
    /// groups the matching through rows by object and counts their distinct tags (`...
    /// GROUP BY <object id> HAVING COUNT(DISTINCT <tag>) = n`). No tags: every object.
    pub fn all<'t>(
        &self,
        tags: impl IntoIterator<Item = impl Into<TagRef<'t, C::Tag>>>,
    ) -> RelationFilter<P, C, TagCondition<C>>
    where
        C::Tag: 't,
    {
        let names = compared_names::<C::Tag, _, _>(tags);
        let count = names.len() as i64;
        if count == 0 {
            // Every object has all of no tags: the negation of "any of none".
            return self.filter(names, true);
        }
        self.filter(names, false)
            .with_distinct(Col::of(C::DEF, C::TAG_COLUMN), count)
    }

    /// A filter on `P`'s table: objects with **none** of these tags (untagged ones too): a
    /// correlated `NOT EXISTS` (a `NOT IN` on SQLite).
    pub fn none<'t>(
        &self,
        tags: impl IntoIterator<Item = impl Into<TagRef<'t, C::Tag>>>,
    ) -> RelationFilter<P, C, TagCondition<C>>
    where
        C::Tag: 't,
    {
        self.filter(compared_names::<C::Tag, _, _>(tags), true)
    }

    /// The tags of this set on objects of `P`, each with how many objects have it, most
    /// used first (django-taggit's `most_common`): see [`MostCommon`] for the minimum
    /// count, the limit and a filter on the objects. One query.
    ///
    /// ```
    /// # include!("../../../src/doctest_tagging.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// for (title, tags) in [("a", vec!["rust", "web"]), ("b", vec!["rust"])] {
    ///     Post::insert(&mut conn, NewPost { title: title.into() })?.tags().add(&mut conn, tags)?;
    /// }
    /// let top = Post::TAGS.most_common().min_count(2).load(&mut conn)?;
    /// assert_eq!(top.iter().map(|(t, n)| (t.name.as_str(), *n)).collect::<Vec<_>>(), [("rust", 2)]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn most_common(&self) -> MostCommon<C, P, NoFilter, K> {
        MostCommon::of_model(P::DEF, set_cond::<C>(self.name))
    }

    /// Loads the tags of all `objects` in one query and stores them on each; their
    /// managers then read them with no query (`names()`, `slugs()` and `count()` too).
    pub fn prefetch<'a, D: Db>(
        &'a self,
        db: &'a mut D,
        objects: &'a [P],
    ) -> crate::Output<'a, D, Result<()>> {
        D::drive(self.prefetch_op(db, objects))
    }

    /// [`TagsDescriptor::prefetch`]'s operation.
    pub(crate) async fn prefetch_op<D: Db>(&self, db: &mut D, objects: &[P]) -> Result<()> {
        let per_object = self.load_for_op(db, objects).await?;
        for (object, tags) in objects.iter().zip(per_object) {
            (self.field)(object).set_prefetched(tags);
        }
        Ok(())
    }

    /// The tags of each of `objects`, in the order of `objects`, each object's in the order
    /// they were added; one query (per bind limit's worth of objects, except on
    /// PostgreSQL), stored nowhere.
    pub fn load_for<'a, D: Db>(
        &'a self,
        db: &'a mut D,
        objects: &'a [P],
    ) -> crate::Output<'a, D, Result<Vec<Vec<C::Tag>>>> {
        D::drive(self.load_for_op(db, objects))
    }

    /// [`TagsDescriptor::load_for`]'s operation.
    pub(crate) async fn load_for_op<D: Db>(
        &self,
        db: &mut D,
        objects: &[P],
    ) -> Result<Vec<Vec<C::Tag>>> {
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::id_for_model_op::<P, D>(db).await?;
        let keys: Vec<C::ObjectId> = objects
            .iter()
            .map(|o| <C::ObjectId as ObjectIdFor<P, P::Pk>>::from_key(o.pk()))
            .collect();
        let mut seen = HashSet::new();
        let values: Vec<Value> = keys
            .iter()
            .filter(|k| seen.insert(k.to_pk_value()))
            .map(|k| k.to_value())
            .collect();
        let mut by_object: HashMap<PkValue, Vec<C::Tag>> = HashMap::new();
        for chunk in key_chunks::<D::Backend>(&values, FRAMEWORK_BINDS) {
            let query = TagsOf {
                tables: tag_tables::<C>(),
                cond: Cond::Eq(link.ct_col(), Value::Integer(ct))
                    .and(Cond::In(link.oid_col(), chunk.to_vec()))
                    .and(set_cond::<C>(self.name)),
                object_id: Some(link.object_id.name.as_ref()),
            };
            let rows: Vec<TagOf<C::Tag, C::ObjectId>> =
                db.connection_for_read().load_rows(query).await?;
            for TagOf(tag, oid) in rows {
                by_object.entry(oid.to_pk_value()).or_default().push(tag);
            }
        }
        Ok(keys
            .iter()
            .map(|k| by_object.get(&k.to_pk_value()).cloned().unwrap_or_default())
            .collect())
    }

    /// Tags every one of `objects` with every one of `tags` (by name or as rows, the named
    /// ones created when missing), skipping what exists, in a constant number of
    /// statements: an `INSERT` of the names skipping conflicts and a `SELECT` of them, then
    /// one `INSERT ... SELECT` of the through rows per bind limit's worth of objects. 2,000
    /// objects × 5 tags are 3 statements on every backend. Atomic. Returns the tags.
    ///
    /// A through model whose other columns need values (no default, not nullable) is tagged
    /// with one row per object and tag instead (`INSERT`s of the rows, per bind limit).
    pub fn tag_many<'a, 't, D: Db>(
        &'a self,
        db: &'a mut D,
        objects: &'a [P],
        tags: impl IntoIterator<Item = impl Into<TagRef<'t, C::Tag>>>,
    ) -> crate::Output<'a, D, Result<Vec<C::Tag>>>
    where
        C::Tag: 't,
        't: 'a,
    {
        let tags = collect_refs(tags);
        D::drive(self.tag_many_op(db, objects, tags))
    }

    /// [`TagsDescriptor::tag_many`]'s operation.
    pub(crate) async fn tag_many_op<D: Db>(
        &self,
        db: &mut D,
        objects: &[P],
        tags: Vec<TagRef<'_, C::Tag>>,
    ) -> Result<Vec<C::Tag>> {
        let wanted = Wanted::new(tags);
        if wanted.is_empty() || objects.is_empty() {
            return Ok(Vec::new());
        }
        let ct = ContentType::id_for_model_op::<P, D>(db).await?;
        let wanted = &wanted;
        let tags = transaction::atomic_retry(db, |db| {
            Box::pin(async move {
                let tags =
                    resolve::resolve_creating_first::<C::Tag, _>(db, wanted, &|name, slug| {
                        <C::Tag as TagModel>::__new_tag(name, slug)
                    })
                    .await?;
                self.insert_many_items(db, objects, &tags, ct).await?;
                Ok(tags)
            })
        })
        .await?;
        for object in objects {
            (self.field)(object).clear_prefetched();
        }
        Ok(tags)
    }

    /// Makes `tags` the tags of every one of `objects` in this set (bulk retagging): their
    /// other tags of the set are removed (one `DELETE` per bind limit's worth of objects),
    /// then [`TagsDescriptor::tag_many`]'s statements. Atomic.
    pub fn retag_many<'a, 't, D: Db>(
        &'a self,
        db: &'a mut D,
        objects: &'a [P],
        tags: impl IntoIterator<Item = impl Into<TagRef<'t, C::Tag>>>,
    ) -> crate::Output<'a, D, Result<Vec<C::Tag>>>
    where
        C::Tag: 't,
        't: 'a,
    {
        let tags = collect_refs(tags);
        D::drive(self.retag_many_op(db, objects, tags))
    }

    /// [`TagsDescriptor::retag_many`]'s operation.
    pub(crate) async fn retag_many_op<D: Db>(
        &self,
        db: &mut D,
        objects: &[P],
        tags: Vec<TagRef<'_, C::Tag>>,
    ) -> Result<Vec<C::Tag>> {
        let wanted = Wanted::new(tags);
        if objects.is_empty() {
            return Ok(Vec::new());
        }
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::id_for_model_op::<P, D>(db).await?;
        let values: Vec<Value> = objects
            .iter()
            .map(|o| <C::ObjectId as ObjectIdFor<P, P::Pk>>::from_key(o.pk()).to_value())
            .collect();
        let (wanted, link, values) = (&wanted, &link, &values);
        let tags = transaction::atomic_retry(db, |db| {
            Box::pin(async move {
                let tags = if wanted.is_empty() {
                    Vec::new()
                } else {
                    resolve::resolve_creating_first::<C::Tag, _>(db, wanted, &|name, slug| {
                        <C::Tag as TagModel>::__new_tag(name, slug)
                    })
                    .await?
                };
                let tag_pk = key_column(<C::Tag as Model>::DEF)?;
                let keep: Vec<Value> = tags
                    .iter()
                    .filter_map(|t| Value::from_key(tag_pk.sql_type, &t.pk().to_pk_value()))
                    .collect();
                for chunk in key_chunks::<D::Backend>(values, FRAMEWORK_BINDS + keep.len()) {
                    let mut cond = Cond::Eq(link.ct_col(), Value::Integer(ct))
                        .and(Cond::In(link.oid_col(), chunk.to_vec()))
                        .and(set_cond::<C>(self.name));
                    if !keep.is_empty() {
                        cond = cond.and(Cond::NotIn(Col::of(C::DEF, C::TAG_COLUMN), keep.clone()));
                    }
                    delete::delete_matching(db, C::DEF, cond, NoFilter).await?;
                }
                self.insert_many_items(db, objects, &tags, ct).await?;
                Ok(tags)
            })
        })
        .await?;
        for object in objects {
            (self.field)(object).clear_prefetched();
        }
        Ok(tags)
    }

    /// The through rows tagging each object with each tag, skipping those that exist.
    async fn insert_many_items<D: Db>(
        &self,
        db: &mut D,
        objects: &[P],
        tags: &[C::Tag],
        ct: i32,
    ) -> Result<()> {
        if tags.is_empty() {
            return Ok(());
        }
        let link = Link::of::<P, C, K>()?;
        // A through row made from its tag, content type, object id and set alone (every
        // other column fills itself): then `INSERT ... SELECT` makes them.
        let given = [
            C::TAG_COLUMN,
            link.gfk.ct_column.as_ref(),
            link.gfk.fk_column.as_ref(),
        ];
        let set: Option<&str> = C::SET_COLUMN;
        if !others_fill_themselves(C::DEF, &[&given[..], set.as_slice()].concat()) {
            let defaults = TagDefaults::<C>::new();
            let rows: Vec<C::New> = objects
                .iter()
                .flat_map(|o| {
                    tags.iter()
                        .map(|t| defaults.new_item(t, self.name, Target::to(o)))
                })
                .collect();
            crate::insert::bulk_insert::<C, D>(db, &rows, true).await?;
            return Ok(());
        }
        let tag_pk = key_column(<C::Tag as Model>::DEF)?;
        let tag_keys: Vec<Value> = tags
            .iter()
            .filter_map(|t| Value::from_key(tag_pk.sql_type, &t.pk().to_pk_value()))
            .collect();
        let object_keys: Vec<Value> = objects.iter().map(|o| o.pk().to_value()).collect();
        let others = FRAMEWORK_BINDS + 3 * tag_keys.len();
        let set = SetOf {
            tables: tag_tables::<C>(),
            ct_column: link.gfk.ct_column.as_ref(),
            object_id: link.object_id,
            set: self.set(),
        };
        let conn = db.connection();
        for chunk in key_chunks::<D::Backend>(&object_keys, others) {
            conn.execute_statement(TagMany::new(
                set,
                P::DEF,
                ct,
                tag_keys.clone(),
                chunk.to_vec(),
            ))
            .await?;
        }
        Ok(())
    }
}
