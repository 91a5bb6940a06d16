//! Naming rules: Django's defaults for model, table and verbose names, the rules a field or
//! relation name must follow, and deterministic names for indexes and constraints.
//!
//! The derive's parser, the build helper and the registry checks all call these, so a name
//! is accepted or refused the same way everywhere.

use std::fmt;

/// `django_content_type.model` and `.app_label` are `varchar(100)` (Django's contenttypes.E005).
pub const MAX_NAME_LEN: usize = 100;

/// The longest identifier every supported database accepts (PostgreSQL truncates at 63 bytes,
/// MySQL refuses more than 64).
pub const MAX_IDENTIFIER_LEN: usize = 63;

/// Django's `model`: the lowercased type name (`TaggedItem` → `taggeditem`).
pub fn default_model_name(type_name: &str) -> String {
    type_name.to_lowercase()
}

/// Django's `db_table`: `<app_label>_<model>`, shortened with a hash like Django's
/// `truncate_name` when it would exceed [`MAX_IDENTIFIER_LEN`].
pub fn default_table_name(app_label: &str, model_name: &str) -> String {
    truncate_identifier(&format!("{app_label}_{model_name}"))
}

/// `name`, or when it is longer than [`MAX_IDENTIFIER_LEN`], its first characters followed by
/// a hash of the whole name, so distinct long names stay distinct.
pub fn truncate_identifier(name: &str) -> String {
    if name.len() <= MAX_IDENTIFIER_LEN {
        return name.to_string();
    }
    let hash = format!("{:08x}", fnv1a32(name.as_bytes()));
    let prefix: String = name
        .chars()
        .take(MAX_IDENTIFIER_LEN - hash.len() - 1)
        .collect();
    format!("{prefix}_{hash}")
}

/// Django's `verbose_name`: the type name split at capitals, lowercased
/// (`TaggedItem` → `tagged item`).
pub fn default_verbose_name(type_name: &str) -> String {
    let mut out = String::with_capacity(type_name.len() + 4);
    let chars: Vec<char> = type_name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_uppercase()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary && !out.ends_with(' ') {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out.trim().to_string()
}

/// Django's default `AppConfig.verbose_name`: `label.title()` (`blog_posts` → `Blog_Posts`).
pub fn app_verbose_name(app_label: &str) -> String {
    let mut out = String::with_capacity(app_label.len());
    let mut start = true;
    for c in app_label.chars() {
        if c.is_alphabetic() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = true;
        }
    }
    out
}

/// The crate name as an app label (`my-blog` → `my_blog`), the default `app_label`.
pub fn app_label_from_crate(crate_name: &str) -> String {
    crate_name.replace('-', "_")
}

/// Why a name was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameError {
    /// Django's fields.E003.
    Reserved,
    /// Django's fields.E001 / E308.
    TrailingUnderscore,
    /// Django's fields.E002 / E309.
    DoubleUnderscore,
    /// Django's contenttypes.E005 (models) or the identifier limit (tables, columns).
    TooLong {
        max: usize,
        got: usize,
    },
    Empty,
    /// Not a plain SQL identifier (letters, digits and `_`, not starting with a digit).
    NotAnIdentifier,
    /// A NUL byte: PostgreSQL cannot store one in text, and C APIs cut strings there.
    Nul,
    /// `self`, `Self`, `crate`, `super` or `_`: Rust keywords that cannot be identifiers,
    /// not even raw ones (`r#self` is an error).
    NotRawIdentifier(String),
    /// A name Diesel's `table!` declares for itself next to the columns.
    DieselItem(String),
    /// A column would shadow a Rust name Diesel's generated code uses.
    ShadowsRustName(String),
    /// A table module would shadow a crate the generated code, or the code beside it, names.
    ShadowsCrate(String),
    /// A PostgreSQL system column (`xmin`, `ctid`...).
    SystemColumn,
    /// A table name another part of the stack owns.
    ReservedTable(&'static str),
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Reserved => f.write_str("`pk` is a reserved word and cannot be used as a field name"),
            NameError::TrailingUnderscore => f.write_str("names must not end with an underscore"),
            NameError::DoubleUnderscore => f.write_str("names must not contain `__`"),
            NameError::TooLong { max, got } => write!(f, "names must be at most {max} characters (got {got})"),
            NameError::Empty => f.write_str("names must not be empty"),
            NameError::NotAnIdentifier => f.write_str(
                "names must be made of ASCII letters, digits and `_`, and must not start with a digit",
            ),
            NameError::Nul => {
                f.write_str("NUL bytes are not allowed (PostgreSQL cannot store them in text)")
            }
            NameError::NotRawIdentifier(name) => write!(
                f,
                "`{name}` is a Rust keyword that cannot be an identifier, not even a raw one (`r#{name}`)"
            ),
            NameError::DieselItem(name) => write!(
                f,
                "Diesel's `table!` declares its own `{name}` in the table module"
            ),
            NameError::ShadowsRustName(name) => write!(
                f,
                "the column would shadow `{name}`, which the code Diesel's `table!` generates for each column uses"
            ),
            NameError::ShadowsCrate(name) => write!(
                f,
                "the table module would shadow the crate `{name}` in the module that declares the model"
            ),
            NameError::SystemColumn => {
                f.write_str("PostgreSQL reserves it for a system column (tableoid, xmin, cmin, xmax, cmax, ctid)")
            }
            NameError::ReservedTable(owner) => write!(f, "the table is {owner}"),
        }
    }
}

/// The rules for a field, generic foreign key or generic relation name (Django's
/// fields.E001–E003). Raw identifiers (`r#type`) are checked without their prefix.
pub fn check_field_name(name: &str) -> Result<(), NameError> {
    let name = name.strip_prefix("r#").unwrap_or(name);
    if name == "pk" {
        return Err(NameError::Reserved);
    }
    check_lookup_name(name)
}

/// The rules for a `related_query_name` (Django's fields.E308–E309).
pub fn check_lookup_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.ends_with('_') {
        return Err(NameError::TrailingUnderscore);
    }
    if name.contains("__") {
        return Err(NameError::DoubleUnderscore);
    }
    Ok(())
}

/// The rules for a `related_query_name`, which also names a constant on the through model
/// (`related_query_name = "article"` → `TaggedItem::ARTICLE`): Django's rules, and an ASCII
/// identifier.
pub fn check_related_query_name(name: &str) -> Result<(), NameError> {
    check_lookup_name(name)?;
    if name.contains('\0') {
        return Err(NameError::Nul);
    }
    if !is_ascii_identifier(name) {
        return Err(NameError::NotAnIdentifier);
    }
    Ok(())
}

/// The rules for an `app_label` or a model name: non-empty, at most 100 characters (the
/// width of `django_content_type`'s columns) and a plain identifier.
pub fn check_content_type_name(name: &str) -> Result<(), NameError> {
    check_identifier(name, MAX_NAME_LEN)
}

/// The rules for a table or column name.
pub fn check_sql_name(name: &str) -> Result<(), NameError> {
    check_identifier(name, MAX_IDENTIFIER_LEN)
}

/// The rules for the name of a table the framework creates: a SQL name (see
/// [`check_sql_name`]) that no other part of the stack owns.
pub fn check_table_name(name: &str) -> Result<(), NameError> {
    check_sql_name(name)?;
    if name == crate::content_type::TABLE {
        return Err(NameError::ReservedTable(
            "the framework's content-type table",
        ));
    }
    if name == DIESEL_MIGRATIONS_TABLE {
        return Err(NameError::ReservedTable("Diesel's migrations table"));
    }
    if name
        .get(..7)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("sqlite_"))
    {
        return Err(NameError::ReservedTable(
            "in SQLite's namespace (`sqlite_` names are reserved for internal use)",
        ));
    }
    Ok(())
}

/// The rules for a table name that also names the Diesel `table!` module the derive declares
/// beside the model: a Rust identifier that shadows no crate. (The model's own names, the
/// struct and the types its fields use, are checked by the parser, which sees them.)
pub fn check_table_module_name(name: &str) -> Result<(), NameError> {
    rust_spelling(name)?;
    if SHADOWED_CRATES.contains(&name) {
        return Err(NameError::ShadowsCrate(name.to_string()));
    }
    Ok(())
}

/// The rules for a column name: a SQL name (see [`check_sql_name`]) that Diesel's `table!` can
/// declare as a column, and that PostgreSQL does not reserve. (A column named like its table
/// is checked by the parser, which sees both.)
pub fn check_column_name(name: &str) -> Result<(), NameError> {
    check_sql_name(name)?;
    rust_spelling(name)?;
    if DIESEL_TABLE_ITEMS.contains(&name) || DIESEL_SQL_TYPES.contains(&name) {
        return Err(NameError::DieselItem(name.to_string()));
    }
    if DIESEL_COLUMN_IMPL_NAMES.contains(&name) || RUST_NAMES.contains(&name) {
        return Err(NameError::ShadowsRustName(name.to_string()));
    }
    if POSTGRES_SYSTEM_COLUMNS.contains(&name) {
        return Err(NameError::SystemColumn);
    }
    Ok(())
}

/// The rule for text the framework stores or sends (verbose names, defaults): no NUL byte.
pub fn check_text(text: &str) -> Result<(), NameError> {
    if text.contains('\0') {
        Err(NameError::Nul)
    } else {
        Ok(())
    }
}

/// How Diesel's `table!` spells a SQL name as a Rust identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RustSpelling {
    /// As is (`title`).
    Plain,
    /// As a raw identifier, because it is a keyword (`type` → `r#type`).
    Raw,
}

/// How the SQL name `name` is written as a Rust identifier: plain, raw for a keyword, or not
/// at all (`self`, `Self`, `crate`, `super` and `_` cannot be identifiers, even raw; names
/// that are not ASCII identifiers are refused too).
pub fn rust_spelling(name: &str) -> Result<RustSpelling, NameError> {
    if !is_ascii_identifier(name) {
        return Err(NameError::NotAnIdentifier);
    }
    if NOT_RAW.contains(&name) {
        return Err(NameError::NotRawIdentifier(name.to_string()));
    }
    Ok(if RUST_KEYWORDS.contains(&name) {
        RustSpelling::Raw
    } else {
        RustSpelling::Plain
    })
}

/// Letters, digits and `_`, not starting with a digit, and not `_` alone.
pub fn is_ascii_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
}

/// The associated constant the derives generate for a generic foreign key or a generic
/// relation field (`content_object` → `CONTENT_OBJECT`) and for a `related_query_name`.
pub fn constant_name(name: &str) -> String {
    name.strip_prefix("r#").unwrap_or(name).to_uppercase()
}

/// The associated constant the derive generates for a foreign key field: its name without
/// the `_id` suffix (`tag_id` → `TAG`), or the whole name when nothing would be left.
pub fn foreign_key_constant_name(field: &str) -> String {
    let field = field.strip_prefix("r#").unwrap_or(field);
    match field.strip_suffix("_id") {
        Some(short) if !short.is_empty() && short != "_" => constant_name(short),
        _ => constant_name(field),
    }
}

/// The column limits of Diesel's `table!` and the features that raise them: without a
/// feature, 32 columns (Diesel's default `32-column-tables`, which the framework enables).
pub const COLUMN_LIMITS: [(usize, &str); 2] = [(32, "32-column-tables"), (64, "64-column-tables")];

/// The most columns a model can have, with the largest feature the framework offers
/// (Diesel's `128-column-tables` is not offered: its build cost and its recursion limit).
pub const MAX_COLUMNS: usize = 64;

/// The feature that lets a table have `columns` columns, or `None` past Diesel's
/// [`MAX_COLUMNS`].
pub fn column_feature_needed(columns: usize) -> Option<&'static str> {
    COLUMN_LIMITS
        .iter()
        .find(|(limit, _)| columns <= *limit)
        .map(|(_, feature)| *feature)
}

/// Diesel's migrations bookkeeping table.
pub const DIESEL_MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// Keywords that cannot be identifiers at all, not even raw.
const NOT_RAW: [&str; 5] = ["self", "Self", "crate", "super", "_"];

/// Strict and reserved keywords of every edition, which Diesel's `table!` takes as raw
/// identifiers (`r#type`). A raw identifier is valid for any other name too, so listing a
/// keyword of a later edition is harmless.
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Crates the model's module, or the code the derive generates in it, names: a table module
/// of that name would shadow them.
const SHADOWED_CRATES: &[&str] = &["std", "core", "alloc", "diesel", "contenttypes"];

/// What Diesel's `table!` (diesel 2.3) declares or imports in a table module besides the
/// columns: a column of that name collides with it.
const DIESEL_TABLE_ITEMS: &[&str] = &[
    "table",
    "star",
    "columns",
    "dsl",
    "all_columns",
    "SqlType",
    "BoxedQuery",
    "diesel",
];

/// Everything `diesel::sql_types` exports (with every backend feature), which the table
/// module glob-imports: a column of the same name is ambiguous with it.
const DIESEL_SQL_TYPES: &[&str] = &[
    // diesel::sql_types
    "ops",
    "Foldable",
    "SqlOrd",
    "Bool",
    "TinyInt",
    "Tinyint",
    "SmallInt",
    "Int2",
    "Smallint",
    "Integer",
    "Int4",
    "BigInt",
    "Int8",
    "Bigint",
    "Float",
    "Float4",
    "Double",
    "Float8",
    "Numeric",
    "Decimal",
    "Text",
    "VarChar",
    "Varchar",
    "Char",
    "Tinytext",
    "Mediumtext",
    "Longtext",
    "Binary",
    "Tinyblob",
    "Blob",
    "Mediumblob",
    "Longblob",
    "Varbinary",
    "Bit",
    "Date",
    "Interval",
    "Time",
    "Timestamp",
    "Json",
    "Jsonb",
    "Nullable",
    "HasSqlType",
    "TypeMetadata",
    "IntoNullable",
    "IntoNotNullable",
    "SingleValue",
    "DieselNumericOps",
    "OneIsNullable",
    "AllAreNullable",
    "MaybeNullableType",
    "is_nullable",
    "BoolOrNullableBool",
    "Untyped",
    // PostgreSQL
    "Oid",
    "Timestamptz",
    "Array",
    "Range",
    "Int4range",
    "Int8range",
    "Daterange",
    "Numrange",
    "Tsrange",
    "Tstzrange",
    "Multirange",
    "Int4multirange",
    "Int8multirange",
    "Datemultirange",
    "Nummultirange",
    "Tsmultirange",
    "Tstzmultirange",
    "NullValueTreatmentEnum",
    "NullValueTreatment",
    "RangeBoundEnum",
    "RangeBound",
    "Record",
    "SmallSerial",
    "Serial",
    "BigSerial",
    "Uuid",
    "Bytea",
    "Bpchar",
    "Money",
    "MacAddr",
    "Macaddr",
    "MacAddr8",
    "Macaddr8",
    "Inet",
    "Cidr",
    "CChar",
    "Citext",
    "PgLsn",
    // MySQL, SQLite
    "Datetime",
    "Unsigned",
    "TimestamptzSqlite",
];

/// The type parameters of the impls Diesel's `table!` writes for each column
/// (`impl<DB> QueryFragment<DB> for <column>`): a column of that name becomes the parameter.
const DIESEL_COLUMN_IMPL_NAMES: &[&str] = &[
    "DB", "QS", "Left", "Right", "Join", "On", "From", "T", "TSM", "Rhs", "__GB",
];

/// Primitive types and prelude names the code generated for a column uses unqualified.
const RUST_NAMES: &[&str] = &[
    "bool", "char", "str", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64",
    "u128", "usize", "f32", "f64", "Ok", "Err", "Some", "None", "Option", "Result", "Box", "Vec",
    "String",
];

/// PostgreSQL's system columns: `CREATE TABLE` refuses a column of these names.
const POSTGRES_SYSTEM_COLUMNS: &[&str] = &["tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"];

fn check_identifier(name: &str, max: usize) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.contains('\0') {
        return Err(NameError::Nul);
    }
    let got = name.chars().count();
    if got > max {
        return Err(NameError::TooLong { max, got });
    }
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(NameError::NotAnIdentifier);
    }
    Ok(())
}

/// A deterministic name for an index or constraint: `<table>_<columns>_<suffix>`, shortened
/// with a hash of the full name when it would exceed [`MAX_IDENTIFIER_LEN`].
pub fn index_name(table: &str, columns: &[&str], suffix: &str) -> String {
    let full = format!("{}_{}_{}", table, columns.join("_"), suffix);
    // `full` is ASCII: table and column names are checked identifiers.
    if full.len() <= MAX_IDENTIFIER_LEN {
        return full;
    }
    let hash = format!("{:08x}", fnv1a32(full.as_bytes()));
    let keep = MAX_IDENTIFIER_LEN - hash.len() - suffix.len() - 2;
    let mut prefix: String = full.chars().take(keep).collect();
    while prefix.ends_with('_') {
        prefix.pop();
    }
    format!("{prefix}_{hash}_{suffix}")
}

/// 32-bit FNV-1a: small, stable across platforms and releases (unlike `std`'s hashers).
pub const fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u32;
        hash = hash.wrapping_mul(0x0100_0193);
        i += 1;
    }
    hash
}

/// 64-bit FNV-1a, used for fingerprints and for naming a generic foreign key at the type
/// level.
pub const fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn django_defaults() {
        assert_eq!(default_model_name("TaggedItem"), "taggeditem");
        assert_eq!(
            default_table_name("tagging", "taggeditem"),
            "tagging_taggeditem"
        );
        assert_eq!(default_verbose_name("TaggedItem"), "tagged item");
        assert_eq!(default_verbose_name("HTMLPage"), "html page");
        assert_eq!(default_verbose_name("Site"), "site");
        assert_eq!(default_verbose_name("Model2Thing"), "model2 thing");
        assert_eq!(app_verbose_name("contenttypes_tests"), "Contenttypes_Tests");
        assert_eq!(app_verbose_name("blog"), "Blog");
        assert_eq!(app_label_from_crate("my-blog"), "my_blog");
    }

    #[test]
    fn field_names() {
        assert_eq!(check_field_name("pk"), Err(NameError::Reserved));
        assert_eq!(
            check_field_name("tags_"),
            Err(NameError::TrailingUnderscore)
        );
        assert_eq!(check_field_name("a__b"), Err(NameError::DoubleUnderscore));
        assert_eq!(check_field_name("r#type"), Ok(()));
        assert_eq!(check_field_name("content_object"), Ok(()));
        assert_eq!(
            check_lookup_name("bad_"),
            Err(NameError::TrailingUnderscore)
        );
    }

    #[test]
    fn model_name_length_is_django_e005() {
        let ok = "a".repeat(100);
        let long = "a".repeat(101);
        assert_eq!(check_content_type_name(&ok), Ok(()));
        assert_eq!(
            check_content_type_name(&long),
            Err(NameError::TooLong { max: 100, got: 101 })
        );
    }

    #[test]
    fn sql_names_as_rust_identifiers() {
        assert_eq!(rust_spelling("title"), Ok(RustSpelling::Plain));
        assert_eq!(rust_spelling("type"), Ok(RustSpelling::Raw));
        assert_eq!(rust_spelling("gen"), Ok(RustSpelling::Raw));
        for name in ["self", "Self", "crate", "super"] {
            assert_eq!(
                rust_spelling(name),
                Err(NameError::NotRawIdentifier(name.into()))
            );
        }
        assert_eq!(rust_spelling("_"), Err(NameError::NotAnIdentifier));
        assert_eq!(rust_spelling("has space"), Err(NameError::NotAnIdentifier));
        assert_eq!(rust_spelling("r#type"), Err(NameError::NotAnIdentifier));
    }

    #[test]
    fn table_names() {
        assert_eq!(check_table_name("order"), Ok(()));
        assert_eq!(check_table_module_name("order"), Ok(()));
        assert_eq!(check_table_module_name("type"), Ok(()));
        assert!(matches!(
            check_table_name("django_content_type"),
            Err(NameError::ReservedTable(_))
        ));
        assert!(matches!(
            check_table_name("SQLite_things"),
            Err(NameError::ReservedTable(_))
        ));
        assert_eq!(
            check_table_module_name("std"),
            Err(NameError::ShadowsCrate("std".into()))
        );
        assert_eq!(
            check_table_module_name("self"),
            Err(NameError::NotRawIdentifier("self".into()))
        );
        assert_eq!(check_table_name(&"t".repeat(63)), Ok(()));
        assert_eq!(
            check_table_name(&"t".repeat(64)),
            Err(NameError::TooLong { max: 63, got: 64 })
        );
        assert_eq!(check_table_name("t\0"), Err(NameError::Nul));
    }

    #[test]
    fn column_names() {
        for ok in ["order", "select", "user", "type", "match", "Kind", "name"] {
            assert_eq!(check_column_name(ok), Ok(()), "{ok}");
        }
        for diesel in [
            "table",
            "star",
            "columns",
            "dsl",
            "Integer",
            "Jsonb",
            "is_nullable",
        ] {
            assert_eq!(
                check_column_name(diesel),
                Err(NameError::DieselItem(diesel.into())),
                "{diesel}"
            );
        }
        for shadow in ["DB", "QS", "T", "bool", "str", "Ok"] {
            assert_eq!(
                check_column_name(shadow),
                Err(NameError::ShadowsRustName(shadow.into())),
                "{shadow}"
            );
        }
        assert_eq!(check_column_name("xmin"), Err(NameError::SystemColumn));
        assert_eq!(check_column_name("XMIN"), Ok(()));
    }

    #[test]
    fn generated_constants() {
        assert_eq!(constant_name("content_object"), "CONTENT_OBJECT");
        assert_eq!(constant_name("r#type"), "TYPE");
        assert_eq!(foreign_key_constant_name("tag_id"), "TAG");
        assert_eq!(foreign_key_constant_name("tag"), "TAG");
        assert_eq!(foreign_key_constant_name("_id"), "_ID");
        assert_eq!(foreign_key_constant_name("__id"), "__ID");
    }

    #[test]
    fn related_query_names() {
        assert_eq!(check_related_query_name("article"), Ok(()));
        assert_eq!(
            check_related_query_name("has space"),
            Err(NameError::NotAnIdentifier)
        );
        assert_eq!(
            check_related_query_name("ärticle"),
            Err(NameError::NotAnIdentifier)
        );
        assert_eq!(check_related_query_name("a\0b"), Err(NameError::Nul));
        assert_eq!(
            check_related_query_name("a_"),
            Err(NameError::TrailingUnderscore)
        );
    }

    #[test]
    fn column_limits_name_diesel_features() {
        assert_eq!(column_feature_needed(32), Some("32-column-tables"));
        assert_eq!(column_feature_needed(33), Some("64-column-tables"));
        assert_eq!(column_feature_needed(65), None);
    }

    #[test]
    fn index_names_are_short_and_stable() {
        assert_eq!(
            index_name(
                "tagging_taggeditem",
                &["content_type_id", "object_id"],
                "idx"
            ),
            "tagging_taggeditem_content_type_id_object_id_idx"
        );
        let long = index_name(&"t".repeat(60), &["content_type_id", "object_id"], "uniq");
        assert!(long.len() <= MAX_IDENTIFIER_LEN, "{long}");
        assert!(long.ends_with("_uniq"));
        assert_eq!(
            long,
            index_name(&"t".repeat(60), &["content_type_id", "object_id"], "uniq")
        );
    }
}
