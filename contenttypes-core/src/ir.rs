//! The model IR: what a model declares about its table and its generic relations.
//!
//! One description serves every consumer. The derive emits it as a `const` (borrowed
//! strings and slices), the build helper builds it owned from scanned source, the DDL
//! renderer and the migration planner read it, and the runtime backend builds its SQL from
//! it. It holds data only: no SQL, no code generation.

use std::borrow::Cow;

/// A string that is `&'static` when emitted by the derive and owned when built at run time.
pub type Str = Cow<'static, str>;
/// A list that is `&'static [T]` when emitted by the derive and owned when built at run time.
pub type List<T> = Cow<'static, [T]>;

/// Everything the framework knows about one model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModelDef {
    /// Django's `app_label`: the first half of the content type's natural key.
    pub app_label: Str,
    /// Django's `model`: the lowercased model name, the second half of the natural key.
    pub model_name: Str,
    /// The Rust type's name, for messages.
    pub type_name: Str,
    /// A human name, by default the type name split at capitals ("tagged item").
    pub verbose_name: Str,
    /// The table the model is stored in.
    pub table: TableDef,
    /// `false` for models attached to a table the user manages: no DDL is planned for them.
    pub managed: bool,
    /// The model name this model had before a declared rename (`renamed_from`).
    pub renamed_from: Option<Str>,
    /// The generic foreign keys declared on this model.
    pub generic_foreign_keys: List<GenericForeignKeyDef>,
    /// The generic relations declared on this model (reverse sides of generic foreign keys).
    pub generic_relations: List<GenericRelationDef>,
}

/// A table: its columns, primary key and the indexes and constraints declared on it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableDef {
    pub name: Str,
    pub columns: List<ColumnDef>,
    /// The name of the primary key column (single-column keys only).
    pub primary_key: Str,
    /// Secondary indexes and composite unique constraints, in declaration order.
    pub indexes: List<IndexDef>,
}

/// One column of a table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ColumnDef {
    /// The column name in the database.
    pub name: Str,
    /// The Rust field the column is read into (usually the same as `name`).
    pub field: Str,
    pub sql_type: SqlType,
    pub nullable: bool,
    pub primary_key: bool,
    /// An integer primary key filled in by the database.
    pub auto_increment: bool,
    /// A single-column unique constraint.
    pub unique: bool,
    /// A single-column (non-unique) index.
    pub indexed: bool,
    pub default: Option<DefaultValue>,
    pub foreign_key: Option<ForeignKeyDef>,
    /// The column name before a declared rename.
    pub renamed_from: Option<Str>,
    /// The column type as written in DDL on every dialect, for a [`SqlType::Custom`] column
    /// (`#[model(db_type = "...")]`); `None` renders [`ColumnDef::sql_type`].
    pub db_type: Option<Str>,
    /// The name of the column's own index or unique constraint (from `unique`, `index`, or
    /// the index of a foreign key column), when the model gives one (`index_name = "..."`);
    /// `None` for the generated name ([`crate::ddl::all_indexes`]).
    pub index_name: Option<Str>,
}

/// The SQL types a column can have. Each dialect renders them its own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SqlType {
    Bool,
    SmallInt,
    Integer,
    BigInt,
    Float,
    Double,
    /// Unbounded text.
    Text,
    /// Text with a maximum length in characters.
    Varchar(u32),
    Binary,
    /// A UUID: native on PostgreSQL, `char(32)` (32 lowercase hex digits, as Django stores
    /// it) on SQLite and MySQL.
    Uuid,
    /// A calendar date.
    Date,
    /// A time of day.
    Time,
    /// A date and time without a time zone.
    DateTime,
    /// A point in time (`timestamp with time zone` on PostgreSQL; UTC elsewhere, as Django
    /// stores it).
    DateTimeTz,
    /// JSON (`jsonb` on PostgreSQL, `json` on MySQL, text on SQLite, as Django's `JSONField`).
    Json,
    /// A fixed-point decimal with `digits` significant digits, `places` after the point.
    Decimal {
        digits: u16,
        places: u16,
    },
    /// A type the user maps to a Diesel SQL type (`#[model(sql_type = ...)]`); its DDL is the
    /// column's [`ColumnDef::db_type`].
    Custom,
}

impl SqlType {
    /// Whether values of this type are integers.
    pub const fn is_integer(self) -> bool {
        matches!(self, SqlType::SmallInt | SqlType::Integer | SqlType::BigInt)
    }

    /// Whether values of this type are text.
    pub const fn is_text(self) -> bool {
        matches!(self, SqlType::Text | SqlType::Varchar(_))
    }

    /// A short stable name, used in the migration state file and in messages.
    pub fn name(self) -> String {
        match self {
            SqlType::Bool => "bool".into(),
            SqlType::SmallInt => "smallint".into(),
            SqlType::Integer => "integer".into(),
            SqlType::BigInt => "bigint".into(),
            SqlType::Float => "float".into(),
            SqlType::Double => "double".into(),
            SqlType::Text => "text".into(),
            SqlType::Varchar(n) => format!("varchar({n})"),
            SqlType::Binary => "binary".into(),
            SqlType::Uuid => "uuid".into(),
            SqlType::Date => "date".into(),
            SqlType::Time => "time".into(),
            SqlType::DateTime => "datetime".into(),
            SqlType::DateTimeTz => "datetimetz".into(),
            SqlType::Json => "json".into(),
            SqlType::Decimal { digits, places } => format!("decimal({digits},{places})"),
            SqlType::Custom => "custom".into(),
        }
    }

    /// The inverse of [`SqlType::name`].
    pub fn from_name(name: &str) -> Option<SqlType> {
        Some(match name {
            "bool" => SqlType::Bool,
            "smallint" => SqlType::SmallInt,
            "integer" => SqlType::Integer,
            "bigint" => SqlType::BigInt,
            "float" => SqlType::Float,
            "double" => SqlType::Double,
            "text" => SqlType::Text,
            "binary" => SqlType::Binary,
            "uuid" => SqlType::Uuid,
            "date" => SqlType::Date,
            "time" => SqlType::Time,
            "datetime" => SqlType::DateTime,
            "datetimetz" => SqlType::DateTimeTz,
            "json" => SqlType::Json,
            "custom" => SqlType::Custom,
            other => {
                if let Some(args) = other
                    .strip_prefix("decimal(")
                    .and_then(|a| a.strip_suffix(')'))
                {
                    let (digits, places) = args.split_once(',')?;
                    return Some(SqlType::Decimal {
                        digits: digits.trim().parse().ok()?,
                        places: places.trim().parse().ok()?,
                    });
                }
                let n = other.strip_prefix("varchar(")?.strip_suffix(')')?;
                SqlType::Varchar(n.parse().ok()?)
            }
        })
    }
}

/// A column default, as written in DDL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DefaultValue {
    Bool(bool),
    /// Integers and decimals are kept as their literal text so the IR stays `Eq + Hash`.
    Number(Str),
    Text(Str),
}

/// A foreign key from one column to another table's column.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ForeignKeyDef {
    pub table: Str,
    pub column: Str,
    pub on_delete: OnDelete,
    /// The constraint's name, when the model gives one (`foreign_key_name = "..."`); `None`
    /// for the generated name ([`crate::ddl::foreign_key_name`]).
    pub name: Option<Str>,
}

/// What the database does to referencing rows when the referenced row is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OnDelete {
    Cascade,
    Restrict,
    SetNull,
    NoAction,
}

impl OnDelete {
    pub const fn sql(self) -> &'static str {
        match self {
            OnDelete::Cascade => "CASCADE",
            OnDelete::Restrict => "RESTRICT",
            OnDelete::SetNull => "SET NULL",
            OnDelete::NoAction => "NO ACTION",
        }
    }

    /// The attribute spelling (`on_delete = set_null`).
    pub const fn name(self) -> &'static str {
        match self {
            OnDelete::Cascade => "cascade",
            OnDelete::Restrict => "restrict",
            OnDelete::SetNull => "set_null",
            OnDelete::NoAction => "no_action",
        }
    }

    pub fn from_name(name: &str) -> Option<OnDelete> {
        Some(match name {
            "cascade" => OnDelete::Cascade,
            "restrict" => OnDelete::Restrict,
            "set_null" => OnDelete::SetNull,
            "no_action" => OnDelete::NoAction,
            _ => return None,
        })
    }
}

/// An index or a composite unique constraint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IndexDef {
    pub name: Str,
    pub columns: List<Str>,
    pub unique: bool,
}

/// A generic foreign key: a content-type column and an object-id column that together
/// point at a row of any registered model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GenericForeignKeyDef {
    /// The field name (`content_object`).
    pub name: Str,
    /// The column holding the content type id (a foreign key to `django_content_type`).
    pub ct_column: Str,
    /// The column holding the target's primary key.
    pub fk_column: Str,
    /// What deleting a target row does to the rows pointing at it
    /// (`#[generic_foreign_key(on_delete = ..)]`, `Cascade` when not given), for every
    /// target model: whether or not it declares a generic relation. A generic relation's own
    /// `on_delete` overrides it for its model.
    pub on_delete: OnDelete,
    /// `targets(..)`: the only models it may point at, by natural key; empty when it may
    /// point at any model whose primary key fits its object id.
    pub targets: List<ModelKey>,
    /// `#[generic_foreign_key(db_constraint)]`: the database enforces it too, with triggers
    /// the migrations create ([`crate::ddl::integrity`]): a delete of a target by any program
    /// applies `on_delete`, and a row pointing at no row is refused.
    pub db_constraint: bool,
}

/// A model's natural key: its content type's `(app_label, model)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModelKey {
    pub app_label: Str,
    pub model: Str,
}

/// A generic relation: the reverse side of a generic foreign key on another model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GenericRelationDef {
    /// The field name on the owning model (`tags`).
    pub name: Str,
    /// The natural key of the model holding the generic foreign key.
    pub through_app_label: Str,
    pub through_model: Str,
    /// The generic foreign key on the through model this relation reverses.
    pub gfk: Str,
    /// The name the through model uses to filter by this model, if any.
    pub related_query_name: Option<Str>,
    /// What deleting an object does to the through rows pointing at it, when the relation
    /// says (`#[generic_relation(on_delete = ..)]`): delete them (`Cascade`), refuse the
    /// delete (`Restrict`), null their generic foreign key (`SetNull`, a nullable one), or
    /// nothing (`NoAction`). `None`: the generic foreign key's own `on_delete`.
    pub on_delete: Option<OnDelete>,
}

impl ModelDef {
    /// The content type's natural key, `(app_label, model)`.
    pub fn natural_key(&self) -> (&str, &str) {
        (&self.app_label, &self.model_name)
    }

    /// `app_label.model`, as Django's `_meta.label_lower`.
    pub fn label(&self) -> String {
        format!("{}.{}", self.app_label, self.model_name)
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.table.columns.iter().find(|c| c.name == name)
    }

    /// The position of the column with this name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.table.columns.iter().position(|c| c.name == name)
    }

    /// The primary key column. The derive and the build helper always produce one; a
    /// hand-built def without it is reported by [`crate::check`].
    pub fn primary_key(&self) -> Option<&ColumnDef> {
        self.column(&self.table.primary_key)
    }

    /// The generic foreign key with this field name.
    pub fn generic_foreign_key(&self, name: &str) -> Option<&GenericForeignKeyDef> {
        self.generic_foreign_keys.iter().find(|g| g.name == name)
    }

    /// The generic relation with this field name.
    pub fn generic_relation(&self, name: &str) -> Option<&GenericRelationDef> {
        self.generic_relations.iter().find(|g| g.name == name)
    }
}
