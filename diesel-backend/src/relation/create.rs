//! Creating through a relation manager: `create`, `get_or_create`, `update_or_create`,
//! `modify_or_create` on `article.tags()`. The description of the new row is built by a
//! closure that receives the parent as its [`Target`]; the algorithms are the model-level
//! ones (`crate::create`), with the parent's generic foreign key always in the lookup.

use contenttypes_core::keys::ObjectIdFor;

use crate::create::{self, DescribedColumns, LookupColumns};
use crate::db::Db;
use crate::error::Result;
use crate::gfk::GenericForeignKeyField;
use crate::model::Model;
use crate::objects::Objects;
use crate::target::Target;
use crate::targets::Admits;

use super::{Link, RelatedManager};

impl<P, C, const K: u64> RelatedManager<'_, P, C, K>
where
    P: Model,
    C: GenericForeignKeyField<K> + Clone,
    C::ObjectId: ObjectIdFor<P, P::Pk>,
    C::Targets: Admits<P>,
{
    /// The parent as the target of the through model's generic foreign key.
    fn target(&self) -> Target<C::ObjectId, C::Targets> {
        Target::to(self.parent)
    }

    /// `make(target)` with its generic foreign key pointed at this parent (whatever `make`
    /// did with the target it was given).
    fn describe(&self, make: impl FnOnce(Target<C::ObjectId, C::Targets>) -> C::New) -> C::New {
        let mut new = make(self.target());
        C::__set_new(&mut new, self.target());
        new
    }

    /// The lookup on `names` and on this parent's generic foreign key.
    fn lookup(&self, lookup: DescribedColumns) -> Result<DescribedColumns> {
        let link = Link::of::<P, C, K>()?;
        lookup.and::<C>(&[link.gfk.ct_column.as_ref(), link.gfk.fk_column.as_ref()])
    }

    /// Inserts a related row: `make` receives this parent as a [`Target`] and returns the
    /// new row, whose generic foreign key points at this parent. 1 statement (2 on MySQL).
    ///
    /// ```
    /// # include!("../../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// let item = article
    ///     .tags()
    ///     .create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
    /// assert_eq!(item.object_id, article.id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn create<'f, D: Db>(
        &'f self,
        db: &'f mut D,
        make: impl FnOnce(Target<C::ObjectId, C::Targets>) -> C::New,
    ) -> crate::Output<'f, D, Result<C>> {
        let new = self.describe(make);
        D::drive(self.create_op(db, new))
    }

    /// [`RelatedManager::create`] of the description `make` made (pointed at this parent).
    pub(crate) async fn create_op<D: Db>(&self, db: &mut D, new: C::New) -> Result<C> {
        let row = C::insert_op(db, new).await?;
        self.cache.clear_prefetched();
        Ok(row)
    }

    /// The related row described by `make(parent)`, or that row inserted (Django's
    /// `get_or_create`): `(row, created)`. The lookup is equality on every column of the
    /// description, this parent's generic foreign key included. 1 query when found; else a
    /// `SELECT` and the insert. Race-safe as [`Objects::get_or_create`] is.
    ///
    /// ```
    /// # include!("../../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// let tag = |content_object| NewTaggedItem { tag_id: rust.id, content_object };
    /// let (item, created) = article.tags().get_or_create(&mut conn, tag)?;
    /// assert!(created);
    /// assert_eq!(article.tags().get_or_create(&mut conn, tag)?, (item, false));
    /// # Ok(())
    /// # }
    /// ```
    pub fn get_or_create<'f, D: Db>(
        &'f self,
        db: &'f mut D,
        make: impl FnOnce(Target<C::ObjectId, C::Targets>) -> C::New,
    ) -> crate::Output<'f, D, Result<(C, bool)>>
    where
        C::New: Clone,
    {
        let new = self.describe(make);
        D::drive(self.get_or_create_op(db, new))
    }

    /// [`RelatedManager::get_or_create`] of the description `make` made.
    pub(crate) async fn get_or_create_op<D: Db>(&self, db: &mut D, new: C::New) -> Result<(C, bool)>
    where
        C::New: Clone,
    {
        let lookup = DescribedColumns::all::<C>();
        let result = create::get_or_create(db, &lookup, new).await;
        self.cache.clear_prefetched();
        result
    }

    /// [`RelatedManager::get_or_create`] looking up only `columns` (and this parent); the
    /// other columns of the description are Django's `defaults`, used only on create.
    pub fn get_or_create_by<'f, D: Db, L: LookupColumns<C::Table> + 'f>(
        &'f self,
        db: &'f mut D,
        columns: L,
        make: impl FnOnce(Target<C::ObjectId, C::Targets>) -> C::New,
    ) -> crate::Output<'f, D, Result<(C, bool)>>
    where
        C::New: Clone,
    {
        let _ = columns;
        let new = self.describe(make);
        D::drive(self.get_or_create_by_op::<D, L>(db, new))
    }

    /// [`RelatedManager::get_or_create_by`] of the description `make` made, looking up the
    /// columns `L` names.
    pub(crate) async fn get_or_create_by_op<D: Db, L: LookupColumns<C::Table>>(
        &self,
        db: &mut D,
        new: C::New,
    ) -> Result<(C, bool)>
    where
        C::New: Clone,
    {
        let lookup = self.lookup(DescribedColumns::of::<C>(&L::__names())?)?;
        let result = create::get_or_create(db, &lookup, new).await;
        self.cache.clear_prefetched();
        result
    }

    /// The related row whose `columns` match the description `make(parent)`, updated with
    /// the description's other columns (Django's `defaults`), or the description inserted
    /// (Django's `update_or_create`): `(row, created)`. Queries and race safety as
    /// [`Objects::update_or_create`].
    pub fn update_or_create<'f, D: Db, L: LookupColumns<C::Table> + 'f>(
        &'f self,
        db: &'f mut D,
        columns: L,
        make: impl FnOnce(Target<C::ObjectId, C::Targets>) -> C::New,
    ) -> crate::Output<'f, D, Result<(C, bool)>>
    where
        C::New: Clone,
    {
        self.update_or_create_with(db, columns, make, |_| {})
    }

    /// [`RelatedManager::update_or_create`] where a created row differs from an updated one
    /// (Django's `create_defaults`): `create_defaults` changes the description before it is
    /// inserted.
    pub fn update_or_create_with<'f, D: Db, L: LookupColumns<C::Table> + 'f>(
        &'f self,
        db: &'f mut D,
        columns: L,
        make: impl FnOnce(Target<C::ObjectId, C::Targets>) -> C::New,
        create_defaults: impl FnOnce(&mut C::New),
    ) -> crate::Output<'f, D, Result<(C, bool)>>
    where
        C::New: Clone,
    {
        let _ = columns;
        let new = self.describe(make);
        let mut create = new.clone();
        create_defaults(&mut create);
        D::drive(self.update_or_create_with_op::<D, L>(db, new, create))
    }

    /// [`RelatedManager::update_or_create_with`] of the description `new` (`make`'s) and the
    /// row to insert, `create` (`create_defaults` applied), looking up the columns `L` names.
    pub(crate) async fn update_or_create_with_op<D: Db, L: LookupColumns<C::Table>>(
        &self,
        db: &mut D,
        new: C::New,
        create: C::New,
    ) -> Result<(C, bool)>
    where
        C::New: Clone,
    {
        let lookup = self.lookup(DescribedColumns::of::<C>(&L::__names())?)?;
        let result =
            create::update_or_create(db, &lookup, &new, create, create::write_defaults(&new)).await;
        self.cache.clear_prefetched();
        result
    }

    /// The related row whose `columns` match the description `make(parent)`, changed by
    /// `update` and saved, or the description inserted: [`Objects::modify_or_create`] on
    /// this parent's rows (a counter's `value += 1`).
    pub fn modify_or_create<'f, D: Db, L: LookupColumns<C::Table> + 'f>(
        &'f self,
        db: &'f mut D,
        columns: L,
        make: impl FnOnce(Target<C::ObjectId, C::Targets>) -> C::New,
        update: impl FnMut(&mut C) + Send + 'f,
    ) -> crate::Output<'f, D, Result<(C, bool)>>
    where
        C::New: Clone,
    {
        let _ = columns;
        let new = self.describe(make);
        D::drive(self.modify_or_create_op::<D, L>(db, new, update))
    }

    /// [`RelatedManager::modify_or_create`] of the description `new` (`make`'s), looking up
    /// the columns `L` names.
    pub(crate) async fn modify_or_create_op<D: Db, L: LookupColumns<C::Table>>(
        &self,
        db: &mut D,
        new: C::New,
        mut update: impl FnMut(&mut C) + Send,
    ) -> Result<(C, bool)>
    where
        C::New: Clone,
    {
        let lookup = self.lookup(DescribedColumns::of::<C>(&L::__names())?)?;
        let result = create::update_or_create(db, &lookup, &new, new.clone(), |row| {
            update(row);
            Ok(())
        })
        .await;
        self.cache.clear_prefetched();
        result
    }
}
