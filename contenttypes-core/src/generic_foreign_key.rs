//! Django's rules for a generic foreign key's two columns (contenttypes.E001–E004, and the
//! ones Django lacks), in one place: the derive's parser asks them of a declaration and
//! reports each at the user's token; the registry checks ask them of a model's IR.

use std::fmt;

use crate::content_type;
use crate::ir::SqlType;
use crate::keys::{is_key_type, KEY_TYPES};

/// What the rules need to know about one of the two columns.
#[derive(Clone, Copy, Debug)]
pub struct GfkColumn<'a> {
    pub sql_type: SqlType,
    pub nullable: bool,
    pub primary_key: bool,
    /// The table a foreign key on this column references, if any.
    pub references: Option<&'a str>,
}

/// Where the columns come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// A declaration: the framework adds the content type's foreign key itself, so none may
    /// be declared.
    Declared,
    /// A model's IR: the content type's foreign key must be there.
    Lowered,
}

/// One broken rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GfkProblem {
    /// The object id column does not exist (contenttypes.E001).
    MissingObjectId,
    /// The content type column does not exist (contenttypes.E002).
    MissingContentType,
    /// The content type column is not a foreign key (contenttypes.E003).
    ContentTypeNotForeignKey,
    /// The content type column references another table (contenttypes.E004).
    ContentTypeForeignKeyElsewhere,
    /// A declaration gives the content type column a foreign key of its own.
    ContentTypeForeignKeyDeclared,
    /// The content type column is not a 32-bit integer (`django_content_type.id`).
    ContentTypeNotInteger,
    /// The object id column cannot hold keys.
    ObjectIdNotAKey,
    /// The object id column is the model's primary key.
    ObjectIdIsPrimaryKey,
    /// One column is nullable and the other is not.
    NullabilityDiffers,
}

impl GfkProblem {
    /// Django's id where Django has the check, ours otherwise.
    pub fn id(self) -> &'static str {
        match self {
            GfkProblem::MissingObjectId => "contenttypes.E001",
            GfkProblem::MissingContentType => "contenttypes.E002",
            GfkProblem::ContentTypeNotForeignKey => "contenttypes.E003",
            GfkProblem::ContentTypeForeignKeyElsewhere => "contenttypes.E004",
            GfkProblem::ObjectIdNotAKey => "contenttypes.E104",
            GfkProblem::ContentTypeNotInteger => "contenttypes.E106",
            GfkProblem::ObjectIdIsPrimaryKey => "contenttypes.E108",
            GfkProblem::NullabilityDiffers => "contenttypes.E109",
            GfkProblem::ContentTypeForeignKeyDeclared => "contenttypes.E110",
        }
    }

    /// Whether the problem is about the object id column (else the content type column).
    pub fn on_object_id(self) -> bool {
        matches!(
            self,
            GfkProblem::MissingObjectId
                | GfkProblem::ObjectIdNotAKey
                | GfkProblem::ObjectIdIsPrimaryKey
                | GfkProblem::NullabilityDiffers
        )
    }

    /// The problem in words (Django's, where Django has the check), for the model `model`
    /// whose generic foreign key uses the columns `ct` and `oid`.
    pub fn message(self, model: &str, ct: &str, oid: &str) -> String {
        match self {
            GfkProblem::MissingObjectId => format!(
                "The GenericForeignKey object ID references the nonexistent field '{oid}'."
            ),
            GfkProblem::MissingContentType => format!(
                "The GenericForeignKey content type references the nonexistent field '{model}.{ct}'."
            ),
            GfkProblem::ContentTypeNotForeignKey => format!("'{model}.{ct}' is not a ForeignKey."),
            GfkProblem::ContentTypeForeignKeyElsewhere => format!(
                "'{model}.{ct}' is not a ForeignKey to 'contenttypes.ContentType'."
            ),
            GfkProblem::ContentTypeForeignKeyDeclared => format!(
                "'{model}.{ct}' declares a foreign key, but a generic foreign key's content type \
                 column is a foreign key to {} already",
                content_type::TABLE
            ),
            GfkProblem::ContentTypeNotInteger => format!(
                "'{model}.{ct}' must be an `i32` (or `Option<i32>`): it is the foreign key to {}.id",
                content_type::TABLE
            ),
            GfkProblem::ObjectIdNotAKey => {
                format!("the object id column '{model}.{oid}' must hold keys: {KEY_TYPES}")
            }
            GfkProblem::ObjectIdIsPrimaryKey => {
                format!("the primary key '{model}.{oid}' cannot be an object id")
            }
            GfkProblem::NullabilityDiffers => format!(
                "`{ct}` and `{oid}` must both be nullable or both not: a generic foreign key is \
                 set or unset as a whole"
            ),
        }
    }

    /// What to do about it.
    pub fn hint(self, ct: &str, oid: &str) -> String {
        match self {
            GfkProblem::MissingObjectId => format!("add the field `{oid}` or set `fk_field`"),
            GfkProblem::MissingContentType => {
                format!("add the field `{ct}: i32` or set `ct_field`")
            }
            GfkProblem::ContentTypeNotForeignKey | GfkProblem::ContentTypeForeignKeyElsewhere => {
                "GenericForeignKeys must use a ForeignKey to 'contenttypes.ContentType' as the \
                 'content_type' field."
                    .into()
            }
            GfkProblem::ContentTypeForeignKeyDeclared => {
                "remove `foreign_key` (`on_delete` and `foreign_key_name` go on the field alone)"
                    .into()
            }
            GfkProblem::ContentTypeNotInteger => format!("declare `{ct}: i32`"),
            GfkProblem::ObjectIdNotAKey => format!("give `{oid}` one of the key types"),
            GfkProblem::ObjectIdIsPrimaryKey => {
                format!("point `fk_field` at another column than `{oid}`")
            }
            GfkProblem::NullabilityDiffers => {
                format!("make `{ct}` and `{oid}` both `Option` or both not")
            }
        }
    }
}

impl fmt::Display for GfkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Every rule the two columns break, the object id column first (as Django checks them).
pub fn problems(
    stage: Stage,
    ct: Option<GfkColumn<'_>>,
    oid: Option<GfkColumn<'_>>,
) -> Vec<GfkProblem> {
    let mut out = Vec::new();
    match oid {
        None => out.push(GfkProblem::MissingObjectId),
        Some(o) => {
            // Unbounded text is a key too (Django's `TextField` object ids): MySQL indexes
            // it by a prefix (`crate::mysql_keys`).
            if !is_key_type(o.sql_type) {
                out.push(GfkProblem::ObjectIdNotAKey);
            }
            if o.primary_key {
                out.push(GfkProblem::ObjectIdIsPrimaryKey);
            }
        }
    }
    match ct {
        None => out.push(GfkProblem::MissingContentType),
        Some(c) => {
            if c.sql_type != SqlType::Integer {
                out.push(GfkProblem::ContentTypeNotInteger);
            }
            match (stage, c.references) {
                (Stage::Declared, Some(_)) => out.push(GfkProblem::ContentTypeForeignKeyDeclared),
                (Stage::Declared, None) => {}
                (Stage::Lowered, None) => out.push(GfkProblem::ContentTypeNotForeignKey),
                (Stage::Lowered, Some(table)) if table != content_type::TABLE => {
                    out.push(GfkProblem::ContentTypeForeignKeyElsewhere)
                }
                (Stage::Lowered, Some(_)) => {}
            }
        }
    }
    if let (Some(c), Some(o)) = (ct, oid) {
        if c.nullable != o.nullable {
            out.push(GfkProblem::NullabilityDiffers);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(sql_type: SqlType, references: Option<&str>) -> GfkColumn<'_> {
        GfkColumn {
            sql_type,
            nullable: false,
            primary_key: false,
            references,
        }
    }

    #[test]
    fn the_same_rules_at_both_stages() {
        let good_ct = column(SqlType::Integer, Some(content_type::TABLE));
        let oid = column(SqlType::BigInt, None);
        assert!(problems(Stage::Lowered, Some(good_ct), Some(oid)).is_empty());
        assert_eq!(
            problems(Stage::Declared, Some(good_ct), Some(oid)),
            [GfkProblem::ContentTypeForeignKeyDeclared]
        );
        let bare_ct = column(SqlType::Integer, None);
        assert!(problems(Stage::Declared, Some(bare_ct), Some(oid)).is_empty());
        assert_eq!(
            problems(Stage::Lowered, Some(bare_ct), Some(oid)),
            [GfkProblem::ContentTypeNotForeignKey]
        );
        assert_eq!(
            problems(Stage::Lowered, None, Some(column(SqlType::Text, None))),
            [GfkProblem::MissingContentType]
        );
        assert_eq!(
            problems(
                Stage::Declared,
                Some(bare_ct),
                Some(column(SqlType::Double, None))
            ),
            [GfkProblem::ObjectIdNotAKey]
        );
    }
}
