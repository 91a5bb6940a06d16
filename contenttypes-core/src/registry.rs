//! The runtime registry: every registered model, looked up by Rust type, by natural key
//! `(app_label, model)` or by label, in a deterministic order.
//!
//! `#[derive(Model)]` submits one [`Registration`] per model through `inventory`; the global
//! registry collects them on first use. A registry can also be built explicitly from a list of
//! models (tests, or targets where life-before-main constructors do not run).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use crate::check::{self, CheckMessage};
use crate::ir::ModelDef;

/// What the derive registers for one model.
pub struct Registration {
    /// The model's IR.
    pub def: &'static ModelDef,
    /// The model's Rust type.
    pub type_id: fn() -> TypeId,
    /// The model's Rust type's full path (`std::any::type_name`), for messages.
    pub type_path: fn() -> &'static str,
    #[doc(hidden)]
    /// Operations the database backend needs on the model without knowing its type
    /// (building a dynamic object from a row, reaching a relation cache). Core does not look
    /// inside; the backend downcasts it to its own type.
    pub vtable: &'static (dyn Any + Send + Sync),
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("label", &self.def.label())
            .field("type", &(self.type_path)())
            .finish_non_exhaustive()
    }
}

/// What `#[derive(Model)]` submits to `inventory`: a pointer to the model's static
/// [`Registration`], which [`Registered::registration`] also returns.
pub struct Submission(pub &'static Registration);

inventory::collect!(Submission);

/// A type with a [`Registration`]; implemented by `#[derive(Model)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a registered model",
    label = "not a model",
    note = "add `#[derive(Model)]` to `{Self}`"
)]
pub trait Registered: 'static {
    /// The content type's `app_label`.
    const APP_LABEL: &'static str;
    /// The content type's `model` (lowercased).
    const MODEL_NAME: &'static str;
    /// The table name.
    const TABLE_NAME: &'static str;
    /// The primary key column.
    const PK_COLUMN: &'static str;

    fn registration() -> &'static Registration;
}

/// Why a registry could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryError {
    /// Two types registered the same `(app_label, model)`.
    DuplicateModel {
        app_label: String,
        model: String,
        first: String,
        second: String,
    },
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::DuplicateModel {
                app_label,
                model,
                first,
                second,
            } => write!(
                f,
                "conflicting models: `{first}` and `{second}` are both registered as \
                 `{app_label}.{model}`; give one of them another `app_label` or `model_name`"
            ),
        }
    }
}

impl std::error::Error for RegistryError {}

/// All registered models.
pub struct Registry {
    models: Vec<&'static Registration>,
    by_key: HashMap<(&'static str, &'static str), usize>,
    by_type: HashMap<TypeId, usize>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.models.iter().map(|r| r.def.label()))
            .finish()
    }
}

static GLOBAL: OnceLock<Result<Registry, RegistryError>> = OnceLock::new();

impl Registry {
    /// The registry of every model registered by `#[derive(Model)]` in the linked crates.
    ///
    /// Models are registered before `main` runs. A crate that the binary never names is not
    /// linked, and its models are missing: name it somewhere (`use my_models as _;`).
    pub fn global() -> Result<&'static Registry, RegistryError> {
        GLOBAL
            .get_or_init(|| Registry::from_registrations(Registry::submitted()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Every registration submitted through `inventory`, in no particular order. This is
    /// what [`Registry::global`] is built from; [`crate::check::check_registrations`] reads
    /// it to report every problem at once.
    pub fn submitted() -> impl Iterator<Item = &'static Registration> {
        inventory::iter::<Submission>().map(|s| s.0)
    }

    /// A registry of exactly these models.
    pub fn from_registrations(
        registrations: impl IntoIterator<Item = &'static Registration>,
    ) -> Result<Registry, RegistryError> {
        let mut models: Vec<&'static Registration> = registrations.into_iter().collect();
        models.sort_by(|a, b| {
            (a.def.app_label.as_ref(), a.def.model_name.as_ref())
                .cmp(&(b.def.app_label.as_ref(), b.def.model_name.as_ref()))
                .then_with(|| (a.type_path)().cmp((b.type_path)()))
        });
        // The same registration submitted twice (a model listed twice in a builder) is one model.
        models.dedup_by(|a, b| std::ptr::eq(*a, *b));
        let mut by_key = HashMap::with_capacity(models.len());
        let mut by_type = HashMap::with_capacity(models.len());
        for (i, reg) in models.iter().enumerate() {
            let key = (reg.def.app_label.as_ref(), reg.def.model_name.as_ref());
            if let Some(&j) = by_key.get(&key) {
                let first: &Registration = models[j];
                return Err(RegistryError::DuplicateModel {
                    app_label: key.0.to_string(),
                    model: key.1.to_string(),
                    first: (first.type_path)().to_string(),
                    second: (reg.type_path)().to_string(),
                });
            }
            by_key.insert(key, i);
            by_type.insert((reg.type_id)(), i);
        }
        Ok(Registry {
            models,
            by_key,
            by_type,
        })
    }

    /// Starts an explicit registry.
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder { models: Vec::new() }
    }

    /// The registration of `T`.
    pub fn get<T: Registered>(&self) -> Option<&'static Registration> {
        self.get_by_type(TypeId::of::<T>())
    }

    /// The registration of the type with this id.
    pub fn get_by_type(&self, type_id: TypeId) -> Option<&'static Registration> {
        self.by_type.get(&type_id).map(|&i| self.models[i])
    }

    /// The registration with this natural key (`model` is the lowercased model name).
    pub fn get_by_natural_key(
        &self,
        app_label: &str,
        model: &str,
    ) -> Option<&'static Registration> {
        self.by_key
            .get(&(app_label, model))
            .map(|&i| self.models[i])
    }

    /// The registration with this label: `app_label.model`, the model name in any case
    /// (`"blog.Article"` or `"blog.article"`).
    pub fn get_by_label(&self, label: &str) -> Option<&'static Registration> {
        let (app_label, model) = label.split_once('.')?;
        self.get_by_natural_key(app_label, &model.to_lowercase())
    }

    /// Every model, ordered by `(app_label, model)`.
    pub fn models(&self) -> impl ExactSizeIterator<Item = &'static Registration> + '_ {
        self.models.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.models.len()
    }

    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// Django's system checks for these models: every misconfiguration that is not already a
    /// compile error (see [`crate::check`]).
    pub fn check(&self) -> Vec<CheckMessage> {
        check::check_models(self.models.iter().map(|r| r.def))
    }
}

/// Builds a [`Registry`] of an explicit list of models.
#[derive(Default)]
pub struct RegistryBuilder {
    models: Vec<&'static Registration>,
}

impl RegistryBuilder {
    pub fn register<T: Registered>(mut self) -> Self {
        self.models.push(T::registration());
        self
    }

    pub fn register_registration(mut self, registration: &'static Registration) -> Self {
        self.models.push(registration);
        self
    }

    pub fn build(self) -> Result<Registry, RegistryError> {
        Registry::from_registrations(self.models)
    }
}
