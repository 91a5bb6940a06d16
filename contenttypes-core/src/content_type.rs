//! The content-type table, exactly as Django stores it, so a database shared with a Django
//! project reads and writes the same rows.

use std::borrow::Cow;

use crate::ir::{ColumnDef, IndexDef, ModelDef, SqlType, TableDef};

/// `django_content_type`.
pub const TABLE: &str = "django_content_type";

/// Django's name for the `(app_label, model)` unique constraint, the same on every backend.
pub const UNIQUE_CONSTRAINT: &str = "django_content_type_app_label_model_76bd3d3b_uniq";

/// The app label of the content-type model itself.
pub const APP_LABEL: &str = "contenttypes";

/// The one description of `django_content_type`'s columns, the key first: this crate's IR
/// and the Diesel backend's `table!` are both expanded from it (`$then! { id: Integer, ... }`),
/// so the table is written down once.
#[doc(hidden)]
#[macro_export]
macro_rules! __django_content_type_columns {
    ($then:ident) => {
        $then! {
            id: Integer,
            app_label: Varchar(100),
            model: Varchar(100),
        }
    };
}

/// The IR columns of the description above.
macro_rules! ir_columns {
    ($key:ident: $key_ty:ident, $($name:ident: $ty:ident $(($n:literal))?,)*) => {
        &[
            column(stringify!($key), SqlType::$key_ty, true),
            $(column(stringify!($name), SqlType::$ty $(($n))?, false),)*
        ]
    };
}

const fn column(name: &'static str, sql_type: SqlType, primary_key: bool) -> ColumnDef {
    ColumnDef {
        name: Cow::Borrowed(name),
        field: Cow::Borrowed(name),
        sql_type,
        nullable: false,
        primary_key,
        auto_increment: primary_key,
        unique: false,
        indexed: false,
        default: None,
        foreign_key: None,
        renamed_from: None,
        db_type: None,
        index_name: None,
    }
}

/// The IR of `contenttypes.contenttype`.
pub const DEF: &ModelDef = &MODEL;

/// The IR of `contenttypes.contenttype`: `id` (auto integer), `app_label` and `model`
/// (`varchar(100)`), UNIQUE(`app_label`, `model`). Django's 32-bit `AutoField` id. A static,
/// so it has one address.
pub static MODEL: ModelDef = ModelDef {
    app_label: Cow::Borrowed(APP_LABEL),
    model_name: Cow::Borrowed("contenttype"),
    type_name: Cow::Borrowed("ContentType"),
    verbose_name: Cow::Borrowed("content type"),
    table: TableDef {
        name: Cow::Borrowed(TABLE),
        columns: Cow::Borrowed(__django_content_type_columns!(ir_columns)),
        primary_key: Cow::Borrowed("id"),
        indexes: Cow::Borrowed(&[IndexDef {
            name: Cow::Borrowed(UNIQUE_CONSTRAINT),
            columns: Cow::Borrowed(&[Cow::Borrowed("app_label"), Cow::Borrowed("model")]),
            unique: true,
        }]),
    },
    managed: true,
    renamed_from: None,
    generic_foreign_keys: Cow::Borrowed(&[]),
    generic_relations: Cow::Borrowed(&[]),
};
