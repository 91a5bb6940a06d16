//! The attribute parser shared by `#[derive(Model)]` and the migrations build helper
//! (Diesel's `diesel_attribute_parser` pattern): parse → validate → lower to the IR.
//!
//! - [`parse`] reads a struct and its `#[model]`, `#[generic_foreign_key]` and
//!   `#[generic_relation]` attributes into a [`ast::ModelSpec`], collecting every error;
//! - `validate` checks the declaration as a whole (run by `parse`);
//! - [`lower`] turns a spec into the IR.

pub mod ast;
mod attr;
mod constraint_names;
pub mod ctxt;
mod defaults;
mod field;
pub mod lower;
mod mysql_limits;
pub mod parse;
mod tagging;
mod types;
mod validate;

pub use ast::ModelSpec;
pub use parse::{parse_derive_input, parse_item_struct, ParseContext};

#[cfg(test)]
mod shared_schema_tests;
#[cfg(test)]
mod tests;
