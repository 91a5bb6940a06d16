//! The generated code names everything by absolute path: models still derive, and work,
//! in a module that shadows the prelude's names.
#![deny(warnings)]
#![allow(dead_code, non_camel_case_types)]

mod shadowed {
    // Every prelude name the generated code could use by accident.
    struct Result;
    struct Ok;
    struct Err;
    struct Option;
    struct Some;
    struct None;
    struct Default;
    struct Clone;
    struct Debug;
    struct PartialEq;
    struct Box;
    struct Vec;
    struct ToString;
    struct Into;
    struct From;
    struct Send;
    struct Sync;
    struct TryFrom;
    struct Arc;
    mod core {}
    mod std {}

    use contenttypes::prelude::*;

    #[derive(Model, ::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
    #[model(app_label = "hygiene")]
    pub struct Note {
        pub id: i64,
        #[model(max_length = 50)]
        pub title: ::std::string::String,
        pub stars: ::core::option::Option<i32>,
        pub content_type_id: ::core::option::Option<i32>,
        pub object_id: ::core::option::Option<i64>,
        pub subject: GenericForeignKey,
    }

    #[derive(
        Model, GenericRelation, ::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq,
    )]
    #[model(app_label = "hygiene")]
    pub struct Page {
        pub id: i64,
        pub notes: GenericRelation<Note>,
    }

    /// A generic foreign key with `targets(..)`: the generated enum and its impls.
    #[derive(Model, ::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
    #[model(app_label = "hygiene")]
    pub struct Pin {
        pub id: i64,
        pub content_type_id: i32,
        pub object_id: i64,
        #[generic_foreign_key(targets(Page))]
        pub subject: GenericForeignKey,
    }

    pub fn run() -> ::core::result::Result<(), ::std::boxed::Box<dyn ::std::error::Error>> {
        use diesel::Connection;
        let mut conn = diesel::SqliteConnection::establish(":memory:")?;
        contenttypes::schema::create_tables(&mut conn)?;
        let page = Page::insert(&mut conn, NewPage {})?;
        let mut note = page.notes().create(&mut conn, |subject| NewNote {
            title: "hello".into(),
            stars: ::core::option::Option::Some(3),
            subject: ::core::option::Option::Some(subject),
        })?;
        let target = note.subject(&mut conn)?.expect("the page");
        ::core::assert_eq!(target.downcast_ref::<Page>()?, &page);
        note.clear_subject();
        ::core::assert!(note.subject(&mut conn)?.is_none());
        note.save(&mut conn)?;
        ::core::assert_eq!(page.notes().count(&mut conn)?, 0);

        let pin = Pin::insert(
            &mut conn,
            NewPin {
                subject: ::contenttypes::Target::to(&page),
            },
        )?;
        match pin.subject(&mut conn)?.expect("the page") {
            PinSubject::Page(found) => ::core::assert_eq!(*found, page),
        }
        ::core::result::Result::Ok(())
    }
}

#[test]
fn generated_code_uses_absolute_paths() {
    shadowed::run().unwrap();
}
