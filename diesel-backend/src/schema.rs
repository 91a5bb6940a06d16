//! Creating the tables of registered models at run time, from the same DDL renderer the
//! migrations use: for tests, examples and prototypes (Django's `migrate --run-syncdb`).
//! Applications use the generated migrations instead.

use contenttypes_core::ddl;
use contenttypes_core::ir::ModelDef;

use crate::backend::SupportedBackend;
use crate::conn::Conn;
use crate::db::Db;
use crate::error::Result;

/// Creates the content-type table and the tables of every model in the registry of `db`'s
/// content-type manager, in dependency order. Fails if a table exists.
pub fn create_tables<D: Db>(db: &mut D) -> crate::Output<'_, D, Result<()>> {
    D::drive(async move {
        let registry = db.parts().1.registry()?;
        let models: Vec<&'static ModelDef> = registry.models().map(|r| r.def).collect();
        create_tables_op(db, &models).await
    })
}

/// Creates the content-type table and the tables of these models, in dependency order.
pub fn create_tables_for<'a, D: Db>(
    db: &'a mut D,
    models: &'a [&'static ModelDef],
) -> crate::Output<'a, D, Result<()>> {
    D::drive(create_tables_op(db, models))
}

async fn create_tables_op<D: Db>(db: &mut D, models: &[&'static ModelDef]) -> Result<()> {
    let statements = ddl::create_schema(D::Backend::DIALECT, models.iter().copied());
    let conn = db.connection();
    for statement in statements {
        conn.execute_statement(crate::query::Ddl(&statement))
            .await?;
    }
    Ok(())
}

/// Drops the tables of every model in the registry of `db`'s content-type manager if they
/// exist, dependents first (never `django_content_type`): [`create_tables`]' undo, for
/// examples and tests that start over on a server database.
pub fn drop_tables<D: Db>(db: &mut D) -> crate::Output<'_, D, Result<()>> {
    D::drive(async move {
        let registry = db.parts().1.registry()?;
        let models: Vec<&'static ModelDef> = registry.models().map(|r| r.def).collect();
        drop_tables_op(db, &models).await
    })
}

/// Drops the tables of these models if they exist, dependents first. The content-type
/// table is never dropped (other programs, Django among them, may share it).
pub fn drop_tables_for<'a, D: Db>(
    db: &'a mut D,
    models: &'a [&'static ModelDef],
) -> crate::Output<'a, D, Result<()>> {
    D::drive(drop_tables_op(db, models))
}

async fn drop_tables_op<D: Db>(db: &mut D, models: &[&'static ModelDef]) -> Result<()> {
    let ordered = ddl::dependency_order(models);
    let conn = db.connection();
    for model in ordered
        .iter()
        .rev()
        .filter(|m| m.managed && m.table.name != contenttypes_core::content_type::TABLE)
    {
        let statement = ddl::drop_table_if_exists(D::Backend::DIALECT, &model.table.name);
        conn.execute_statement(crate::query::Ddl(&statement))
            .await?;
    }
    Ok(())
}

/// The statements [`create_tables_for`] runs, for inspection.
pub fn create_statements<DB: SupportedBackend>(models: &[&'static ModelDef]) -> Vec<String> {
    ddl::create_schema(DB::DIALECT, models.iter().copied())
}
