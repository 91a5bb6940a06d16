//! The targets of the rows matching a filter, without the rows:
//! `TaggedItem::CONTENT_OBJECT.load_targets(db, filter)`, the objects tagged with a tag
//! whatever their model.

use diesel::deserialize::{self, QueryableByName};
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;
use diesel::row::NamedRow;

use contenttypes_core::keys::PkValue;

use crate::backend::SupportedBackend;
use crate::columns::RowRef;
use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::error::Result;
use crate::field::{FieldType, Value};
use crate::fxhash::FxHashMap;
use crate::gfk::{GenericForeignKeyDescriptor, GenericForeignKeyField};
use crate::model::PrimaryKey;
use crate::object::{key_column, GenericObject};
use crate::object_ids::ObjectIds;
use crate::query::{Cond, NoFilter, SelectColumns};
use crate::targets::{load_targets_of, TargetSet};

impl<M, const K: u64> GenericForeignKeyDescriptor<M, K>
where
    M: GenericForeignKeyField<K>,
{
    /// The targets of the rows of `M` matching `filter` (a Diesel expression on `M`'s table),
    /// each once, without loading the rows: Django's
    /// `[i.content_object for i in TaggedItem.objects.filter(...).prefetch_related("content_object")]`
    /// for the objects themselves. 1 query for the rows' content types and object ids, then 1
    /// per target model (plus one for the content types on a cold cache). The targets come
    /// grouped by model, in the order their rows were read; rows whose target is gone, of a
    /// stale content type or of a model outside `targets(..)` are left out.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// use diesel::prelude::*;
    /// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hello".into() })?;
    /// let book = Book::insert(&mut conn, NewBook { isbn: "1".into(), title: "Rust".into() })?;
    /// TaggedItem::insert(&mut conn, NewTaggedItem { tag_id: rust.id, content_object: Target::to(&article) })?;
    /// TaggedItem::insert(&mut conn, NewTaggedItem { tag_id: rust.id, content_object: Target::to(&book) })?;
    /// // Everything tagged "rust", whatever its model: 3 queries (the items' two columns, then
    /// // the articles and the books).
    /// let tagged = TaggedItem::CONTENT_OBJECT.load_targets(
    ///     &mut conn,
    ///     TaggedItem::TAG.any(tagging_tag::name.eq("rust")),
    /// )?;
    /// assert_eq!(tagged.len(), 2);
    /// assert_eq!(tagged[0].downcast_ref::<Article>()?, &article);
    /// assert_eq!(tagged[1].downcast_ref::<Book>()?, &book);
    /// # Ok(())
    /// # }
    /// ```
    pub fn load_targets<'a, D: Db, E>(
        self,
        db: &'a mut D,
        filter: E,
    ) -> crate::Output<'a, D, Result<Vec<<M::Targets as TargetSet>::Target>>>
    where
        E: Expression + AppearsOnTable<M::Table> + QueryFragment<D::Backend> + Send + 'a,
    {
        D::drive(self.load_targets_op(db, filter))
    }

    pub(crate) async fn load_targets_op<D: Db, E>(
        self,
        db: &mut D,
        filter: E,
    ) -> Result<Vec<<M::Targets as TargetSet>::Target>>
    where
        E: Expression + AppearsOnTable<M::Table> + QueryFragment<D::Backend> + Send,
    {
        let gfk = M::gfk_def()?;
        let query = SelectColumns {
            table: M::DEF.table.name.as_ref(),
            columns: vec![gfk.ct_column.as_ref(), gfk.fk_column.as_ref()],
            cond: Cond::True,
            extra: filter,
            ordered: false,
        };
        let pairs: Vec<Pair<M::ObjectId>> = db.connection_for_read().load_rows(query).await?;
        let mut groups = load_groups::<M::Targets, _, _>(
            db,
            pairs.len(),
            pairs.iter().map(|pair| (pair.0, pair.1.as_ref())),
        )
        .await?;
        let mut out = Vec::new();
        for group in &mut groups {
            for place in 0..group.ids.keys.len() {
                // Taken, not cloned: two object ids that are one key give the target once.
                if let Some(object) = group.take(place) {
                    out.push(<M::Targets as TargetSet>::from_object(object)?);
                }
            }
        }
        Ok(out)
    }
}

/// The targets of one content type's object ids, loaded.
pub(crate) struct LoadedGroup<'r, O> {
    /// The rows of the content type, with their object ids once each.
    pub(crate) ids: ObjectIds<'r, O>,
    /// Each distinct object id as a key of the target's key column (by place; `None` when
    /// it cannot be one).
    keys: Vec<Option<PkValue>>,
    loaded: FxHashMap<PkValue, GenericObject>,
}

impl<O> LoadedGroup<'_, O> {
    /// The target of the object id at `place`, if it was found.
    pub(crate) fn get(&self, place: usize) -> Option<&GenericObject> {
        self.loaded.get(self.keys.get(place)?.as_ref()?)
    }

    /// [`LoadedGroup::get`], taken out of the group.
    pub(crate) fn take(&mut self, place: usize) -> Option<GenericObject> {
        self.loaded.remove(self.keys.get(place)?.as_ref()?)
    }
}

/// The targets of rows given as their (content type id, object id) pairs (`len` of them):
/// grouped by content type in first-seen order, each group's distinct object ids loaded in
/// one query per model (plus one for the content types on a cold cache). Content types of
/// no registered model (stale) or of a model `S` does not admit give no group.
pub(crate) async fn load_groups<'r, S: TargetSet, O: PrimaryKey, D: Db>(
    db: &mut D,
    len: usize,
    pairs: impl Iterator<Item = (Option<i32>, Option<&'r O>)>,
) -> Result<Vec<LoadedGroup<'r, O>>> {
    // Grouped before the first statement: the iterator is not held across one.
    let groups = ObjectIds::by_content_type(len, pairs);
    let mut conns = db.connections();
    let ids: Vec<i32> = groups.iter().map(|(ct, _)| *ct).collect();
    let types = conns.content_types().for_ids(&mut conns, &ids).await?;
    let conn = conns.for_read();
    let mut out = Vec::with_capacity(groups.len());
    for (ct, group) in groups {
        let Some(registration) = types.get(&ct).and_then(ContentType::model_class) else {
            continue;
        };
        if !S::admits(registration.def) {
            continue;
        }
        let pk = key_column(registration.def)?;
        let values = group.values(pk.sql_type);
        let bound: Vec<Value> = values.iter().flatten().cloned().collect();
        let loaded = load_targets_of::<S, _, _>(conn, registration, bound, &NoFilter).await?;
        let keys = values
            .into_iter()
            .map(|v| v.and_then(|v| v.to_key()))
            .collect();
        out.push(LoadedGroup {
            ids: group,
            keys,
            loaded,
        });
    }
    Ok(out)
}

/// A row's content type id and object id (either NULL in a nullable generic foreign key).
pub(crate) struct Pair<O>(pub(crate) Option<i32>, pub(crate) Option<O>);

impl<DB: SupportedBackend, O: FieldType> QueryableByName<DB> for Pair<O> {
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        let row = RowRef::<_, DB>::new(row);
        Ok(Pair(
            i32::__read_nullable(&row, 0)?,
            O::__read_nullable(&row, 1)?,
        ))
    }
}
