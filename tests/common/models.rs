//! Models adapted from Django's test suites (`generic_relations`, `contenttypes_tests`,
//! `prefetch_related`, `generic_relations_regress`, `aggregation_regress`).
#![allow(dead_code)]

use contenttypes::prelude::*;

// --- generic_relations ---------------------------------------------------------------

/// Django's `generic_relations.TaggedItem`: a tag string and a generic foreign key.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "generic_relations")]
pub struct TaggedItem {
    pub id: i64,
    #[model(max_length = 50)]
    pub tag: String,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "generic_relations")]
pub struct Animal {
    pub id: i64,
    #[model(max_length = 150)]
    pub common_name: String,
    #[model(max_length = 150)]
    pub latin_name: String,
    #[generic_relation(related_query_name = "animal")]
    pub tags: GenericRelation<TaggedItem>,
    #[generic_relation(gfk = first_obj)]
    pub comparisons: GenericRelation<Comparison>,
}

/// Tagged, but with no `related_query_name` (no reverse filter).
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "generic_relations")]
pub struct Vegetable {
    pub id: i64,
    #[model(max_length = 150)]
    pub name: String,
    pub is_yucky: bool,
    pub tags: GenericRelation<TaggedItem>,
}

/// Tagged without a generic relation: deleting one leaves its tags behind (Django E.84).
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "generic_relations")]
pub struct Mineral {
    pub id: i64,
    #[model(max_length = 150)]
    pub name: String,
    pub hardness: i32,
}

/// A model with a key the caller chooses (Django's `ManualPK`).
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "generic_relations", model_name = "manualpk")]
pub struct ManualPk {
    #[model(primary_key, auto_increment = false)]
    pub id: i64,
    #[generic_relation(related_query_name = "manualpk")]
    pub tags: GenericRelation<TaggedItem>,
}

/// Two generic foreign keys on one model (Django's `Comparison`).
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "generic_relations")]
pub struct Comparison {
    pub id: i64,
    #[model(max_length = 50)]
    pub comparative: String,
    pub content_type1_id: i32,
    pub object_id1: i64,
    pub content_type2_id: i32,
    pub object_id2: i64,
    #[generic_foreign_key(ct_field = content_type1_id, fk_field = object_id1)]
    pub first_obj: GenericForeignKey,
    #[generic_foreign_key(ct_field = content_type2_id, fk_field = object_id2)]
    pub other_obj: GenericForeignKey,
}

/// A nullable generic foreign key (Django's `AllowsNullGFK`).
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "generic_relations")]
pub struct AllowsNullGfk {
    pub id: i64,
    pub content_type_id: Option<i32>,
    pub object_id: Option<i64>,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

// --- a generic many-to-many: labels on articles and videos ----------------------------

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "labels")]
pub struct Label {
    pub id: i64,
    #[model(unique, max_length = 50)]
    pub name: String,
}

/// The through model: a foreign key to `Label` and the generic trio.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "labels", unique(label_id, content_type_id, object_id))]
pub struct LabeledThing {
    pub id: i64,
    #[model(foreign_key = Label, on_delete = cascade)]
    pub label_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "blog")]
pub struct Article {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    #[generic_relation(related_query_name = "article")]
    pub labels: GenericRelation<LabeledThing>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "media")]
pub struct Video {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    #[generic_relation(related_query_name = "video")]
    pub labels: GenericRelation<LabeledThing>,
}

// --- keys of other types --------------------------------------------------------------

/// A text object id (Django's `Comment.object_pk`, `CharLink`, `TextLink`).
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "keys")]
pub struct Comment {
    pub id: i64,
    #[model(max_length = 200)]
    pub text: String,
    pub content_type_id: i32,
    #[model(max_length = 40)]
    pub object_pk: String,
    #[generic_foreign_key(fk_field = object_pk)]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "keys")]
pub struct Book {
    pub id: i32,
    #[model(max_length = 200)]
    pub title: String,
    #[generic_relation(related_query_name = "book")]
    pub comments: GenericRelation<Comment>,
    #[generic_relation(related_query_name = "book")]
    pub links: GenericRelation<Link>,
}

/// A model with a text primary key (Django's `Board`).
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "keys")]
pub struct Board {
    #[model(primary_key, max_length = 50)]
    pub name: String,
    pub comments: GenericRelation<Comment>,
}

/// An integer object id (Django's `Link` in `generic_relations_regress`).
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "keys")]
pub struct Link {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

/// Its primary key column has another name (Django's `Person.account`).
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "keys")]
pub struct Place {
    #[model(primary_key, column = "account")]
    pub account: i64,
    #[model(max_length = 100)]
    pub name: String,
    #[generic_relation(related_query_name = "place")]
    pub links: GenericRelation<Link>,
}

#[cfg(feature = "uuid")]
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "keys")]
pub struct UuidThing {
    #[model(primary_key)]
    pub id: uuid::Uuid,
    #[model(max_length = 100)]
    pub name: String,
    #[generic_relation(related_query_name = "uuid_thing")]
    pub comments: GenericRelation<Comment>,
}

// --- nested generic relations: a comment thread with its own likes ---------------------

#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "social")]
pub struct Like {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

/// A generic child that has generic children itself: deleting its target cascades twice.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "social")]
pub struct Note {
    pub id: i64,
    #[model(max_length = 100)]
    pub body: String,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
    pub likes: GenericRelation<Like>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "social")]
pub struct Post {
    pub id: i64,
    #[model(max_length = 100)]
    pub title: String,
    pub notes: GenericRelation<Note>,
    pub likes: GenericRelation<Like>,
}

/// Holds an animal through a RESTRICT foreign key: deleting that animal fails in the
/// database, which must roll back the generic cascade that ran before it.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "generic_relations")]
pub struct Enclosure {
    pub id: i64,
    #[model(foreign_key = Animal, on_delete = restrict)]
    pub animal_id: i64,
}

// --- helpers shared by the tests -------------------------------------------------------

/// A saved animal.
pub fn animal(db: &mut impl Db<Mode = SyncMode>, name: &str) -> Animal {
    Animal::insert(
        db,
        NewAnimal {
            common_name: name.into(),
            latin_name: format!("{name}us"),
        },
    )
    .unwrap()
}

/// A saved vegetable.
pub fn vegetable(db: &mut impl Db<Mode = SyncMode>, name: &str) -> Vegetable {
    Vegetable::insert(
        db,
        NewVegetable {
            name: name.into(),
            is_yucky: false,
        },
    )
    .unwrap()
}

/// A new tag for a relation manager's `create`: given the parent's target, the row.
pub fn tag(name: &str) -> impl FnOnce(Target<i64>) -> NewTaggedItem + Clone {
    let tag = name.to_string();
    move |content_object| NewTaggedItem {
        tag,
        content_object,
    }
}

// --- typed targets: a generic foreign key limited to `targets(..)` --------------------

/// A pin on an article, a video or a board, and on nothing else: `content_object(db)`
/// returns `TargetsPinContentObject`.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "typed_targets")]
pub struct TargetsPin {
    pub id: i64,
    #[model(max_length = 50)]
    pub label: String,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key(targets(Article, Video, TargetsBoard))]
    pub content_object: GenericForeignKey,
}

/// A target with a generic relation back through the typed generic foreign key.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "typed_targets")]
pub struct TargetsBoard {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
    #[generic_relation(related_query_name = "board")]
    pub pins: GenericRelation<TargetsPin>,
}

// --- constructors (get_or_create, update_or_create, Target) -------------------------

/// A row looked up by its description: a unique name and a nullable color.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "ctor")]
pub struct CtorTag {
    pub id: i64,
    #[model(unique, max_length = 50)]
    pub name: String,
    #[model(max_length = 20)]
    pub color: Option<String>,
}

/// A counter per key: what concurrent `modify_or_create` calls bump.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "ctor")]
pub struct CtorCounter {
    pub id: i64,
    #[model(unique, max_length = 50)]
    pub key: String,
    pub value: i64,
}

/// A nullable generic foreign key: described with `Option<Target<i64>>`.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "ctor", unique(label, content_type_id, object_id))]
pub struct CtorPin {
    pub id: i64,
    #[model(max_length = 50)]
    pub label: String,
    pub content_type_id: Option<i32>,
    pub object_id: Option<i64>,
    pub content_object: GenericForeignKey,
}
