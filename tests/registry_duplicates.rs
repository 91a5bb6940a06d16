//! Two types registered under one natural key: the global registry refuses to build and
//! names both, and the checks report it. (A test binary of its own: the conflict poisons
//! its whole registry, on purpose.)

use contenttypes::prelude::*;
use contenttypes::{check_registrations, Registered, Registry, RegistryError};

mod first {
    use contenttypes::prelude::*;
    #[derive(Model)]
    #[model(app_label = "shop", model_name = "item")]
    pub struct Item {
        pub id: i64,
    }
}

mod second {
    use contenttypes::prelude::*;
    #[derive(Model)]
    #[model(app_label = "shop", table_name = "shop_item_again")]
    pub struct Item {
        pub id: i32,
    }
}

#[test]
fn the_global_registry_names_both_types() {
    let error = Registry::global().unwrap_err();
    let RegistryError::DuplicateModel {
        app_label,
        model,
        first,
        second,
    } = &error;
    assert_eq!((app_label.as_str(), model.as_str()), ("shop", "item"));
    assert_eq!(
        (first.as_str(), second.as_str()),
        (
            "registry_duplicates::first::Item",
            "registry_duplicates::second::Item"
        )
    );
    assert!(
        error.to_string().contains("both registered as `shop.item`"),
        "{error}"
    );
    let mut conn = <diesel::SqliteConnection as diesel::Connection>::establish(":memory:").unwrap();
    match ContentType::for_model::<first::Item>(&mut conn) {
        Err(contenttypes::Error::Registry(e)) => assert_eq!(e, error),
        other => panic!("expected the registry error, got {other:?}"),
    }
}

#[test]
fn checks_report_the_conflict() {
    let ids: Vec<&str> = check_registrations().iter().map(|m| m.id).collect();
    assert_eq!(ids, ["contenttypes.E101"]);
}

#[test]
fn an_explicit_registry_refuses_it_too() {
    let result = Registry::builder()
        .register::<first::Item>()
        .register::<second::Item>()
        .build();
    assert!(matches!(result, Err(RegistryError::DuplicateModel { .. })));
    assert_eq!(first::Item::registration().def.table.name, "shop_item");
    assert_eq!(<second::Item as Registered>::TABLE_NAME, "shop_item_again");
}
