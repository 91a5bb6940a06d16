//! The parsed form of a model declaration: what the user wrote, with spans, and the Django
//! defaults filled in. It holds no generated code; [`super::lower`] turns it into the IR and
//! the derive turns it into Rust.

use proc_macro2::Span;
use syn::{Ident, Path, Type, Visibility};

use crate::ir::{DefaultValue, OnDelete, SqlType};

/// A value together with where the user wrote it.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// One `#[derive(Model)]` struct.
#[derive(Clone, Debug)]
pub struct ModelSpec {
    pub ident: Ident,
    pub vis: Visibility,
    pub app_label: Spanned<String>,
    pub model_name: Spanned<String>,
    pub table_name: Spanned<String>,
    /// Whether `table_name` was given (else it is Django's default, valid whenever the app
    /// label and model name are).
    pub table_name_given: bool,
    /// `table_name = crate::schema::posts`: the user's own Diesel `table!` (from
    /// `diesel print-schema`) the model attaches to; no `table!` is generated.
    pub table_path: Option<Path>,
    pub verbose_name: String,
    pub managed: bool,
    /// The old model name of a declared rename (lowercased).
    pub renamed_from: Option<Spanned<String>>,
    /// Composite unique constraints: `unique(a, b, name = "...")`.
    pub unique_together: Vec<Together>,
    /// Composite indexes: `index(a, b, name = "...")`.
    pub index_together: Vec<Together>,
    /// `#[model(crate = "...")]`: where the facade crate is, when not at `::contenttypes`.
    pub crate_path: Option<Path>,
    /// `#[model(tag)]`: the model is a tag (a `name` and a `slug`).
    pub tag: Option<TagSpec>,
    /// `#[model(tagged_item(tag = tag_id, set = tag_set))]`: the model is the through model
    /// of `Tags<Self>` fields.
    pub tagged_item: Option<TaggedItemSpec>,
    pub fields: Vec<FieldSpec>,
}

/// `#[model(tag)]`, `#[model(tag(case_insensitive))]`.
#[derive(Clone, Debug)]
pub struct TagSpec {
    pub span: Span,
    /// Names match whatever their case; the first spelling is kept.
    pub case_insensitive: bool,
}

/// `#[model(tagged_item(tag = tag_id, set = tag_set))]`.
#[derive(Clone, Debug)]
pub struct TaggedItemSpec {
    pub span: Span,
    /// The foreign key to the tag model.
    pub tag: Ident,
    /// The text column naming the tag set (the `Tags` field) a row belongs to, when one
    /// model may have several.
    pub set: Option<Ident>,
}

/// A composite index or unique constraint (`index(a, b, name = "...")`, Django's
/// `models.Index(fields=[...], name=...)`).
#[derive(Clone, Debug)]
pub struct Together {
    /// The fields, in index order.
    pub fields: Vec<Ident>,
    /// The index's name in the database, when given (else one is generated).
    pub name: Option<Spanned<String>>,
}

/// One field of the struct.
#[derive(Clone, Debug)]
pub struct FieldSpec {
    pub ident: Ident,
    pub ty: Type,
    pub kind: FieldKind,
}

/// What a field is.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // a handful per struct, parsed once
pub enum FieldKind {
    /// A database column.
    Column(ColumnSpec),
    /// A `GenericForeignKey` handle: no column, the cache of the target.
    GenericForeignKey(GfkSpec),
    /// A `GenericRelation<Through>`, `Tags<Through>` or `GenericManyToMany<Through>`
    /// handle: no column, the cache of prefetched rows.
    GenericRelation(RelationSpec),
    /// `#[model(skip)]`: not stored, filled with `Default::default()` when loaded.
    Skip,
}

/// The Rust types a column can have (before `Option`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseType {
    Bool,
    I16,
    I32,
    I64,
    F32,
    F64,
    String,
    Bytes,
    Uuid,
    /// `chrono::NaiveDate`.
    NaiveDate,
    /// `chrono::NaiveTime`.
    NaiveTime,
    /// `chrono::NaiveDateTime`.
    NaiveDateTime,
    /// `chrono::DateTime<Utc>`.
    DateTimeUtc,
    /// `time::Date`.
    TimeDate,
    /// `time::Time`.
    TimeTime,
    /// `time::PrimitiveDateTime`.
    PrimitiveDateTime,
    /// `time::OffsetDateTime`.
    OffsetDateTime,
    /// `serde_json::Value`.
    Json,
    /// `bigdecimal::BigDecimal`.
    Decimal,
    /// Any type with `#[model(sql_type = ...)]`.
    Custom,
}

impl BaseType {
    pub fn is_integer(self) -> bool {
        matches!(self, BaseType::I16 | BaseType::I32 | BaseType::I64)
    }

    /// Whether the type can be a primary key or an object id ([`crate::keys::is_key_type`]).
    pub fn is_key(self) -> bool {
        crate::keys::is_key_type(self.sql_type(None, None))
    }

    pub fn rust_name(self) -> &'static str {
        match self {
            BaseType::Bool => "bool",
            BaseType::I16 => "i16",
            BaseType::I32 => "i32",
            BaseType::I64 => "i64",
            BaseType::F32 => "f32",
            BaseType::F64 => "f64",
            BaseType::String => "String",
            BaseType::Bytes => "Vec<u8>",
            BaseType::Uuid => "uuid::Uuid",
            BaseType::NaiveDate => "chrono::NaiveDate",
            BaseType::NaiveTime => "chrono::NaiveTime",
            BaseType::NaiveDateTime => "chrono::NaiveDateTime",
            BaseType::DateTimeUtc => "chrono::DateTime<Utc>",
            BaseType::TimeDate => "time::Date",
            BaseType::TimeTime => "time::Time",
            BaseType::PrimitiveDateTime => "time::PrimitiveDateTime",
            BaseType::OffsetDateTime => "time::OffsetDateTime",
            BaseType::Json => "serde_json::Value",
            BaseType::Decimal => "bigdecimal::BigDecimal",
            BaseType::Custom => "a type with `sql_type`",
        }
    }

    /// Whether the type is a date, a time or a timestamp (`auto_now` applies to these).
    pub fn is_temporal(self) -> bool {
        matches!(
            self.sql_type(None, None),
            SqlType::Date | SqlType::Time | SqlType::DateTime | SqlType::DateTimeTz
        )
    }

    /// The SQL type of a column of this type.
    pub fn sql_type(self, max_length: Option<u32>, decimal: Option<(u16, u16)>) -> SqlType {
        match self {
            BaseType::Bool => SqlType::Bool,
            BaseType::I16 => SqlType::SmallInt,
            BaseType::I32 => SqlType::Integer,
            BaseType::I64 => SqlType::BigInt,
            BaseType::F32 => SqlType::Float,
            BaseType::F64 => SqlType::Double,
            BaseType::String => match max_length {
                Some(n) => SqlType::Varchar(n),
                None => SqlType::Text,
            },
            BaseType::Bytes => SqlType::Binary,
            BaseType::Uuid => SqlType::Uuid,
            BaseType::NaiveDate | BaseType::TimeDate => SqlType::Date,
            BaseType::NaiveTime | BaseType::TimeTime => SqlType::Time,
            BaseType::NaiveDateTime | BaseType::PrimitiveDateTime => SqlType::DateTime,
            BaseType::DateTimeUtc | BaseType::OffsetDateTime => SqlType::DateTimeTz,
            BaseType::Json => SqlType::Json,
            BaseType::Decimal => {
                let (digits, places) = decimal.unwrap_or((0, 0));
                SqlType::Decimal { digits, places }
            }
            BaseType::Custom => SqlType::Custom,
        }
    }
}

/// Django's `auto_now` / `auto_now_add`: the framework writes the database's current time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoNow {
    Never,
    /// `auto_now_add`: on insert.
    OnCreate,
    /// `auto_now`: on insert and on every save.
    OnSave,
}

/// A column field.
#[derive(Clone, Debug)]
pub struct ColumnSpec {
    /// `auto_now` / `auto_now_add`.
    pub auto_now: AutoNow,
    pub column: Spanned<String>,
    pub base: BaseType,
    /// The type inside `Option`, or the field type itself.
    pub base_ty: Type,
    pub nullable: bool,
    pub primary_key: bool,
    pub auto_increment: bool,
    pub unique: bool,
    pub index: bool,
    pub max_length: Option<u32>,
    /// Django's `max_digits` and `decimal_places`, for decimal columns.
    pub decimal: Option<(u16, u16)>,
    /// `#[model(sql_type = path)]`: the Diesel SQL type of a custom column.
    pub sql_type: Option<Path>,
    /// `#[model(db_type = "...")]`: the DDL type of a custom column.
    pub db_type: Option<String>,
    pub default: Option<DefaultValue>,
    pub foreign_key: Option<ForeignKeySpec>,
    /// `on_delete = ...` as written: on a foreign key, or on a generic foreign key's
    /// content-type field (whose foreign key the framework adds).
    pub on_delete: Option<Spanned<OnDelete>>,
    /// `index_name = "..."`: the name of the column's own index or unique constraint.
    pub index_name: Option<Spanned<String>>,
    /// `foreign_key_name = "..."`: the name of the column's foreign key constraint.
    pub foreign_key_name: Option<Spanned<String>>,
    pub renamed_from: Option<String>,
}

/// `#[model(foreign_key = Target, on_delete = ...)]`.
#[derive(Clone, Debug)]
pub struct ForeignKeySpec {
    pub target: Path,
    /// The action, `cascade` when not given.
    pub on_delete: OnDelete,
}

/// A `GenericForeignKey` field.
#[derive(Clone, Debug)]
pub struct GfkSpec {
    /// The field holding the content type id.
    pub ct_field: Ident,
    /// The field holding the object id.
    pub fk_field: Ident,
    /// `index_name = "..."`: the name of the `(content type, object id)` index the
    /// framework creates for it.
    pub index_name: Option<Spanned<String>>,
    /// `targets(Article, Video)`: the only models it may point at (the derive generates an
    /// enum of them); `None` when it may point at any model. The span is the `targets`
    /// keyword's.
    pub targets: Option<Spanned<Vec<Path>>>,
    /// `on_delete = ...`: what deleting a target row does to the rows pointing at it.
    pub on_delete: Option<Spanned<OnDelete>>,
    /// `db_constraint`: the database enforces it with triggers; the span is the keyword's.
    pub db_constraint: Option<proc_macro2::Span>,
}

impl GfkSpec {
    /// The declared target models, empty when the generic foreign key is open.
    pub fn target_paths(&self) -> &[Path] {
        self.targets.as_ref().map_or(&[], |t| t.value.as_slice())
    }
}

/// The three relation field types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationKind {
    /// `GenericRelation<Through>`: the through rows whose generic foreign key points here.
    Generic,
    /// `Tags<Through>`: a tag set, stored as through rows pointing here.
    Tags,
    /// `GenericManyToMany<Through>`: the targets of through rows whose foreign key points
    /// here (django-gm2m's `GM2MField`).
    ManyToMany,
}

impl RelationKind {
    /// The field's type name.
    pub fn type_name(self) -> &'static str {
        match self {
            RelationKind::Generic => "GenericRelation",
            RelationKind::Tags => "Tags",
            RelationKind::ManyToMany => "GenericManyToMany",
        }
    }

    /// The kind whose type has this name.
    pub fn of_type_name(name: &str) -> Option<RelationKind> {
        [
            RelationKind::Generic,
            RelationKind::Tags,
            RelationKind::ManyToMany,
        ]
        .into_iter()
        .find(|k| k.type_name() == name)
    }

    /// Whether the through model's generic foreign key points at the field's model (the
    /// field is a reverse generic relation, in the IR and in cascades).
    pub fn reverses_generic_foreign_key(self) -> bool {
        !matches!(self, RelationKind::ManyToMany)
    }
}

/// A `GenericRelation<Through>`, `Tags<Through>` or `GenericManyToMany<Through>` field.
#[derive(Clone, Debug)]
pub struct RelationSpec {
    pub kind: RelationKind,
    /// What deleting an object does to the through rows pointing at it (`cascade` when not
    /// given).
    pub on_delete: Option<Spanned<OnDelete>>,
    /// The through model (the generic argument).
    pub through: Path,
    /// The generic foreign key on the through model, when the user named it.
    pub gfk: Option<Ident>,
    pub related_query_name: Option<Spanned<String>>,
}

impl ModelSpec {
    /// The column fields, in declaration order.
    pub fn columns(&self) -> impl Iterator<Item = (&FieldSpec, &ColumnSpec)> {
        self.fields.iter().filter_map(|f| match &f.kind {
            FieldKind::Column(c) => Some((f, c)),
            _ => None,
        })
    }

    /// The generic foreign key fields.
    pub fn generic_foreign_keys(&self) -> impl Iterator<Item = (&FieldSpec, &GfkSpec)> {
        self.fields.iter().filter_map(|f| match &f.kind {
            FieldKind::GenericForeignKey(g) => Some((f, g)),
            _ => None,
        })
    }

    /// The fields that reverse a generic foreign key (`GenericRelation<T>`, `Tags<T>`):
    /// the model's generic relations in the IR.
    pub fn generic_relations(&self) -> impl Iterator<Item = (&FieldSpec, &RelationSpec)> {
        self.relation_fields()
            .filter(|(_, r)| r.kind.reverses_generic_foreign_key())
    }

    /// Every relation field, of the three kinds.
    pub fn relation_fields(&self) -> impl Iterator<Item = (&FieldSpec, &RelationSpec)> {
        self.fields.iter().filter_map(|f| match &f.kind {
            FieldKind::GenericRelation(r) => Some((f, r)),
            _ => None,
        })
    }

    /// The primary key field.
    pub fn primary_key(&self) -> Option<(&FieldSpec, &ColumnSpec)> {
        self.columns().find(|(_, c)| c.primary_key)
    }

    /// The column field with this Rust name.
    pub fn column_field(&self, name: &Ident) -> Option<(&FieldSpec, &ColumnSpec)> {
        self.columns().find(|(f, _)| f.ident == *name)
    }
}

/// The name a field is known by: its identifier without the `r#` prefix.
pub fn field_name(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}
