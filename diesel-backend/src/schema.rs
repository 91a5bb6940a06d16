//! Creating the tables of registered models at run time, from the same DDL renderer the
//! migrations use: for tests, examples and prototypes (Django's `migrate --run-syncdb`).
//! Applications use the generated migrations instead.

use contenttypes_core::ddl;
use contenttypes_core::ir::ModelDef;
use diesel::RunQueryDsl;

use crate::backend::SupportedBackend;
use crate::db::Db;
use crate::error::Result;

/// Creates the content-type table and the tables of every model in the registry of `db`'s
/// content-type manager, in dependency order. Fails if a table exists.
pub fn create_tables(db: &mut impl Db) -> Result<()> {
    let registry = db.parts().1.registry()?;
    let models: Vec<&'static ModelDef> = registry.models().map(|r| r.def).collect();
    create_tables_for(db, &models)
}

/// Creates the content-type table and the tables of these models, in dependency order.
pub fn create_tables_for<D: Db>(db: &mut D, models: &[&'static ModelDef]) -> Result<()> {
    let statements = ddl::create_schema(D::Backend::DIALECT, models.iter().copied());
    let conn = db.connection();
    for statement in statements {
        crate::query::Ddl(&statement).execute(conn)?;
    }
    Ok(())
}

/// Drops the tables of every model in the registry of `db`'s content-type manager if they
/// exist, dependents first (never `django_content_type`): [`create_tables`]' undo, for
/// examples and tests that start over on a server database.
pub fn drop_tables(db: &mut impl Db) -> Result<()> {
    let registry = db.parts().1.registry()?;
    let models: Vec<&'static ModelDef> = registry.models().map(|r| r.def).collect();
    drop_tables_for(db, &models)
}

/// Drops the tables of these models if they exist, dependents first. The content-type
/// table is never dropped (other programs, Django among them, may share it).
pub fn drop_tables_for<D: Db>(db: &mut D, models: &[&'static ModelDef]) -> Result<()> {
    let ordered = ddl::dependency_order(models);
    let conn = db.connection();
    for model in ordered
        .iter()
        .rev()
        .filter(|m| m.managed && m.table.name != contenttypes_core::content_type::TABLE)
    {
        crate::query::Ddl(&ddl::drop_table_if_exists(
            D::Backend::DIALECT,
            &model.table.name,
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// The statements [`create_tables_for`] runs, for inspection.
pub fn create_statements<DB: SupportedBackend>(models: &[&'static ModelDef]) -> Vec<String> {
    ddl::create_schema(DB::DIALECT, models.iter().copied())
}
