//! Migrations of database-enforced generic foreign keys (`db_constraint`): the triggers are
//! created, dropped and re-created as the models change, the state records what they depend
//! on (and nothing Rust-only), and down undoes up.

use super::plan::Operation;
use super::state::{self, State};
use super::tests::{models, plan_of, recorded, statements};
use crate::ddl::Dialect::{Mysql, Postgres, Sqlite};

const ARTICLE: &str = r#"
    #[model(app_label = "blog")]
    struct Author { id: i64 }
    #[model(app_label = "blog")]
    struct Article { id: i64, #[model(foreign_key = Author, on_delete = cascade)] author_id: i64 }
"#;

fn note(options: &str) -> String {
    format!(
        r#"
    #[model(app_label = "notes")]
    struct Note {{
        id: i64, content_type_id: i32, object_id: i64,
        #[generic_foreign_key({options})] content_object: GenericForeignKey,
    }}
"#
    )
}

fn kinds(ops: &[Operation]) -> Vec<&'static str> {
    ops.iter()
        .map(|op| match op {
            Operation::DropTriggers(_) => "drop triggers",
            Operation::CreateTriggers(_) => "create triggers",
            Operation::CreateTable(_) => "create table",
            Operation::DropTable(_) => "drop table",
            Operation::AlterTable(_) => "alter table",
            _ => "other",
        })
        .collect()
}

#[test]
fn turning_db_constraint_on_and_off_creates_and_drops_the_triggers() {
    let off = format!("{ARTICLE}{}", note(""));
    let on = format!("{ARTICLE}{}", note("db_constraint"));
    let p = plan_of(&off, &on);
    assert_eq!(kinds(&p.operations), ["create triggers"]);
    assert_eq!(p.name(false), "integrity");
    for dialect in [Sqlite, Postgres, Mysql] {
        let (up, down) = statements(&p, dialect);
        let creates = up.iter().filter(|s| s.contains("CREATE TRIGGER")).count();
        let drops = down.iter().filter(|s| s.contains("DROP TRIGGER")).count();
        assert_eq!(creates, drops, "{dialect:?}: down drops what up creates");
        assert!(
            up.iter().any(|s| s.contains("blog_article")),
            "{dialect:?}: {up:#?}"
        );
        assert!(
            up.iter().any(|s| s.contains("points at no row")),
            "{dialect:?}: the check"
        );
        // MySQL fires no trigger for foreign-key cascades: the author's delete covers the
        // articles it cascades to.
        let cascade = up
            .iter()
            .any(|s| s.contains("BEFORE DELETE ON `blog_author`"));
        assert_eq!(cascade, dialect == Mysql, "{dialect:?}: {up:#?}");
    }
    // PostgreSQL: a function per trigger body, dropped after its triggers.
    let (up, down) = statements(&p, Postgres);
    assert!(up
        .iter()
        .any(|s| s.starts_with("CREATE OR REPLACE FUNCTION")));
    let last_trigger = down
        .iter()
        .rposition(|s| s.starts_with("DROP TRIGGER"))
        .unwrap();
    let first_function = down
        .iter()
        .position(|s| s.starts_with("DROP FUNCTION"))
        .unwrap();
    assert!(
        first_function > 0
            && down[..first_function]
                .iter()
                .any(|s| s.starts_with("DROP TRIGGER"))
    );
    assert!(last_trigger < down.len());

    let back = plan_of(&on, &off);
    assert_eq!(kinds(&back.operations), ["drop triggers"]);
    assert!(plan_of(&on, &on).is_empty());
}

#[test]
fn a_table_change_drops_the_triggers_first_and_creates_them_last() {
    let on = format!("{ARTICLE}{}", note("db_constraint"));
    let with_video = format!("{on}\n#[model(app_label = \"blog\")] struct Video {{ id: i64 }}");
    let p = plan_of(&on, &with_video);
    assert_eq!(
        kinds(&p.operations),
        ["drop triggers", "create table", "create triggers"]
    );
    // The new model is a target: the check names its table now.
    let (up, _) = statements(&p, Sqlite);
    assert!(
        up.last().unwrap().contains("blog_video")
            || up.iter().any(|s| s.contains("\"blog_video\" \"ct_m\""))
    );
    // Without enforced generic foreign keys, a table change plans no trigger.
    let off = format!("{ARTICLE}{}", note(""));
    let p = plan_of(
        &off,
        &format!("{off}\n#[model(app_label = \"blog\")] struct Video {{ id: i64 }}"),
    );
    assert_eq!(kinds(&p.operations), ["create table"]);
}

#[test]
fn the_policy_and_a_relation_overriding_it_are_migrated() {
    let cascade = format!("{ARTICLE}{}", note("db_constraint"));
    let restrict = format!("{ARTICLE}{}", note("db_constraint, on_delete = restrict"));
    let p = plan_of(&cascade, &restrict);
    assert_eq!(kinds(&p.operations), ["drop triggers", "create triggers"]);
    let (up, _) = statements(&p, Postgres);
    assert!(
        up.iter().any(|s| s.contains("on_delete = restrict")),
        "{up:#?}"
    );
    // A generic relation giving its own policy for its model.
    let overridden = format!(
        "{restrict}\n#[model(app_label = \"blog\")] struct Video {{ id: i64, #[generic_relation(on_delete = cascade)] notes: GenericRelation<Note> }}"
    );
    let plain = format!("{restrict}\n#[model(app_label = \"blog\")] struct Video {{ id: i64 }}");
    let p = plan_of(&plain, &overridden);
    assert_eq!(kinds(&p.operations), ["drop triggers", "create triggers"]);
}

#[test]
fn the_state_records_the_enforced_keys_without_rust_names() {
    let on = format!(
        "{ARTICLE}{}\n#[model(app_label = \"blog\")] struct Video {{ id: i64, #[generic_relation(on_delete = set_null)] notes: GenericRelation<Note> }}",
        note("db_constraint, on_delete = restrict")
    );
    let recorded_models = recorded(&on);
    let state = State {
        migrations: vec!["2026-11-29-000000-0000_initial".into()],
        models: recorded_models.clone(),
    };
    let json = state.to_json();
    assert!(json.contains("\"db_constraint\": true"), "{json}");
    assert!(json.contains("\"generic_relations\""), "{json}");
    assert_eq!(State::from_json(&json).unwrap(), state);
    // Renaming the Rust field changes nothing the database sees.
    let renamed = on.replace(
        "content_object: GenericForeignKey",
        "subject: GenericForeignKey",
    );
    assert_eq!(recorded(&renamed), recorded_models);
    // Models without enforced keys keep their bytes: no new keys in their state.
    let plain = State {
        migrations: Vec::new(),
        models: state::normalize_all(&models(ARTICLE)),
    };
    assert!(!plain.to_json().contains("generic_"));
}

#[test]
fn declared_targets_are_recorded_and_bound_the_triggers() {
    let open = format!(
        "{ARTICLE}{}\n#[model(app_label = \"blog\")] struct Video {{ id: i64 }}",
        note("db_constraint")
    );
    let narrow = open.replace("db_constraint", "db_constraint, targets(Article)");
    let p = plan_of(&open, &narrow);
    assert_eq!(kinds(&p.operations), ["drop triggers", "create triggers"]);
    let (up, _) = statements(&p, Postgres);
    let created: Vec<&String> = up.iter().filter(|s| s.starts_with("CREATE")).collect();
    let created = created
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(created.contains("blog_article"), "{created}");
    assert!(
        !created.contains("blog_video"),
        "only the declared target: {created}"
    );
    let state = State {
        migrations: Vec::new(),
        models: recorded(&narrow),
    };
    let json = state.to_json();
    assert!(json.contains("\"blog.article\""), "{json}");
    assert_eq!(State::from_json(&json).unwrap(), state);
}
