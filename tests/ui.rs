//! Compile-fail tests: each misuse of the derives is a compile error pointing at the
//! user's token, with a message that says what to do. One case per mistake, `.rs` and the
//! expected `.stderr` (bless with `TRYBUILD=overwrite`). The stderr files are written by
//! rustc 1.95, the toolchain this project builds with.

/// Mistakes the derive's parser reports: their messages do not depend on features.
#[test]
fn derive_errors() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}

/// More columns than Diesel's default `table!` supports: an error at the first column past
/// the limit, naming the feature that raises it (which `--all-features` turns on).
#[cfg(not(feature = "64-column-tables"))]
#[test]
fn column_limit() {
    trybuild::TestCases::new().compile_fail("tests/ui-32-columns/*.rs");
}

/// Mistakes the type system reports through `#[diagnostic::on_unimplemented]`: rustc lists
/// the implementations it knows, which depend on the enabled features, so these run with
/// all of them (as CI does).
#[cfg(all(
    feature = "sqlite",
    feature = "postgres",
    feature = "mysql",
    feature = "uuid"
))]
#[test]
fn type_errors() {
    trybuild::TestCases::new().compile_fail("tests/ui-all-features/*.rs");
}
