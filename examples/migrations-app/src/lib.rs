//! The models of the migrations example, in two apps, linked by both of its binaries: the
//! program (`src/main.rs`) and its command-line tool (`src/bin/contenttypes.rs`).
//! `build.rs` scans this module tree for them.

pub mod blog;
pub mod tagging;
