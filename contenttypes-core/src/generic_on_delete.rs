//! Which generic foreign keys can point at a model, and what deleting that model's rows does
//! to the rows that point at them: the one rule the framework's deletes
//! (`diesel-backend`'s collector) and the database's triggers ([`crate::ddl::integrity`])
//! both follow.
//!
//! Every generic foreign key whose object-id column can hold the model's primary key can
//! point at it, whether or not the model declares a generic relation (Django's collector
//! only follows generic relations and leaves the other rows orphaned). The policy is the
//! generic foreign key's own `on_delete` (cascade when not given), unless the model declares
//! a generic relation over it with an `on_delete` of its own, which wins for that model.
//! The content-type table is never a target here: rows pointing at a content type are the
//! content-type foreign key's business.

use crate::content_type;
use crate::ir::{GenericForeignKeyDef, ModelDef, OnDelete};
use crate::keys::object_id_can_hold;

/// A generic foreign key that can point at a model, with the policy deleting that model's
/// rows applies to its rows.
#[derive(Clone, Copy, Debug)]
pub struct GenericDependent<'a> {
    /// The model holding the generic foreign key.
    pub through: &'a ModelDef,
    pub gfk: &'a GenericForeignKeyDef,
    pub on_delete: OnDelete,
}

impl GenericDependent<'_> {
    /// `app_label.ModelName.field`, the label errors and reports use.
    pub fn label(&self) -> String {
        format!(
            "{}.{}.{}",
            self.through.app_label, self.through.type_name, self.gfk.name
        )
    }
}

/// The generic foreign keys of `models` that can point at `target`, each once, with the
/// policy for `target`'s rows; `no_action` ones included (callers skip them).
pub fn generic_dependents<'a>(
    models: impl IntoIterator<Item = &'a ModelDef>,
    target: &'a ModelDef,
) -> Vec<GenericDependent<'a>> {
    let mut out = Vec::new();
    for through in models {
        for gfk in through.generic_foreign_keys.iter() {
            if !can_point_at(through, gfk, target) {
                continue;
            }
            out.push(GenericDependent {
                through,
                gfk,
                on_delete: policy(target, through, gfk),
            });
        }
    }
    out
}

/// Whether `gfk` of `through` can point at rows of `target`: `target` is one of its declared
/// `targets(..)` (when it declares them), its object-id column can hold `target`'s primary
/// key, and `target` is not the content-type table.
pub fn can_point_at(through: &ModelDef, gfk: &GenericForeignKeyDef, target: &ModelDef) -> bool {
    let (Some(pk), Some(oid)) = (target.primary_key(), through.column(&gfk.fk_column)) else {
        return false;
    };
    let declared = gfk.targets.is_empty()
        || gfk
            .targets
            .iter()
            .any(|t| (t.app_label.as_ref(), t.model.as_ref()) == target.natural_key());
    declared
        && target.table.name != content_type::TABLE
        && object_id_can_hold(oid.sql_type, pk.sql_type)
}

/// The policy for `target`'s rows: a generic relation of `target` over `gfk` that gives an
/// `on_delete`, else the generic foreign key's own.
pub fn policy(target: &ModelDef, through: &ModelDef, gfk: &GenericForeignKeyDef) -> OnDelete {
    target
        .generic_relations
        .iter()
        .filter(|r| {
            (r.through_app_label.as_ref(), r.through_model.as_ref()) == through.natural_key()
                && r.gfk == gfk.name
        })
        .find_map(|r| r.on_delete)
        .unwrap_or(gfk.on_delete)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::ir::{ColumnDef, GenericRelationDef, SqlType, TableDef};

    fn column(name: &'static str, sql_type: SqlType) -> ColumnDef {
        ColumnDef {
            name: name.into(),
            field: name.into(),
            sql_type,
            nullable: false,
            primary_key: name == "id",
            auto_increment: false,
            unique: false,
            indexed: false,
            default: None,
            foreign_key: None,
            renamed_from: None,
            db_type: None,
            index_name: None,
        }
    }

    fn model(name: &'static str, pk: SqlType) -> ModelDef {
        ModelDef {
            app_label: "app".into(),
            model_name: name.to_lowercase().into(),
            type_name: name.into(),
            verbose_name: name.into(),
            table: TableDef {
                name: format!("app_{}", name.to_lowercase()).into(),
                columns: vec![column("id", pk)].into(),
                primary_key: "id".into(),
                indexes: Cow::Borrowed(&[]),
            },
            managed: true,
            renamed_from: None,
            generic_foreign_keys: Cow::Borrowed(&[]),
            generic_relations: Cow::Borrowed(&[]),
        }
    }

    fn through(oid: SqlType, on_delete: OnDelete) -> ModelDef {
        let mut m = model("Item", SqlType::BigInt);
        m.table.columns = vec![
            column("id", SqlType::BigInt),
            column("content_type_id", SqlType::Integer),
            column("object_id", oid),
        ]
        .into();
        m.generic_foreign_keys = vec![GenericForeignKeyDef {
            name: "target".into(),
            ct_column: "content_type_id".into(),
            fk_column: "object_id".into(),
            on_delete,
            targets: Cow::Borrowed(&[]),
            db_constraint: false,
        }]
        .into();
        m
    }

    #[test]
    fn every_generic_foreign_key_that_can_hold_the_key_points_at_a_model() {
        let item = through(SqlType::BigInt, OnDelete::Restrict);
        let text = {
            let mut t = through(SqlType::Text, OnDelete::Cascade);
            t.model_name = "textitem".into();
            t
        };
        let article = model("Article", SqlType::BigInt);
        let found = generic_dependents([&item, &text], &article);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].on_delete, OnDelete::Restrict);
        assert_eq!(found[0].label(), "app.Item.target");
        // A uuid key fits only the text object id.
        let keyed = model("Keyed", SqlType::Uuid);
        let found = generic_dependents([&item, &text], &keyed);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].through.model_name, "textitem");
    }

    #[test]
    fn a_generic_relation_with_an_on_delete_wins_for_its_model() {
        let item = through(SqlType::BigInt, OnDelete::Cascade);
        let mut article = model("Article", SqlType::BigInt);
        let relation = |on_delete| GenericRelationDef {
            name: "items".into(),
            through_app_label: "app".into(),
            through_model: "item".into(),
            gfk: "target".into(),
            related_query_name: None,
            on_delete,
        };
        article.generic_relations = vec![relation(None)].into();
        assert_eq!(
            generic_dependents([&item], &article)[0].on_delete,
            OnDelete::Cascade
        );
        article.generic_relations = vec![relation(Some(OnDelete::SetNull))].into();
        assert_eq!(
            generic_dependents([&item], &article)[0].on_delete,
            OnDelete::SetNull
        );
        let mut ct = model("ContentType", SqlType::Integer);
        ct.table.name = content_type::TABLE.into();
        assert!(generic_dependents([&item], &ct).is_empty());
    }

    #[test]
    fn declared_targets_are_the_only_ones() {
        let mut item = through(SqlType::BigInt, OnDelete::Cascade);
        item.generic_foreign_keys.to_mut()[0].targets = vec![crate::ir::ModelKey {
            app_label: "app".into(),
            model: "article".into(),
        }]
        .into();
        let article = model("Article", SqlType::BigInt);
        let video = model("Video", SqlType::BigInt);
        assert_eq!(generic_dependents([&item], &article).len(), 1);
        assert!(generic_dependents([&item], &video).is_empty());
    }
}
