//! The model registry: lookups by type, natural key and label, deterministic order,
//! explicit registries, and the system checks for what is not a compile error.

mod common;

use std::borrow::Cow;

use common::backend_tests;
use common::models::*;
use contenttypes::ir::*;
use contenttypes::prelude::*;
use contenttypes::{check_registrations, Error, Registered, Registry};

#[test]
fn lookups() {
    let registry = Registry::global().unwrap();
    let animal = registry.get::<Animal>().unwrap();
    assert_eq!(animal.def.label(), "generic_relations.animal");
    assert!(std::ptr::eq(animal, Animal::registration()));
    assert!(std::ptr::eq(
        registry
            .get_by_natural_key("generic_relations", "animal")
            .unwrap(),
        animal
    ));
    assert!(std::ptr::eq(
        registry.get_by_label("generic_relations.Animal").unwrap(),
        animal
    ));
    assert!(std::ptr::eq(
        registry.get_by_label("generic_relations.animal").unwrap(),
        animal
    ));
    assert!(registry.get_by_label("generic_relations.Nope").is_none());
    assert!(registry.get_by_label("no_dot").is_none());
    assert_eq!((animal.type_id)(), std::any::TypeId::of::<Animal>());
    let ct = registry.get::<ContentType>().unwrap();
    assert_eq!(ct.def.table.name, "django_content_type");
}

#[test]
fn models_come_in_natural_key_order() {
    let registry = Registry::global().unwrap();
    let keys: Vec<(String, String)> = registry
        .models()
        .map(|r| (r.def.app_label.to_string(), r.def.model_name.to_string()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(keys.contains(&("labels".into(), "labeledthing".into())));
    assert_eq!(registry.len(), keys.len());
}

#[test]
fn django_names() {
    assert_eq!(ManualPk::DEF.model_name, "manualpk");
    assert_eq!(ManualPk::DEF.table.name, "generic_relations_manualpk");
    assert_eq!(AllowsNullGfk::DEF.verbose_name, "allows null gfk");
    assert_eq!(LabeledThing::DEF.verbose_name, "labeled thing");
    assert_eq!(Place::DEF.table.primary_key, "account");
    assert!(!ManualPk::DEF.primary_key().unwrap().auto_increment);
    assert!(Animal::DEF.primary_key().unwrap().auto_increment);
    assert_eq!(
        <Animal as Registered>::TABLE_NAME,
        "generic_relations_animal"
    );
}

#[test]
fn the_registered_models_pass_the_checks() {
    assert_eq!(Registry::global().unwrap().check(), vec![]);
    assert_eq!(check_registrations(), vec![]);
}

#[test]
fn explicit_registries() {
    let registry = Registry::builder()
        .register::<Animal>()
        .register::<TaggedItem>()
        .register::<Animal>()
        .build()
        .unwrap();
    assert_eq!(
        registry.len(),
        2,
        "registering a model twice registers it once"
    );
    assert!(registry.get::<Vegetable>().is_none());
    let labels: Vec<String> = registry.models().map(|r| r.def.label()).collect();
    assert_eq!(
        labels,
        ["generic_relations.animal", "generic_relations.taggeditem"]
    );
}

fn column(name: &'static str, sql_type: SqlType) -> ColumnDef {
    ColumnDef {
        name: Cow::Borrowed(name),
        field: Cow::Borrowed(name),
        sql_type,
        nullable: false,
        primary_key: name == "id",
        auto_increment: name == "id",
        unique: false,
        indexed: false,
        default: None,
        foreign_key: None,
        renamed_from: None,
        db_type: None,
        index_name: None,
    }
}

fn model(app: &'static str, name: &'static str, columns: Vec<ColumnDef>) -> ModelDef {
    ModelDef {
        app_label: Cow::Borrowed(app),
        model_name: Cow::Owned(name.to_lowercase()),
        type_name: Cow::Borrowed(name),
        verbose_name: Cow::Borrowed(name),
        table: TableDef {
            name: Cow::Owned(format!("{app}_{}", name.to_lowercase())),
            columns: columns.into(),
            primary_key: Cow::Borrowed("id"),
            indexes: Cow::Borrowed(&[]),
        },
        managed: true,
        renamed_from: None,
        generic_foreign_keys: Cow::Borrowed(&[]),
        generic_relations: Cow::Borrowed(&[]),
    }
}

fn ids(messages: &[contenttypes::CheckMessage]) -> Vec<&'static str> {
    messages.iter().map(|m| m.id).collect()
}

/// Django's contenttypes.E001–E005 and fields.E300/E303 for models built by hand (the
/// derive makes these compile errors).
#[test]
fn checks_on_hand_built_models() {
    // E001, E002: a generic foreign key over columns that do not exist.
    let mut item = model("app", "TaggedItem", vec![column("id", SqlType::BigInt)]);
    item.generic_foreign_keys = vec![GenericForeignKeyDef {
        name: "content_object".into(),
        ct_column: "content_type_id".into(),
        fk_column: "object_id".into(),
        on_delete: contenttypes::ir::OnDelete::Cascade,
        targets: Default::default(),
        db_constraint: false,
    }]
    .into();
    let messages = contenttypes::check::check_models([&item]);
    assert_eq!(ids(&messages), ["contenttypes.E001", "contenttypes.E002"]);
    assert_eq!(
        messages[0].message,
        "The GenericForeignKey object ID references the nonexistent field 'object_id'."
    );
    assert_eq!(messages[1].message, "The GenericForeignKey content type references the nonexistent field 'TaggedItem.content_type_id'.");

    // E003: the content type column is not a foreign key; E004: not to django_content_type.
    let mut plain = item.clone();
    plain.table.columns = vec![
        column("id", SqlType::BigInt),
        column("content_type_id", SqlType::Integer),
        column("object_id", SqlType::BigInt),
    ]
    .into();
    assert_eq!(
        ids(&contenttypes::check::check_models([&plain])),
        ["contenttypes.E003"]
    );
    let mut wrong = plain.clone();
    let mut ct = column("content_type_id", SqlType::Integer);
    ct.foreign_key = Some(ForeignKeyDef {
        table: "app_other".into(),
        column: "id".into(),
        on_delete: OnDelete::Cascade,
        name: None,
    });
    wrong.table.columns = vec![
        column("id", SqlType::BigInt),
        ct,
        column("object_id", SqlType::BigInt),
    ]
    .into();
    let messages = contenttypes::check::check_models([&wrong]);
    assert_eq!(ids(&messages), ["contenttypes.E004"]);
    assert_eq!(
        messages[0].message,
        "'TaggedItem.content_type_id' is not a ForeignKey to 'contenttypes.ContentType'."
    );

    // E005: a model name over 100 characters.
    let long: &'static str = Box::leak("M".repeat(101).into_boxed_str());
    assert_eq!(
        ids(&contenttypes::check::check_models([&model(
            "app",
            long,
            vec![column("id", SqlType::BigInt)]
        )])),
        ["contenttypes.E005"]
    );

    // fields.E300: a relation to a model that is not registered; E004: to a model without
    // that generic foreign key.
    let mut owner = model("app", "Owner", vec![column("id", SqlType::BigInt)]);
    owner.generic_relations = vec![GenericRelationDef {
        name: "tags".into(),
        through_app_label: "app".into(),
        through_model: "missing".into(),
        gfk: "content_object".into(),
        on_delete: None,
        related_query_name: None,
    }]
    .into();
    let messages = contenttypes::check::check_models([&owner]);
    assert_eq!(ids(&messages), ["fields.E300"]);
    assert_eq!(messages[0].message, "Field defines a relation with model 'app.missing', which is either not installed, or is abstract.");
    let target = model("app", "Missing", vec![column("id", SqlType::BigInt)]);
    let messages = contenttypes::check::check_models([&owner, &target]);
    assert_eq!(messages[0].message, "The GenericRelation defines a relation with the model 'app.missing', but that model does not have a GenericForeignKey.");

    // models.E028: two models on one table.
    let a = model("app", "A", vec![column("id", SqlType::BigInt)]);
    let mut b = model("app", "B", vec![column("id", SqlType::BigInt)]);
    b.table.name = a.table.name.clone();
    assert_eq!(
        ids(&contenttypes::check::check_models([&a, &b])),
        ["models.E028"]
    );
}

/// A relation whose object id column cannot hold the owner's key (the derive makes this a
/// compile error; hand-built defs get the check), and clashing reverse query names.
#[test]
fn checks_on_relations() {
    let mut item = model(
        "app",
        "Item",
        vec![
            column("id", SqlType::BigInt),
            column("object_id", SqlType::Integer),
        ],
    );
    let mut ct = column("content_type_id", SqlType::Integer);
    ct.foreign_key = Some(ForeignKeyDef {
        table: "django_content_type".into(),
        column: "id".into(),
        on_delete: OnDelete::Cascade,
        name: None,
    });
    let mut cols = item.table.columns.to_vec();
    cols.push(ct);
    item.table.columns = cols.into();
    item.generic_foreign_keys = vec![GenericForeignKeyDef {
        name: "target".into(),
        ct_column: "content_type_id".into(),
        fk_column: "object_id".into(),
        on_delete: contenttypes::ir::OnDelete::Cascade,
        targets: Default::default(),
        db_constraint: false,
    }]
    .into();
    let relation = |name: &'static str, rqn: &'static str| GenericRelationDef {
        name: name.into(),
        through_app_label: "app".into(),
        through_model: "item".into(),
        gfk: "target".into(),
        on_delete: None,
        related_query_name: Some(rqn.into()),
    };
    let mut big = model("app", "Big", vec![column("id", SqlType::BigInt)]);
    big.generic_relations = vec![relation("items", "big")].into();
    let mut other = model("app", "Other", vec![column("id", SqlType::Integer)]);
    other.generic_relations = vec![relation("items", "big")].into();
    let messages = contenttypes::check::check_models([&item, &big, &other]);
    assert_eq!(ids(&messages), ["contenttypes.E105", "fields.E303"]);
    assert!(
        messages[0]
            .message
            .contains("cannot hold the primary key of `Big` (bigint)"),
        "{}",
        messages[0]
    );

    // contenttypes.E111: `set_null` over a generic foreign key that cannot be null;
    // contenttypes.W101: `db_constraint` on a model whose table another program owns.
    let mut nulling = model("app", "Nulling", vec![column("id", SqlType::BigInt)]);
    nulling.generic_relations = vec![GenericRelationDef {
        on_delete: Some(OnDelete::SetNull),
        ..relation("items", "nulling")
    }]
    .into();
    let mut unmanaged = item.clone();
    unmanaged.managed = false;
    unmanaged.generic_foreign_keys.to_mut()[0].db_constraint = true;
    let messages = contenttypes::check::check_models([&unmanaged, &nulling]);
    assert_eq!(
        ids(&messages),
        [
            "contenttypes.W101",
            "contenttypes.E111",
            "contenttypes.E105"
        ],
        "{messages:?}"
    );
}

backend_tests! {
    /// A manager over an explicit registry refuses models it does not list.
    fn unregistered_models_are_a_typed_error(t) {
        let registry: &'static Registry = Box::leak(Box::new(Registry::builder().register::<Animal>().build().unwrap()));
        let cts = ContentTypes::with_registry(registry);
        let db = &mut cts.using(&mut t.conn);
        assert!(ContentType::for_model::<Animal>(db).is_ok());
        match ContentType::for_model::<Vegetable>(db) {
            Err(Error::NotRegistered { model }) => assert_eq!(model, "Vegetable"),
            other => panic!("expected a not registered error, got {other:?}"),
        }
        let message = ContentType::for_model::<Vegetable>(db).unwrap_err().to_string();
        assert!(message.contains("add `#[derive(Model)]`"), "{message}");
    }
}
