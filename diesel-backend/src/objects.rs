//! [`Objects`]: what every model can do with its rows (Django's `Model.objects`): insert,
//! get, save, delete with the generic cascade. Implemented for every [`Model`]; bring it into
//! scope with `use contenttypes::prelude::*`.
//!
//! Diesel's own query builder works on models too: `#[derive(Model)]` generates the
//! `table!` schema and `Queryable`, `Selectable`, `Insertable`, `Identifiable` and
//! `AsChangeset` impls. These methods add what Diesel does not know about: database-generated
//! keys read back on every backend, and generic cascades on delete.

use std::future::Future;

use contenttypes_core::keys::{Key, PkValue};
use diesel::expression::{AppearsOnTable, Expression};

use crate::conn::Conn;
use crate::create::{self, DescribedColumns, LookupColumns};
use crate::db::Db;
use crate::delete::{self, Deleted};
use crate::error::{Error, Result};
use crate::field::{Scalar, Value};
use crate::filtered::Filtered;
use crate::insert;
use crate::model::{Loaded, Model, NewModel};
use crate::query::{
    key_chunks, Col, Cond, Count, KeyOrder, NoFilter, Save, Select, FRAMEWORK_BINDS,
};

/// Row operations of a model. Query counts are in each method's documentation. Each
/// operation gives its result on a sync connection and a `Send` future of it on an async
/// one ([`crate::Output`]): the results named below are what it resolves to there.
pub trait Objects: Model {
    /// Inserts a row and returns it with its key. 1 statement (2 on MySQL/MariaDB, where the
    /// key is read with `LAST_INSERT_ID()`).
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let tag = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// assert!(tag.id > 0);
    /// assert_eq!(Tag::get(&mut conn, &tag.id)?, Some(tag));
    /// # Ok(())
    /// # }
    /// ```
    fn insert<'a, D: Db>(db: &'a mut D, new: Self::New) -> crate::Output<'a, D, Result<Self>> {
        D::drive(Self::insert_op(db, new))
    }

    #[doc(hidden)]
    fn insert_op<'a, D: Db>(
        db: &'a mut D,
        new: Self::New,
    ) -> impl Future<Output = Result<Self>> + Send + 'a {
        async move {
            Self::insert_many_op(db, vec![new])
                .await?
                .pop()
                .ok_or(Error::Database(diesel::result::Error::NotFound))
        }
    }

    /// Inserts rows and returns them with their keys, in the order given, all or none: one
    /// `INSERT ... RETURNING` per parameter cap's worth of rows (SQLite 32,766 parameters,
    /// PostgreSQL 65,535), in one transaction when there is more than one. On MySQL/MariaDB,
    /// which have no usable `RETURNING`: multi-row `INSERT`s and one `LAST_INSERT_ID()` after
    /// each when the server gives a statement consecutive keys (`innodb_autoinc_lock_mode` 0
    /// or 1, MariaDB's default), else one `INSERT` and one `LAST_INSERT_ID()` per row; in a
    /// transaction (and one `SELECT` of the rows when the model has `auto_now` or
    /// `auto_now_add` columns, which the database fills).
    fn insert_many<'a, D: Db>(
        db: &'a mut D,
        new: Vec<Self::New>,
    ) -> crate::Output<'a, D, Result<Vec<Self>>> {
        D::drive(Self::insert_many_op(db, new))
    }

    #[doc(hidden)]
    fn insert_many_op<'a, D: Db>(
        db: &'a mut D,
        new: Vec<Self::New>,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send + 'a {
        insert::insert_many::<Self, D>(db, new)
    }

    /// Inserts rows without reading them back, all or none (Django's `bulk_create`): one
    /// statement per parameter cap's worth of rows (SQLite 32,766, elsewhere 65,535), in
    /// one transaction when there is more than one. Returns how many rows were inserted.
    fn bulk_insert<'a, D: Db>(
        db: &'a mut D,
        new: &'a [Self::New],
    ) -> crate::Output<'a, D, Result<usize>> {
        D::drive(Self::bulk_insert_op(db, new))
    }

    #[doc(hidden)]
    fn bulk_insert_op<'a, D: Db>(
        db: &'a mut D,
        new: &'a [Self::New],
    ) -> impl Future<Output = Result<usize>> + Send + 'a {
        insert::bulk_insert::<Self, D>(db, new, false)
    }

    /// [`Objects::bulk_insert`], skipping the rows that would break a unique constraint
    /// (Django's `bulk_create(ignore_conflicts=True)`): `ON CONFLICT DO NOTHING`, or
    /// `INSERT IGNORE` on MySQL. Returns how many rows were inserted. On MySQL `INSERT IGNORE`
    /// also turns some other errors (a value too long, say) into warnings, as Django's does.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// let new = [NewTag { name: "rust".into() }, NewTag { name: "go".into() }];
    /// assert_eq!(Tag::bulk_insert_ignoring_conflicts(&mut conn, &new)?, 1);
    /// assert_eq!(Tag::count(&mut conn)?, 2);
    /// # Ok(())
    /// # }
    /// ```
    fn bulk_insert_ignoring_conflicts<'a, D: Db>(
        db: &'a mut D,
        new: &'a [Self::New],
    ) -> crate::Output<'a, D, Result<usize>> {
        D::drive(Self::bulk_insert_ignoring_conflicts_op(db, new))
    }

    #[doc(hidden)]
    fn bulk_insert_ignoring_conflicts_op<'a, D: Db>(
        db: &'a mut D,
        new: &'a [Self::New],
    ) -> impl Future<Output = Result<usize>> + Send + 'a {
        insert::bulk_insert::<Self, D>(db, new, true)
    }

    /// The row described by `new`, or `new` inserted (Django's `get_or_create`):
    /// `(row, created)`. The lookup is equality on every column of `new` (a `None` matches
    /// NULL), so the row found is the row that would be created. 1 query when found; else a
    /// `SELECT` and the insert (1 statement, 2 on MySQL). Race-safe: when a concurrent caller
    /// inserts the row first (a unique violation), that row is read back with a locking read
    /// and returned, so concurrent callers all get one row, given a unique constraint over
    /// the lookup's columns. When several rows match, the first by key is returned (Django
    /// raises `MultipleObjectsReturned`).
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let (rust, created) = Tag::get_or_create(&mut conn, NewTag { name: "rust".into() })?;
    /// assert!(created);
    /// let (again, created) = Tag::get_or_create(&mut conn, NewTag { name: "rust".into() })?;
    /// assert_eq!((again, created), (rust, false));
    /// # Ok(())
    /// # }
    /// ```
    fn get_or_create<'a, D: Db>(
        db: &'a mut D,
        new: Self::New,
    ) -> crate::Output<'a, D, Result<(Self, bool)>>
    where
        Self::New: Clone,
    {
        D::drive(Self::get_or_create_op(db, new))
    }

    #[doc(hidden)]
    fn get_or_create_op<'a, D: Db>(
        db: &'a mut D,
        new: Self::New,
    ) -> impl Future<Output = Result<(Self, bool)>> + Send + 'a
    where
        Self::New: Clone,
    {
        async move { create::get_or_create(db, &DescribedColumns::all::<Self>(), new).await }
    }

    /// [`Objects::get_or_create`] looking up only the `columns` of `new` (a tuple of
    /// columns of the model's table); its other columns are Django's `defaults`, used only
    /// when the row is created. Same queries.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// let new = NewArticle { title: "Hi".into() };
    /// let (found, created) = Article::get_or_create_by(&mut conn, (blog_article::title,), new)?;
    /// assert_eq!((found.id, created), (article.id, false));
    /// # Ok(())
    /// # }
    /// ```
    fn get_or_create_by<'a, D: Db, L: LookupColumns<Self::Table>>(
        db: &'a mut D,
        columns: L,
        new: Self::New,
    ) -> crate::Output<'a, D, Result<(Self, bool)>>
    where
        Self::New: Clone,
    {
        D::drive(Self::get_or_create_by_op(db, columns, new))
    }

    #[doc(hidden)]
    fn get_or_create_by_op<'a, D: Db, L: LookupColumns<Self::Table>>(
        db: &'a mut D,
        columns: L,
        new: Self::New,
    ) -> impl Future<Output = Result<(Self, bool)>> + Send + 'a
    where
        Self::New: Clone,
    {
        let _ = columns;
        let lookup = DescribedColumns::of::<Self>(&L::__names());
        async move { create::get_or_create(db, &lookup?, new).await }
    }

    /// The row whose `columns` (a tuple of columns of the model's table) have `new`'s
    /// values, updated with `new`'s other columns (Django's `defaults`), or `new` inserted
    /// (Django's `update_or_create`): `(row, created)`. In one transaction: a locking read
    /// (`SELECT ... FOR UPDATE`), then one `UPDATE` or the insert (in a savepoint). Race-safe:
    /// no concurrent update is lost, and when a concurrent caller inserts the row first (a
    /// unique violation) that row is locked and updated instead. A deadlock or serialization
    /// failure reruns the transaction a bounded number of times, except inside your own
    /// transaction, where it is returned ([`Error::is_retryable`]).
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let old = NewBook { isbn: "978-0".into(), title: "Draft".into() };
    /// let (draft, created) = Book::update_or_create(&mut conn, (books::isbn,), old)?;
    /// assert!(created);
    /// let new = NewBook { isbn: "978-0".into(), title: "Final".into() };
    /// let (book, created) = Book::update_or_create(&mut conn, (books::isbn,), new)?;
    /// assert_eq!((book.id, book.title.as_str(), created), (draft.id, "Final", false));
    /// # Ok(())
    /// # }
    /// ```
    fn update_or_create<'a, D: Db, L: LookupColumns<Self::Table>>(
        db: &'a mut D,
        columns: L,
        new: Self::New,
    ) -> crate::Output<'a, D, Result<(Self, bool)>>
    where
        Self::New: Clone,
    {
        D::drive(Self::update_or_create_op(db, columns, new))
    }

    #[doc(hidden)]
    fn update_or_create_op<'a, D: Db, L: LookupColumns<Self::Table>>(
        db: &'a mut D,
        columns: L,
        new: Self::New,
    ) -> impl Future<Output = Result<(Self, bool)>> + Send + 'a
    where
        Self::New: Clone,
    {
        Self::update_or_create_with_op(db, columns, new, |_| {})
    }

    /// [`Objects::update_or_create`] where a created row differs from an updated one
    /// (Django's `create_defaults`): `create_defaults` changes `new` before it is inserted;
    /// an update writes `new` as given. Same queries.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let new = || NewBook { isbn: "978-1".into(), title: "Updated".into() };
    /// let first = |b: &mut NewBook| b.title = "Created".into();
    /// let (book, _) = Book::update_or_create_with(&mut conn, (books::isbn,), new(), first)?;
    /// assert_eq!(book.title, "Created");
    /// let (book, _) = Book::update_or_create_with(&mut conn, (books::isbn,), new(), first)?;
    /// assert_eq!(book.title, "Updated");
    /// # Ok(())
    /// # }
    /// ```
    fn update_or_create_with<'a, D: Db, L: LookupColumns<Self::Table>>(
        db: &'a mut D,
        columns: L,
        new: Self::New,
        create_defaults: impl FnOnce(&mut Self::New),
    ) -> crate::Output<'a, D, Result<(Self, bool)>>
    where
        Self::New: Clone,
    {
        D::drive(Self::update_or_create_with_op(
            db,
            columns,
            new,
            create_defaults,
        ))
    }

    #[doc(hidden)]
    fn update_or_create_with_op<'a, D: Db, L: LookupColumns<Self::Table>>(
        db: &'a mut D,
        columns: L,
        new: Self::New,
        create_defaults: impl FnOnce(&mut Self::New),
    ) -> impl Future<Output = Result<(Self, bool)>> + Send + 'a
    where
        Self::New: Clone,
    {
        let _ = columns;
        // Pure, so done before the future is returned: `create_defaults` need not be `Send`.
        let prepared = DescribedColumns::of::<Self>(&L::__names()).map(|lookup| {
            let mut create = new.clone();
            create_defaults(&mut create);
            (lookup, create)
        });
        async move {
            let (lookup, create) = prepared?;
            create::update_or_create(db, &lookup, &new, create, create::write_defaults(&new)).await
        }
    }

    /// The row whose `columns` have `new`'s values, changed by `update` and saved, or `new`
    /// inserted: [`Objects::update_or_create`] where the change depends on the row (a
    /// counter's `value += 1`). `update` runs on the row read with the lock held, so no
    /// concurrent change is lost; it may run again when the transaction is retried. Same
    /// queries.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let new = || NewBook { isbn: "978-2".into(), title: "v1".into() };
    /// let bump = |b: &mut Book| b.title.push('+');
    /// Book::modify_or_create(&mut conn, (books::isbn,), new(), bump)?;
    /// let (book, created) = Book::modify_or_create(&mut conn, (books::isbn,), new(), bump)?;
    /// assert_eq!((book.title.as_str(), created), ("v1+", false));
    /// # Ok(())
    /// # }
    /// ```
    fn modify_or_create<'a, D: Db, L: LookupColumns<Self::Table>>(
        db: &'a mut D,
        columns: L,
        new: Self::New,
        update: impl FnMut(&mut Self) + Send + 'a,
    ) -> crate::Output<'a, D, Result<(Self, bool)>>
    where
        Self::New: Clone,
    {
        D::drive(Self::modify_or_create_op(db, columns, new, update))
    }

    #[doc(hidden)]
    fn modify_or_create_op<'a, D: Db, L: LookupColumns<Self::Table>>(
        db: &'a mut D,
        columns: L,
        new: Self::New,
        mut update: impl FnMut(&mut Self) + Send + 'a,
    ) -> impl Future<Output = Result<(Self, bool)>> + Send + 'a
    where
        Self::New: Clone,
    {
        let _ = columns;
        let lookup = DescribedColumns::of::<Self>(&L::__names());
        async move {
            let lookup = lookup?;
            let create = new.clone();
            create::update_or_create(db, &lookup, &new, create, |row: &mut Self| {
                update(row);
                Ok(())
            })
            .await
        }
    }

    /// A model value for a row that is not in the database, built from its insert struct
    /// and a key, without listing the caches (generic foreign keys, generic relations,
    /// skipped fields start empty or `Default`), as Django's `Model(...)` is. A
    /// [`Target::to`](crate::Target::to) is resolved to its content type id: 0 queries once
    /// cached. Nothing is written; `insert` writes a row.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// let item = TaggedItem::unsaved(
    ///     &mut conn,
    ///     0,
    ///     NewTaggedItem { tag_id: 1, content_object: Target::to(&article) },
    /// )?;
    /// assert_eq!((item.id, item.object_id), (0, article.id));
    /// assert_eq!(TaggedItem::count(&mut conn)?, 0);
    /// # Ok(())
    /// # }
    /// ```
    fn unsaved<'a, D: Db>(
        db: &'a mut D,
        pk: Self::Pk,
        new: Self::New,
    ) -> crate::Output<'a, D, Result<Self>> {
        D::drive(Self::unsaved_op(db, pk, new))
    }

    #[doc(hidden)]
    fn unsaved_op<'a, D: Db>(
        db: &'a mut D,
        pk: Self::Pk,
        new: Self::New,
    ) -> impl Future<Output = Result<Self>> + Send + 'a {
        async move {
            new.__resolve_targets(db).await?;
            new.__into_model(pk)
        }
    }

    /// The row with this key, or `None`. 1 query.
    fn get<'a, D: Db>(
        db: &'a mut D,
        pk: &'a Self::Pk,
    ) -> crate::Output<'a, D, Result<Option<Self>>> {
        D::drive(Self::get_op(db, pk))
    }

    #[doc(hidden)]
    fn get_op<'a, D: Db>(
        db: &'a mut D,
        pk: &'a Self::Pk,
    ) -> impl Future<Output = Result<Option<Self>>> + Send + 'a {
        async move { Ok(Self::get_many_op(db, std::slice::from_ref(pk)).await?.pop()) }
    }

    /// The rows with these keys, ordered by key; missing keys are skipped. One query on
    /// PostgreSQL (the keys are one array parameter), elsewhere one per
    /// [`max_keys`](crate::query::max_keys) keys.
    fn get_many<'a, D: Db>(
        db: &'a mut D,
        pks: &'a [Self::Pk],
    ) -> crate::Output<'a, D, Result<Vec<Self>>> {
        D::drive(Self::get_many_op(db, pks))
    }

    #[doc(hidden)]
    fn get_many_op<'a, D: Db>(
        db: &'a mut D,
        pks: &'a [Self::Pk],
    ) -> impl Future<Output = Result<Vec<Self>>> + Send + 'a {
        async move {
            let keys: Vec<PkValue> = pks.iter().map(Key::to_pk_value).collect();
            select_by_keys::<Self, _>(db.connection_for_read(), &keys, KeyOrder::Always).await
        }
    }

    /// Every row, ordered by key. 1 query.
    fn all<D: Db>(db: &mut D) -> crate::Output<'_, D, Result<Vec<Self>>> {
        D::drive(Self::all_op(db))
    }

    #[doc(hidden)]
    fn all_op<D: Db>(db: &mut D) -> impl Future<Output = Result<Vec<Self>>> + Send + '_ {
        async move {
            let rows: Vec<Loaded<Self>> = db
                .connection_for_read()
                .load_rows(Select::new(Self::DEF, Cond::True))
                .await?;
            Ok(rows.into_iter().map(|r| r.0).collect())
        }
    }

    /// The rows matching a Diesel expression on the model's table, as a query to load,
    /// count or delete (Django's `Model.objects.filter`). Relation descriptors are such
    /// expressions: `Article::filter(Article::TAGS.any(...))`.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// use diesel::prelude::*;
    /// Tag::insert_many(&mut conn, vec![NewTag { name: "rust".into() }, NewTag { name: "go".into() }])?;
    /// let rust = Tag::filter(tagging_tag::name.eq("rust")).load(&mut conn)?;
    /// assert_eq!(rust.len(), 1);
    /// assert_eq!(Tag::filter(tagging_tag::name.ne("rust")).count(&mut conn)?, 1);
    /// # Ok(())
    /// # }
    /// ```
    fn filter<E>(expression: E) -> Filtered<Self, E>
    where
        E: Expression + AppearsOnTable<Self::Table>,
    {
        Filtered::new(expression)
    }

    /// How many rows there are. 1 query.
    fn count<D: Db>(db: &mut D) -> crate::Output<'_, D, Result<i64>> {
        D::drive(Self::count_op(db))
    }

    #[doc(hidden)]
    fn count_op<D: Db>(db: &mut D) -> impl Future<Output = Result<i64>> + Send + '_ {
        async move {
            let query = Count {
                table: Self::DEF.table.name.as_ref(),
                cond: Cond::True,
                extra: NoFilter,
            };
            let conn = db.connection_for_read();
            Ok(crate::conn::first(conn.load_rows::<_, Scalar<i64>>(query).await)?.0)
        }
    }

    /// Writes every column of this saved row. 1 statement.
    fn save<'a, D: Db>(&'a self, db: &'a mut D) -> crate::Output<'a, D, Result<()>> {
        D::drive(self.save_op(db))
    }

    #[doc(hidden)]
    fn save_op<'a, D: Db>(&'a self, db: &'a mut D) -> impl Future<Output = Result<()>> + Send + 'a {
        async move {
            match db
                .connection()
                .execute_statement(Save { row: self })
                .await?
            {
                0 => Err(Error::ObjectNotFound {
                    model: Self::DEF.label(),
                    pk: self.pk().to_pk_value(),
                }),
                _ => Ok(()),
            }
        }
    }

    /// The row as it is now in the database, with no cached relations (Django's
    /// `refresh_from_db`). 1 query.
    fn refresh<'a, D: Db>(&'a self, db: &'a mut D) -> crate::Output<'a, D, Result<Self>> {
        D::drive(self.refresh_op(db))
    }

    #[doc(hidden)]
    fn refresh_op<'a, D: Db>(
        &'a self,
        db: &'a mut D,
    ) -> impl Future<Output = Result<Self>> + Send + 'a {
        async move {
            Self::get_op(db, self.pk())
                .await?
                .ok_or_else(|| Error::ObjectNotFound {
                    model: Self::DEF.label(),
                    pk: self.pk().to_pk_value(),
                })
        }
    }

    /// Deletes this row and what cascades from it, in one transaction, and says what went
    /// (Django's `(total, per model)`). See [`Objects::delete_many`].
    fn delete<'a, D: Db>(&'a self, db: &'a mut D) -> crate::Output<'a, D, Result<Deleted>> {
        D::drive(self.delete_op(db))
    }

    #[doc(hidden)]
    fn delete_op<'a, D: Db>(
        &'a self,
        db: &'a mut D,
    ) -> impl Future<Output = Result<Deleted>> + Send + 'a {
        Self::delete_many_op(db, std::slice::from_ref(self.pk()))
    }

    /// Deletes the rows with these keys and, first, what cascades from them, in one
    /// transaction: the rows of every generic foreign key that can point at them, whether or
    /// not the model declares a generic relation, and the rows whose foreign keys point at
    /// them, as their `on_delete` says (`cascade`; `set_null` sets them to NULL; `restrict`
    /// refuses with [`Error::Protected`] before anything is deleted; a generic relation's
    /// own `on_delete` wins for its model). The framework does this itself, set-based, so it
    /// holds on a schema whose foreign keys have no `ON DELETE` (a Django project's) too.
    /// Statements: one per generic foreign key and foreign key acted on (a `SELECT` of keys
    /// instead of a `DELETE` when the related model has cascades of its own, then the same for
    /// those rows), then one `DELETE` of the rows, per [`max_keys`](crate::query::max_keys)
    /// keys.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let rust = Tag::insert(&mut conn, NewTag { name: "rust".into() })?;
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// article.tags().create(&mut conn, |content_object| NewTaggedItem { tag_id: rust.id, content_object })?;
    /// // TaggedItem.tag_id is `on_delete = cascade`: the tag's items go with it.
    /// let deleted = Tag::delete_many(&mut conn, &[rust.id])?;
    /// assert_eq!((deleted.of::<Tag>(), deleted.of::<TaggedItem>()), (1, 1));
    /// # Ok(())
    /// # }
    /// ```
    fn delete_many<'a, D: Db>(
        db: &'a mut D,
        pks: &'a [Self::Pk],
    ) -> crate::Output<'a, D, Result<Deleted>> {
        D::drive(Self::delete_many_op(db, pks))
    }

    #[doc(hidden)]
    fn delete_many_op<'a, D: Db>(
        db: &'a mut D,
        pks: &'a [Self::Pk],
    ) -> impl Future<Output = Result<Deleted>> + Send + 'a {
        async move {
            let keys: Vec<PkValue> = pks.iter().map(Key::to_pk_value).collect();
            delete::delete_by_keys(db, Self::DEF, &keys).await
        }
    }
}

impl<T: Model> Objects for T {}

/// The rows of `T` with these keys, ordered by key, read on `conn` (the connection for a
/// read, or the primary when the rows are read back after a write).
pub(crate) async fn select_by_keys<T: Model, C: Conn>(
    conn: &mut C,
    keys: &[PkValue],
    order: KeyOrder,
) -> Result<Vec<T>> {
    let pk = T::DEF.primary_key().ok_or_else(|| Error::NotRegistered {
        model: T::DEF.label(),
    })?;
    let values: Vec<Value> = keys
        .iter()
        .filter_map(|k| Value::from_key(pk.sql_type, k))
        .collect();
    let mut out = Vec::with_capacity(values.len());
    for chunk in key_chunks::<C::Backend>(&values, FRAMEWORK_BINDS) {
        let mut query = Select::new(
            T::DEF,
            Cond::In(Col::of(T::DEF, pk.name.as_ref()), chunk.to_vec()),
        );
        query.order_by_pk = order;
        let rows: Vec<Loaded<T>> = conn.load_rows(query).await?;
        out.extend(rows.into_iter().map(|r| r.0));
    }
    Ok(out)
}
