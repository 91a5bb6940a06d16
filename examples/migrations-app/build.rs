//! Writes `migrations/{sqlite,postgres,mysql}/<version>_<name>/` whenever the models in
//! `src/` (or the default tag models it uses) change (and checks instead, with `CONTENTTYPES_MIGRATIONS=check`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The models in src/, and the default tag models the app uses (feature `taggit`).
    contenttypes::build::Migrations::new()
        .models_from(contenttypes::build::TAG_MODELS)
        .run()?;
    Ok(())
}
