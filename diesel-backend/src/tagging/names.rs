//! Tag names: what `add`, `remove` and `set` accept ([`TagRef`]), how names are cleaned and
//! deduplicated, slugs, and django-taggit's string format (`parse_tags`,
//! `edit_string_for_tags`), which is one way among others to make the names: every
//! operation takes any list of names, so parsing is the caller's to choose.

use std::borrow::Cow;
use std::collections::HashSet;

use contenttypes_core::ir::SqlType;

use super::TagModel;
use crate::error::{Error, Result};

/// A tag given to `add`, `remove`, `set` and the filters: a name, or a tag row (mixed, as in
/// django-taggit). `"rust"`, `String::from("rust")` and `&tag` convert into it.
#[derive(Clone, Debug)]
pub enum TagRef<'a, T> {
    /// A tag by name: created when `add` or `set` does not find it.
    Name(Cow<'a, str>),
    /// A saved tag row.
    Tag(&'a T),
}

impl<'a, T> From<&'a str> for TagRef<'a, T> {
    fn from(name: &'a str) -> Self {
        TagRef::Name(Cow::Borrowed(name))
    }
}

impl<'a, T> From<&'a String> for TagRef<'a, T> {
    fn from(name: &'a String) -> Self {
        TagRef::Name(Cow::Borrowed(name))
    }
}

impl<T> From<String> for TagRef<'_, T> {
    fn from(name: String) -> Self {
        TagRef::Name(Cow::Owned(name))
    }
}

impl<'a, T: TagModel> From<&'a T> for TagRef<'a, T> {
    fn from(tag: &'a T) -> Self {
        TagRef::Tag(tag)
    }
}

/// Tags given to an operation, cleaned: names trimmed, empty ones dropped, duplicates
/// dropped (ignoring case for a case-insensitive tag model, the first spelling kept), in the
/// order given.
pub(crate) struct Wanted<'a, T> {
    pub(crate) items: Vec<TagRef<'a, T>>,
}

impl<'a, T: TagModel> Wanted<'a, T> {
    pub(crate) fn new<I, R>(tags: I) -> Self
    where
        I: IntoIterator<Item = R>,
        R: Into<TagRef<'a, T>>,
    {
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        for tag in tags {
            match tag.into() {
                TagRef::Name(name) => {
                    let trimmed = name.trim();
                    if !trimmed.is_empty() && seen.insert(match_key::<T>(trimmed)) {
                        items.push(TagRef::Name(Cow::Owned(trimmed.to_string())));
                    }
                }
                TagRef::Tag(row) => {
                    if seen.insert(match_key::<T>(row.name())) {
                        items.push(TagRef::Tag(row));
                    }
                }
            }
        }
        Wanted { items }
    }

    /// The names given as names.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|i| match i {
            TagRef::Name(n) => Some(n.as_ref()),
            TagRef::Tag(_) => None,
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The tags' names as the filters compare them (rows by their name), cleaned as
/// [`Wanted`] cleans them.
pub(crate) fn compared_names<'t, T, I, R>(tags: I) -> Vec<crate::field::Value>
where
    T: TagModel + 't,
    I: IntoIterator<Item = R>,
    R: Into<TagRef<'t, T>>,
{
    Wanted::<T>::new(tags)
        .items
        .iter()
        .map(|i| match i {
            TagRef::Name(n) => crate::field::Value::Text(match_key::<T>(n)),
            TagRef::Tag(t) => crate::field::Value::Text(match_key::<T>(t.name())),
        })
        .collect()
}

/// What two names must share to be one tag: the name, or its lowercase for a
/// case-insensitive tag model.
pub(crate) fn match_key<T: TagModel>(name: &str) -> String {
    if T::CASE_INSENSITIVE {
        name.to_lowercase()
    } else {
        name.to_string()
    }
}

/// A tag's slug, as Django's `slugify(allow_unicode=True)` makes it: lowercase, letters,
/// digits, `_` and `-`, each run of spaces and dashes one `-`; `"tag"` when nothing is left.
///
/// ```
/// assert_eq!(contenttypes::tagging::slugify("  Rust & Diesel 2.3 "), "rust-diesel-23");
/// assert_eq!(contenttypes::tagging::slugify("Ça va"), "ça-va");
/// ```
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c);
        } else if c.is_whitespace() || c == '-' {
            dash = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("tag");
    }
    slug
}

/// The longest value column `column` of the tag model holds, in characters (its
/// `varchar(n)`), or `None` for unbounded text.
fn column_limit<T: TagModel>(column: &str) -> Option<usize> {
    match T::DEF.column(column)?.sql_type {
        SqlType::Varchar(n) => usize::try_from(n).ok(),
        _ => None,
    }
}

/// The slug of a new tag named `name` at attempt `attempt` of finding a free one: the
/// slugified name, with `_1`, `_2`... after it from the second attempt (django-taggit's
/// numbering), cut so that it fits the slug column with its number (django-taggit lets the
/// database refuse it).
pub(crate) fn new_slug<T: TagModel>(name: &str, attempt: usize) -> String {
    let suffix = match attempt {
        0 => String::new(),
        n => format!("_{n}"),
    };
    let mut slug = slugify(name);
    if let Some(limit) = column_limit::<T>(T::SLUG_COLUMN) {
        let keep = limit.saturating_sub(suffix.chars().count());
        if let Some((cut, _)) = slug.char_indices().nth(keep) {
            slug.truncate(cut);
        }
    }
    slug.push_str(&suffix);
    slug
}

/// Refuses, before anything is written, a new tag name longer than the name column holds:
/// a typed error naming it, where the database would refuse the insert (or, SQLite, keep it).
pub(crate) fn check_new_names<T: TagModel>(names: &[&str]) -> Result<()> {
    let Some(limit) = column_limit::<T>(T::NAME_COLUMN) else {
        return Ok(());
    };
    match names.iter().find(|n| n.chars().count() > limit) {
        Some(name) => Err(Error::InvalidArgument(format!(
            "the tag name {name:?} is {} characters long; {}.{} holds at most {limit}",
            name.chars().count(),
            T::DEF.table.name,
            T::NAME_COLUMN
        ))),
        None => Ok(()),
    }
}

/// The names in a string as django-taggit's default parser reads it: quoted names
/// (`"a b"`) are kept whole; the rest is split on commas when it has any, else on spaces.
/// Names are trimmed and deduplicated, in the order given (django-taggit sorts them).
///
/// ```
/// use contenttypes::tagging::parse_tags;
/// assert_eq!(parse_tags("rust diesel"), ["rust", "diesel"]);
/// assert_eq!(parse_tags("rust, web dev, rust"), ["rust", "web dev"]);
/// assert_eq!(parse_tags("\"web dev\" rust"), ["web dev", "rust"]);
/// ```
pub fn parse_tags(input: &str) -> Vec<String> {
    let mut quoted: Vec<(usize, String)> = Vec::new();
    let mut rest = String::new();
    let mut in_quote = false;
    let mut current = String::new();
    for c in input.chars() {
        match (c, in_quote) {
            ('"', false) => {
                in_quote = true;
                current.clear();
            }
            ('"', true) => {
                in_quote = false;
                quoted.push((rest.len(), std::mem::take(&mut current)));
                // A separator where the quoted name was, so its neighbours stay apart.
                rest.push(if input.contains(',') { ',' } else { ' ' });
            }
            (c, true) => current.push(c),
            (c, false) => rest.push(c),
        }
    }
    // An unclosed quote: its text is plain text.
    if in_quote {
        rest.push('"');
        rest.push_str(&current);
    }
    let comma = rest.contains(',') || input.contains(',');
    // Names in the order they appear: unquoted pieces and quoted names by position.
    let mut pieces: Vec<(usize, String)> = Vec::new();
    let mut start = 0;
    let separator = |c: char| if comma { c == ',' } else { c.is_whitespace() };
    for (i, c) in rest.char_indices() {
        if separator(c) {
            pieces.push((start, rest[start..i].to_string()));
            start = i + c.len_utf8();
        }
    }
    pieces.push((start, rest[start..].to_string()));
    pieces.extend(quoted);
    pieces.sort_by_key(|(at, _)| *at);
    let mut seen = HashSet::new();
    pieces
        .into_iter()
        .map(|(_, name)| name.trim().to_string())
        .filter(|name| !name.is_empty() && seen.insert(name.clone()))
        .collect()
}

/// The names as one string [`parse_tags`] reads back: names with a comma or a space
/// quoted, joined by `", "` (django-taggit's `edit_string_for_tags`, order kept).
///
/// ```
/// use contenttypes::tagging::{edit_string_for_tags, parse_tags};
/// let text = edit_string_for_tags(["rust", "web dev"]);
/// assert_eq!(text, "rust, \"web dev\"");
/// assert_eq!(parse_tags(&text), ["rust", "web dev"]);
/// ```
pub fn edit_string_for_tags<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> String {
    names
        .into_iter()
        .map(|n| {
            let n = n.as_ref();
            if n.contains(',') || n.contains(' ') {
                format!("\"{n}\"")
            } else {
                n.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
