//! A content type's objects looked up by any column (section 1 of the Django notes:
//! `user_type.get_object_for_this_type(username="Guido")`): dynamically by column name, with
//! the columns checked against the model and the values bound, or typed by a Diesel filter.

mod common;

use common::models::*;
use common::{assert_queries, backend_tests};
use contenttypes::prelude::*;
use contenttypes::{Error, Lookup};
use diesel::prelude::*;

backend_tests! {
    /// `get_object_by` finds the one matching object in 1 query, by field name or column
    /// name; none is `DoesNotExist`, several are `MultipleObjectsReturned`.
    fn get_object_by_a_column(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        animal(db, "Tiger");
        Animal::insert(db, NewAnimal { common_name: "Cat".into(), latin_name: "Felis".into() }).unwrap();
        Animal::insert(db, NewAnimal { common_name: "Lynx".into(), latin_name: "Felis".into() }).unwrap();
        let ct = ContentType::for_model::<Animal>(db).unwrap();
        let found = assert_queries(&log, 1, || ct.get_object_by(db, &Lookup::new().eq("common_name", "Lion")).unwrap());
        assert_eq!(found.downcast_ref::<Animal>().unwrap(), &lion);
        let by_two = ct.get_object_by(db, &Lookup::new().eq("latin_name", "Felis").eq("common_name", "Lynx")).unwrap();
        assert_eq!(by_two.downcast_ref::<Animal>().unwrap().common_name, "Lynx");
        match ct.get_object_by(db, &Lookup::new().eq("common_name", "Puma")) {
            Err(Error::DoesNotExist { model, lookup }) => {
                assert_eq!((model.as_str(), lookup.as_str()), ("generic_relations.animal", "common_name = \"Puma\""))
            }
            other => panic!("expected DoesNotExist, got {other:?}"),
        }
        assert!(matches!(
            ct.get_object_by(db, &Lookup::new().eq("latin_name", "Felis")),
            Err(Error::MultipleObjectsReturned { .. })
        ));
        let all = assert_queries(&log, 1, || ct.get_all_objects_by(db, &Lookup::new().eq("latin_name", "Felis")).unwrap());
        let names: Vec<&str> = all.iter().map(|o| o.downcast_ref::<Animal>().unwrap().common_name.as_str()).collect();
        assert_eq!(names, ["Cat", "Lynx"]);
    }

    /// A column the model does not have, or a value that does not fit its column, is an
    /// `InvalidArgument` before any query.
    fn a_bad_lookup_is_refused_before_any_query(t) {
        let log = t.log();
        let db = &mut t.db();
        let ct = ContentType::for_model::<Animal>(db).unwrap();
        for lookup in [
            Lookup::new().eq("comon_name", "Lion"),
            Lookup::new().eq("common_name", 3_i64),
            Lookup::new().eq("common_name", None::<String>),
        ] {
            let result = assert_queries(&log, 0, || ct.get_object_by(db, &lookup));
            assert!(matches!(result, Err(Error::InvalidArgument(_))), "{lookup}: {result:?}");
        }
    }

    /// NULL matches with IS NULL on a nullable column.
    fn a_null_lookup_is_is_null(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        AllowsNullGfk::insert(db, NewAllowsNullGfk { content_object: Some(Target::to(&lion)) }).unwrap();
        let without = AllowsNullGfk::insert(db, NewAllowsNullGfk::default()).unwrap();
        let ct = ContentType::for_model::<AllowsNullGfk>(db).unwrap();
        let found = ct.get_object_by(db, &Lookup::new().eq("object_id", None::<i64>)).unwrap();
        assert_eq!(found.downcast_ref::<AllowsNullGfk>().unwrap(), &without);
    }

    /// Typed: a Diesel filter on the model's table, for a content type that must be that
    /// model's.
    fn get_object_where_is_typed(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let ct = ContentType::for_model::<Animal>(db).unwrap();
        let found: Animal = assert_queries(&log, 1, || {
            ct.get_object_where(db, generic_relations_animal::common_name.eq("Lion")).unwrap()
        });
        assert_eq!(found, lion);
        let none = ct.get_all_objects_where::<Animal, _, _>(db, generic_relations_animal::common_name.eq("Puma")).unwrap();
        assert!(none.is_empty());
        let vegetables = ContentType::for_model::<Vegetable>(db).unwrap();
        assert!(matches!(
            vegetables.get_object_where::<Animal, _, _>(db, generic_relations_animal::id.gt(0)),
            Err(Error::WrongType { .. })
        ));
    }
}
