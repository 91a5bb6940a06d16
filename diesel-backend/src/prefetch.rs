//! Prefetching generic relations in batches, and strict loading.
//!
//! Query counts (Django's):
//! - the targets of N rows' generic foreign key over K content types: K queries (plus one
//!   for the content types on a cold cache) — [`GenericForeignKeyDescriptor::prefetch`];
//! - a generic relation over many objects of one model: 1 query —
//!   [`crate::relation::GenericRelationDescriptor::prefetch`];
//! - a generic relation over objects of several models (the targets of a generic foreign
//!   key): 1 query per through model and relation — [`prefetch_relations`], or
//!   [`GenericPrefetch::then`] after a generic foreign key prefetch.
//!
//! Relations are named by their generated descriptors (`Article::TAGS`), never by strings:
//! a wrong path does not compile.
//!
//! Keys are sent in chunks of at most [`crate::query::max_keys`], so very large batches
//! take one more query per chunk. Prefetched values land in the rows' caches, which every
//! accessor reads first.

use std::cell::Cell;
use std::fmt;

use contenttypes_core::ir::ModelDef;
use contenttypes_core::keys::{Key, ObjectIdFor, PkValue};
use contenttypes_core::registry::Registration;
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;

use crate::backend::SupportedBackend;
use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::field::Value;
use crate::fxhash::FxHashMap;
use crate::gfk::{GenericForeignKeyDescriptor, GenericForeignKeyField};
use crate::model::{load_dyn, Loaded, LoadedDyn, Model, ModelVTable};
use crate::object::{key_column, GenericObject};
use crate::object_ids::ObjectIds;
use crate::query::{chunks, key_chunks, Col, Cond, KeyOrder, Select, FRAMEWORK_BINDS};
use crate::relation::GenericRelationDescriptor;
use crate::targets::{load_targets_of, TargetSet};

thread_local! {
    static STRICT: Cell<u32> = const { Cell::new(0) };
}

/// Strict loading (Rails' `strict_loading`, Laravel's `preventLazyLoading`): while the
/// returned guard lives, reading a generic foreign key or a generic relation that was not
/// prefetched is an [`Error::LazyLoad`] on this thread, so a test catches an N+1 loop.
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
/// let _strict = contenttypes::strict_loading();
/// assert!(matches!(article.tags().all(&mut conn), Err(contenttypes::Error::LazyLoad { .. })));
/// Article::TAGS.prefetch(&mut conn, std::slice::from_ref(&article))?;
/// assert!(article.tags().all(&mut conn)?.is_empty());
/// # Ok(())
/// # }
/// ```
#[must_use = "strict loading lasts as long as the guard"]
pub fn strict_loading() -> StrictLoading {
    STRICT.with(|s| s.set(s.get() + 1));
    StrictLoading { _private: () }
}

/// The guard of [`strict_loading`].
pub struct StrictLoading {
    _private: (),
}

impl Drop for StrictLoading {
    fn drop(&mut self) {
        STRICT.with(|s| s.set(s.get().saturating_sub(1)));
    }
}

impl fmt::Debug for StrictLoading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StrictLoading")
    }
}

/// Fails when strict loading is on: something is about to be loaded lazily.
pub(crate) fn check_lazy_load(model: &ModelDef, field: &str) -> Result<()> {
    if STRICT.with(Cell::get) > 0 {
        Err(Error::LazyLoad {
            model: model.type_name.to_string(),
            field: field.to_string(),
        })
    } else {
        Ok(())
    }
}

/// Per-model queries for a generic foreign key prefetch (Django's `GenericPrefetch`), and
/// relations to prefetch on the targets.
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// use contenttypes::GenericPrefetch;
/// use diesel::prelude::*;
/// let spec = GenericPrefetch::new()
///     .query::<Article, _>(blog_article::title.ne("draft"))
///     .then(Article::TAGS);
/// # let items: Vec<TaggedItem> = vec![];
/// TaggedItem::CONTENT_OBJECT.prefetch_with(&mut conn, &items, spec)?;
/// # Ok(())
/// # }
/// ```
pub struct GenericPrefetch<DB> {
    queries: Vec<(&'static ModelDef, Box<dyn QueryFragment<DB> + Send + Sync>)>,
    nested: Vec<RelationPath>,
}

/// A generic relation of one model, as a prefetch step: made from the generated descriptor
/// (`Article::TAGS.into()`), for [`GenericPrefetch::then`] and [`prefetch_relations`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RelationPath {
    model: &'static ModelDef,
    name: &'static str,
}

impl fmt::Debug for RelationPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.model.type_name, self.name)
    }
}

/// What names a generic relation for a prefetch step: a generic relation descriptor
/// (`Article::TAGS`), or a [`RelationPath`] made from one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a generic relation to prefetch",
    label = "expected a generic relation descriptor such as `Article::TAGS`",
    note = "`#[derive(GenericRelation)]` makes one descriptor per `GenericRelation` field; \
            a foreign key's rows load with `ForeignKeyDescriptor::load_for`"
)]
pub trait IntoRelationPath {
    /// The relation as a prefetch step.
    fn into_relation_path(self) -> RelationPath;
}

impl IntoRelationPath for RelationPath {
    fn into_relation_path(self) -> RelationPath {
        self
    }
}

impl<P: Model, C, const K: u64> IntoRelationPath for GenericRelationDescriptor<P, C, K> {
    fn into_relation_path(self) -> RelationPath {
        RelationPath {
            model: P::DEF,
            name: self.name(),
        }
    }
}

impl<P: Model, C, const K: u64> From<GenericRelationDescriptor<P, C, K>> for RelationPath {
    fn from(relation: GenericRelationDescriptor<P, C, K>) -> Self {
        relation.into_relation_path()
    }
}

impl<DB> Default for GenericPrefetch<DB> {
    fn default() -> Self {
        GenericPrefetch {
            queries: Vec::new(),
            nested: Vec::new(),
        }
    }
}

impl<DB> fmt::Debug for GenericPrefetch<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenericPrefetch")
            .field(
                "queries",
                &self
                    .queries
                    .iter()
                    .map(|(m, _)| m.label())
                    .collect::<Vec<_>>(),
            )
            .field("then", &self.nested)
            .finish()
    }
}

impl<DB: SupportedBackend> GenericPrefetch<DB> {
    pub fn new() -> Self {
        GenericPrefetch::default()
    }

    /// Loads targets of model `T` only when they match `filter` (a Diesel expression on
    /// `T`'s table); a target that does not match reads as `None`. At most one query per
    /// model: a second one for the same model is an error when prefetching.
    pub fn query<T: Model, E>(mut self, filter: E) -> Self
    where
        E: Expression + AppearsOnTable<T::Table> + QueryFragment<DB> + Send + Sync + 'static,
    {
        self.queries.push((T::DEF, Box::new(filter)));
        self
    }

    /// Also prefetches a generic relation of the targets of one model, named by its
    /// descriptor (`.then(Article::TAGS)`): one more query per through model and relation
    /// name (`.then(Animal::TAGS).then(Vegetable::TAGS)` is one query). Targets of other
    /// models are left alone.
    pub fn then(mut self, relation: impl IntoRelationPath) -> Self {
        let path = relation.into_relation_path();
        if !self.nested.contains(&path) {
            self.nested.push(path);
        }
        self
    }
}

impl<M, const K: u64> GenericForeignKeyDescriptor<M, K>
where
    M: GenericForeignKeyField<K>,
{
    /// Loads the targets of the generic foreign key of all `rows` into the rows' caches:
    /// one query per distinct target model (plus one for the content types on a cold
    /// cache). Targets that are gone, rows of a stale content type and rows pointing at a
    /// model outside `targets(..)` read as `None` and are counted in the returned
    /// [`Prefetched`]; rows with the key unset are skipped.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// # let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// # let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// # article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
    /// let items = TaggedItem::all(&mut conn)?;
    /// TaggedItem::CONTENT_OBJECT.prefetch(&mut conn, &items)?;
    /// let _strict = contenttypes::strict_loading();
    /// let target = items[0].content_object(&mut conn)?.unwrap();
    /// assert_eq!(target.downcast_ref::<Article>()?, &article);
    /// # Ok(())
    /// # }
    /// ```
    pub fn prefetch<'f, D: Db>(
        self,
        db: &'f mut D,
        rows: &'f [M],
    ) -> crate::Output<'f, D, Result<Prefetched>> {
        D::drive(self.prefetch_op(db, rows))
    }

    pub(crate) async fn prefetch_op<D: Db>(self, db: &mut D, rows: &[M]) -> Result<Prefetched> {
        self.prefetch_with_op(db, rows, GenericPrefetch::new())
            .await
    }

    /// [`GenericForeignKeyDescriptor::prefetch`] with per-model queries and nested
    /// relations.
    pub fn prefetch_with<'f, D: Db>(
        self,
        db: &'f mut D,
        rows: &'f [M],
        spec: GenericPrefetch<D::Backend>,
    ) -> crate::Output<'f, D, Result<Prefetched>> {
        D::drive(self.prefetch_with_op(db, rows, spec))
    }

    pub(crate) async fn prefetch_with_op<D: Db>(
        self,
        db: &mut D,
        rows: &[M],
        spec: GenericPrefetch<D::Backend>,
    ) -> Result<Prefetched> {
        for (i, (model, _)) in spec.queries.iter().enumerate() {
            if spec.queries[..i]
                .iter()
                .any(|(m, _)| std::ptr::eq(*m, *model))
            {
                return Err(Error::InvalidArgument(format!(
                    "only one query is allowed for each content type; `{}` has two",
                    model.type_name
                )));
            }
        }
        let groups = ObjectIds::by_content_type(
            rows.len(),
            rows.iter()
                .map(|row| (row.__content_type_id(), row.__object_id())),
        );
        let mut conns = db.connections();
        let ids: Vec<i32> = groups.iter().map(|(ct, _)| *ct).collect();
        let types = conns.content_types().for_ids(&mut conns, &ids).await?;
        let conn = conns.for_read();
        let mut targets: Vec<GenericObject> = Vec::new();
        let mut report = Prefetched::default();
        for (ct_id, group) in groups {
            // A content type no registered model has (stale), or an id with no row: its rows
            // read as `None`, and the rows of every other type load as usual.
            let Some(registration) = types.get(&ct_id).and_then(ContentType::model_class) else {
                report.stale += group.members.len();
                report.stale_types.push(match types.get(&ct_id) {
                    Some(ct) => format!("{}.{}", ct.app_label, ct.model),
                    None => format!("id {ct_id}"),
                });
                group.store(rows, ct_id, &[]);
                continue;
            };
            if !<M::Targets as TargetSet>::admits(registration.def) {
                report.not_admitted += group.members.len();
                group.store(rows, ct_id, &[]);
                continue;
            }
            let filter = spec
                .queries
                .iter()
                .find(|(m, _)| std::ptr::eq(*m, registration.def) || **m == *registration.def);
            // Each distinct object id converted once, to the target's key type: bound in the
            // query, and (as read back) the key the loaded rows are matched with.
            let pk = key_column(registration.def)?;
            let values = group.values(pk.sql_type);
            let bound: Vec<Value> = values.iter().flatten().cloned().collect();
            let loaded = match filter {
                Some((_, filter)) => {
                    load_targets_of::<M::Targets, _, _>(conn, registration, bound, &**filter)
                        .await?
                }
                None => {
                    load_targets_of::<M::Targets, _, _>(
                        conn,
                        registration,
                        bound,
                        &crate::query::NoFilter,
                    )
                    .await?
                }
            };
            let found: Vec<Option<GenericObject>> = values
                .into_iter()
                .map(|v| loaded.get(&v?.to_key()?).cloned())
                .collect();
            let (hit, miss) = group.store(rows, ct_id, &found);
            report.found += hit;
            report.missing += miss;
            targets.extend(loaded.into_values());
        }
        prefetch_relations_op(db, &targets, &spec.nested).await?;
        Ok(report)
    }
}

/// What a generic foreign key prefetch found, row by row: every row with its key set is
/// counted once. Rows whose target is gone, or whose content type no registered model has,
/// read as `None` and do not stop the others from loading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Prefetched {
    /// Rows whose target was loaded.
    pub found: usize,
    /// Rows whose target row is gone (or does not match the [`GenericPrefetch::query`] filter).
    pub missing: usize,
    /// Rows whose content type is stale (Django's term: no registered model has its natural
    /// key, say after a model was removed) or has no row at all.
    pub stale: usize,
    /// The stale content types, as `app_label.model` (or `id N` when there is no row).
    pub stale_types: Vec<String>,
    /// Rows pointing at a model outside the generic foreign key's `targets(..)` (written
    /// by other code): they read as `None`, and that model's table is not queried.
    pub not_admitted: usize,
}

/// Prefetches generic relations of objects of any models, each named by its descriptor:
/// the objects of `Animal` get `Animal::TAGS`, those of `Vegetable` get `Vegetable::TAGS`,
/// and objects of a model no path names are left alone. One query per through model and
/// relation name, `WHERE (content_type_id = A AND object_id IN (...)) OR (content_type_id =
/// B AND ...)`; the objects' relation managers then read the prefetched rows.
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
/// let objects = vec![contenttypes::GenericObject::new(article)];
/// contenttypes::prefetch_relations(&mut conn, &objects, &[Article::TAGS.into()])?;
/// let _strict = contenttypes::strict_loading();
/// assert_eq!(objects[0].downcast_ref::<Article>()?.tags().count(&mut conn)?, 0);
/// # Ok(())
/// # }
/// ```
pub fn prefetch_relations<'f, D: Db>(
    db: &'f mut D,
    objects: &'f [GenericObject],
    paths: &'f [RelationPath],
) -> crate::Output<'f, D, Result<()>> {
    D::drive(prefetch_relations_op(db, objects, paths))
}

pub(crate) async fn prefetch_relations_op<D: Db>(
    db: &mut D,
    objects: &[GenericObject],
    paths: &[RelationPath],
) -> Result<()> {
    let mut conns = db.connections();
    let cts = conns.content_types();
    let registry = cts.registry()?;
    // (Through model, generic foreign key, relation name) → (content type → the objects).
    struct Group {
        through: &'static Registration,
        gfk: &'static str,
        name: &'static str,
        by_ct: Vec<(i32, &'static ModelDef, Vec<usize>)>,
    }
    let mut groups: Vec<Group> = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        let def = object.model_def();
        for path in paths
            .iter()
            .filter(|p| std::ptr::eq(p.model, def) || *p.model == *def)
        {
            let name = path.name;
            let relation = def.generic_relation(name).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "`{}` has no generic relation `{name}`",
                    def.type_name
                ))
            })?;
            let through = registry
                .get_by_natural_key(&relation.through_app_label, &relation.through_model)
                .ok_or_else(|| Error::NotRegistered {
                    model: format!("{}.{}", relation.through_app_label, relation.through_model),
                })?;
            let ct = cts.id_for_def(&mut conns, def).await?;
            let position = groups.iter().position(|g| {
                std::ptr::eq(g.through, through) && g.gfk == relation.gfk && g.name == name
            });
            let group = match position {
                Some(g) => &mut groups[g],
                None => {
                    groups.push(Group {
                        through,
                        gfk: relation.gfk.as_ref(),
                        name,
                        by_ct: Vec::new(),
                    });
                    groups
                        .last_mut()
                        .ok_or_else(|| Error::Internal("a prefetch group vanished".into()))?
                }
            };
            match group.by_ct.iter_mut().find(|(c, _, _)| *c == ct) {
                Some((_, _, members)) => members.push(i),
                None => group.by_ct.push((ct, def, vec![i])),
            }
        }
    }
    for group in groups {
        let through = group.through.def;
        let gfk = through.generic_foreign_key(group.gfk).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "`{}` has no generic foreign key `{}`",
                through.type_name, group.gfk
            ))
        })?;
        let oid_type = through
            .column(&gfk.fk_column)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "`{}` has no column `{}`",
                    through.type_name, gfk.fk_column
                ))
            })?
            .sql_type;
        let vtable =
            ModelVTable::of_registration(group.through).ok_or_else(|| Error::NotRegistered {
                model: through.label(),
            })?;
        // (content type, object id) of every object, sent in runs under the bind limit:
        // `(ct = A AND oid IN (...)) OR (ct = B AND oid IN (...))` per run.
        let pairs: Vec<(i32, Value)> = group
            .by_ct
            .iter()
            .flat_map(|(ct, _, members)| {
                members
                    .iter()
                    .filter_map(|&i| Value::from_key(oid_type, &objects[i].pk()))
                    .map(move |oid| (*ct, oid))
            })
            .collect();
        let mut rows: Vec<LoadedDyn> = Vec::new();
        for run in chunks(&pairs) {
            let mut alternatives: Vec<(i32, Vec<Value>)> = Vec::new();
            for (ct, oid) in run {
                match alternatives.last_mut() {
                    Some((last, oids)) if last == ct => oids.push(oid.clone()),
                    _ => alternatives.push((*ct, vec![oid.clone()])),
                }
            }
            let cond = Cond::Or(
                alternatives
                    .into_iter()
                    .map(|(ct, oids)| {
                        Cond::And(vec![
                            Cond::Eq(Col::of(through, gfk.ct_column.as_ref()), Value::Integer(ct)),
                            Cond::In(Col::of(through, gfk.fk_column.as_ref()), oids),
                        ])
                    })
                    .collect(),
            );
            let mut query = Select::new(through, cond);
            query.order_by_pk = KeyOrder::WhenNeeded;
            let loaded: Vec<LoadedDyn> =
                load_dyn(vtable, conns.for_read().load_rows(query)).await?;
            rows.extend(loaded);
        }
        let mut by_target: FxHashMap<
            (i32, PkValue),
            Vec<std::sync::Arc<dyn std::any::Any + Send + Sync>>,
        > = FxHashMap::default();
        for row in rows {
            if let Some((Some(ct), Some(oid))) = row.0.__generic_foreign_key(group.gfk) {
                let key = Value::from_key(oid_type, &oid)
                    .and_then(|v| v.to_key())
                    .unwrap_or(oid);
                by_target
                    .entry((ct, key))
                    .or_default()
                    .push(row.0.into_any_arc());
            }
        }
        for (ct, _, members) in &group.by_ct {
            for &i in members {
                let key = Value::from_key(oid_type, &objects[i].pk()).and_then(|v| v.to_key());
                let rows = key
                    .and_then(|k| by_target.remove(&(*ct, k)))
                    .unwrap_or_default();
                let name = group.name;
                let cache = objects[i].as_any_model().__relation(name).ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "`{}` has no generic relation field `{name}`",
                        objects[i].model_def().type_name
                    ))
                })?;
                cache.__set_erased(rows)?;
            }
        }
    }
    Ok(())
}

/// Loads, in one query, the `P` targets of the rows whose generic foreign key points at a
/// `P`, into their caches (the reverse relation's prefetch).
pub(crate) async fn prefetch_one_type<C, const K: u64, P, D>(db: &mut D, rows: &[C]) -> Result<()>
where
    C: GenericForeignKeyField<K>,
    P: Model,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
    D: Db,
{
    let ct = ContentType::id_for_model_op::<P, _>(db).await?;
    let mut group: ObjectIds<'_, C::ObjectId> = ObjectIds::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        if row.__content_type_id() == Some(ct) {
            if let Some(oid) = row.__object_id() {
                group.add(i, oid);
            }
        }
    }
    if group.members.is_empty() {
        return Ok(());
    }
    let pk = key_column(P::DEF)?;
    // Each distinct object id converted once: bound, and matched with the loaded rows' keys.
    let values = group.values(pk.sql_type);
    let keys: Vec<Value> = values.iter().flatten().cloned().collect();
    let conn = db.connection_for_read();
    let mut loaded: FxHashMap<PkValue, GenericObject> =
        FxHashMap::with_capacity_and_hasher(keys.len(), Default::default());
    for chunk in key_chunks::<D::Backend>(&keys, FRAMEWORK_BINDS) {
        let mut query = Select::new(
            P::DEF,
            Cond::In(Col::of(P::DEF, pk.name.as_ref()), chunk.to_vec()),
        );
        query.order_by_pk = KeyOrder::Never;
        let rows: Vec<Loaded<P>> = conn.load_rows(query).await?;
        for row in rows {
            loaded.insert(row.0.pk().to_pk_value(), GenericObject::new(row.0));
        }
    }
    let found: Vec<Option<GenericObject>> = values
        .into_iter()
        .map(|v| loaded.get(&v?.to_key()?).cloned())
        .collect();
    group.store(rows, ct, &found);
    Ok(())
}
