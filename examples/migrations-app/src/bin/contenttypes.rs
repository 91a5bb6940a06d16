//! The command-line tool for this crate's models (`contenttypes::cli`):
//! `cargo run -p migrations-app --bin contenttypes -- check`, `... -- --database-url app.db
//! migrate`, `... -- stale`, `... -- sweep --dry-run`.

// The models are registered by linking the crate's library.
use migrations_app as _;

fn main() -> std::process::ExitCode {
    contenttypes::cli::main()
}
