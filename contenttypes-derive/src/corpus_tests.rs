//! The derive corpus (`tests/corpus/generate.rs`): every variation expanded in-process by both
//! derives. Asserts that nothing panics, that a variation is accepted (no `compile_error!`,
//! and the expansion parses as Rust) or rejected as it says, and that every error is reported
//! on a line the variation marks, every marked line getting its errors: each mistake is
//! reported where it is, all at once.
//!
//! Spans: the test parses each variation with `syn::parse_str`, which (with proc-macro2's
//! `span-locations`, on for this crate's tests) gives every token its line and column, and
//! reads the errors of the shared parser with their spans.

use std::panic::{catch_unwind, AssertUnwindSafe};

use contenttypes_core::codegen::{parse_derive_input, ParseContext};
use proc_macro2::{TokenStream, TokenTree};

#[path = "../../tests/corpus/generate.rs"]
mod generate;

use generate::Variation;

/// The derive's column limit (its `*-column-tables` features).
const LIMIT: usize = crate::util::MAX_COLUMNS;

fn cx() -> ParseContext {
    ParseContext {
        max_columns: LIMIT,
        ..ParseContext::new("corpus")
    }
}

fn has_compile_error(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == "compile_error",
        TokenTree::Group(g) => has_compile_error(g.stream()),
        _ => false,
    })
}

/// What went wrong with one variation.
fn check(v: &Variation, panics: &mut usize) -> Vec<String> {
    let mut problems = Vec::new();
    let input: syn::DeriveInput = match syn::parse_str(&v.source) {
        Ok(input) => input,
        Err(e) => return vec![format!("the source does not parse as an item: {e}")],
    };
    let tokens: TokenStream = match v.source.parse() {
        Ok(tokens) => tokens,
        Err(e) => return vec![format!("the source does not lex: {e}")],
    };

    // Both derives, in-process: neither may panic.
    let model = catch_unwind(AssertUnwindSafe(|| crate::model::derive(tokens.clone())));
    let relation = catch_unwind(AssertUnwindSafe(|| crate::relation::derive(tokens.clone())));
    let (model, relation) = match (model, relation) {
        (Ok(m), Ok(r)) => (m, r),
        (m, r) => {
            *panics += 1;
            return vec![format!(
                "a derive panicked (Model: {}, GenericRelation: {})",
                if m.is_err() { "panicked" } else { "ok" },
                if r.is_err() { "panicked" } else { "ok" }
            )];
        }
    };
    let rejected = has_compile_error(model.clone());
    if rejected == v.accepted(LIMIT) {
        problems.push(format!(
            "expected it to be {}, the derive {} it",
            if v.accepted(LIMIT) {
                "accepted"
            } else {
                "rejected"
            },
            if rejected { "rejected" } else { "accepted" }
        ));
    }
    if !rejected {
        for (derive, out) in [("Model", model), ("GenericRelation", relation)] {
            if let Err(e) = syn::parse2::<syn::File>(out) {
                problems.push(format!("the {derive} expansion is not valid Rust: {e}"));
            }
        }
    }

    // The errors, with their spans, from the parser both derives share.
    let errors: Vec<syn::Error> = match parse_derive_input(&input, &cx()) {
        Ok(_) => Vec::new(),
        Err(e) => e.into_iter().collect(),
    };
    let expected = v.expected_errors(LIMIT);
    let struct_line = v.struct_line();
    let mut per_line: std::collections::BTreeMap<usize, usize> = Default::default();
    for e in &errors {
        let start = e.span().start();
        *per_line.entry(start.line).or_default() += 1;
        if start.line <= 1 {
            problems.push(format!(
                "error at the call site ({}:{}): {e}",
                start.line, start.column
            ));
        } else if !expected.iter().any(|(line, _)| *line == start.line) {
            let where_ = if Some(start.line) == struct_line {
                " (the struct line, not the token that is wrong)"
            } else {
                ""
            };
            problems.push(format!(
                "error on unmarked line {}:{}{where_}: {e}",
                start.line, start.column
            ));
        }
    }
    for (line, count) in &expected {
        let got = per_line.get(line).copied().unwrap_or(0);
        match count {
            None if got == 0 => problems.push(format!("no error on marked line {line}")),
            Some(n) if got != *n => {
                problems.push(format!("{got} errors on line {line}, expected {n}"))
            }
            _ => {}
        }
    }
    problems
}

#[test]
fn corpus() {
    let variations = generate::variations();
    let mut panics = 0;
    let mut accepted = 0;
    let mut failures = Vec::new();
    for v in &variations {
        let problems = check(v, &mut panics);
        if v.accepted(LIMIT) && problems.is_empty() {
            accepted += 1;
        }
        if !problems.is_empty() {
            let source: String = v
                .source
                .lines()
                .enumerate()
                .map(|(i, l)| format!("    {:>3} | {l}\n", i + 1))
                .collect();
            failures.push(format!(
                "{}:\n{}  - {}",
                v.name,
                source,
                problems.join("\n  - ")
            ));
        }
    }
    println!(
        "corpus: {} variations, {} accepted, {} rejected, {} panics",
        variations.len(),
        variations.iter().filter(|v| v.accepted(LIMIT)).count(),
        variations.iter().filter(|v| !v.accepted(LIMIT)).count(),
        panics
    );
    assert!(
        variations.len() >= 300,
        "the corpus has {} variations",
        variations.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} variations failed ({accepted} accepted as expected, {panics} panics):\n\n{}",
        failures.len(),
        variations.len(),
        failures.join("\n\n")
    );
}
