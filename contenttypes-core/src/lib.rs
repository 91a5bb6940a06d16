//! The database-independent half of the contenttypes framework.
//!
//! - [`ir`]: the model IR every other part reads;
//! - [`names`]: naming rules and Django's name defaults;
//! - [`keys`]: primary key types and which object-id column can hold which key;
//! - [`registry`]: the runtime registry of every model;
//! - [`check`]: Django's system checks, for what is not already a compile error;
//! - [`ddl`]: DDL per SQL dialect, with [`mysql_keys`] for MySQL's index key limit;
//! - [`content_type`]: the `django_content_type` table;
//! - `codegen` (feature `codegen`): the attribute parser shared by the derive and the
//!   migrations build helper, and the build helper itself.
//!
//! Users depend on the `contenttypes` facade crate, which re-exports what they need.

#![forbid(unsafe_code)]

pub mod check;
pub mod content_type;
pub mod ddl;
pub mod generic_foreign_key;
pub mod generic_on_delete;
pub mod ir;
pub mod keys;
pub mod mysql_keys;
pub mod names;
pub mod registry;

#[cfg(feature = "codegen")]
pub mod codegen;
#[cfg(feature = "codegen")]
pub mod migrate;

#[doc(hidden)]
pub mod __private {
    pub use inventory;
}
