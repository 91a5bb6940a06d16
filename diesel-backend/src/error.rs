//! The library's one error type.

use std::fmt;

use contenttypes_core::keys::PkValue;
use contenttypes_core::registry::RegistryError;

/// Rows of one model that refuse a delete through one field: a foreign key or a generic
/// foreign key that is `on_delete = restrict` for the model deleted ([`Error::Protected`]
/// lists one per such field).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProtectedRows {
    /// Their model, by Django's label (`app_label.Model`).
    pub model: String,
    /// The foreign key or generic foreign key field that refers.
    pub field: String,
    /// Their primary keys.
    pub keys: Vec<PkValue>,
}

/// Everything that can go wrong in the framework. Each variant's message says what to do.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The database refused a statement or a connection failed.
    Database(diesel::result::Error),
    /// The model registry could not be built (two models with one natural key).
    Registry(RegistryError),
    /// The model is not in the registry the content types manager uses.
    NotRegistered { model: String },
    /// No content type has this id in this database.
    UnknownContentTypeId { id: i32 },
    /// No content type has this natural key in this database.
    UnknownContentType { app_label: String, model: String },
    /// The content type exists but no registered model matches it (Django's "stale" type).
    StaleContentType { app_label: String, model: String },
    /// An object is not of the model it was expected to be.
    WrongType { expected: String, found: String },
    /// An object that has not been saved was used where a saved one is needed.
    Unsaved {
        model: String,
        operation: &'static str,
    },
    /// A delete was refused: rows still refer to rows being deleted, through foreign keys or
    /// generic foreign keys that are `on_delete = restrict` for them (Django's
    /// `ProtectedError` / `RestrictedError`). Every such field is checked before anything is
    /// deleted, and each one that refused is listed with the keys of its rows. Nothing was
    /// deleted.
    ///
    /// ```
    /// # include!("../../src/doctest_setup.rs");
    /// use contenttypes::Error;
    ///
    /// /// A pin on a row of any model: a pinned row cannot be deleted.
    /// #[derive(Model, Clone, Debug, PartialEq)]
    /// #[model(app_label = "boards")]
    /// pub struct Pin {
    ///     pub id: i64,
    ///     pub content_type_id: i32,
    ///     pub object_id: i64,
    ///     #[generic_foreign_key(on_delete = restrict)]
    ///     pub subject: GenericForeignKey,
    /// }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = connection();
    /// let article = Article::insert(&mut conn, NewArticle { title: "Hi".into() })?;
    /// let pin = Pin::insert(&mut conn, NewPin { subject: Target::to(&article) })?;
    /// let Err(Error::Protected { model, dependents }) = article.delete(&mut conn) else {
    ///     panic!("a pinned article is not deleted");
    /// };
    /// assert_eq!(model, "blog.Article");
    /// assert_eq!((dependents[0].model.as_str(), dependents[0].field.as_str()), ("boards.Pin", "subject"));
    /// assert_eq!(dependents[0].keys, [pin.id.into()]);
    /// assert!(Article::get(&mut conn, &article.id)?.is_some()); // nothing was deleted
    /// pin.delete(&mut conn)?;
    /// assert_eq!(article.delete(&mut conn)?.total, 1);
    /// # Ok(())
    /// # }
    /// ```
    Protected {
        /// The model whose rows could not be deleted, by Django's label (`app_label.Model`).
        model: String,
        /// Every field that refused, with the keys of its rows that still refer.
        dependents: Vec<ProtectedRows>,
    },
    /// No row of this model has this primary key.
    ObjectNotFound { model: String, pk: PkValue },
    /// No row of this model matches the lookup (Django's `DoesNotExist`).
    DoesNotExist { model: String, lookup: String },
    /// More than one row of this model matches a lookup that should find one (Django's
    /// `MultipleObjectsReturned`).
    MultipleObjectsReturned { model: String, lookup: String },
    /// A key cannot be converted to the type a column or model needs.
    InvalidKey { model: String, key: PkValue },
    /// A value given to a prefetch or a query builder is not valid.
    InvalidArgument(String),
    /// An invariant of the framework itself does not hold: a bug in contenttypes, never
    /// the caller's mistake. Please report it with the message.
    Internal(String),
    /// A generic foreign key was read without prefetching while strict loading is on.
    LazyLoad { model: String, field: String },
    /// The through model of a generic many-to-many relation cannot serve it (no foreign key
    /// to the relation's model, several, or no unique constraint over the link's columns).
    ManyToManyThrough {
        /// The model that declares the `GenericManyToMany` field.
        model: String,
        /// The through model.
        through: String,
        /// What is wrong and what to do.
        problem: String,
    },
    /// No database of this name was added to the `Databases`
    /// (feature `r2d2`).
    UnknownDatabase { name: String },
    /// A connection pool of a database gave no connection (it timed out, or the server is
    /// unreachable); `source` is the pool's error (feature `r2d2`).
    Pool {
        /// The database's name, and which of its pools (`primary`, `replica 0`...).
        database: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A migration could not be read or run; `source` is Diesel's error.
    Migration {
        /// What was being done (`reading migrations/sqlite`, `running pending migrations`).
        context: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Database(e) => write!(f, "database error: {e}"),
            Error::Registry(e) => write!(f, "{e}"),
            Error::NotRegistered { model } => write!(
                f,
                "`{model}` is not a registered model; add `#[derive(Model)]` to it, and make sure the crate \
                 that defines it is linked (`use that_crate as _;`) or that an explicit registry lists it"
            ),
            Error::UnknownContentTypeId { id } => write!(
                f,
                "no content type has the id {id} in this database; the id may come from another database, or the \
                 row was deleted (content type ids differ between databases)"
            ),
            Error::UnknownContentType { app_label, model } => write!(
                f,
                "no content type `{app_label}.{model}` in this database; run `create_content_types` after migrating, \
                 or use `ContentType::for_model`, which creates it"
            ),
            Error::StaleContentType { app_label, model } => write!(
                f,
                "the content type `{app_label}.{model}` is stale: no registered model has that name; it may have \
                 been renamed (declare `renamed_from`) or removed"
            ),
            Error::WrongType { expected, found } => {
                write!(f, "expected an object of `{expected}`, found one of `{found}`")
            }
            Error::Unsaved { model, operation } => write!(
                f,
                "{operation} needs a saved `{model}`, but this one has no primary key yet; insert it first"
            ),
            Error::Protected { model, dependents } => {
                write!(f, "cannot delete `{model}` rows: ")?;
                for (i, d) in dependents.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    write!(f, "{sep}{} row(s) of `{}` refer to them through `{}` (", d.keys.len(), d.model, d.field)?;
                    for (j, key) in d.keys.iter().take(10).enumerate() {
                        write!(f, "{}{key}", if j == 0 { "" } else { ", " })?;
                    }
                    if d.keys.len() > 10 {
                        write!(f, ", ...")?;
                    }
                    write!(f, ")")?;
                }
                write!(f, " (`on_delete = restrict`); delete or repoint those rows first")
            }
            Error::ObjectNotFound { model, pk } => write!(f, "no `{model}` has the primary key {pk}"),
            Error::DoesNotExist { model, lookup } => write!(f, "no `{model}` matches {lookup}"),
            Error::MultipleObjectsReturned { model, lookup } => write!(
                f,
                "more than one `{model}` matches {lookup}; narrow the lookup, or get them all"
            ),
            Error::InvalidKey { model, key } => {
                write!(f, "`{key}` is not a valid primary key for `{model}`")
            }
            Error::InvalidArgument(message) => f.write_str(message),
            Error::Internal(message) => write!(
                f,
                "internal error in contenttypes (a bug; please report it): {message}"
            ),
            Error::LazyLoad { model, field } => write!(
                f,
                "`{model}.{field}` was loaded lazily while strict loading is on; prefetch it first"
            ),
            Error::UnknownDatabase { name } => write!(
                f,
                "no database is named `{name}`; add it with `Databases::add` (names are case-sensitive)"
            ),
            Error::Pool { database, source } => write!(
                f,
                "no connection from the pool of `{database}`: {source}; check that its server is up, or \
                 raise the pool's size or connection timeout"
            ),
            Error::Migration { context, source } => write!(f, "{context}: {source}"),
            Error::ManyToManyThrough {
                model,
                through,
                problem,
            } => write!(
                f,
                "`{through}` cannot be the through model of `{model}`'s generic many-to-many relation: {problem}"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Database(e) => Some(e),
            Error::Registry(e) => Some(e),
            Error::Migration { source, .. } | Error::Pool { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        Error::Database(e)
    }
}

impl From<RegistryError> for Error {
    fn from(e: RegistryError) -> Self {
        Error::Registry(e)
    }
}

impl Error {
    /// Whether the database refused the statement because of a unique constraint.
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            Error::Database(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }

    /// Whether the database aborted the statement (and, on PostgreSQL and MySQL, the whole
    /// transaction) for a reason that goes away when the transaction is run again: a deadlock,
    /// a serialization failure, a lock wait that timed out, or SQLite's "database is locked"
    /// after its busy timeout. The framework retries its own transactions on these; inside
    /// your transaction it returns them, and you retry yours.
    ///
    /// ```
    /// # use contenttypes::Error;
    /// use diesel::result::{DatabaseErrorKind, Error as DieselError};
    /// let deadlock = Error::Database(DieselError::DatabaseError(
    ///     DatabaseErrorKind::SerializationFailure,
    ///     Box::new("Deadlock found when trying to get lock".to_string()),
    /// ));
    /// assert!(deadlock.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error as DieselError};
        match self {
            Error::Database(DieselError::DatabaseError(
                DatabaseErrorKind::SerializationFailure,
                _,
            )) => true,
            Error::Database(DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)) => {
                is_retryable_message(info.message())
            }
            _ => false,
        }
    }
}

/// The messages of retryable errors Diesel reports as `Unknown`: PostgreSQL's deadlock
/// (SQLSTATE 40P01) and lock timeout (55P03), MySQL's lock wait timeout (1205), SQLite's busy
/// and locked results.
fn is_retryable_message(message: &str) -> bool {
    const MESSAGES: [&str; 6] = [
        "deadlock detected",
        "could not obtain lock",
        "lock wait timeout exceeded",
        "deadlock found",
        "database is locked",
        "database table is locked",
    ];
    let message = message.to_ascii_lowercase();
    MESSAGES.iter().any(|m| message.contains(m))
}
