//! Tagging (django-taggit's `TaggableManager`, with its open issues fixed): a `Tags<Through>`
//! field on any model, its manager (`article.tags().add(db, ["rust", "diesel"])`) and its
//! descriptor (`Article::TAGS.all(["rust", "diesel"])`, `most_common`, `tag_many`...).
//!
//! A tag is a row of a model declared `#[model(tag)]` (a unique `name` and a unique `slug`);
//! an object's tags are rows of a through model declared `#[model(tagged_item(tag = ..))]`:
//! a foreign key to the tag and a generic foreign key to the object, and optionally a text
//! column naming the tag set (`tagged_item(tag = tag_id, set = tag_set)`), so one model can
//! have several `Tags` fields over one through model.

mod across;
mod counted;
mod descriptor;
mod field;
mod maintenance;
mod manager;
mod most_common;
mod names;
mod resolve;
mod similar;
mod sql;

pub use across::{tagged_all, tagged_any, tagged_none, TaggedObjects};
pub use descriptor::TagsDescriptor;
pub use field::Tags;
pub use maintenance::{merge_tags, orphaned_tags, remove_orphaned_tags, Merged};
pub use manager::{TagDefaults, TagManager};
pub use most_common::MostCommon;
pub use names::{edit_string_for_tags, parse_tags, slugify, TagRef};
pub use similar::{SimilarAcrossModels, SimilarObjects};
pub use sql::TagCondition;

use contenttypes_core::keys::PkValue;

use crate::model::Model;

/// A tag model: a struct with `#[derive(Model)]` and `#[model(tag)]` (which implements this
/// trait), with a `name: String` and a `slug: String`, both unique.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tag model",
    label = "not a tag model",
    note = "add `tag` to its `#[model(...)]`, as in `#[model(app_label = \"taggit\", tag)]`; it needs unique `name` and `slug` fields"
)]
pub trait TagModel: Model + Clone {
    /// The `name` column.
    const NAME_COLUMN: &'static str;
    /// The `slug` column.
    const SLUG_COLUMN: &'static str;
    /// `#[model(tag(case_insensitive))]`: names match whatever their case, the first
    /// spelling is kept (django-taggit's `TAGGIT_CASE_INSENSITIVE`).
    const CASE_INSENSITIVE: bool;
    /// The tag's name.
    fn name(&self) -> &str;
    /// The tag's slug.
    fn slug(&self) -> &str;
    /// A new tag with this name and slug, its other fields at their defaults.
    #[doc(hidden)]
    fn __new_tag(name: String, slug: String) -> Self::New;
}

/// The through model of `Tags` fields: a struct with `#[derive(Model)]` and
/// `#[model(tagged_item(tag = tag_id))]` (which implements this trait), holding a foreign
/// key to a [`TagModel`] and a generic foreign key to the tagged object.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tagged-item model",
    label = "not the through model of a tag set",
    note = "add `tagged_item(tag = <its foreign key to the tag model>)` to its `#[model(...)]`, and `set = <a String field>` for several tag sets per model"
)]
pub trait TaggedItemModel: Model {
    /// The tag model.
    type Tag: TagModel;
    /// The insert struct's generic foreign key field (`Target<..>`).
    type ContentObject;
    /// The foreign key column to the tag.
    const TAG_COLUMN: &'static str;
    /// The column naming the tag set a row belongs to, if the model has one.
    const SET_COLUMN: Option<&'static str>;
    /// The tag's key.
    #[doc(hidden)]
    fn __tag_key(&self) -> PkValue;
    /// The tag set the row belongs to.
    #[doc(hidden)]
    fn __set_name(&self) -> Option<&str>;
    /// The through row tagging `content_object` with `tag` in the set `set`, its other
    /// fields at their defaults.
    #[doc(hidden)]
    fn __new_item(tag: &Self::Tag, set: &str, content_object: Self::ContentObject) -> Self::New;
}
