//! The JSON the service reads and writes, and what makes a request's input valid.
//!
//! Input is checked here, before any database work, so that nothing a client sends reaches
//! the database in a form it refuses: a bad title or tag name is a 400 with a message,
//! never a database error.

use std::fmt;

use contenttypes::tagging::slugify;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::models::TITLE_MAX;

/// The longest tag name, in characters (`taggit_tag.name`'s `max_length`).
pub const TAG_MAX: usize = 100;
/// The longest slug a tag name may make, in characters: `taggit_tag.slug` holds 100, and a
/// slug taken by another tag gets `_1`... `_100` after it.
pub const SLUG_MAX: usize = TAG_MAX - 4;
/// The most tags one request may add or remove.
pub const TAGS_PER_REQUEST: usize = 100;
/// The most tags `most-common` returns, and how many it returns by default.
pub const MOST_COMMON_MAX: i64 = 1000;
pub const MOST_COMMON_DEFAULT: i64 = 10;

/// The two models that can be tagged, as the paths name them (`/articles`, `/videos`) and
/// as the JSON does (`"article"`, `"video"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Article,
    Video,
}

impl Kind {
    /// The path segment of the kind's collection.
    pub fn collection(self) -> &'static str {
        match self {
            Kind::Article => "articles",
            Kind::Video => "videos",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Article => "article",
            Kind::Video => "video",
        })
    }
}

// ----- Requests ------------------------------------------------------------------------------

/// `POST /{kind}`: a new article or video.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewObject {
    pub title: String,
}

impl NewObject {
    /// The title, trimmed: not empty, at most [`TITLE_MAX`] characters, one line.
    pub fn title(self) -> Result<String, Error> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(Error::BadRequest("`title` is empty".into()));
        }
        if title.chars().count() > TITLE_MAX {
            return Err(Error::BadRequest(format!(
                "`title` is longer than {TITLE_MAX} characters"
            )));
        }
        if title.chars().any(char::is_control) {
            return Err(Error::BadRequest(
                "`title` holds a control character (a line break, a tab, NUL...)".into(),
            ));
        }
        Ok(title.to_string())
    }
}

/// `POST` and `DELETE /{kind}/{id}/tags`: tag names.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagNames {
    pub tags: Vec<String>,
}

impl TagNames {
    /// The names, trimmed, in the order given: at least one and at most
    /// [`TAGS_PER_REQUEST`], each not empty, at most [`TAG_MAX`] characters, one line, with
    /// a slug of at most [`SLUG_MAX`].
    pub fn names(self) -> Result<Vec<String>, Error> {
        if self.tags.is_empty() {
            return Err(Error::BadRequest(
                "`tags` is empty: give at least one tag name".into(),
            ));
        }
        if self.tags.len() > TAGS_PER_REQUEST {
            return Err(Error::BadRequest(format!(
                "`tags` has {} names: at most {TAGS_PER_REQUEST} per request",
                self.tags.len()
            )));
        }
        self.tags.iter().map(|name| tag_name(name)).collect()
    }
}

/// A tag name, trimmed and checked (see [`TagNames::names`]).
pub fn tag_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::BadRequest("a tag name is empty".into()));
    }
    if name.chars().count() > TAG_MAX {
        return Err(Error::BadRequest(format!(
            "the tag name `{}...` is longer than {TAG_MAX} characters",
            name.chars().take(20).collect::<String>()
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::BadRequest(format!(
            "the tag name {name:?} holds a control character (a line break, a tab, NUL...)"
        )));
    }
    if slugify(name).chars().count() > SLUG_MAX {
        return Err(Error::BadRequest(format!(
            "the tag name `{}...` makes a slug longer than {SLUG_MAX} characters",
            name.chars().take(20).collect::<String>()
        )));
    }
    Ok(name.to_string())
}

/// `GET /tags/most-common?limit=&min_count=`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MostCommonQuery {
    pub limit: Option<i64>,
    pub min_count: Option<i64>,
}

impl MostCommonQuery {
    /// `(limit, min_count)`: 1 to [`MOST_COMMON_MAX`] tags ([`MOST_COMMON_DEFAULT`] when not
    /// given), held at least `min_count` times (1 when not given).
    pub fn bounds(&self) -> Result<(i64, i64), Error> {
        let limit = self.limit.unwrap_or(MOST_COMMON_DEFAULT);
        if !(1..=MOST_COMMON_MAX).contains(&limit) {
            return Err(Error::BadRequest(format!(
                "`limit` is {limit}: give 1 to {MOST_COMMON_MAX}"
            )));
        }
        let min_count = self.min_count.unwrap_or(1);
        if min_count < 1 {
            return Err(Error::BadRequest(format!(
                "`min_count` is {min_count}: give 1 or more"
            )));
        }
        Ok((limit, min_count))
    }
}

// ----- Responses -----------------------------------------------------------------------------

/// An article or a video.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Object {
    pub kind: Kind,
    pub id: i64,
    pub title: String,
}

/// `GET /{kind}/{id}`: an object with its tags, in the order they were added.
#[derive(Debug, Serialize)]
pub struct ObjectWithTags {
    #[serde(flatten)]
    pub object: Object,
    pub tags: Vec<String>,
}

/// An object's tags after a read, an addition or a removal (`removed`: how many).
#[derive(Debug, Serialize)]
pub struct ObjectTags {
    pub kind: Kind,
    pub id: i64,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<usize>,
}

/// `GET /tags/{name}/objects`: every object with the tag, articles and videos, by kind and id.
#[derive(Debug, Serialize)]
pub struct TaggedObjects {
    pub tag: String,
    pub objects: Vec<Object>,
}

/// A tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TagInfo {
    pub name: String,
    pub slug: String,
}

/// A tag and how many objects hold it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TagCount {
    pub name: String,
    pub slug: String,
    pub count: i64,
}

/// `GET /tags` and `GET /tags/most-common`.
#[derive(Debug, Serialize)]
pub struct TagList<T> {
    pub tags: Vec<T>,
}
