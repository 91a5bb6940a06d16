//! [`GenericManyToManyManager`]: one source object's targets, `user.favourites()`.

use std::collections::HashSet;
use std::fmt;
use std::sync::Mutex;

use contenttypes_core::keys::{Key, ObjectIdFor, PkValue};

use crate::backend::sealed::Sealed;
use crate::backend::SupportedBackend;
use crate::conn::Conn;
use crate::content_type::ContentType;
use crate::db::Db;
use crate::delete;
use crate::error::{Error, Result};
use crate::field::{FieldType, Scalar, Value};
use crate::filter::{Correlation, RelationFilter};
use crate::gfk::{GenericForeignKeyDescriptor, GenericForeignKeyField};
use crate::insert;
use crate::load_targets::Pair;
use crate::model::{Loaded, Model};
use crate::object::GenericObject;
use crate::prefetch::check_lazy_load;
use crate::query::{
    balanced_chunk_size, key_chunks, max_keys, others_fill_themselves, Cond, Count, NoFilter,
    Select, SelectColumns, FRAMEWORK_BINDS,
};
use crate::relation::{lock_row, CtRef, Link};
use crate::target::{Target, TargetField};
use crate::targets::{Admits, TargetSet};
use crate::transaction;

use super::field::GenericManyToMany;
use super::sql::{InsertLinks, LinkCondition, LinkRows};
use super::through::Through;

/// One source object's generic many-to-many relation (`user.favourites()`), made by the
/// accessor `#[derive(GenericRelation)]` generates for a `GenericManyToMany<Through>` field.
/// Targets are given as [`Target`]s (`Target::to(&movie)`), so a target whose key the object
/// id column cannot hold, or whose model is outside the generic foreign key's `targets(..)`,
/// does not compile. Reads use the prefetched targets when there are any; writes are atomic
/// and drop them.
pub struct GenericManyToManyManager<'a, P, C, const K: u64> {
    parent: &'a P,
    field: &'a GenericManyToMany<C>,
    name: &'static str,
}

impl<P, C, const K: u64> fmt::Debug for GenericManyToManyManager<'_, P, C, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenericManyToManyManager")
            .field("relation", &self.name)
            .finish_non_exhaustive()
    }
}

impl<'a, P, C, const K: u64> GenericManyToManyManager<'a, P, C, K> {
    /// Used by the generated accessor.
    pub fn new(parent: &'a P, field: &'a GenericManyToMany<C>, name: &'static str) -> Self {
        GenericManyToManyManager {
            parent,
            field,
            name,
        }
    }
}

/// What a read of the relation gives for one target: the enum of the generic foreign key's
/// `targets(..)`, or a [`GenericObject`].
type TargetOf<C, const K: u64> = <<C as GenericForeignKeyField<K>>::Targets as TargetSet>::Target;

/// A link as the through model stores it: the target's content type id and object id.
type LinkOf<C, const K: u64> = (i32, <C as GenericForeignKeyField<K>>::ObjectId);

/// A target of the relation, as given to `add`, `remove` and `set`.
type TargetTo<C, const K: u64> =
    Target<<C as GenericForeignKeyField<K>>::ObjectId, <C as GenericForeignKeyField<K>>::Targets>;

/// What makes a through row for a target (`add_with`, `set_with`).
type MakeRow<'m, C, const K: u64> = dyn FnMut(TargetTo<C, K>) -> <C as Model>::New + Send + 'm;

impl<'a, P, C, const K: u64> GenericManyToManyManager<'a, P, C, K>
where
    P: Model,
    C: GenericForeignKeyField<K>,
    TargetOf<C, K>: Send + Sync,
{
    /// The source's key, as the through model's foreign key holds it.
    fn key(&self) -> Value {
        self.parent.pk().to_value()
    }

    /// The targets' links, each once, in the order given. Their content types are looked up
    /// here (0 queries once cached), outside any transaction: creating one is a write of its
    /// own.
    async fn resolve<D: Db>(db: &mut D, targets: Vec<TargetTo<C, K>>) -> Result<Vec<LinkOf<C, K>>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for target in targets {
            target.__resolve(db).await?;
            let ct = *target.__ct().map_err(|e| Error::Internal(e.to_string()))?;
            if seen.insert((ct, target.object_id().to_pk_value())) {
                out.push((ct, target.object_id().clone()));
            }
        }
        Ok(out)
    }

    /// The targets, of every model: 1 query for the links (the through rows' content types
    /// and object ids), then 1 per target model (plus one for the content types on a cold
    /// cache), or 0 when prefetched. Grouped by model; links whose target row is gone are
    /// left out. The enum of `targets(..)` when the generic foreign key lists them, else
    /// [`GenericObject`]s.
    ///
    /// ```
    /// # include!("../../../src/doctest_gm2m.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let user = User::insert(&mut conn, NewUser { name: "ada".into() })?;
    /// let movie = Movie::insert(&mut conn, NewMovie { title: "Alien".into() })?;
    /// let book = Book::insert(&mut conn, NewBook { isbn: "978-0".into(), title: "Dune".into() })?;
    /// user.favourites().add(&mut conn, [Target::to(&movie), Target::to(&book)])?;
    /// let all = user.favourites().all(&mut conn)?;
    /// assert_eq!(all.len(), 2);
    /// assert!(all.contains(&FavouriteTarget::Movie(movie.into())));
    /// assert_eq!(user.favourites().of::<Book, _>(&mut conn)?, [book]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn all<'f, D: Db>(
        &'f self,
        db: &'f mut D,
    ) -> crate::Output<'f, D, Result<Vec<TargetOf<C, K>>>> {
        D::drive(self.all_op(db))
    }

    pub(crate) async fn all_op<D: Db>(&self, db: &mut D) -> Result<Vec<TargetOf<C, K>>> {
        if let Some(targets) = self.field.prefetched::<TargetOf<C, K>>() {
            return Ok(targets.as_ref().clone());
        }
        check_lazy_load(P::DEF, self.name)?;
        let through = Through::of::<P, C, K>()?;
        GenericForeignKeyDescriptor::<C, K>::new()
            .load_targets_op(db, LinkCondition::<C>::of_source(&through, self.key()))
            .await
    }

    /// The targets of one model, in key order: 1 query, `SELECT <T>.* FROM <T> WHERE <key>
    /// IN (SELECT <object id> FROM <through> WHERE <content type> = <T's> AND <source> = ?)`
    /// (the key cast to text on PostgreSQL when the object id is text and the key is not),
    /// or 0 when prefetched.
    pub fn of<'f, T, D: Db>(&'f self, db: &'f mut D) -> crate::Output<'f, D, Result<Vec<T>>>
    where
        T: Model + Clone,
        C::ObjectId: ObjectIdFor<T, T::Pk>,
        C::Targets: Admits<T>,
    {
        D::drive(self.of_op::<T, D>(db))
    }

    pub(crate) async fn of_op<T, D: Db>(&self, db: &mut D) -> Result<Vec<T>>
    where
        T: Model + Clone,
        C::ObjectId: ObjectIdFor<T, T::Pk>,
        C::Targets: Admits<T>,
    {
        if let Some(targets) = self.field.prefetched::<TargetOf<C, K>>() {
            let mut of: Vec<T> = targets
                .iter()
                .filter_map(|t| Into::<GenericObject>::into(t.clone()).downcast::<T>().ok())
                .map(|t| T::clone(&t))
                .collect();
            of.sort_by_cached_key(|t| t.pk().to_pk_value());
            return Ok(of);
        }
        check_lazy_load(P::DEF, self.name)?;
        let through = Through::of::<P, C, K>()?;
        let ct = ContentType::id_for_model_op::<T, _>(db).await?;
        let correlation = Correlation::Generic {
            link: Link::of::<T, C, K>()?,
            parent: T::DEF,
            ct: CtRef::Id(ct),
            parent_outer: true,
        };
        let links = LinkCondition::<C>::of_source(&through, self.key());
        let filter = RelationFilter::<T, C, _>::new(correlation, links, false);
        let query = Select::new(T::DEF, Cond::True).with_extra(filter);
        let rows: Vec<Loaded<T>> = db.connection_for_read().load_rows(query).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// How many links the object has (a link whose target row is gone counts): 1 query, or
    /// 0 when prefetched (then the targets found).
    pub fn count<'f, D: Db>(&'f self, db: &'f mut D) -> crate::Output<'f, D, Result<i64>> {
        D::drive(self.count_op(db))
    }

    pub(crate) async fn count_op<D: Db>(&self, db: &mut D) -> Result<i64> {
        if let Some(targets) = self.field.prefetched::<TargetOf<C, K>>() {
            return Ok(targets.len() as i64);
        }
        check_lazy_load(P::DEF, self.name)?;
        let through = Through::of::<P, C, K>()?;
        self.count_links(db, through.of_source(self.key())).await
    }

    /// Whether `target` is one of the object's targets: 1 query, or 0 when prefetched.
    pub fn contains<'f, T, D: Db>(
        &'f self,
        db: &'f mut D,
        target: &'f T,
    ) -> crate::Output<'f, D, Result<bool>>
    where
        T: Model,
        C::ObjectId: ObjectIdFor<T, T::Pk>,
        C::Targets: Admits<T>,
    {
        D::drive(self.contains_op(db, target))
    }

    pub(crate) async fn contains_op<T, D: Db>(&self, db: &mut D, target: &T) -> Result<bool>
    where
        T: Model,
        C::ObjectId: ObjectIdFor<T, T::Pk>,
        C::Targets: Admits<T>,
    {
        if let Some(targets) = self.field.prefetched::<TargetOf<C, K>>() {
            let key = target.pk().to_pk_value();
            return Ok(targets.iter().any(|t| {
                let object: GenericObject = t.clone().into();
                object.is::<T>() && object.pk() == key
            }));
        }
        check_lazy_load(P::DEF, self.name)?;
        let through = Through::of::<P, C, K>()?;
        let ct = ContentType::id_for_model_op::<T, _>(db).await?;
        let oid = <C::ObjectId as ObjectIdFor<T, T::Pk>>::from_key(target.pk()).to_value();
        let cond = through
            .of_source(self.key())
            .and(through.links_to(&[(ct, vec![oid])]));
        Ok(self.count_links(db, cond).await? > 0)
    }

    async fn count_links<D: Db>(&self, db: &mut D, cond: Cond) -> Result<i64> {
        let query = Count {
            table: C::DEF.table.name.as_ref(),
            cond,
            extra: NoFilter,
        };
        Ok(crate::conn::first(
            db.connection_for_read()
                .load_rows::<_, Scalar<i64>>(query)
                .await,
        )?
        .0)
    }

    /// Links the object to `targets`, of any mix of models (`Target::to(&movie)`); links
    /// it has are left as they are. One `INSERT ... ON CONFLICT DO NOTHING` (`INSERT IGNORE`
    /// on MySQL) per parameter cap's worth of links, atomic, retried on a deadlock as `set`
    /// is. The through model's other
    /// columns take their defaults (NULL, or the declared default): when one has neither,
    /// use [`GenericManyToManyManager::add_with`]. Returns how many links were made.
    ///
    /// ```
    /// # include!("../../../src/doctest_gm2m.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let user = User::insert(&mut conn, NewUser { name: "ada".into() })?;
    /// let movie = Movie::insert(&mut conn, NewMovie { title: "Alien".into() })?;
    /// let book = Book::insert(&mut conn, NewBook { isbn: "978-0".into(), title: "Dune".into() })?;
    /// assert_eq!(user.favourites().add(&mut conn, [Target::to(&movie), Target::to(&book)])?, 2);
    /// assert_eq!(user.favourites().add(&mut conn, [Target::to(&movie)])?, 0); // linked already
    /// assert!(user.favourites().contains(&mut conn, &book)?);
    /// assert_eq!(user.favourites().remove(&mut conn, [Target::to(&book)])?, 1);
    /// assert_eq!(user.favourites().count(&mut conn)?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn add<'f, D: Db>(
        &'f self,
        db: &'f mut D,
        targets: impl IntoIterator<Item = Target<C::ObjectId, C::Targets>>,
    ) -> crate::Output<'f, D, Result<usize>> {
        let targets: Vec<TargetTo<C, K>> = targets.into_iter().collect();
        D::drive(self.add_op(db, targets))
    }

    pub(crate) async fn add_op<D: Db>(
        &self,
        db: &mut D,
        targets: Vec<TargetTo<C, K>>,
    ) -> Result<usize> {
        let through = Through::of::<P, C, K>()?;
        check_bare_rows(&through)?;
        let links = Self::resolve(db, targets).await?;
        if links.is_empty() {
            return Ok(0);
        }
        let rows = bare_rows::<C, K>(&links);
        let key = self.key();
        let (rows, key) = (&rows[..], &key);
        // Retried like `set`: an insert's foreign key check waits on a concurrent `set`'s
        // lock of the source row, which may wait on this insert's new link (a deadlock).
        let added = transaction::atomic_retry(db, |db| {
            Box::pin(
                async move { insert_links::<C, _>(db, through, key, LinkRows::Bare(rows)).await },
            )
        })
        .await?;
        self.field.clear_prefetched();
        Ok(added)
    }

    /// [`GenericManyToManyManager::add`], each new through row made by `make`, which
    /// receives the target and fills the row's other columns (django-gm2m's
    /// `through_defaults`). The row's foreign key to the source and its generic foreign key
    /// are this object's and the target's, whatever `make` put there.
    ///
    /// ```
    /// # include!("../../../src/doctest_gm2m.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let user = User::insert(&mut conn, NewUser { name: "ada".into() })?;
    /// let movie = Movie::insert(&mut conn, NewMovie { title: "Alien".into() })?;
    /// user.favourites().add_with(&mut conn, [Target::to(&movie)], |target| NewFavourite {
    ///     user_id: user.id,
    ///     target,
    ///     note: Some("a classic".into()),
    /// })?;
    /// assert_eq!(Favourite::all(&mut conn)?[0].note.as_deref(), Some("a classic"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_with<'f, D: Db>(
        &'f self,
        db: &'f mut D,
        targets: impl IntoIterator<Item = Target<C::ObjectId, C::Targets>>,
        make: impl FnMut(Target<C::ObjectId, C::Targets>) -> C::New + Send + 'f,
    ) -> crate::Output<'f, D, Result<usize>> {
        let targets: Vec<TargetTo<C, K>> = targets.into_iter().collect();
        D::drive(self.add_with_op(db, targets, make))
    }

    pub(crate) async fn add_with_op<D: Db>(
        &self,
        db: &mut D,
        targets: Vec<TargetTo<C, K>>,
        mut make: impl FnMut(Target<C::ObjectId, C::Targets>) -> C::New + Send,
    ) -> Result<usize> {
        let through = Through::of::<P, C, K>()?;
        let links = Self::resolve(db, targets).await?;
        if links.is_empty() {
            return Ok(0);
        }
        let rows = made_rows::<C, K>(&links, &mut make);
        // Other generic foreign keys the rows may hold.
        insert::resolve_targets(db, &rows).await?;
        let key = self.key();
        let (rows, key) = (&rows[..], &key);
        let added = transaction::atomic_retry(db, |db| {
            Box::pin(
                async move { insert_links::<C, _>(db, through, key, LinkRows::Made(rows)).await },
            )
        })
        .await?;
        self.field.clear_prefetched();
        Ok(added)
    }

    /// Unlinks the object from `targets` (the through rows go; the targets stay). One
    /// `DELETE` (per parameter cap's worth of links on SQLite and MySQL), whatever the
    /// targets' models. Returns how many links were removed.
    pub fn remove<'f, D: Db>(
        &'f self,
        db: &'f mut D,
        targets: impl IntoIterator<Item = Target<C::ObjectId, C::Targets>>,
    ) -> crate::Output<'f, D, Result<usize>> {
        let targets: Vec<TargetTo<C, K>> = targets.into_iter().collect();
        D::drive(self.remove_op(db, targets))
    }

    pub(crate) async fn remove_op<D: Db>(
        &self,
        db: &mut D,
        targets: Vec<TargetTo<C, K>>,
    ) -> Result<usize> {
        let through = Through::of::<P, C, K>()?;
        let links = Self::resolve(db, targets).await?;
        if links.is_empty() {
            return Ok(0);
        }
        let key = self.key();
        let (links, key) = (&links[..], &key);
        let removed = transaction::atomic_retry(db, |db| {
            Box::pin(async move { delete_links::<C, K, _>(db, &through, key, links).await })
        })
        .await?;
        self.field.clear_prefetched();
        Ok(removed)
    }

    /// Unlinks the object from every target. 1 statement. Returns how many links were
    /// removed.
    pub fn clear<'f, D: Db>(&'f self, db: &'f mut D) -> crate::Output<'f, D, Result<usize>> {
        D::drive(self.clear_op(db))
    }

    pub(crate) async fn clear_op<D: Db>(&self, db: &mut D) -> Result<usize> {
        let through = Through::of::<P, C, K>()?;
        let cond = through.of_source(self.key());
        let cond = &cond;
        let removed = transaction::atomic_retry(db, |db| {
            Box::pin(async move {
                let deleted = delete::delete_matching(db, C::DEF, cond.clone(), NoFilter).await?;
                Ok(deleted.of_def(C::DEF))
            })
        })
        .await?;
        self.field.clear_prefetched();
        Ok(removed)
    }

    /// Makes `targets` the object's targets, changing only what differs: links it keeps
    /// stay as they are (their other columns too), the others go, the new ones are made. In
    /// one transaction: a locking read of the object's row (concurrent `set`s of one object
    /// run one after the other, and the result is one caller's set), a `SELECT` of its links,
    /// then at most one `DELETE` and one `INSERT`. A source with no row is
    /// [`Error::Unsaved`]. Returns `(added, removed)`.
    ///
    /// ```
    /// # include!("../../../src/doctest_gm2m.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let user = User::insert(&mut conn, NewUser { name: "ada".into() })?;
    /// let alien = Movie::insert(&mut conn, NewMovie { title: "Alien".into() })?;
    /// let heat = Movie::insert(&mut conn, NewMovie { title: "Heat".into() })?;
    /// let dune = Book::insert(&mut conn, NewBook { isbn: "978-0".into(), title: "Dune".into() })?;
    /// user.favourites().add(&mut conn, [Target::to(&alien), Target::to(&dune)])?;
    /// let (added, removed) = user.favourites().set(&mut conn, [Target::to(&alien), Target::to(&heat)])?;
    /// assert_eq!((added, removed), (1, 1));
    /// assert_eq!(user.favourites().of::<Movie, _>(&mut conn)?, [alien, heat]);
    /// assert!(user.favourites().of::<Book, _>(&mut conn)?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn set<'f, D: Db>(
        &'f self,
        db: &'f mut D,
        targets: impl IntoIterator<Item = Target<C::ObjectId, C::Targets>>,
    ) -> crate::Output<'f, D, Result<(usize, usize)>> {
        let targets: Vec<TargetTo<C, K>> = targets.into_iter().collect();
        D::drive(self.set_op(db, targets))
    }

    pub(crate) async fn set_op<D: Db>(
        &self,
        db: &mut D,
        targets: Vec<TargetTo<C, K>>,
    ) -> Result<(usize, usize)> {
        let through = Through::of::<P, C, K>()?;
        check_bare_rows(&through)?;
        self.set_links(db, through, targets, None).await
    }

    /// [`GenericManyToManyManager::set`], the new through rows made by `make` as in
    /// [`GenericManyToManyManager::add_with`].
    pub fn set_with<'f, D: Db>(
        &'f self,
        db: &'f mut D,
        targets: impl IntoIterator<Item = Target<C::ObjectId, C::Targets>>,
        make: impl FnMut(Target<C::ObjectId, C::Targets>) -> C::New + Send + 'f,
    ) -> crate::Output<'f, D, Result<(usize, usize)>> {
        let targets: Vec<TargetTo<C, K>> = targets.into_iter().collect();
        D::drive(self.set_with_op(db, targets, make))
    }

    pub(crate) async fn set_with_op<D: Db>(
        &self,
        db: &mut D,
        targets: Vec<TargetTo<C, K>>,
        mut make: impl FnMut(Target<C::ObjectId, C::Targets>) -> C::New + Send,
    ) -> Result<(usize, usize)> {
        let through = Through::of::<P, C, K>()?;
        self.set_links(db, through, targets, Some(&mut make)).await
    }

    async fn set_links<D: Db>(
        &self,
        db: &mut D,
        through: Through,
        targets: Vec<TargetTo<C, K>>,
        make: Option<&mut MakeRow<'_, C, K>>,
    ) -> Result<(usize, usize)> {
        let wanted = Self::resolve(db, targets).await?;
        let key = self.key();
        let wanted_keys: HashSet<(i32, PkValue)> = wanted
            .iter()
            .map(|(ct, oid)| (*ct, oid.to_pk_value()))
            .collect();
        // The transaction may run again (a retry), and `make` with it: shared with each
        // run's future, which calls it with no statement pending.
        let make = Mutex::new(make);
        let (wanted, wanted_keys, key, make) = (&wanted[..], &wanted_keys, &key, &make);
        let changed = transaction::atomic_retry(db, |db| {
            Box::pin(async move {
                lock_row(db, self.parent, "set()").await?;
                let current = current_links::<C, K, _>(db, &through, key).await?;
                let had: HashSet<(i32, PkValue)> = current
                    .iter()
                    .map(|(ct, oid)| (*ct, oid.to_pk_value()))
                    .collect();
                let stale: Vec<LinkOf<C, K>> = current
                    .into_iter()
                    .filter(|(ct, oid)| !wanted_keys.contains(&(*ct, oid.to_pk_value())))
                    .collect();
                let new: Vec<LinkOf<C, K>> = wanted
                    .iter()
                    .filter(|(ct, oid)| !had.contains(&(*ct, oid.to_pk_value())))
                    .cloned()
                    .collect();
                let removed = if stale.is_empty() {
                    0
                } else {
                    delete_links::<C, K, _>(db, &through, key, &stale).await?
                };
                let made = {
                    let mut make = make.lock().unwrap_or_else(|p| p.into_inner());
                    make.as_deref_mut()
                        .map(|make| made_rows::<C, K>(&new, make))
                };
                let added = match made {
                    None => {
                        let rows = bare_rows::<C, K>(&new);
                        insert_links::<C, _>(db, through, key, LinkRows::Bare(&rows)).await?
                    }
                    Some(rows) => {
                        // Other generic foreign keys the rows may hold.
                        insert::resolve_targets(db, &rows).await?;
                        insert_links::<C, _>(db, through, key, LinkRows::Made(&rows)).await?
                    }
                };
                Ok((added, removed))
            })
        })
        .await?;
        self.field.clear_prefetched();
        Ok(changed)
    }
}

/// `add` and `set` fill only the link's three columns: the through model's others must fill
/// themselves.
fn check_bare_rows(through: &Through) -> Result<()> {
    let given = [
        through.source.name.as_ref(),
        through.gfk.ct_column.as_ref(),
        through.gfk.fk_column.as_ref(),
    ];
    if others_fill_themselves(through.def, &given) {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "`{}` has columns besides the link's that need a value (neither nullable nor with a \
         default): make the rows with `add_with` or `set_with`",
        through.def.type_name
    )))
}

/// The links as the two values an `add` writes besides the source: content type, object id.
fn bare_rows<C: GenericForeignKeyField<K>, const K: u64>(
    links: &[LinkOf<C, K>],
) -> Vec<(Value, Value)> {
    links
        .iter()
        .map(|(ct, oid)| (Value::Integer(*ct), oid.to_value()))
        .collect()
}

/// The through rows `make` makes for the links, each pointed at its link's target. The
/// content types of other generic foreign keys they may hold are still to be looked up
/// (`insert::resolve_targets`).
fn made_rows<C: GenericForeignKeyField<K>, const K: u64>(
    links: &[LinkOf<C, K>],
    make: &mut MakeRow<'_, C, K>,
) -> Vec<C::New> {
    links
        .iter()
        .map(|(ct, oid)| {
            let mut new = make(Target::from_ids(*ct, oid.clone()));
            C::__set_new(&mut new, Target::from_ids(*ct, oid.clone()));
            new
        })
        .collect()
}

/// Inserts links of the source `key`, skipping those that exist: one statement per
/// parameter cap's worth of rows, atomic. Returns how many were inserted.
async fn insert_links<C: Model, D: Db>(
    db: &mut D,
    through: Through,
    key: &Value,
    rows: LinkRows<'_, C::New>,
) -> Result<usize> {
    if rows.len() == 0 {
        return Ok(0);
    }
    let made = matches!(rows, LinkRows::Made(_));
    let columns = InsertLinks::<C::New>::columns(&through, made)?.len();
    let most = (<D::Backend as SupportedBackend>::DIALECT.max_binds() / columns.max(1)).max(1);
    let size = balanced_chunk_size(rows.len(), most);
    if rows.len() <= size {
        return insert_run::<C, _>(db.connection(), through, key, rows).await;
    }
    transaction::atomic(db, |db| {
        Box::pin(async move {
            let mut inserted = 0;
            for chunk in rows.chunks(size) {
                inserted += insert_run::<C, _>(db.connection(), through, key, chunk).await?;
            }
            Ok(inserted)
        })
    })
    .await
}

/// One `INSERT` of [`insert_links`]: these links of the source `key`. Returns how many were
/// inserted.
async fn insert_run<C: Model, Cn: Conn>(
    conn: &mut Cn,
    through: Through,
    key: &Value,
    rows: LinkRows<'_, C::New>,
) -> Result<usize> {
    let insert = InsertLinks {
        through,
        source: key,
        rows,
    };
    Ok(conn.execute_statement(insert).await?)
}

/// Deletes the source `key`'s links to these targets: one `DELETE` for all of them where
/// the lists fit the backend's parameter cap (always on PostgreSQL), else one per run of a
/// content type's object ids. Returns how many were deleted.
async fn delete_links<C: GenericForeignKeyField<K>, const K: u64, D: Db>(
    db: &mut D,
    through: &Through,
    key: &Value,
    links: &[LinkOf<C, K>],
) -> Result<usize> {
    let mut groups: Vec<(i32, Vec<Value>)> = Vec::new();
    for (ct, oid) in links {
        match groups.iter_mut().find(|(c, _)| c == ct) {
            Some((_, oids)) => oids.push(oid.to_value()),
            None => groups.push((*ct, vec![oid.to_value()])),
        }
    }
    let total: usize = groups.iter().map(|(_, oids)| oids.len()).sum();
    let others = FRAMEWORK_BINDS + groups.len();
    let fits = groups
        .iter()
        .all(|(_, oids)| <D::Backend as Sealed>::list_is_one_bind(oids))
        || total <= max_keys(<D::Backend as SupportedBackend>::DIALECT, others);
    let batches: Vec<Vec<(i32, Vec<Value>)>> = if fits {
        vec![groups]
    } else {
        groups
            .iter()
            .flat_map(|(ct, oids)| {
                key_chunks::<D::Backend>(oids, others).map(|chunk| vec![(*ct, chunk.to_vec())])
            })
            .collect()
    };
    let mut removed = 0;
    for batch in batches {
        let cond = through.of_source(key.clone()).and(through.links_to(&batch));
        removed += delete::delete_matching(db, C::DEF, cond, NoFilter)
            .await?
            .of_def(C::DEF);
    }
    Ok(removed)
}

/// The source `key`'s links, as stored.
async fn current_links<C: GenericForeignKeyField<K>, const K: u64, D: Db>(
    db: &mut D,
    through: &Through,
    key: &Value,
) -> Result<Vec<LinkOf<C, K>>> {
    let query = SelectColumns {
        table: C::DEF.table.name.as_ref(),
        columns: vec![
            through.gfk.ct_column.as_ref(),
            through.gfk.fk_column.as_ref(),
        ],
        cond: through.of_source(key.clone()),
        extra: NoFilter,
        ordered: false,
    };
    let pairs: Vec<Pair<C::ObjectId>> = db.connection().load_rows(query).await?;
    Ok(pairs
        .into_iter()
        .filter_map(|Pair(ct, oid)| Some((ct?, oid?)))
        .collect())
}
