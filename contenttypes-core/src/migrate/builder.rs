//! The build helper users call from `build.rs`: scan → IR → plan → render → write.
//!
//! ```no_run
//! // in build.rs's `main`:
//! if let Err(e) = contenttypes_core::migrate::Migrations::new().run() {
//!     panic!("{e}");
//! }
//! ```
//!
//! What a run does:
//! 1. scans the crate's module tree (`src/lib.rs`, `src/main.rs`, `src/bin/*`) for
//!    `#[derive(Model)]` structs and lowers them with the derive's own parser and lowering;
//! 2. writes `OUT_DIR/contenttypes_manifest.rs` (see [`super::manifest`]);
//! 3. compares the models with `migrations/contenttypes-state.json` and, when they differ,
//!    writes one new folder `migrations/<dialect>/<version>_<name>/` per dialect
//!    (`up.sql`, `down.sql`, and `metadata.toml` when needed), then the new state. Existing
//!    folders are never rewritten; every file is written under a temporary name and renamed
//!    into place; the same models always give the same bytes;
//! 4. prints `cargo:rerun-if-changed` for exactly what it read (never for what it just
//!    wrote, so writing does not trigger another run), and a `cargo:warning` for what it
//!    wrote or will drop.
//!
//! Modes (`CONTENTTYPES_MIGRATIONS`, or [`Migrations::mode`]): `write` (default), `check`
//! (fail when the models and the committed migrations disagree; write nothing but the
//! manifest), `off` (only the manifest; also when `DOCS_RS` is set).
//!
//! The version's clock: [`Migrations::time`], else `CONTENTTYPES_MIGRATION_TIME` (seconds
//! since the epoch, or `YYYY-MM-DDTHH:MM:SSZ`), else `SOURCE_DATE_EPOCH`, else now.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::codegen::lower::{to_ir, Unresolved};
use crate::codegen::ParseContext;
use crate::content_type;
use crate::ddl::Dialect;
use crate::ir::ModelDef;

use super::manifest;
use super::plan::{self, PlanError};
use super::render::{self, HEADER};
use super::scan::{self, ExternalModel, ModelSource, ScanResolver};
use super::state::{self, State};
use super::version::{self, UnixTime};

/// The environment variable that picks the mode: `write`, `check` or `off`.
pub const MODE_VAR: &str = "CONTENTTYPES_MIGRATIONS";
/// The environment variable that fixes the clock of new versions.
pub const TIME_VAR: &str = "CONTENTTYPES_MIGRATION_TIME";

/// What a run may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Write new migrations when the models changed (the default).
    Write,
    /// Fail when the models and the committed migrations disagree; write nothing (CI).
    Check,
    /// Only write the manifest.
    Off,
}

impl Mode {
    /// Reads a mode's name (`write`, `check`, `off`).
    pub fn from_name(name: &str) -> Option<Mode> {
        match name.trim() {
            "write" | "" => Some(Mode::Write),
            "check" => Some(Mode::Check),
            "off" => Some(Mode::Off),
            _ => None,
        }
    }
}

/// The build helper. See the [module documentation](self).
#[derive(Clone, Debug)]
#[must_use = "call `.run()`"]
pub struct Migrations {
    manifest_dir: Option<PathBuf>,
    crate_roots: Vec<PathBuf>,
    migrations_dir: PathBuf,
    dialects: Vec<Dialect>,
    out_dir: Option<Option<PathBuf>>,
    mode: Option<Mode>,
    time: Option<UnixTime>,
    default_app_label: Option<String>,
    cargo_output: bool,
    external: Vec<ExternalModel>,
    sources: Vec<ModelSource>,
}

impl Default for Migrations {
    fn default() -> Self {
        Self::new()
    }
}

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub mode: Mode,
    /// The labels (`app_label.model`) of the models found.
    pub models: Vec<String>,
    /// The folder written (`<version>_<name>`), once per dialect directory.
    pub migration: Option<String>,
    /// Every file written under the migrations directory.
    pub written: Vec<PathBuf>,
    /// Whether the state file was written.
    pub state_written: bool,
    /// What the new migration does, one line per step.
    pub summary: Vec<String>,
    /// Messages for the user (printed as `cargo:warning`).
    pub warnings: Vec<String>,
    /// The paths printed as `cargo:rerun-if-changed`.
    pub rerun_if_changed: Vec<PathBuf>,
    /// The manifest written, if any.
    pub manifest: Option<PathBuf>,
}

/// Why a run failed. The message says what to do.
#[non_exhaustive]
pub enum BuildError {
    /// The helper is misconfigured (no manifest directory, a bad environment variable).
    Config(String),
    Io {
        path: PathBuf,
        error: io::Error,
    },
    /// The models cannot be turned into migrations (unresolved foreign keys, duplicates).
    Models(Vec<String>),
    /// The state file cannot be read, or is missing while generated migrations exist.
    State {
        path: PathBuf,
        message: String,
    },
    Plan(PlanError),
    /// Check mode: the models and the committed migrations disagree.
    Drift {
        summary: Vec<String>,
    },
    /// Migrations the state lists are missing from a dialect directory.
    MissingMigrations(Vec<PathBuf>),
    /// A folder with the chosen name exists with other contents.
    FolderExists(PathBuf),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Config(m) => write!(f, "contenttypes migrations: {m}"),
            BuildError::Io { path, error } => {
                write!(f, "contenttypes migrations: {}: {error}", path.display())
            }
            BuildError::Models(errors) => write!(
                f,
                "contenttypes migrations: the models cannot be planned:\n  {}",
                errors.join("\n  ")
            ),
            BuildError::State { path, message } => write!(
                f,
                "contenttypes migrations: state file {}: {message}",
                path.display()
            ),
            BuildError::Plan(e) => write!(f, "contenttypes migrations: {e}"),
            BuildError::Drift { summary } => write!(
                f,
                "contenttypes migrations: the models and the committed migrations disagree ({MODE_VAR}=check). \
                 A migration would:\n  {}\nRun `cargo build` without {MODE_VAR}=check to write it, and commit \
                 the new migration folders and the state file.",
                summary.join("\n  ")
            ),
            BuildError::MissingMigrations(paths) => write!(
                f,
                "contenttypes migrations: the state file lists migrations that are missing:\n  {}\n\
                 Restore them (they are committed with the state), or remove them from the state's \
                 `migrations` list if they were deleted on purpose.",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ),
            BuildError::FolderExists(path) => write!(
                f,
                "contenttypes migrations: {} exists with other contents; existing migrations are never rewritten",
                path.display()
            ),
        }
    }
}

/// Shows the message, so that `fn main() -> Result<(), Box<dyn Error>>` in `build.rs`
/// prints something readable.
impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for BuildError {}

impl From<PlanError> for BuildError {
    fn from(e: PlanError) -> Self {
        BuildError::Plan(e)
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> BuildError + '_ {
    move |error| BuildError::Io {
        path: path.to_path_buf(),
        error,
    }
}

impl Migrations {
    /// The defaults: the package of `CARGO_MANIFEST_DIR`, its `src/` crate roots,
    /// `migrations/`, all three dialects, the manifest in `OUT_DIR`, cargo directives on.
    pub fn new() -> Self {
        Migrations {
            manifest_dir: None,
            crate_roots: Vec::new(),
            migrations_dir: PathBuf::from("migrations"),
            dialects: Dialect::ALL.to_vec(),
            out_dir: None,
            mode: None,
            time: None,
            default_app_label: None,
            cargo_output: true,
            external: Vec::new(),
            sources: Vec::new(),
        }
    }

    /// Adds models declared outside the crate's files, whose tables this crate's migrations
    /// create: `contenttypes::build::TAG_MODELS`, the default tag models.
    pub fn models_from(mut self, source: ModelSource) -> Self {
        self.sources.push(source);
        self
    }

    /// The package directory (default: `CARGO_MANIFEST_DIR`). Relative paths below are
    /// relative to it.
    pub fn manifest_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.manifest_dir = Some(dir.into());
        self
    }

    /// Adds a crate root file to scan (default: `src/lib.rs`, `src/main.rs`, `src/bin/*.rs`
    /// and `src/bin/*/main.rs`, those that exist). Giving one replaces the defaults.
    pub fn crate_root(mut self, path: impl Into<PathBuf>) -> Self {
        self.crate_roots.push(path.into());
        self
    }

    /// The migrations directory (default `migrations`); one sub-directory per dialect.
    pub fn migrations_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.migrations_dir = dir.into();
        self
    }

    /// The dialects to write migrations for (default: SQLite, PostgreSQL and MySQL).
    pub fn dialects(mut self, dialects: &[Dialect]) -> Self {
        self.dialects = dialects.to_vec();
        self.dialects.sort();
        self.dialects.dedup();
        self
    }

    /// Where to write the manifest (default: `OUT_DIR`, when set); `None` for nowhere.
    pub fn out_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.out_dir = Some(dir);
        self
    }

    /// The mode, overriding `CONTENTTYPES_MIGRATIONS`.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// The clock of a new migration's version, in seconds since the epoch (UTC), overriding
    /// `CONTENTTYPES_MIGRATION_TIME` and `SOURCE_DATE_EPOCH`.
    pub fn time(mut self, unix_seconds: i64) -> Self {
        self.time = Some(unix_seconds);
        self
    }

    /// The `app_label` of models that do not declare one (default: the crate name). The
    /// helper records it in `OUT_DIR`, where `#[derive(Model)]` reads it, so both use it.
    pub fn default_app_label(mut self, label: impl Into<String>) -> Self {
        self.default_app_label = Some(label.into());
        self
    }

    /// Whether to print `cargo:` directives (default on; off when driving the helper from a
    /// test or a tool).
    pub fn cargo_output(mut self, on: bool) -> Self {
        self.cargo_output = on;
        self
    }

    /// A model of another crate that foreign keys here point at: the path as written in
    /// `foreign_key = ...` (or its last segments), its table and primary key column.
    pub fn external_model(
        mut self,
        path: impl Into<String>,
        table: impl Into<String>,
        primary_key: impl Into<String>,
    ) -> Self {
        self.external.push(ExternalModel {
            path: path.into(),
            table: table.into(),
            primary_key: primary_key.into(),
        });
        self
    }

    /// The drift check, for a test: fails when the models and the committed migrations
    /// disagree. Writes nothing and prints nothing.
    pub fn check(self) -> Result<Outcome, BuildError> {
        self.mode(Mode::Check)
            .out_dir(None)
            .cargo_output(false)
            .run()
    }

    /// Runs the helper. See the [module documentation](self).
    pub fn run(self) -> Result<Outcome, BuildError> {
        let result = self.run_inner();
        if self.cargo_output {
            for var in [MODE_VAR, TIME_VAR, "SOURCE_DATE_EPOCH", "DOCS_RS"] {
                println!("cargo:rerun-if-env-changed={var}");
            }
            if let Ok(outcome) = &result {
                for path in &outcome.rerun_if_changed {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
                for w in &outcome.warnings {
                    println!("cargo:warning={}", w.replace('\n', " "));
                }
            }
        }
        result
    }

    fn run_inner(&self) -> Result<Outcome, BuildError> {
        let manifest_dir = match &self.manifest_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("CARGO_MANIFEST_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| {
                    BuildError::Config(
                        "CARGO_MANIFEST_DIR is not set: call this from build.rs, or set `manifest_dir`"
                            .into(),
                    )
                })?,
        };
        let mode = match self.mode {
            Some(m) => m,
            None => match std::env::var(MODE_VAR) {
                Ok(v) => Mode::from_name(&v).ok_or_else(|| {
                    BuildError::Config(format!(
                        "{MODE_VAR}={v:?}: expected `write`, `check` or `off`"
                    ))
                })?,
                Err(_) if std::env::var_os("DOCS_RS").is_some() => Mode::Off,
                Err(_) => Mode::Write,
            },
        };
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from),
        };
        let cx = match &self.default_app_label {
            Some(label) => ParseContext::new(label.clone()),
            None => ParseContext::for_crate(),
        };

        let roots = if self.crate_roots.is_empty() {
            default_roots(&manifest_dir)
        } else {
            self.crate_roots
                .iter()
                .map(|r| manifest_dir.join(r))
                .collect()
        };
        let mut scan = scan::scan(&roots, &cx).map_err(|e| BuildError::Io {
            path: e.path,
            error: e.error,
        })?;
        for source in &self.sources {
            scan::scan_source(&mut scan, source, &cx);
        }
        let migrations_root = manifest_dir.join(&self.migrations_dir);
        let state_path = migrations_root.join(state::FILE_NAME);
        let dialect_dirs: Vec<(Dialect, PathBuf)> = self
            .dialects
            .iter()
            .map(|d| (*d, migrations_root.join(d.name())))
            .collect();
        let mut outcome = Outcome {
            mode,
            models: Vec::new(),
            migration: None,
            written: Vec::new(),
            state_written: false,
            summary: Vec::new(),
            warnings: Vec::new(),
            rerun_if_changed: scan.files.clone(),
            manifest: None,
        };
        let watch_outputs = |outcome: &mut Outcome| {
            if state_path.is_file() {
                outcome.rerun_if_changed.push(state_path.clone());
            }
            for (_, dir) in &dialect_dirs {
                if dir.is_dir() {
                    outcome.rerun_if_changed.push(dir.clone());
                }
            }
        };

        if !scan.problems.is_empty() {
            // The compiler reports these with spans; planning now could drop a table.
            if let Some(dir) = &out_dir {
                let path = dir.join(manifest::FILE_NAME);
                if path.exists() {
                    fs::remove_file(&path).map_err(io_error(&path))?;
                }
            }
            outcome.warnings.push(format!(
                "contenttypes: migrations not updated until the models compile: {}",
                scan.problems.join("; ")
            ));
            watch_outputs(&mut outcome);
            return Ok(outcome);
        }

        // Lower every model with references resolved against the others.
        let mut errors = Vec::new();
        let mut defs: Vec<ModelDef> = Vec::new();
        let mut fingerprints = Vec::new();
        for (i, m) in scan.models.iter().enumerate() {
            let resolver = ScanResolver {
                models: &scan.models,
                current: i,
                external: &self.external,
            };
            let (def, unresolved) = to_ir(&m.spec, &resolver);
            for u in unresolved {
                if let Unresolved::ForeignKey { .. } = u {
                    errors.push(format!(
                        "model `{}` ({}): {u}; if it is a model of another crate, declare it with \
                         `Migrations::external_model(path, table, primary_key)`",
                        m.spec.ident,
                        m.file.display()
                    ));
                }
            }
            fingerprints.push((def.label(), manifest::fingerprint(&m.spec)));
            defs.push(def);
        }
        for (i, a) in defs.iter().enumerate() {
            for b in &defs[i + 1..] {
                if a.natural_key() == b.natural_key() {
                    errors.push(format!(
                        "two models are `{}` (`{}` and `{}`); behind different `#[cfg]`s? The migrations \
                         need one declaration: give them one struct, or different names",
                        a.label(),
                        a.type_name,
                        b.type_name
                    ));
                } else if a.managed && b.managed && a.table.name == b.table.name {
                    errors.push(format!(
                        "`{}` and `{}` both use the table `{}`",
                        a.label(),
                        b.label(),
                        a.table.name
                    ));
                }
            }
            if a.table.name == content_type::TABLE {
                errors.push(format!(
                    "`{}` uses the table `{}`, which is the content-type table",
                    a.label(),
                    content_type::TABLE
                ));
            }
        }
        for clash in crate::check::name_clashes(&defs) {
            errors.push(format!(
                "`{}` and `{}` both have an index or constraint named `{}`: PostgreSQL and SQLite keep \
                 index names per database schema, MySQL foreign key names per database; give one of \
                 them another name",
                clash.first, clash.second, clash.name
            ));
        }
        if !errors.is_empty() {
            return Err(BuildError::Models(errors));
        }
        outcome.models = defs.iter().map(ModelDef::label).collect();
        outcome.models.sort();

        if let Some(dir) = &out_dir {
            let path = dir.join(manifest::FILE_NAME);
            write_if_changed(&path, &manifest::render(&fingerprints))?;
            outcome.manifest = Some(path);
            // The derive reads the default app label from here: one source for both.
            let label = dir.join(crate::codegen::parse::APP_LABEL_FILE);
            write_if_changed(&label, cx.default_app_label())?;
        }
        if mode == Mode::Off {
            watch_outputs(&mut outcome);
            return Ok(outcome);
        }

        // The recorded state.
        let old = if state_path.is_file() {
            let text = fs::read_to_string(&state_path).map_err(io_error(&state_path))?;
            State::from_json(&text).map_err(|e| BuildError::State {
                path: state_path.clone(),
                message: e.to_string(),
            })?
        } else {
            let generated = generated_folders(&dialect_dirs)?;
            if let Some(first) = generated.first() {
                return Err(BuildError::State {
                    path: state_path.clone(),
                    message: format!(
                        "missing, but generated migrations exist (e.g. {}); restore the state file \
                         from version control (without it every table would be created again)",
                        first.display()
                    ),
                });
            }
            State::default()
        };
        let missing: Vec<PathBuf> = old
            .migrations
            .iter()
            .flat_map(|m| dialect_dirs.iter().map(move |(_, d)| d.join(m)))
            .filter(|p| !p.join("up.sql").is_file())
            .collect();
        if !missing.is_empty() {
            return Err(BuildError::MissingMigrations(missing));
        }

        let mut new_models = defs.clone();
        if !new_models.is_empty() || old.model(content_type::APP_LABEL, "contenttype").is_some() {
            new_models.push(content_type::DEF.clone());
        }
        new_models.sort_by(|a, b| a.natural_key().cmp(&b.natural_key()));
        let plan = plan::plan(&old.models, &new_models)?;
        let new_state_models = state::normalize_all(&new_models);
        let changed = new_state_models != old.models;
        outcome.summary = plan.summary();

        if mode == Mode::Check {
            if changed {
                let mut summary = plan.summary();
                if summary.is_empty() {
                    summary.push("update the state file (no SQL: a model's managed flag or column order changed)".into());
                }
                return Err(BuildError::Drift { summary });
            }
            watch_outputs(&mut outcome);
            return Ok(outcome);
        }
        if !changed {
            watch_outputs(&mut outcome);
            return Ok(outcome);
        }

        // Write: the folders first, then the state that lists them.
        let mut new_state = State {
            migrations: old.migrations.clone(),
            models: new_state_models,
        };
        if !plan.is_empty() {
            let time = self.clock()?;
            let existing = existing_folders(&dialect_dirs)?;
            let version = version::next_version(time, &existing)
                .map_err(|e| BuildError::Config(e.to_string()))?;
            let folder = format!("{version}_{}", plan.name(old.models.is_empty()));
            for (dialect, dir) in &dialect_dirs {
                let rendered = render::render(&plan, *dialect);
                let mut files = vec![
                    ("up.sql", rendered.up.as_str()),
                    ("down.sql", rendered.down.as_str()),
                ];
                if let Some(m) = &rendered.metadata {
                    files.push(("metadata.toml", m.as_str()));
                }
                let path = write_folder(dir, &folder, &files)?;
                outcome
                    .written
                    .extend(files.iter().map(|(name, _)| path.join(name)));
            }
            // Only the folders that existed before this run are watched: see the module docs.
            for (_, dir) in &dialect_dirs {
                for f in &existing {
                    for name in ["up.sql", "down.sql", "metadata.toml"] {
                        let p = dir.join(f).join(name);
                        if p.is_file() {
                            outcome.rerun_if_changed.push(p);
                        }
                    }
                }
            }
            let dialects: Vec<&str> = dialect_dirs.iter().map(|(d, _)| d.name()).collect();
            outcome.warnings.push(format!(
                "contenttypes: wrote migration {folder} for {} in {}: {}",
                dialects.join(", "),
                migrations_root.display(),
                plan.summary().join("; ")
            ));
            new_state.migrations.push(folder.clone());
            outcome.migration = Some(folder);
        } else {
            outcome.warnings.push(format!(
                "contenttypes: updated {} (no SQL needed)",
                state_path.display()
            ));
            for (_, dir) in &dialect_dirs {
                if dir.is_dir() {
                    outcome.rerun_if_changed.push(dir.clone());
                }
            }
        }
        outcome.warnings.extend(
            plan.notes
                .iter()
                .map(|n| format!("contenttypes: migration {n}")),
        );
        write_atomic(&state_path, &new_state.to_json())?;
        outcome.state_written = true;
        Ok(outcome)
    }

    fn clock(&self) -> Result<UnixTime, BuildError> {
        if let Some(t) = self.time {
            return Ok(t);
        }
        for var in [TIME_VAR, "SOURCE_DATE_EPOCH"] {
            if let Ok(v) = std::env::var(var) {
                return version::parse_time(&v).ok_or_else(|| {
                    BuildError::Config(format!(
                        "{var}={v:?}: expected seconds since the epoch or YYYY-MM-DDTHH:MM:SSZ"
                    ))
                });
            }
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| BuildError::Config("the system clock is before 1970".into()))?;
        Ok(now.as_secs() as i64)
    }
}

/// The crate roots Cargo would find in `src/`.
fn default_roots(manifest_dir: &Path) -> Vec<PathBuf> {
    let src = manifest_dir.join("src");
    let mut roots: Vec<PathBuf> = ["lib.rs", "main.rs"]
        .iter()
        .map(|f| src.join(f))
        .filter(|p| p.is_file())
        .collect();
    if let Ok(entries) = fs::read_dir(src.join("bin")) {
        let mut bins: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter_map(|p| {
                if p.extension().is_some_and(|e| e == "rs") && p.is_file() {
                    Some(p)
                } else if p.join("main.rs").is_file() {
                    Some(p.join("main.rs"))
                } else {
                    None
                }
            })
            .collect();
        bins.sort();
        roots.extend(bins);
    }
    roots
}

/// The migration folders of every dialect directory (as Diesel sees them: not hidden).
fn existing_folders(dirs: &[(Dialect, PathBuf)]) -> Result<Vec<String>, BuildError> {
    let mut out = Vec::new();
    for (_, dir) in dirs {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error(dir)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io_error(dir))?;
            let name = entry.file_name().to_string_lossy().to_string();
            if !name.starts_with('.') && entry.path().is_dir() {
                out.push(name);
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The folders that this helper generated (their `up.sql` starts with [`HEADER`]).
fn generated_folders(dirs: &[(Dialect, PathBuf)]) -> Result<Vec<PathBuf>, BuildError> {
    let mut out = Vec::new();
    for folder in existing_folders(dirs)? {
        for (_, dir) in dirs {
            let up = dir.join(&folder).join("up.sql");
            if fs::read_to_string(&up).is_ok_and(|t| t.starts_with(HEADER)) {
                out.push(dir.join(&folder));
            }
        }
    }
    Ok(out)
}

/// Writes a file under a temporary name and renames it into place.
fn write_atomic(path: &Path, contents: &str) -> Result<(), BuildError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    fs::write(&tmp, contents).map_err(io_error(&tmp))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io_error(path)(e)
    })
}

/// Writes a file unless it already holds these bytes.
fn write_if_changed(path: &Path, contents: &str) -> Result<(), BuildError> {
    if fs::read_to_string(path).is_ok_and(|t| t == contents) {
        return Ok(());
    }
    write_atomic(path, contents)
}

/// Whether `dir` holds exactly these files with these contents.
fn same_folder(dir: &Path, files: &[(&str, &str)]) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    let count = entries.filter_map(Result::ok).count();
    count == files.len()
        && files
            .iter()
            .all(|(name, text)| fs::read_to_string(dir.join(name)).is_ok_and(|t| t == *text))
}

/// Writes a new migration folder: the files go into a hidden temporary folder (Diesel skips
/// hidden entries), which is then renamed into place. An existing folder is never touched;
/// one with the same contents (a concurrent run) is fine.
fn write_folder(dir: &Path, folder: &str, files: &[(&str, &str)]) -> Result<PathBuf, BuildError> {
    let target = dir.join(folder);
    if target.exists() {
        return if same_folder(&target, files) {
            Ok(target)
        } else {
            Err(BuildError::FolderExists(target))
        };
    }
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    let tmp = dir.join(format!(".contenttypes-tmp-{}-{folder}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(io_error(&tmp))?;
    }
    fs::create_dir(&tmp).map_err(io_error(&tmp))?;
    for (name, text) in files {
        let path = tmp.join(name);
        fs::write(&path, text).map_err(io_error(&path))?;
    }
    match fs::rename(&tmp, &target) {
        Ok(()) => Ok(target),
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            if same_folder(&target, files) {
                Ok(target)
            } else {
                Err(io_error(&target)(e))
            }
        }
    }
}
