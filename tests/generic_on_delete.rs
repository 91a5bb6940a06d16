//! `on_delete` of a generic relation (`#[generic_relation(on_delete = ..)]`): what deleting an
//! object through the framework does to the rows whose generic foreign key points at it,
//! overriding for the relation's model the generic foreign key's own `on_delete` (cascade
//! here; `tests/generic_foreign_key_on_delete.rs` tests that one): `cascade` deletes them,
//! `restrict` refuses the delete and deletes nothing, `set_null` nulls a nullable generic
//! foreign key, `no_action` leaves them. It is also the target side of a generic
//! many-to-many relation (django-gm2m's `on_delete_tgt`).

mod common;

use common::{assert_queries, backend_tests, probe, protected};
use contenttypes::prelude::*;
use contenttypes::Error;

/// A comment on anything: a nullable generic foreign key, so `set_null` can apply.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "ondelete")]
pub struct Remark {
    pub id: i64,
    #[model(max_length = 100)]
    pub body: String,
    pub content_type_id: Option<i32>,
    pub object_id: Option<i64>,
    #[generic_foreign_key]
    pub subject: GenericForeignKey,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "ondelete")]
pub struct Cascading {
    pub id: i64,
    pub remarks: GenericRelation<Remark>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "ondelete")]
pub struct Guarded {
    pub id: i64,
    #[generic_relation(on_delete = restrict)]
    pub remarks: GenericRelation<Remark>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "ondelete")]
pub struct Nulling {
    pub id: i64,
    #[generic_relation(on_delete = set_null)]
    pub remarks: GenericRelation<Remark>,
}

#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "ondelete")]
pub struct Leaving {
    pub id: i64,
    #[generic_relation(on_delete = no_action)]
    pub remarks: GenericRelation<Remark>,
}

fn remark<T: Model>(db: &mut impl Db<Mode = SyncMode>, on: &T, body: &str) -> Remark
where
    i64: contenttypes::ObjectIdFor<T, T::Pk>,
{
    Remark::insert(
        db,
        NewRemark {
            body: body.into(),
            subject: Some(Target::to(on)),
        },
    )
    .unwrap()
}

fn bodies(db: &mut impl Db<Mode = SyncMode>) -> Vec<(String, Option<i32>, Option<i64>)> {
    Remark::all(db)
        .unwrap()
        .into_iter()
        .map(|r| (r.body, r.content_type_id, r.object_id))
        .collect()
}

backend_tests! {
    /// No `on_delete` on the relation: the generic foreign key's (cascade), the rows go with
    /// the object. Remarks can be pointed at themselves, so they are collected (their SELECT
    /// is one of the statements of the generic foreign keys that can point at the object)
    /// and every generic foreign key that can point at them is looked at before their DELETE.
    fn cascade_deletes_the_rows(t) {
        let log = t.log();
        let db = &mut t.db();
        let a = Cascading::insert(db, NewCascading {}).unwrap();
        let b = Cascading::insert(db, NewCascading {}).unwrap();
        remark(db, &a, "a1");
        remark(db, &a, "a2");
        remark(db, &b, "b1");
        ContentType::for_models(db, &[Cascading::DEF, Remark::DEF]).unwrap();
        let expected = 2 + probe::<Cascading>() + probe::<Remark>();
        let deleted = assert_queries(&log, expected, || a.delete(db).unwrap());
        assert_eq!((deleted.total, deleted.of::<Remark>()), (3, 2));
        assert_eq!(bodies(db).into_iter().map(|r| r.0).collect::<Vec<_>>(), ["b1"]);
    }

    /// `restrict`: a delete of an object with rows is refused with `Error::Protected`, and
    /// nothing is deleted (neither the rows nor the object); one without rows goes.
    fn restrict_refuses_and_deletes_nothing(t) {
        let db = &mut t.db();
        let guarded = Guarded::insert(db, NewGuarded {}).unwrap();
        let free = Guarded::insert(db, NewGuarded {}).unwrap();
        let kept = remark(db, &guarded, "keep me");
        let error = guarded.delete(db).unwrap_err();
        assert_eq!(
            protected(&error),
            Some(("ondelete.Guarded", vec![("ondelete.Remark", "subject", vec![kept.id.into()])])),
            "{error}"
        );
        assert!(error.to_string().contains("`ondelete.Remark` refer to them through `subject`"), "{error}");
        assert_eq!(Guarded::all(db).unwrap().len(), 2);
        assert_eq!(bodies(db).len(), 1);
        // Among others in one delete: the whole delete is refused.
        let filtered = Guarded::filter(contenttypes::NoFilter).delete(db);
        assert!(matches!(filtered, Err(Error::Protected { .. })));
        assert_eq!(Guarded::all(db).unwrap().len(), 2);
        assert_eq!(free.delete(db).unwrap().total, 1);
        // Once its rows are gone, the object can go.
        guarded.remarks().clear(db).unwrap();
        assert_eq!(guarded.delete(db).unwrap().total, 1);
    }

    /// `set_null`: the rows stay, their generic foreign key set to NULL; they read as unset.
    fn set_null_unlinks_the_rows(t) {
        let db = &mut t.db();
        let n = Nulling::insert(db, NewNulling {}).unwrap();
        let other = Nulling::insert(db, NewNulling {}).unwrap();
        remark(db, &n, "orphan to be");
        remark(db, &other, "stays linked");
        let deleted = n.delete(db).unwrap();
        assert_eq!((deleted.total, deleted.of::<Remark>()), (1, 0));
        let rows = bodies(db);
        assert_eq!(rows[0], ("orphan to be".to_string(), None, None));
        assert!(rows[1].1.is_some() && rows[1].2 == Some(other.id));
        let unlinked = Remark::all(db).unwrap().remove(0);
        assert!(unlinked.subject(db).unwrap().is_none());
    }

    /// `no_action`: the rows are left as they are (a read of their target finds nothing).
    fn no_action_leaves_the_rows(t) {
        let db = &mut t.db();
        let l = Leaving::insert(db, NewLeaving {}).unwrap();
        let id = l.id;
        remark(db, &l, "left behind");
        assert_eq!(l.delete(db).unwrap().total, 1);
        let rows = bodies(db);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].2, Some(id));
        let row = Remark::all(db).unwrap().remove(0);
        assert!(row.subject(db).unwrap().is_none(), "the target is gone");
    }
}
