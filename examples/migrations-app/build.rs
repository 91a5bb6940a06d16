//! Writes `migrations/{sqlite,postgres,mysql}/<version>_<name>/` whenever the models in
//! `src/` change (and checks instead, with `CONTENTTYPES_MIGRATIONS=check`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    contenttypes::build::Migrations::new().run()?;
    Ok(())
}
