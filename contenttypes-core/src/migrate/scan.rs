//! Source scanning: finds the `#[derive(Model)]` structs of a crate by walking its module
//! tree from the crate roots (`mod x;` → `x.rs` or `x/mod.rs`, `#[path]` honoured, inline
//! modules followed), and parses each with the parser the derive uses.
//!
//! Items under `#[cfg(test)]` are skipped (test models are not part of the schema). Items
//! under any other `#[cfg]` are kept whatever the enabled features, so that the migrations
//! do not depend on the features a build happens to use. What the scanner cannot see
//! (models made by macros, `cfg_attr`-derived, `include!`d) is caught at compile time by
//! the manifest (see [`super::manifest`]).

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use syn::punctuated::Punctuated;
use syn::{Item, Meta, Token};

use crate::codegen::ast::ModelSpec;
use crate::codegen::lower::{path_string, Resolver, ThroughModel};
use crate::codegen::{parse_item_struct, ParseContext};
use crate::content_type;

/// A model found in the sources.
#[derive(Clone, Debug)]
pub struct ScannedModel {
    pub spec: ModelSpec,
    /// The file it is declared in.
    pub file: PathBuf,
    /// Its module path inside the crate (without the crate name).
    pub module_path: Vec<String>,
}

/// What a scan found.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    pub models: Vec<ScannedModel>,
    /// Every file read, in the order read.
    pub files: Vec<PathBuf>,
    /// Files that do not parse and models whose attributes are wrong. The compiler reports
    /// these too, with spans; while there are any, nothing is planned.
    pub problems: Vec<String>,
}

/// A file could not be read.
#[derive(Debug)]
pub struct ScanError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read {}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for ScanError {}

/// Scans the module trees rooted at `roots` (crate root files such as `src/lib.rs`).
pub fn scan(roots: &[PathBuf], cx: &ParseContext) -> Result<Scan, ScanError> {
    let mut walker = Walker {
        cx,
        visited: BTreeSet::new(),
        scan: Scan::default(),
    };
    for root in roots {
        walker.file(root, &[], true)?;
    }
    Ok(walker.scan)
}

/// Model declarations that are not in the crate's files: another crate's models whose tables
/// this crate's migrations create (the facade's default tag models), as source text read by
/// the same parser.
#[derive(Clone, Copy, Debug)]
pub struct ModelSource {
    /// Where the models are, as a path (`contenttypes::tagging`): its segments after the
    /// crate are the module path foreign keys are resolved against.
    pub path: &'static str,
    /// The Rust source declaring them.
    pub text: &'static str,
}

/// Adds the models of `source` to `scan`.
pub fn scan_source(scan: &mut Scan, source: &ModelSource, cx: &ParseContext) {
    let mut walker = Walker {
        cx,
        visited: BTreeSet::new(),
        scan: std::mem::take(scan),
    };
    let file = PathBuf::from(format!("<{}>", source.path));
    let module: Vec<String> = source
        .path
        .split("::")
        .skip(1)
        .map(str::to_string)
        .collect();
    match syn::parse_file(source.text) {
        Ok(parsed) => {
            // Inline modules only: there is no directory to find others in.
            let _ = walker.items(&parsed.items, &file, Path::new(""), &module, true);
        }
        Err(e) => walker
            .scan
            .problems
            .push(format!("{} does not parse: {e}", file.display())),
    }
    *scan = walker.scan;
}

struct Walker<'a> {
    cx: &'a ParseContext,
    visited: BTreeSet<PathBuf>,
    scan: Scan,
}

impl Walker<'_> {
    /// Reads one module file. A "mod-rs" file (a crate root, `mod.rs`, or a file named by
    /// `#[path]`) keeps its child modules beside it; `a.rs` keeps them in `a/`.
    fn file(&mut self, path: &Path, module: &[String], mod_rs: bool) -> Result<(), ScanError> {
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if !self.visited.insert(key) {
            return Ok(());
        }
        let text = std::fs::read_to_string(path).map_err(|error| ScanError {
            path: path.to_path_buf(),
            error,
        })?;
        self.scan.files.push(path.to_path_buf());
        let file = match syn::parse_file(&text) {
            Ok(file) => file,
            Err(e) => {
                self.scan
                    .problems
                    .push(format!("{} does not parse: {e}", path.display()));
                return Ok(());
            }
        };
        let parent = path.parent().unwrap_or(Path::new(""));
        let dir = if mod_rs {
            parent.to_path_buf()
        } else {
            parent.join(path.file_stem().unwrap_or_default())
        };
        self.items(&file.items, path, &dir, module, false)
    }

    fn items(
        &mut self,
        items: &[Item],
        file: &Path,
        dir: &Path,
        module: &[String],
        inline: bool,
    ) -> Result<(), ScanError> {
        for item in items {
            match item {
                Item::Struct(s) if derives_model(&s.attrs) && !test_only(&s.attrs) => {
                    match parse_item_struct(s, self.cx) {
                        Ok(spec) => self.scan.models.push(ScannedModel {
                            spec,
                            file: file.to_path_buf(),
                            module_path: module.to_vec(),
                        }),
                        Err(e) => {
                            let messages: Vec<String> =
                                e.into_iter().map(|e| e.to_string()).collect();
                            self.scan.problems.push(format!(
                                "model `{}` in {}: {}",
                                s.ident,
                                file.display(),
                                messages.join("; ")
                            ));
                        }
                    }
                }
                Item::Mod(m) if !test_only(&m.attrs) => {
                    let name = m.ident.to_string();
                    let name = name.strip_prefix("r#").unwrap_or(&name).to_string();
                    let mut child_module = module.to_vec();
                    child_module.push(name.clone());
                    let path_attr = path_attribute(&m.attrs);
                    if let Some((_, content)) = &m.content {
                        let child_dir = dir.join(path_attr.as_deref().unwrap_or(&name));
                        self.items(content, file, &child_dir, &child_module, true)?;
                        continue;
                    }
                    let (path, mod_rs) = match path_attr {
                        Some(p) if inline => (dir.join(p), true),
                        Some(p) => (file.parent().unwrap_or(Path::new("")).join(p), true),
                        None => {
                            let flat = dir.join(format!("{name}.rs"));
                            if flat.is_file() {
                                (flat, false)
                            } else {
                                (dir.join(&name).join("mod.rs"), true)
                            }
                        }
                    };
                    if path.is_file() {
                        self.file(&path, &child_module, mod_rs)?;
                    } else {
                        self.scan.problems.push(format!(
                            "module `{}` of {}: no file {}",
                            child_module.join("::"),
                            file.display(),
                            path.display()
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Whether `#[derive(...)]` lists `Model` (by its last path segment).
fn derives_model(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && a.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
                .is_ok_and(|paths| {
                    paths
                        .iter()
                        .any(|p| p.segments.last().is_some_and(|s| s.ident == "Model"))
                })
    })
}

/// Whether a `#[cfg]` makes the item exist only in test builds.
fn test_only(attrs: &[syn::Attribute]) -> bool {
    fn requires_test(meta: &Meta) -> bool {
        match meta {
            Meta::Path(p) => p.is_ident("test"),
            Meta::List(l) if l.path.is_ident("all") => l
                .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .is_ok_and(|metas| metas.iter().any(requires_test)),
            _ => false,
        }
    }
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<Meta>().is_ok_and(|m| requires_test(&m))
    })
}

/// The value of `#[path = "..."]`.
fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// A model the scan cannot see that foreign keys may point at (declared with
/// `Migrations::external_model`): matched by the path as written, or its last segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalModel {
    pub path: String,
    pub table: String,
    pub primary_key: String,
}

/// Resolves the references of one scanned model against the others.
pub struct ScanResolver<'a> {
    pub models: &'a [ScannedModel],
    pub current: usize,
    pub external: &'a [ExternalModel],
}

fn table_and_key(spec: &ModelSpec) -> (String, String) {
    let pk = spec
        .primary_key()
        .map(|(_, c)| c.column.value.clone())
        .unwrap_or_default();
    (spec.table_name.value.clone(), pk)
}

/// The crate a scanned model's source belongs to: the first segment of a `models_from`
/// source's path (its file is `<crate::module>`), empty for the crate being built.
fn crate_of(m: &ScannedModel) -> &str {
    m.file
        .to_str()
        .and_then(|f| f.strip_prefix('<'))
        .and_then(|f| f.split("::").next())
        .unwrap_or("")
}

impl ScanResolver<'_> {
    /// The scanned model a path (as segments) names: the one with that name, or among
    /// several, the one whose module path ends with the path's prefix.
    fn scanned(&self, segments: &[String]) -> Option<&ScannedModel> {
        let name = segments.last()?;
        let mut candidates: Vec<&ScannedModel> = self
            .models
            .iter()
            .filter(|m| m.spec.ident == name.as_str())
            .collect();
        let mut segments = segments;
        // Models of another crate's source (`models_from`) and of this one may share names
        // and module paths: a path that starts with that crate's name means its models, any
        // other path the models of the crate the reference is written in.
        let named_crate = segments.first().filter(|first| {
            segments.len() > 1 && candidates.iter().any(|m| crate_of(m) == first.as_str())
        });
        let wanted = match named_crate {
            Some(first) => {
                let first = first.clone();
                segments = &segments[1..];
                first
            }
            None => crate_of(&self.models[self.current]).to_string(),
        };
        let same: Vec<&ScannedModel> = candidates
            .iter()
            .copied()
            .filter(|m| crate_of(m) == wanted)
            .collect();
        if !same.is_empty() {
            candidates = same;
        }
        let prefix: Vec<&String> = segments[..segments.len() - 1]
            .iter()
            .filter(|s| !matches!(s.as_str(), "crate" | "self" | "super"))
            .collect();
        match candidates.as_slice() {
            [one] => Some(*one),
            [] => None,
            many => {
                let matching: Vec<&&ScannedModel> = many
                    .iter()
                    .filter(|m| {
                        m.module_path.len() >= prefix.len()
                            && m.module_path[m.module_path.len() - prefix.len()..]
                                .iter()
                                .zip(&prefix)
                                .all(|(a, b)| a == *b)
                    })
                    .collect();
                match matching.as_slice() {
                    [one] => Some(**one),
                    _ => None,
                }
            }
        }
    }
}

impl Resolver for ScanResolver<'_> {
    fn foreign_key_target(&self, target: &syn::Path) -> Option<(String, String)> {
        let segments: Vec<String> = target
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if segments == ["Self"] {
            return Some(table_and_key(&self.models[self.current].spec));
        }
        let written = path_string(target);
        if let Some(e) = self.external.iter().find(|e| {
            e.path == written
                || e.path.ends_with(&format!("::{written}"))
                || written.ends_with(&format!("::{}", e.path))
        }) {
            return Some((e.table.clone(), e.primary_key.clone()));
        }
        let found = self.scanned(&segments);
        if let Some(m) = found {
            return Some(table_and_key(&m.spec));
        }
        (segments.last()? == "ContentType")
            .then(|| (content_type::TABLE.to_string(), "id".to_string()))
    }

    /// A generic relation adds no DDL, but its `on_delete` over a generic foreign key the
    /// database enforces changes the triggers: the through model, when it was scanned (else
    /// a relation to a model of another crate, which the state leaves out).
    fn through_model(&self, through: &syn::Path) -> Option<ThroughModel> {
        let segments: Vec<String> = through
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let Some(m) = self.scanned(&segments) else {
            return Some(ThroughModel {
                app_label: String::new(),
                model: String::new(),
                sole_gfk: Some(String::new()),
            });
        };
        let gfks: Vec<_> = m.spec.generic_foreign_keys().collect();
        Some(ThroughModel {
            app_label: m.spec.app_label.value.clone(),
            model: m.spec.model_name.value.clone(),
            sole_gfk: match gfks.as_slice() {
                [(field, _)] => Some(field.ident.to_string()),
                _ => None,
            },
        })
    }
}
