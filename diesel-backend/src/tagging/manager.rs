//! [`TagManager`]: one object's tag set, `article.tags()`.

use std::collections::HashSet;
use std::fmt;

use contenttypes_core::keys::{Key, ObjectIdFor, PkValue};

use crate::conn::{first, Conn};
use crate::content_type::ContentType;
use crate::db::Db;
use crate::delete;
use crate::error::Result;
use crate::field::{FieldType, Scalar, Value};
use crate::gfk::GenericForeignKeyField;
use crate::insert;
use crate::model::{Loaded, Model};
use crate::object::key_column;
use crate::query::{key_chunks, Col, Cond, Count, NoFilter, Select, FRAMEWORK_BINDS};
use crate::relation::Link;
use crate::target::Target;
use crate::targets::Admits;
use crate::transaction;

use super::names::{TagRef, Wanted};
use super::resolve;
use super::similar::SimilarObjects;
use super::sql::{TagCondition, TagTables, TagsOf};
use super::{TagModel, TaggedItemModel, Tags};

/// One object's tag set (`article.tags()`), made by the accessor `#[derive(GenericRelation)]`
/// generates for a `Tags<Through>` field. Reads use the prefetched tags when there are any
/// (django-taggit #936 re-queries); writes are atomic, and adding tags that do not exist yet
/// creates them race-free.
pub struct TagManager<'a, P, C, const K: u64> {
    parent: &'a P,
    field: &'a Tags<C>,
    name: &'static str,
}

impl<P, C, const K: u64> fmt::Debug for TagManager<'_, P, C, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TagManager")
            .field("set", &self.name)
            .finish_non_exhaustive()
    }
}

impl<'a, P, C, const K: u64> TagManager<'a, P, C, K> {
    /// Used by the generated accessor.
    pub fn new(parent: &'a P, field: &'a Tags<C>, name: &'static str) -> Self {
        TagManager {
            parent,
            field,
            name,
        }
    }
}

/// What `add_with` fills in besides the tag and the object: the through row's other columns
/// (django-taggit's `through_defaults`) and a new tag's other columns (`tag_kwargs`).
///
/// ```text
/// article.tags().add_with(db, ["rust"], TagDefaults::new()
///     .through(|row: &mut NewTaggedItem| row.weight = 2)
///     .tag(|tag: &mut NewTag| tag.colour = "orange".into()))?;
/// ```
pub struct TagDefaults<'f, C: TaggedItemModel> {
    through: Fill<'f, C::New>,
    tag: Fill<'f, <C::Tag as Model>::New>,
}

/// A closure filling a new row's other columns, if any (`Send + Sync`: an operation's
/// future holds it, and futures are `Send`).
type Fill<'f, N> = Option<Box<dyn Fn(&mut N) + Send + Sync + 'f>>;

impl<'f, C: TaggedItemModel> Default for TagDefaults<'f, C> {
    fn default() -> Self {
        TagDefaults {
            through: None,
            tag: None,
        }
    }
}

impl<C: TaggedItemModel> fmt::Debug for TagDefaults<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TagDefaults")
            .field("through", &self.through.is_some())
            .field("tag", &self.tag.is_some())
            .finish()
    }
}

impl<'f, C: TaggedItemModel> TagDefaults<'f, C> {
    /// Nothing besides the tag and the object.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fills each new through row's other columns.
    pub fn through(mut self, f: impl Fn(&mut C::New) + Send + Sync + 'f) -> Self {
        self.through = Some(Box::new(f));
        self
    }

    /// Fills each new tag's other columns.
    pub fn tag(mut self, f: impl Fn(&mut <C::Tag as Model>::New) + Send + Sync + 'f) -> Self {
        self.tag = Some(Box::new(f));
        self
    }

    pub(crate) fn new_tag(&self, name: String, slug: String) -> <C::Tag as Model>::New {
        let mut new = <C::Tag as TagModel>::__new_tag(name, slug);
        if let Some(f) = &self.tag {
            f(&mut new);
        }
        new
    }

    pub(crate) fn new_item(&self, tag: &C::Tag, set: &str, target: C::ContentObject) -> C::New {
        let mut new = C::__new_item(tag, set, target);
        if let Some(f) = &self.through {
            f(&mut new);
        }
        new
    }
}

/// Tags given to an operation, collected before it is driven (its future holds them).
pub(crate) fn collect_refs<'t, T, I, R>(tags: I) -> Vec<TagRef<'t, T>>
where
    I: IntoIterator<Item = R>,
    R: Into<TagRef<'t, T>>,
{
    tags.into_iter().map(Into::into).collect()
}

/// The tables and columns of a tag set.
pub(crate) fn tag_tables<C: TaggedItemModel>() -> TagTables {
    TagTables {
        tag: <C::Tag as Model>::DEF,
        through: C::DEF,
        tag_column: C::TAG_COLUMN,
        name_column: <C::Tag as TagModel>::NAME_COLUMN,
    }
}

/// `<set column> = <set name>`, when the through model holds several tag sets.
pub(crate) fn set_cond<C: TaggedItemModel>(name: &'static str) -> Cond {
    match C::SET_COLUMN {
        Some(column) => Cond::Eq(Col::of(C::DEF, column), Value::Text(name.to_string())),
        None => Cond::True,
    }
}

impl<'a, P, C, const K: u64> TagManager<'a, P, C, K>
where
    P: Model,
    C: TaggedItemModel<ContentObject = Target<C::ObjectId, C::Targets>> + GenericForeignKeyField<K>,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
    C::Targets: Admits<P>,
{
    fn object_id(&self) -> C::ObjectId {
        <C::ObjectId as ObjectIdFor<P, P::Pk>>::from_key(self.parent.pk())
    }

    /// This object's rows of the tag set: `content_type_id = <P's> AND object_id = <this
    /// object> [AND <set column> = <set>]`.
    async fn cond<D: Db>(&self, db: &mut D) -> Result<Cond> {
        let link = Link::of::<P, C, K>()?;
        let ct = ContentType::id_for_model_op::<P, D>(db).await?;
        Ok(link
            .cond(ct, vec![self.object_id().to_value()])
            .and(set_cond::<C>(self.name)))
    }

    /// The tags, in the order they were added (the through rows' key order). 1 query, or 0
    /// when prefetched.
    ///
    /// ```
    /// # include!("../../../src/doctest_tagging.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let post = Post::insert(&mut conn, NewPost { title: "Hi".into() })?;
    /// post.tags().add(&mut conn, ["rust", "diesel"])?;
    /// let tags = post.tags().all(&mut conn)?;
    /// assert_eq!(tags.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["rust", "diesel"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn all<'d, D: Db>(&'d self, db: &'d mut D) -> crate::Output<'d, D, Result<Vec<C::Tag>>> {
        D::drive(self.all_op(db))
    }

    /// [`TagManager::all`]'s operation.
    pub(crate) async fn all_op<D: Db>(&self, db: &mut D) -> Result<Vec<C::Tag>> {
        if let Some(tags) = self.field.prefetched() {
            return Ok(tags.as_ref().clone());
        }
        crate::prefetch::check_lazy_load(P::DEF, self.name)?;
        let query = TagsOf {
            tables: tag_tables::<C>(),
            cond: self.cond(db).await?,
            object_id: None,
        };
        let rows: Vec<Loaded<C::Tag>> = db.connection_for_read().load_rows(query).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The tags' names, in the order they were added. 1 query, or 0 when prefetched.
    pub fn names<'d, D: Db>(&'d self, db: &'d mut D) -> crate::Output<'d, D, Result<Vec<String>>> {
        D::drive(self.names_op(db))
    }

    /// [`TagManager::names`]'s operation.
    pub(crate) async fn names_op<D: Db>(&self, db: &mut D) -> Result<Vec<String>> {
        Ok(self
            .all_op(db)
            .await?
            .iter()
            .map(|t| t.name().to_string())
            .collect())
    }

    /// The tags' slugs, in the order they were added. 1 query, or 0 when prefetched.
    pub fn slugs<'d, D: Db>(&'d self, db: &'d mut D) -> crate::Output<'d, D, Result<Vec<String>>> {
        D::drive(self.slugs_op(db))
    }

    /// [`TagManager::slugs`]'s operation.
    pub(crate) async fn slugs_op<D: Db>(&self, db: &mut D) -> Result<Vec<String>> {
        Ok(self
            .all_op(db)
            .await?
            .iter()
            .map(|t| t.slug().to_string())
            .collect())
    }

    /// How many tags the object has. 1 query, or 0 when prefetched.
    pub fn count<'d, D: Db>(&'d self, db: &'d mut D) -> crate::Output<'d, D, Result<i64>> {
        D::drive(self.count_op(db))
    }

    /// [`TagManager::count`]'s operation.
    pub(crate) async fn count_op<D: Db>(&self, db: &mut D) -> Result<i64> {
        if let Some(tags) = self.field.prefetched() {
            return Ok(tags.len() as i64);
        }
        crate::prefetch::check_lazy_load(P::DEF, self.name)?;
        let query = Count {
            table: C::DEF.table.name.as_ref(),
            cond: self.cond(db).await?,
            extra: NoFilter,
        };
        Ok(first(
            db.connection_for_read()
                .load_rows::<_, Scalar<i64>>(query)
                .await,
        )?
        .0)
    }

    /// Adds tags, given by name or as tag rows (mixed), creating the named ones that do not
    /// exist; tags the object already has are left as they are. Returns the tags, in the
    /// order given. Names are trimmed, and deduplicated (ignoring case for a
    /// case-insensitive tag model).
    ///
    /// In one transaction: a `SELECT` of the names and one `INSERT` of the through rows
    /// (2 statements); when some tags are new, an `INSERT` of them and a `SELECT` of them
    /// besides (4). Concurrent callers adding the same new names get one tag per name and
    /// no error.
    ///
    /// ```
    /// # include!("../../../src/doctest_tagging.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let post = Post::insert(&mut conn, NewPost { title: "Hi".into() })?;
    /// let rust = Tag::insert(&mut conn, NewTag { name: "Rust".into(), slug: "rust".into() })?;
    /// post.tags().add(&mut conn, [TagRef::from(&rust), TagRef::from("web dev")])?;
    /// assert_eq!(post.tags().names(&mut conn)?, ["Rust", "web dev"]);
    /// assert_eq!(post.tags().slugs(&mut conn)?, ["rust", "web-dev"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn add<'d, 't, D, I, R>(
        &'d self,
        db: &'d mut D,
        tags: I,
    ) -> crate::Output<'d, D, Result<Vec<C::Tag>>>
    where
        D: Db,
        I: IntoIterator<Item = R>,
        R: Into<TagRef<'t, C::Tag>>,
        C::Tag: 't,
        't: 'd,
    {
        let tags = collect_refs(tags);
        D::drive(self.add_with_op(db, tags, TagDefaults::new()))
    }

    /// [`TagManager::add`], filling the other columns of new through rows and new tags (see
    /// [`TagDefaults`]).
    pub fn add_with<'d, 't, D, I, R>(
        &'d self,
        db: &'d mut D,
        tags: I,
        defaults: TagDefaults<'d, C>,
    ) -> crate::Output<'d, D, Result<Vec<C::Tag>>>
    where
        D: Db,
        I: IntoIterator<Item = R>,
        R: Into<TagRef<'t, C::Tag>>,
        C::Tag: 't,
        't: 'd,
    {
        let tags = collect_refs(tags);
        D::drive(self.add_with_op(db, tags, defaults))
    }

    /// [`TagManager::add_with`]'s operation.
    pub(crate) async fn add_with_op<D: Db>(
        &self,
        db: &mut D,
        tags: Vec<TagRef<'_, C::Tag>>,
        defaults: TagDefaults<'_, C>,
    ) -> Result<Vec<C::Tag>> {
        let wanted = Wanted::new(tags);
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        // The content type first: creating it is a write of its own.
        ContentType::id_for_model_op::<P, D>(db).await?;
        let (wanted, defaults) = (&wanted, &defaults);
        let tags = transaction::atomic_retry(db, |db| {
            Box::pin(async move {
                let tags = resolve::resolve::<C::Tag, _>(
                    db,
                    wanted,
                    Some(&|name, slug| defaults.new_tag(name, slug)),
                )
                .await?;
                self.insert_items(db, &tags, defaults).await?;
                Ok(tags)
            })
        })
        .await?;
        self.field.clear_prefetched();
        Ok(tags)
    }

    /// Inserts the through rows tagging this object with `tags`, skipping those it has.
    async fn insert_items<D: Db>(
        &self,
        db: &mut D,
        tags: &[C::Tag],
        defaults: &TagDefaults<'_, C>,
    ) -> Result<()> {
        let rows: Vec<C::New> = tags
            .iter()
            .map(|tag| defaults.new_item(tag, self.name, Target::to(self.parent)))
            .collect();
        insert::bulk_insert::<C, D>(db, &rows, true).await?;
        Ok(())
    }

    /// Removes tags (by name or as rows) from the object: their through rows are deleted,
    /// the tags stay. 1 statement when the tags are all names or all rows (a `DELETE` with
    /// the names' subquery), else 2. Returns how many were removed.
    pub fn remove<'d, 't, D, I, R>(
        &'d self,
        db: &'d mut D,
        tags: I,
    ) -> crate::Output<'d, D, Result<usize>>
    where
        D: Db,
        I: IntoIterator<Item = R>,
        R: Into<TagRef<'t, C::Tag>>,
        C::Tag: 't,
        't: 'd,
    {
        let tags = collect_refs(tags);
        D::drive(self.remove_op(db, tags))
    }

    /// [`TagManager::remove`]'s operation.
    pub(crate) async fn remove_op<D: Db>(
        &self,
        db: &mut D,
        tags: Vec<TagRef<'_, C::Tag>>,
    ) -> Result<usize> {
        let wanted = Wanted::new(tags);
        if wanted.is_empty() {
            return Ok(0);
        }
        let cond = self.cond(db).await?;
        let names: Vec<Value> = wanted
            .names()
            .map(|n| Value::Text(super::names::match_key::<C::Tag>(n)))
            .collect();
        let keys: Vec<PkValue> = wanted
            .items
            .iter()
            .filter_map(|i| match i {
                TagRef::Tag(t) => Some(t.pk().to_pk_value()),
                TagRef::Name(_) => None,
            })
            .collect();
        let (cond, names, keys) = (&cond, &names, &keys);
        let removed = transaction::atomic_retry(db, |db| {
            Box::pin(async move {
                let mut removed = 0;
                if !names.is_empty() {
                    let by_name = TagCondition::<C>::new(
                        tag_tables::<C>(),
                        None,
                        names.clone(),
                        <C::Tag as TagModel>::CASE_INSENSITIVE,
                    );
                    removed += delete::delete_matching(db, C::DEF, cond.clone(), by_name)
                        .await?
                        .of_def(C::DEF);
                }
                if !keys.is_empty() {
                    removed += self.delete_tag_keys(db, cond, keys).await?;
                }
                Ok(removed)
            })
        })
        .await?;
        self.field.clear_prefetched();
        Ok(removed)
    }

    /// Deletes this object's through rows whose tag has one of `keys`.
    async fn delete_tag_keys<D: Db>(
        &self,
        db: &mut D,
        cond: &Cond,
        keys: &[PkValue],
    ) -> Result<usize> {
        let tag_pk = key_column(<C::Tag as Model>::DEF)?;
        let values: Vec<Value> = keys
            .iter()
            .filter_map(|k| Value::from_key(tag_pk.sql_type, k))
            .collect();
        let mut removed = 0;
        for chunk in key_chunks::<D::Backend>(&values, FRAMEWORK_BINDS) {
            let cond = cond
                .clone()
                .and(Cond::In(Col::of(C::DEF, C::TAG_COLUMN), chunk.to_vec()));
            removed += delete::delete_matching(db, C::DEF, cond, NoFilter)
                .await?
                .of_def(C::DEF);
        }
        Ok(removed)
    }

    /// Removes every tag from the object. 1 statement. Returns how many were removed.
    pub fn clear<'d, D: Db>(&'d self, db: &'d mut D) -> crate::Output<'d, D, Result<usize>> {
        D::drive(self.clear_op(db))
    }

    /// [`TagManager::clear`]'s operation.
    pub(crate) async fn clear_op<D: Db>(&self, db: &mut D) -> Result<usize> {
        let cond = self.cond(db).await?;
        let cond = &cond;
        let removed = transaction::atomic_retry(db, |db| {
            Box::pin(async move {
                Ok(delete::delete_matching(db, C::DEF, cond.clone(), NoFilter)
                    .await?
                    .of_def(C::DEF))
            })
        })
        .await?;
        self.field.clear_prefetched();
        Ok(removed)
    }

    /// Makes `tags` the object's tags, changing only what differs (django-taggit's `set`):
    /// tags it has and keeps stay where they are (their order and their through rows' other
    /// columns), the others are removed, the new ones added after them in the order given.
    /// In one transaction: a locking read of the object's row (concurrent `set`s of one
    /// object run one after the other), a `SELECT` of its through rows, the names'
    /// `SELECT` (and the new tags' `INSERT` and `SELECT`), then at most one `DELETE` and one
    /// `INSERT`. Returns the tags, in the order given.
    pub fn set<'d, 't, D, I, R>(
        &'d self,
        db: &'d mut D,
        tags: I,
    ) -> crate::Output<'d, D, Result<Vec<C::Tag>>>
    where
        D: Db,
        I: IntoIterator<Item = R>,
        R: Into<TagRef<'t, C::Tag>>,
        C::Tag: 't,
        't: 'd,
    {
        let tags = collect_refs(tags);
        D::drive(self.set_with_op(db, tags, false, TagDefaults::new()))
    }

    /// [`TagManager::set`] that removes every tag first (django-taggit's `set(clear=True)`):
    /// the kept tags' through rows are made again, at the end of the order.
    pub fn set_clearing<'d, 't, D, I, R>(
        &'d self,
        db: &'d mut D,
        tags: I,
    ) -> crate::Output<'d, D, Result<Vec<C::Tag>>>
    where
        D: Db,
        I: IntoIterator<Item = R>,
        R: Into<TagRef<'t, C::Tag>>,
        C::Tag: 't,
        't: 'd,
    {
        let tags = collect_refs(tags);
        D::drive(self.set_with_op(db, tags, true, TagDefaults::new()))
    }

    /// [`TagManager::set`] (or, with `clear`, [`TagManager::set_clearing`]) with the other
    /// columns of new through rows and new tags filled by `defaults`.
    pub fn set_with<'d, 't, D, I, R>(
        &'d self,
        db: &'d mut D,
        tags: I,
        clear: bool,
        defaults: TagDefaults<'d, C>,
    ) -> crate::Output<'d, D, Result<Vec<C::Tag>>>
    where
        D: Db,
        I: IntoIterator<Item = R>,
        R: Into<TagRef<'t, C::Tag>>,
        C::Tag: 't,
        't: 'd,
    {
        let tags = collect_refs(tags);
        D::drive(self.set_with_op(db, tags, clear, defaults))
    }

    /// [`TagManager::set_with`]'s operation.
    pub(crate) async fn set_with_op<D: Db>(
        &self,
        db: &mut D,
        tags: Vec<TagRef<'_, C::Tag>>,
        clear: bool,
        defaults: TagDefaults<'_, C>,
    ) -> Result<Vec<C::Tag>> {
        let wanted = Wanted::new(tags);
        let cond = self.cond(db).await?;
        let (wanted, defaults, cond) = (&wanted, &defaults, &cond);
        let tags = transaction::atomic_retry(db, |db| {
            Box::pin(async move {
                self.lock_object(db).await?;
                let current: Vec<C> = if clear {
                    delete::delete_matching(db, C::DEF, cond.clone(), NoFilter).await?;
                    Vec::new()
                } else {
                    let mut query = Select::new(C::DEF, cond.clone());
                    query.order_by_pk = crate::query::KeyOrder::Never;
                    let rows: Vec<Loaded<C>> = db.connection().load_rows(query).await?;
                    rows.into_iter().map(|r| r.0).collect()
                };
                let tags = resolve::resolve::<C::Tag, _>(
                    db,
                    wanted,
                    Some(&|name, slug| defaults.new_tag(name, slug)),
                )
                .await?;
                let keep: HashSet<PkValue> = tags.iter().map(|t| t.pk().to_pk_value()).collect();
                let stale: Vec<PkValue> = current
                    .iter()
                    .map(C::__tag_key)
                    .filter(|k| !keep.contains(k))
                    .collect();
                if !stale.is_empty() {
                    self.delete_tag_keys(db, cond, &stale).await?;
                }
                let had: HashSet<PkValue> = current.iter().map(C::__tag_key).collect();
                let new: Vec<C::Tag> = tags
                    .iter()
                    .filter(|t| !had.contains(&t.pk().to_pk_value()))
                    .cloned()
                    .collect();
                if !new.is_empty() {
                    self.insert_items(db, &new, defaults).await?;
                }
                Ok(tags)
            })
        })
        .await?;
        self.field.clear_prefetched();
        Ok(tags)
    }

    /// Locks the object's row until the transaction ends; an object with no row is
    /// [`Error::Unsaved`].
    async fn lock_object<D: Db>(&self, db: &mut D) -> Result<()> {
        crate::relation::lock_row(db, self.parent, "set(): the object is not in the database").await
    }

    /// The other objects of this model sharing tags with this one, ranked by how many they
    /// share (django-taggit's `similar_objects`, as one query that can be filtered and
    /// limited): see [`SimilarObjects`].
    pub fn similar_objects(&self) -> SimilarObjects<'a, P, C, K> {
        SimilarObjects::new(self.parent, self.name)
    }
}
