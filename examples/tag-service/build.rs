//! Writes `migrations/{sqlite,postgres,mysql}/<version>_<name>/` whenever the models in
//! `src/` (or the default tag models the service uses) change, and checks instead with
//! `CONTENTTYPES_MIGRATIONS=check`. The service embeds the folders and applies what is
//! pending when it starts (`src/store.rs`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    contenttypes::build::Migrations::new()
        .models_from(contenttypes::build::TAG_MODELS)
        .run()?;
    Ok(())
}
