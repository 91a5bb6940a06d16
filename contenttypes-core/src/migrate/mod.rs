//! Migrations generated from the models (feature `codegen`): the build helper users call from
//! `build.rs`, and the steps it is made of, each its own module:
//!
//! - [`scan`]: finds the `#[derive(Model)]` structs in the crate's sources and parses them
//!   with the derive's parser (one parser, one IR);
//! - [`state`]: the models as the last migration left them, recorded beside the migrations;
//! - [`plan`](mod@plan): the difference between two sets of models as operations;
//! - [`render`](mod@render): operations → `up.sql`/`down.sql` per dialect, on [`crate::ddl`];
//! - [`version`]: Diesel's `YYYY-MM-DD-HHMMSS-XXXX` versions;
//! - [`manifest`]: the model fingerprints the derive checks, so a model the scanner could
//!   not see is a compile error;
//! - [`builder`]: [`Migrations`], the entry point that runs them in order.

pub mod builder;
pub mod manifest;
pub mod plan;
pub mod render;
pub mod scan;
pub mod state;
mod triggers;
pub mod version;

pub use builder::{BuildError, Migrations, Mode, Outcome, MODE_VAR, TIME_VAR};
pub use plan::{plan, Plan, PlanError};
pub use render::{render, Rendered};
pub use scan::ModelSource;
pub use state::State;

#[cfg(test)]
mod integrity_tests;
#[cfg(test)]
mod shared_schema_tests;
#[cfg(test)]
mod tests;
