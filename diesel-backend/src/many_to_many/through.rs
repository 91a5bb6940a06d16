//! [`Through`]: a generic many-to-many relation's through model as the relation uses it,
//! resolved from the IR at run time: its one foreign key to the source model, its generic
//! foreign key to the targets, and the unique constraint that makes the links a set.

use contenttypes_core::ir::{ColumnDef, GenericForeignKeyDef, ModelDef};

use crate::error::{Error, Result};
use crate::field::Value;
use crate::gfk::GenericForeignKeyField;
use crate::model::Model;
use crate::query::{Col, Cond};

/// The columns of a through model that hold a link: the source's key, the target's content
/// type and object id.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Through {
    pub(crate) def: &'static ModelDef,
    /// The foreign key column to the source model.
    pub(crate) source: &'static ColumnDef,
    pub(crate) gfk: &'static GenericForeignKeyDef,
    /// The generic foreign key's object id column.
    pub(crate) object_id: &'static ColumnDef,
}

impl Through {
    /// The through model `C` of a relation declared on `P`, over `C`'s generic foreign key
    /// `K`. [`Error::ManyToManyThrough`] when `C` has no foreign key to `P`, several, or no
    /// unique constraint over the three link columns (which `add` relies on to skip the
    /// links that exist).
    pub(crate) fn of<P: Model, C: GenericForeignKeyField<K>, const K: u64>() -> Result<Through> {
        let gfk = C::gfk_def()?;
        let object_id = C::DEF.column(&gfk.fk_column).ok_or_else(|| {
            Error::Internal(format!(
                "`{}` has no column `{}` in its IR",
                C::DEF.type_name,
                gfk.fk_column
            ))
        })?;
        let through = Through {
            def: C::DEF,
            source: source_column(P::DEF, C::DEF)?,
            gfk,
            object_id,
        };
        through.check_unique(P::DEF)?;
        Ok(through)
    }

    pub(crate) fn source_col(&self) -> Col {
        Col::of(self.def, self.source.name.as_ref())
    }

    pub(crate) fn ct_col(&self) -> Col {
        Col::of(self.def, self.gfk.ct_column.as_ref())
    }

    pub(crate) fn oid_col(&self) -> Col {
        Col::of(self.def, self.gfk.fk_column.as_ref())
    }

    /// `<source> = <key>`: the links of one source object.
    pub(crate) fn of_source(&self, key: Value) -> Cond {
        Cond::Eq(self.source_col(), key)
    }

    /// The links to these targets, given per content type: `(<ct> = ? AND <oid> IN (...))
    /// OR ...`.
    pub(crate) fn links_to(&self, groups: &[(i32, Vec<Value>)]) -> Cond {
        let each = groups
            .iter()
            .map(|(ct, oids)| {
                Cond::Eq(self.ct_col(), Value::Integer(*ct))
                    .and(Cond::In(self.oid_col(), oids.clone()))
            })
            .collect::<Vec<_>>();
        match <[Cond; 1]>::try_from(each) {
            Ok([one]) => one,
            Err(each) => Cond::Or(each),
        }
    }

    /// The three link columns must be covered by a unique constraint (a composite one, or
    /// one of them unique): then an insert that skips conflicts skips the links that exist.
    fn check_unique(&self, model: &ModelDef) -> Result<()> {
        let link = [
            self.source.name.as_ref(),
            self.gfk.ct_column.as_ref(),
            self.gfk.fk_column.as_ref(),
        ];
        let covered = self
            .def
            .table
            .indexes
            .iter()
            .filter(|i| i.unique)
            .any(|i| i.columns.iter().all(|c| link.contains(&c.as_ref())))
            || self
                .def
                .table
                .columns
                .iter()
                .any(|c| c.unique && link.contains(&c.name.as_ref()));
        if covered {
            return Ok(());
        }
        Err(Error::ManyToManyThrough {
            model: model.type_name.to_string(),
            through: self.def.type_name.to_string(),
            problem: format!(
                "no unique constraint covers its link columns, so a link could be stored twice; \
                 add `unique({}, {}, {})` to its `#[model(...)]`",
                link[0], link[1], link[2]
            ),
        })
    }
}

/// The one foreign key column of `through` that references `model`'s key.
fn source_column(
    model: &'static ModelDef,
    through: &'static ModelDef,
) -> Result<&'static ColumnDef> {
    let found: Vec<&'static ColumnDef> = through
        .table
        .columns
        .iter()
        .filter(|c| {
            c.foreign_key.as_ref().is_some_and(|fk| {
                fk.table == model.table.name && fk.column == model.table.primary_key
            })
        })
        .collect();
    let problem = match found.as_slice() {
        [one] => return Ok(one),
        [] => format!(
            "it has no foreign key to `{m}`; give it one, as in \
             `#[model(foreign_key = {m}, on_delete = cascade)] pub {snake}_id: ...`",
            m = model.type_name,
            snake = model.model_name,
        ),
        many => format!(
            "it has {} foreign keys to `{}` ({}), and the relation cannot tell which one is \
             the source; keep one, or give each relation a through model of its own",
            many.len(),
            model.type_name,
            many.iter()
                .map(|c| format!("`{}`", c.field))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Err(Error::ManyToManyThrough {
        model: model.type_name.to_string(),
        through: through.type_name.to_string(),
        problem,
    })
}
