//! [`GenericManyToManyDescriptor`]: a model's generic many-to-many relation as a whole,
//! `User::FAVOURITES`: filters on the source model by its targets, and prefetching.

use std::collections::HashSet;
use std::fmt;

use contenttypes_core::keys::{Key, ObjectIdFor, PkValue};
use diesel::deserialize::{self, QueryableByName};
use diesel::expression::{AppearsOnTable, Expression};
use diesel::row::NamedRow;

use crate::backend::SupportedBackend;
use crate::columns::RowRef;
use crate::conn::Conn;
use crate::db::Db;
use crate::error::Result;
use crate::field::{FieldType, Value};
use crate::filter::{Correlation, RelationFilter};
use crate::fxhash::FxHashMap;
use crate::gfk::GenericForeignKeyField;
use crate::load_targets::load_groups;
use crate::model::Model;
use crate::query::{key_chunks, Cond, NoFilter, SelectColumns, FRAMEWORK_BINDS};
use crate::relation::{generic_correlation, CtOf, CtRef, Link};
use crate::targets::{Admits, TargetSet};

use super::field::GenericManyToMany;
use super::sql::LinkCondition;
use super::through::Through;

/// A model's generic many-to-many relation (`User::FAVOURITES`), the constant
/// `#[derive(GenericRelation)]` generates for a `GenericManyToMany<Through>` field.
pub struct GenericManyToManyDescriptor<P, C, const K: u64> {
    name: &'static str,
    field: fn(&P) -> &GenericManyToMany<C>,
}

impl<P, C, const K: u64> Clone for GenericManyToManyDescriptor<P, C, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, C, const K: u64> Copy for GenericManyToManyDescriptor<P, C, K> {}

impl<P, C, const K: u64> fmt::Debug for GenericManyToManyDescriptor<P, C, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GenericManyToMany({})", self.name)
    }
}

impl<P, C, const K: u64> GenericManyToManyDescriptor<P, C, K> {
    /// Used by the generated constant: the relation's name (its field's) and how to reach
    /// its field.
    pub const fn new(name: &'static str, field: fn(&P) -> &GenericManyToMany<C>) -> Self {
        GenericManyToManyDescriptor { name, field }
    }

    /// The relation's name: its field's.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// What a read of the relation gives for one target.
type TargetOf<C, const K: u64> = <<C as GenericForeignKeyField<K>>::Targets as TargetSet>::Target;

/// The rendering error of a filter whose through model cannot serve the relation; the
/// manager's operations return the typed error naming both models.
const NO_SOURCE_KEY: &str = "the through model of this generic many-to-many relation does not \
    have exactly one foreign key to the relation's model, or no unique constraint over its link \
    columns; the relation manager's operations return the error that says which";

impl<P, C, const K: u64> GenericManyToManyDescriptor<P, C, K>
where
    P: Model,
    C: GenericForeignKeyField<K>,
    TargetOf<C, K>: Send + Sync,
{
    /// The source's rows, correlated with their links: `<P key> IN (SELECT <source> FROM
    /// <through> WHERE ...)`.
    fn by_links<E>(condition: E, negated: bool) -> RelationFilter<P, C, E> {
        let correlation = match Through::of::<P, C, K>() {
            Ok(through) => Correlation::ReverseForeignKey {
                outer: P::DEF,
                inner: C::DEF,
                column: through.source.name.as_ref(),
            },
            Err(_) => Correlation::Invalid(NO_SOURCE_KEY),
        };
        RelationFilter::new(correlation, condition, negated)
    }

    /// A filter on `P`'s table: the objects linked to `target`. One subquery, `<key> IN
    /// (SELECT <source> FROM <through> WHERE <content type> = <T's> AND <object id> = ?)`,
    /// so each object once.
    ///
    /// ```
    /// # include!("../../../src/doctest_gm2m.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let ada = User::insert(&mut conn, NewUser { name: "ada".into() })?;
    /// let bob = User::insert(&mut conn, NewUser { name: "bob".into() })?;
    /// let alien = Movie::insert(&mut conn, NewMovie { title: "Alien".into() })?;
    /// let dune = Book::insert(&mut conn, NewBook { isbn: "978-0".into(), title: "Dune".into() })?;
    /// ada.favourites().add(&mut conn, [Target::to(&alien)])?;
    /// bob.favourites().add(&mut conn, [Target::to(&dune)])?;
    /// assert_eq!(User::filter(User::FAVOURITES.contains(&alien)).load(&mut conn)?, [ada.clone()]);
    /// // Users with a favourite movie whose title starts with "A", with none, with any:
    /// let a_movies = User::FAVOURITES.any_of::<Movie, _>(library_movie::title.like("A%"));
    /// assert_eq!(User::filter(a_movies).load(&mut conn)?, [ada.clone()]);
    /// let no_movie = User::FAVOURITES.none_of::<Movie, _>(contenttypes::NoFilter);
    /// assert_eq!(User::filter(no_movie).load(&mut conn)?, [bob]);
    /// assert_eq!(User::filter(User::FAVOURITES.exists()).count(&mut conn)?, 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn contains<T>(&self, target: &T) -> RelationFilter<P, C, LinkCondition<C>>
    where
        T: Model,
        C::ObjectId: ObjectIdFor<T, T::Pk>,
        C::Targets: Admits<T>,
    {
        let oid = <C::ObjectId as ObjectIdFor<T, T::Pk>>::from_key(target.pk()).to_value();
        match Link::of::<T, C, K>() {
            Ok(link) => Self::by_links(
                LinkCondition::to_target(&link, CtRef::Of(CtOf(T::DEF)), oid),
                false,
            ),
            Err(_) => RelationFilter::new(
                Correlation::Invalid(NO_SOURCE_KEY),
                LinkCondition::nothing(),
                false,
            ),
        }
    }

    /// A filter on `P`'s table: the objects linked to a `T` matching `filter` (a Diesel
    /// expression on `T`'s table; [`NoFilter`] for any `T`). Nested subqueries, `<key> IN
    /// (SELECT <source> FROM <through> WHERE <content type> = <T's> AND <object id> IN
    /// (SELECT <T key> FROM <T> WHERE <filter>))`, the key cast to text for a text object id.
    pub fn any_of<T, E>(&self, filter: E) -> RelationFilter<P, C, RelationFilter<C, T, E>>
    where
        T: Model,
        E: Expression + AppearsOnTable<T::Table>,
        C::ObjectId: ObjectIdFor<T, T::Pk>,
        C::Targets: Admits<T>,
    {
        Self::by_links(Self::to_model(filter), false)
    }

    /// A filter on `P`'s table: the objects linked to no `T` matching `filter` (objects
    /// with no link at all too): a correlated `NOT EXISTS` (a `NOT IN` on SQLite).
    pub fn none_of<T, E>(&self, filter: E) -> RelationFilter<P, C, RelationFilter<C, T, E>>
    where
        T: Model,
        E: Expression + AppearsOnTable<T::Table>,
        C::ObjectId: ObjectIdFor<T, T::Pk>,
        C::Targets: Admits<T>,
    {
        Self::by_links(Self::to_model(filter), true)
    }

    /// The links to a `T` matching `filter`, as a condition on the through table.
    fn to_model<T: Model, E>(filter: E) -> RelationFilter<C, T, E> {
        RelationFilter::new(generic_correlation::<T, C, K>().reversed(), filter, false)
    }

    /// A filter on `P`'s table: the objects with at least one link.
    pub fn exists(&self) -> RelationFilter<P, C, NoFilter> {
        Self::by_links(NoFilter, false)
    }

    /// A filter on `P`'s table: the objects with no link.
    pub fn none(&self) -> RelationFilter<P, C, NoFilter> {
        Self::by_links(NoFilter, true)
    }

    /// Loads the targets of all `sources` and stores them on each; their managers then read
    /// them with no query (`all`, `of`, `count`, `contains`). 1 query for the links of all
    /// of them (per parameter cap's worth of sources on SQLite and MySQL), then 1 per target
    /// model (plus one for the content types on a cold cache).
    ///
    /// ```
    /// # include!("../../../src/doctest_gm2m.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// # let alien = Movie::insert(&mut conn, NewMovie { title: "Alien".into() })?;
    /// # for name in ["ada", "bob"] {
    /// #     User::insert(&mut conn, NewUser { name: name.into() })?.favourites().add(&mut conn, [Target::to(&alien)])?;
    /// # }
    /// let users = User::all(&mut conn)?;
    /// User::FAVOURITES.prefetch(&mut conn, &users)?;
    /// let _strict = contenttypes::strict_loading(); // a query now would be an error
    /// for user in &users {
    ///     assert_eq!(user.favourites().of::<Movie, _>(&mut conn)?, [alien.clone()]);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn prefetch<'f, D: Db>(
        &'f self,
        db: &'f mut D,
        sources: &'f [P],
    ) -> crate::Output<'f, D, Result<()>> {
        D::drive(self.prefetch_op(db, sources))
    }

    pub(crate) async fn prefetch_op<D: Db>(&self, db: &mut D, sources: &[P]) -> Result<()> {
        let per_source = self.load_for_op(db, sources).await?;
        for (source, targets) in sources.iter().zip(per_source) {
            (self.field)(source).set_prefetched(targets);
        }
        Ok(())
    }

    /// The targets of each of `sources`, in the order of `sources` (each one's grouped by
    /// model), stored nowhere: [`GenericManyToManyDescriptor::prefetch`]'s queries.
    pub fn load_for<'f, D: Db>(
        &'f self,
        db: &'f mut D,
        sources: &'f [P],
    ) -> crate::Output<'f, D, Result<Vec<Vec<TargetOf<C, K>>>>> {
        D::drive(self.load_for_op(db, sources))
    }

    pub(crate) async fn load_for_op<D: Db>(
        &self,
        db: &mut D,
        sources: &[P],
    ) -> Result<Vec<Vec<TargetOf<C, K>>>> {
        let through = Through::of::<P, C, K>()?;
        let keys: Vec<PkValue> = sources.iter().map(|s| s.pk().to_pk_value()).collect();
        let mut seen = HashSet::new();
        let values: Vec<Value> = sources
            .iter()
            .filter(|s| seen.insert(s.pk().to_pk_value()))
            .map(|s| s.pk().to_value())
            .collect();
        let mut links: Vec<SourceLink<P::Pk, C::ObjectId>> = Vec::new();
        for chunk in key_chunks::<D::Backend>(&values, FRAMEWORK_BINDS) {
            let query = SelectColumns {
                table: C::DEF.table.name.as_ref(),
                columns: vec![
                    through.source.name.as_ref(),
                    through.gfk.ct_column.as_ref(),
                    through.gfk.fk_column.as_ref(),
                ],
                cond: Cond::In(through.source_col(), chunk.to_vec()),
                extra: NoFilter,
                ordered: false,
            };
            let read: Vec<SourceLink<P::Pk, C::ObjectId>> =
                db.connection_for_read().load_rows(query).await?;
            links.extend(read);
        }
        let groups = load_groups::<C::Targets, _, _>(
            db,
            links.len(),
            links.iter().map(|l| (l.1, l.2.as_ref())),
        )
        .await?;
        let mut by_source: FxHashMap<PkValue, Vec<TargetOf<C, K>>> = FxHashMap::default();
        for group in &groups {
            for &(row, place) in &group.ids.members {
                let (Some(object), Some(source)) = (group.get(place), &links[row].0) else {
                    continue;
                };
                let target = <C::Targets as TargetSet>::from_object(object.clone())?;
                by_source
                    .entry(source.to_pk_value())
                    .or_default()
                    .push(target);
            }
        }
        Ok(keys
            .iter()
            .map(|k| by_source.get(k).cloned().unwrap_or_default())
            .collect())
    }
}

/// A link of a source: its key, and the target's content type id and object id.
struct SourceLink<S, O>(Option<S>, Option<i32>, Option<O>);

impl<DB: SupportedBackend, S: FieldType, O: FieldType> QueryableByName<DB> for SourceLink<S, O> {
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        let row = RowRef::<_, DB>::new(row);
        Ok(SourceLink(
            S::__read_nullable(&row, 0)?,
            i32::__read_nullable(&row, 1)?,
            O::__read_nullable(&row, 2)?,
        ))
    }
}
