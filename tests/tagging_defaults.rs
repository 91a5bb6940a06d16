//! The default tag models (feature `taggit`): django-taggit's `taggit_tag` and
//! `taggit_taggeditem` tables and the through models for UUID and text keys, made by the
//! migrations of the crate that uses them (`Migrations::models_from(TAG_MODELS)`) and used
//! on every backend.
#![cfg(all(feature = "taggit", feature = "build"))]

mod common;

use std::path::{Path, PathBuf};

use common::{assert_queries, backend_tests, TestDb};
use contenttypes::build::{Migrations, Mode, TAG_MODELS};
use contenttypes::prelude::*;
use contenttypes::tagging::{tagged_any, Tag, TaggedItem, TextTaggedItem};
use contenttypes::{Dialect, SupportedBackend};
use diesel::connection::SimpleConnection;

/// Declares the models, and keeps their source for the migrations build helper.
macro_rules! models {
    ($($item:tt)*) => {
        $($item)*
        const SOURCE: &str = stringify!($($item)*);
    };
}

models! {
    #[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
    #[model(app_label = "defaults")]
    pub struct Bookmark {
        pub id: i64,
        #[model(max_length = 100)]
        pub url: String,
        pub tags: Tags<contenttypes::tagging::TaggedItem>,
    }

    #[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
    #[model(app_label = "defaults")]
    pub struct Note {
        #[model(primary_key, max_length = 30)]
        pub slug: String,
        pub tags: Tags<contenttypes::tagging::TextTaggedItem>,
    }

    #[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
    #[model(app_label = "defaults")]
    pub struct Photo {
        pub id: i32,
        pub tags: Tags<contenttypes::tagging::TextTaggedItem>,
    }
}

/// The migration the build helper writes for these models and the default tag models: its
/// `up.sql` for `dialect`.
fn migration(dialect: Dialect) -> String {
    let dir = std::env::temp_dir().join(format!(
        "contenttypes-tag-models-{}-{}",
        std::process::id(),
        dialect.name()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), SOURCE).unwrap();
    Migrations::new()
        .mode(Mode::Write)
        .manifest_dir(&dir)
        .out_dir(None)
        .time(1_795_343_405)
        .cargo_output(false)
        .models_from(TAG_MODELS)
        .run()
        .expect("the migrations");
    let folder = only_entry(&dir.join("migrations").join(dialect.name()));
    let sql = std::fs::read_to_string(folder.join("up.sql")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    sql
}

fn only_entry(dir: &Path) -> PathBuf {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "one migration: {entries:?}");
    entries.into_iter().next().unwrap()
}

#[test]
fn the_migration_creates_django_taggits_tables() {
    let sql = migration(Dialect::Postgres);
    for table in [
        "taggit_tag",
        "taggit_taggeditem",
        "taggit_uuidtaggeditem",
        "taggit_texttaggeditem",
        "defaults_bookmark",
        "defaults_note",
    ] {
        assert!(
            sql.contains(&format!("CREATE TABLE \"{table}\"")),
            "{table} in:\n{sql}"
        );
    }
    assert_eq!(Tag::DEF.table.name, "taggit_tag");
    assert_eq!(TaggedItem::DEF.table.name, "taggit_taggeditem");
}

backend_tests! {
    /// The generated migration applied to an empty database, then the default models used
    /// on it: one tag table for integer and text keys alike.
    fn default_models_on_their_migrated_tables(t) {
        // A database with no tables instead of the one with every table.
        drop(t);
        let mut t = TestDb::<Conn>::empty();
        let dialect = <<Conn as diesel::Connection>::Backend as SupportedBackend>::DIALECT;
        t.conn.batch_execute(&migration(dialect)).expect("the migration applies");
        let log = t.log();
        let db = &mut t.db();
        ContentType::for_models(db, &[Bookmark::DEF, Note::DEF, Photo::DEF]).unwrap();
        let bookmark = Bookmark::insert(db, NewBookmark { url: "https://diesel.rs".into() }).unwrap();
        let note = Note::insert(db, NewNote { slug: "first".into() }).unwrap();
        let photo = Photo::insert(db, NewPhoto {}).unwrap();
        assert_queries(&log, 4, || bookmark.tags().add(db, ["rust", "orm"]).unwrap());
        assert_queries(&log, 2, || note.tags().add(db, ["rust"]).unwrap());
        photo.tags().add(db, ["rust", "photo"]).unwrap();
        assert_eq!(bookmark.tags().names(db).unwrap(), ["rust", "orm"]);
        assert_eq!(Tag::all(db).unwrap().len(), 3);
        // A text object id holds the text key and the integer key alike.
        assert_eq!(Note::filter(Note::TAGS.any(["rust"])).load(db).unwrap().len(), 1);
        assert_eq!(Photo::filter(Photo::TAGS.all(["rust", "photo"])).load(db).unwrap(), vec![photo.clone()]);
        let texts = TextTaggedItem::CONTENT_OBJECT.load_targets(db, tagged_any::<TextTaggedItem>(["rust"])).unwrap();
        assert_eq!(texts.len(), 2);
        assert_eq!(TaggedItem::all(db).unwrap().len(), 2);
        drop(t);
    }
}

#[cfg(feature = "uuid")]
mod uuid_keys {
    use super::*;
    use contenttypes::tagging::UuidTaggedItem;

    #[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
    #[model(app_label = "defaults")]
    pub struct Device {
        pub id: uuid::Uuid,
        pub tags: Tags<UuidTaggedItem>,
    }

    backend_tests! {
        /// UUID keys through the default UUID through model.
        fn uuid_keys_tagged(t) {
            let db = &mut t.db();
            let device = Device::insert(db, NewDevice { id: uuid::Uuid::from_u128(7) }).unwrap();
            let other = Device::insert(db, NewDevice { id: uuid::Uuid::from_u128(8) }).unwrap();
            device.tags().add(db, ["sensor", "indoor"]).unwrap();
            other.tags().add(db, ["sensor"]).unwrap();
            assert_eq!(device.tags().names(db).unwrap(), ["sensor", "indoor"]);
            assert_eq!(Device::filter(Device::TAGS.all(["sensor", "indoor"])).load(db).unwrap(), vec![device.clone()]);
            let similar = other.tags().similar_objects().load(db).unwrap();
            assert_eq!(similar, vec![(device.clone(), 1)]);
            let devices = Device::all(db).unwrap();
            Device::TAGS.prefetch(db, &devices).unwrap();
            let _strict = contenttypes::strict_loading();
            assert_eq!(devices.iter().map(|d| d.tags().count(db).unwrap()).sum::<i64>(), 3);
            assert_eq!(UuidTaggedItem::DEF.table.name, "taggit_uuidtaggeditem");
        }
    }
}
