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

/// The rules for an `app_label` or a model name: non-empty, at most 100 characters (the
/// width of `django_content_type`'s columns) and a plain identifier.
pub fn check_content_type_name(name: &str) -> Result<(), NameError> {
    check_identifier(name, MAX_NAME_LEN)
}

/// The rules for a table or column name.
pub fn check_sql_name(name: &str) -> Result<(), NameError> {
    check_identifier(name, MAX_IDENTIFIER_LEN)
}

fn check_identifier(name: &str, max: usize) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
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
