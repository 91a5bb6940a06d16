//! The derive corpus (`tests/corpus/generate.rs`) against the databases and the compiler.
//!
//! - Every variation the parser accepts is lowered to the IR as the migrations build helper
//!   does (`parse_item_struct`, `to_ir`), and its `CREATE TABLE` and indexes are run, then
//!   dropped, on every backend compiled in: accepted input must make DDL that runs on
//!   SQLite, PostgreSQL and MySQL/MariaDB. (The parser here allows Diesel's largest column
//!   count, as the build helper does, so wide variations run too.)
//! - All variations are compiled together with the derives (`cargo check` of a generated
//!   crate): accepted ones without an error, rejected ones with every compiler error on a
//!   line the variation marks, never at the derive, and nothing panicking.
//!
//! Server backends follow `tests/common`: their feature on means their URL is required.

mod common;

#[path = "corpus/generate.rs"]
mod generate;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use contenttypes_core::codegen::lower::{path_string, to_ir, Resolver, ThroughModel};
use contenttypes_core::codegen::{parse_item_struct, ParseContext};
use contenttypes_core::ddl::{self, Dialect};
use contenttypes_core::ir::ModelDef;
use diesel::connection::SimpleConnection;
use generate::Variation;

/// Foreign keys point at the corpus's support models (or at their own model).
struct CorpusModels<'a> {
    table: &'a str,
    primary_key: &'a str,
}

impl Resolver for CorpusModels<'_> {
    fn foreign_key_target(&self, target: &syn::Path) -> Option<(String, String)> {
        if target.is_ident("Self") {
            return Some((self.table.to_string(), self.primary_key.to_string()));
        }
        generate::support_target(&path_string(target)).map(|(t, k)| (t.into(), k.into()))
    }

    /// Generic relations add no DDL.
    fn through_model(&self, _: &syn::Path) -> Option<ThroughModel> {
        Some(ThroughModel {
            app_label: "corpus_support".into(),
            model: "tagged".into(),
            sole_gfk: Some("content_object".into()),
        })
    }
}

/// A model's IR, as the build helper makes it; `None` when the parser refuses it.
fn lower(source: &str) -> Option<ModelDef> {
    // An enum is not a struct: refused.
    lower_item(&syn::parse_str(source).ok()?)
}

fn lower_item(item: &syn::ItemStruct) -> Option<ModelDef> {
    let spec = parse_item_struct(item, &ParseContext::new("corpus")).ok()?;
    let (table, primary_key) = (
        spec.table_name.value.clone(),
        spec.primary_key()
            .map(|(_, c)| c.column.value.clone())
            .unwrap_or_default(),
    );
    let resolver = CorpusModels {
        table: &table,
        primary_key: &primary_key,
    };
    let (def, unresolved) = to_ir(&spec, &resolver);
    assert!(unresolved.is_empty(), "{}: {unresolved:?}", item.ident);
    Some(def)
}

/// The support models' IR.
fn support() -> Vec<ModelDef> {
    let file: syn::File = syn::parse_str(generate::SUPPORT).expect("the support models parse");
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(lower_item(s).expect("a valid support model")),
            _ => None,
        })
        .collect()
}

/// The accepted variations with their IR; checks that every variation the corpus says is
/// accepted is.
fn accepted() -> Vec<(Variation, ModelDef)> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for v in generate::variations() {
        match lower(&v.source) {
            Some(def) => out.push((v, def)),
            None if v.accepted(contenttypes_core::names::MAX_COLUMNS) => missing.push(v.name),
            None => {}
        }
    }
    assert!(
        missing.is_empty(),
        "the build helper's parser refuses variations the corpus accepts: {missing:?}"
    );
    out
}

/// Creates and drops every accepted variation's table on one database.
fn run_ddl(dialect: Dialect, conn: &mut impl SimpleConnection) {
    let support = support();
    for statement in ddl::create_schema(dialect, support.iter()) {
        conn.batch_execute(&statement)
            .unwrap_or_else(|e| panic!("support schema: {statement}\n{e}"));
    }
    let mut failures = Vec::new();
    let mut created = 0;
    let accepted = accepted();
    for (v, def) in &accepted {
        // An unmanaged model's table is the user's.
        if !def.managed {
            continue;
        }
        let mut ok = true;
        for statement in ddl::create_table(dialect, def) {
            if let Err(e) = conn.batch_execute(&statement) {
                failures.push(format!("{}:\n{}\n{statement}\n-> {e}", v.name, v.source));
                ok = false;
                break;
            }
        }
        if ok {
            created += 1;
        }
        let drop = ddl::drop_table_if_exists(dialect, &def.table.name);
        if let Err(e) = conn.batch_execute(&drop) {
            failures.push(format!("{}: {drop} -> {e}", v.name));
        }
    }
    println!(
        "derive corpus on {}: {} accepted variations, {created} tables created and dropped",
        dialect.name(),
        accepted.len()
    );
    assert!(
        failures.is_empty(),
        "{} accepted variations make DDL that fails on {}:\n\n{}",
        failures.len(),
        dialect.name(),
        failures.join("\n\n")
    );
}

#[cfg(feature = "sqlite")]
#[test]
fn ddl_runs_on_sqlite() {
    use common::TestConnection;
    let (mut conn, _cleanup) = diesel::SqliteConnection::fresh();
    run_ddl(Dialect::Sqlite, &mut conn);
}

#[cfg(feature = "postgres")]
#[test]
fn ddl_runs_on_postgres() {
    use common::TestConnection;
    let (mut conn, _cleanup) = diesel::PgConnection::fresh();
    run_ddl(Dialect::Postgres, &mut conn);
}

#[cfg(feature = "mysql")]
#[test]
fn ddl_runs_on_mysql() {
    use common::TestConnection;
    let (mut conn, _cleanup) = diesel::MysqlConnection::fresh();
    run_ddl(Dialect::Mysql, &mut conn);
}

// --- The compiler's view -------------------------------------------------------------------

/// The derive's column limit with this run's features.
const DERIVE_LIMIT: usize = if cfg!(feature = "64-column-tables") {
    64
} else {
    32
};

/// The features of this test run, for the generated crate's `contenttypes` dependency.
fn enabled_features() -> Vec<&'static str> {
    let mut features = Vec::new();
    macro_rules! feature {
        ($($name:literal)*) => {$(
            if cfg!(feature = $name) {
                features.push($name);
            }
        )*};
    }
    feature!("sqlite" "postgres" "mysql" "uuid" "chrono" "time" "serde_json" "numeric" "serde"
        "64-column-tables");
    features
}

/// Writes a crate with every variation in a module of its own; returns its directory and,
/// per variation, the line its source starts on.
fn write_crate(variations: &[Variation]) -> (PathBuf, Vec<usize>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("derive_corpus");
    std::fs::create_dir_all(dir.join("src")).expect("create the corpus crate");
    let features: Vec<String> = enabled_features()
        .iter()
        .map(|f| format!("\"{f}\""))
        .collect();
    let manifest = format!(
        "[package]\nname = \"derive-corpus\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [lib]\npath = \"src/lib.rs\"\n\n\
         [dependencies]\n\
         contenttypes = {{ path = {root:?}, default-features = false, features = [{}] }}\n\
         diesel = {{ version = \"2.3.14\", default-features = false }}\n\n\
         [workspace]\n",
        features.join(", ")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");

    let mut lib = String::from(
        "#![allow(dead_code, non_camel_case_types, non_snake_case, non_upper_case_globals, unused_imports)]\n\
         pub mod support {\nuse contenttypes::prelude::*;\n",
    );
    lib.push_str(generate::SUPPORT);
    lib.push_str("}\n");
    let mut starts = Vec::new();
    for (i, v) in variations.iter().enumerate() {
        lib.push_str(&format!(
            "// {}\npub mod v{i} {{\nuse contenttypes::prelude::*;\nuse super::support::*;\n",
            v.name
        ));
        starts.push(lib.lines().count() + 1);
        lib.push_str(&v.source);
        lib.push_str(&v.extra);
        lib.push_str("\n}\n");
    }
    std::fs::write(dir.join("src/lib.rs"), lib).expect("write lib.rs");
    (dir, starts)
}

/// The line in `src/lib.rs` a compiler message is about, following macro expansions back to
/// the file.
fn message_line(message: &serde_json::Value) -> Option<usize> {
    let spans = message["spans"].as_array()?;
    let span = spans
        .iter()
        .find(|s| s["is_primary"].as_bool() == Some(true))
        .or_else(|| spans.first())?;
    let mut span = span;
    loop {
        if span["file_name"].as_str() == Some("src/lib.rs") {
            return span["line_start"].as_u64().map(|l| l as usize);
        }
        span = span.get("expansion")?.get("span")?;
    }
}

#[test]
fn the_compiler_reports_every_error_where_the_corpus_says() {
    let variations = generate::variations();
    let (dir, starts) = write_crate(&variations);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["check", "--quiet", "--message-format=json"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .expect("run cargo check on the corpus crate");
    let stdout = String::from_utf8_lossy(&output.stdout);

    // Each error, by variation and line within the variation.
    let mut errors: BTreeMap<usize, Vec<(usize, String)>> = BTreeMap::new();
    let mut stray = Vec::new();
    let mut compiled = false;
    for line in stdout.lines() {
        let Ok(json) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if json["reason"] == "compiler-artifact" && json["target"]["name"] == "derive_corpus" {
            compiled = true;
        }
        if json["reason"] != "compiler-message" {
            continue;
        }
        let message = &json["message"];
        if message["level"] != "error" {
            continue;
        }
        let text = message["message"].as_str().unwrap_or("").to_string();
        if text.starts_with("could not compile") || text.starts_with("aborting due to") {
            continue;
        }
        let located = message_line(message).and_then(|line| {
            let i = starts.iter().rposition(|&start| start <= line)?;
            Some((i, line + 1 - starts[i]))
        });
        match located {
            Some((i, line)) => errors.entry(i).or_default().push((line, text)),
            None => stray.push(text),
        }
    }
    assert!(
        stray.is_empty(),
        "errors outside the variations (in the support models?):\n{}\n{}",
        stray.join("\n"),
        String::from_utf8_lossy(&output.stderr)
    );

    let mut failures = Vec::new();
    for (i, v) in variations.iter().enumerate() {
        let got = errors.remove(&i).unwrap_or_default();
        let marked: BTreeSet<usize> = v
            .expected_errors(DERIVE_LIMIT)
            .iter()
            .map(|(l, _)| *l)
            .collect();
        let mut problems = Vec::new();
        for (line, text) in &got {
            if !marked.contains(line) {
                problems.push(format!("error on unmarked line {line}: {text}"));
            }
        }
        for line in &marked {
            if !got.iter().any(|(l, _)| l == line) {
                problems.push(format!("no error on marked line {line}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}:\n{}  - {}",
                v.name,
                v.source,
                problems.join("\n  - ")
            ));
        }
    }
    let rejected = variations
        .iter()
        .filter(|v| !v.accepted(DERIVE_LIMIT))
        .count();
    println!(
        "derive corpus compiled: {} variations, {} accepted without errors, {rejected} rejected at their marks",
        variations.len(),
        variations.len() - rejected
    );
    assert!(
        failures.is_empty(),
        "{} variations compile differently than the corpus says:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    // Rejected variations fail the crate; without any, it must have compiled.
    assert!(
        rejected > 0 || compiled,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
