//! [`GenericObject`]: a model object whose type is known only at run time, as a generic
//! foreign key's target is.

use std::fmt;
use std::sync::Arc;

use contenttypes_core::ir::{ColumnDef, ModelDef};
use contenttypes_core::keys::{Key, PkValue};
use contenttypes_core::registry::Registration;
use diesel::query_builder::QueryFragment;

use crate::backend::SupportedBackend;
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::field::Value;
use crate::fxhash::FxHashMap;
use crate::model::{load_dyn, AnyModel, Loaded, LoadedDyn, Model, ModelVTable};
use crate::query::{key_chunks, Col, Cond, KeyOrder, Select, FRAMEWORK_BINDS};

/// A model object of any registered type. Downcast it to use it as its model:
///
/// ```
/// # include!("../../src/doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = connection();
/// let article = Article::insert(&mut conn, NewArticle { title: "Hello".into() })?;
/// let ct = ContentType::for_model::<Article>(&mut conn)?;
/// let object = ct.get_object_for_this_type(&mut conn, article.id)?;
/// assert!(object.is::<Article>());
/// assert_eq!(object.downcast_ref::<Article>()?.title, "Hello");
/// assert!(object.downcast_ref::<Tag>().is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct GenericObject(Arc<dyn AnyModel>);

impl GenericObject {
    /// Wraps a model object.
    pub fn new<T: Model>(object: T) -> Self {
        GenericObject(Arc::new(object))
    }

    /// Wraps a shared model object (the same object, not a copy).
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let tag = std::sync::Arc::new(Tag::insert(&mut conn, NewTag { name: "rust".into() })?);
    /// let object = GenericObject::from_shared(tag.clone());
    /// assert_eq!(object.downcast::<Tag>()?.name, "rust");
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_shared<T: Model>(object: Arc<T>) -> Self {
        GenericObject(object)
    }

    pub(crate) fn from_arc(object: Arc<dyn AnyModel>) -> Self {
        GenericObject(object)
    }

    /// The object's model.
    pub fn model_def(&self) -> &'static ModelDef {
        self.0.model_def()
    }

    /// The object's primary key.
    pub fn pk(&self) -> PkValue {
        self.0.pk_value()
    }

    /// The object, for code that handles models of any type.
    pub fn as_any_model(&self) -> &dyn AnyModel {
        &*self.0
    }

    /// Whether the object is a `T`.
    pub fn is<T: Model>(&self) -> bool {
        self.0.as_any().is::<T>()
    }

    /// The object as a `T`, or [`Error::WrongType`].
    pub fn downcast_ref<T: Model>(&self) -> Result<&T> {
        self.0
            .as_any()
            .downcast_ref::<T>()
            .ok_or_else(|| self.wrong_type::<T>())
    }

    /// The shared object as a `T`, or [`Error::WrongType`].
    pub fn downcast<T: Model>(self) -> Result<Arc<T>> {
        let found = self.model_def();
        self.0
            .into_any_arc()
            .downcast::<T>()
            .map_err(|_| wrong_type::<T>(found))
    }

    /// Whether two handles share one object (Django's identity: the same cached instance).
    pub fn ptr_eq(a: &GenericObject, b: &GenericObject) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }

    fn wrong_type<T: Model>(&self) -> Error {
        wrong_type::<T>(self.model_def())
    }
}

fn wrong_type<T: Model>(found: &ModelDef) -> Error {
    Error::WrongType {
        expected: T::DEF.type_name.to_string(),
        found: found.type_name.to_string(),
    }
}

/// Equal when they are the same row: the same model and the same primary key (Django's
/// model equality).
impl PartialEq for GenericObject {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.model_def(), other.model_def()) && self.pk() == other.pk()
    }
}

impl fmt::Debug for GenericObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// The rows of a registered model with these keys and matching `filter`, as dynamic objects
/// by key: one query per [`crate::query::max_keys`] keys (one in all on PostgreSQL). Keys with no row are left out.
pub(crate) async fn load_by_keys<C, F>(
    conn: &mut C,
    registration: &'static Registration,
    keys: &[PkValue],
    filter: &F,
) -> Result<FxHashMap<PkValue, GenericObject>>
where
    C: Conn,
    F: QueryFragment<C::Backend> + Sync + ?Sized,
{
    let pk = key_column(registration.def)?;
    let values: Vec<Value> = keys
        .iter()
        .filter_map(|k| Value::from_key(pk.sql_type, k))
        .collect();
    load_by_values(conn, registration, values, filter).await
}

/// The primary key column of a registered model.
pub(crate) fn key_column(def: &'static ModelDef) -> Result<&'static ColumnDef> {
    def.primary_key()
        .ok_or_else(|| Error::NotRegistered { model: def.label() })
}

/// [`load_by_keys`] with the keys already in the key column's type (`Value::from_key`),
/// so a caller that matches rows back converts each key once. The map's keys are the key
/// column's values as read (`Value::to_key`).
pub(crate) async fn load_by_values<C, F>(
    conn: &mut C,
    registration: &'static Registration,
    mut values: Vec<Value>,
    filter: &F,
) -> Result<FxHashMap<PkValue, GenericObject>>
where
    C: Conn,
    F: QueryFragment<C::Backend> + Sync + ?Sized,
{
    let def = registration.def;
    let vtable = ModelVTable::of_registration(registration)
        .ok_or_else(|| Error::NotRegistered { model: def.label() })?;
    values.dedup();
    let mut out = FxHashMap::with_capacity_and_hasher(values.len(), Default::default());
    for query in chunk_queries::<C::Backend, F>(def, &values, filter)? {
        let rows: Vec<LoadedDyn> = load_dyn(vtable, conn.load_rows(query)).await?;
        for row in rows {
            let object = GenericObject::from_arc(row.0);
            out.insert(object.pk(), object);
        }
    }
    Ok(out)
}

/// [`load_by_values`] for a model known at compile time (a variant of a generic foreign
/// key's `targets(..)`): the rows decoded as `T`, into `out`.
pub(crate) async fn load_typed<T: Model, C, F>(
    conn: &mut C,
    values: &[Value],
    filter: &F,
    out: &mut FxHashMap<PkValue, GenericObject>,
) -> Result<()>
where
    C: Conn,
    F: QueryFragment<C::Backend> + Sync + ?Sized,
{
    for query in chunk_queries::<C::Backend, F>(T::DEF, values, filter)? {
        // Each row into its `Arc` as it is read (no vector of whole rows in between), and
        // into the map once the statement is done (the map's writes do not interleave with
        // the database's reads).
        let mut objects: Vec<Arc<T>> = Vec::new();
        conn.load_each(query, |row: Loaded<T>| objects.push(Arc::new(row.0)))
            .await?;
        for object in objects {
            out.insert(
                object.pk().to_pk_value(),
                GenericObject::from_shared(object),
            );
        }
    }
    Ok(())
}

/// The `SELECT`s of the rows of `def` with these keys and matching `filter`, one per run of
/// keys the backend binds in a statement, for the caller to load in turn.
fn chunk_queries<'f, DB, F>(
    def: &'static ModelDef,
    values: &'f [Value],
    filter: &'f F,
) -> Result<impl Iterator<Item = Select<Filter<'f, F>>> + Send + 'f>
where
    DB: SupportedBackend,
    F: QueryFragment<DB> + Sync + ?Sized,
{
    let pk = key_column(def)?;
    let others = FRAMEWORK_BINDS + DB::binds_in(filter);
    Ok(key_chunks::<DB>(values, others).map(move |chunk| {
        let mut query = Select::new(
            def,
            Cond::In(Col::of(def, pk.name.as_ref()), chunk.to_vec()),
        )
        .with_extra(Filter(filter));
        // Read into a map: the database's order is not kept.
        query.order_by_pk = KeyOrder::Never;
        query
    }))
}

/// A borrowed filter, so one boxed filter serves every chunk.
pub(crate) struct Filter<'a, F: ?Sized>(&'a F);

impl<DB: SupportedBackend, F: QueryFragment<DB> + ?Sized> QueryFragment<DB> for Filter<'_, F> {
    fn walk_ast<'b>(
        &'b self,
        pass: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        self.0.walk_ast(pass)
    }
}
