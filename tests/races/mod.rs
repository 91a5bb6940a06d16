//! The vocabulary of the races in `concurrency_processes.rs`: the models raced on, the
//! workloads, and what the callers report.

pub mod worker;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use contenttypes::prelude::*;
use serde::{Deserialize, Serialize};

use crate::common::models::*;

/// The keys `get_or_create` races on.
pub const KEYS: [&str; 4] = ["alpha", "beta", "gamma", "delta"];
pub const HITS: &str = "hits";
/// Rows of each caller of `set()`.
pub const SET_ROWS: usize = 3;

/// A named counter on any object: the row `update_or_create` and `get_or_create` race on.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "races", unique(content_type_id, object_id, key))]
pub struct Counter {
    pub id: i64,
    #[model(max_length = 50)]
    pub key: String,
    pub value: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "races")]
pub struct Scoreboard {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
    pub counters: GenericRelation<Counter>,
    pub tags: Tags<RaceTagged>,
}

/// The tags every caller of the tag race creates at once.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "races", tag)]
pub struct RaceTag {
    pub id: i64,
    #[model(unique, max_length = 50)]
    pub name: String,
    #[model(unique, max_length = 50)]
    pub slug: String,
}

#[derive(Model, Clone, Debug, PartialEq)]
#[model(
    app_label = "races",
    tagged_item(tag = tag_id),
    unique(content_type_id, object_id, tag_id)
)]
pub struct RaceTagged {
    pub id: i64,
    #[model(foreign_key = RaceTag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}

/// The models whose content types the callers create on first use.
pub fn first_use_models() -> [&'static contenttypes::ir::ModelDef; 6] {
    [
        Scoreboard::DEF,
        Counter::DEF,
        Animal::DEF,
        Vegetable::DEF,
        Mineral::DEF,
        TaggedItem::DEF,
    ]
}

/// `races_counter.key = ?`: the lookup of every race on counters.
pub type KeyIs = diesel::dsl::Eq<races_counter::key, String>;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Workload {
    UpdateOrCreate,
    GetOrCreate,
    FirstUseInTransaction,
    GetOrCreateInTransaction,
    Set,
    AddTags,
}

impl Workload {
    pub const ALL: [Workload; 6] = [
        Workload::UpdateOrCreate,
        Workload::GetOrCreate,
        Workload::FirstUseInTransaction,
        Workload::GetOrCreateInTransaction,
        Workload::Set,
        Workload::AddTags,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::UpdateOrCreate => "update_or_create(value += 1)",
            Workload::GetOrCreate => "get_or_create",
            Workload::FirstUseInTransaction => "first content-type use in caller's txn",
            Workload::GetOrCreateInTransaction => "get_or_create in caller's txn",
            Workload::Set => "set() on one parent",
            Workload::AddTags => "tags().add() of the same new tags",
        }
    }

    pub fn parse(name: &str) -> Workload {
        Workload::ALL
            .into_iter()
            .find(|w| w.name() == name)
            .unwrap_or_else(|| panic!("unknown workload {name:?}"))
    }

    pub fn calls_per_thread(self) -> usize {
        match self {
            Workload::UpdateOrCreate => 5,
            Workload::GetOrCreate | Workload::GetOrCreateInTransaction => 10,
            Workload::FirstUseInTransaction | Workload::Set | Workload::AddTags => 1,
        }
    }
}

/// What the callers of a race got.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Report {
    pub calls: usize,
    pub ok: usize,
    pub created: usize,
    /// Errors returned to callers, by kind.
    pub errors: HashMap<String, usize>,
    /// The ids callers got, by key (a counter's key, a model's label).
    pub ids: BTreeMap<String, BTreeSet<i64>>,
}

impl Report {
    pub fn merge(&mut self, other: Report) {
        self.calls += other.calls;
        self.ok += other.ok;
        self.created += other.created;
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        for (key, ids) in other.ids {
            self.ids.entry(key).or_default().extend(ids);
        }
    }

    pub fn error_count(&self) -> usize {
        self.errors.values().sum()
    }
}
