//! Expansion snapshots: representative models expanded, pretty-printed and compared with the
//! files in `src/snapshots/`. After an intended change to the generated code, re-bless with
//! `SNAPSHOTS=overwrite cargo test -p contenttypes-derive` and review the diff.

use std::path::PathBuf;

use contenttypes_core::codegen::{parse_derive_input, ParseContext};
use proc_macro2::TokenStream;

fn expand(
    derive: fn(&contenttypes_core::codegen::ModelSpec) -> TokenStream,
    input: &str,
) -> String {
    let input: syn::DeriveInput = syn::parse_str(input).expect("a struct");
    let spec = parse_derive_input(&input, &ParseContext::new("app")).expect("a valid model");
    let file: syn::File = syn::parse2(derive(&spec)).expect("the expansion parses as items");
    prettyplease::unparse(&file)
}

fn check(name: &str, actual: String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/snapshots")
        .join(format!("{name}.rs"));
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with SNAPSHOTS=overwrite",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "the expansion of `{name}` changed; review it and re-bless with SNAPSHOTS=overwrite\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

const TAG: &str = r#"
    #[model(app_label = "tagging")]
    pub struct Tag {
        pub id: i64,
        #[model(unique, max_length = 50)]
        pub name: String,
    }"#;

const TAGGED_ITEM: &str = r#"
    #[model(app_label = "tagging", unique(tag_id, content_type_id, object_id))]
    pub struct TaggedItem {
        pub id: i64,
        #[model(foreign_key = Tag, on_delete = cascade)]
        pub tag_id: i64,
        pub content_type_id: i32,
        pub object_id: i64,
        #[generic_foreign_key(ct_field = content_type_id, fk_field = object_id)]
        pub content_object: GenericForeignKey,
    }"#;

const PIN: &str = r#"
    #[model(app_label = "boards")]
    pub struct Pin {
        pub id: i64,
        pub content_type_id: i32,
        pub object_id: i64,
        #[generic_foreign_key(targets(Article, media::Video))]
        pub content_object: GenericForeignKey,
    }"#;

const ARTICLE: &str = r#"
    #[model(app_label = "blog")]
    pub struct Article {
        pub id: i64,
        #[model(max_length = 200)]
        pub title: String,
        pub rating: Option<f64>,
        #[generic_relation(related_query_name = "article")]
        pub tags: GenericRelation<TaggedItem>,
    }"#;

#[test]
fn model_with_a_unique_column() {
    check("model_tag", expand(crate::model::expand, TAG));
}

#[test]
fn through_model_with_a_generic_foreign_key() {
    check(
        "model_tagged_item",
        expand(crate::model::expand, TAGGED_ITEM),
    );
}

/// `targets(..)`: the enum, its conversions, `TargetSet`, one `Admits` and one key check
/// per target, and the typed read and `Admits` bounds on the setters.
#[test]
fn generic_foreign_key_with_typed_targets() {
    check("model_pin", expand(crate::model::expand, PIN));
}

#[test]
fn model_with_a_generic_relation() {
    check("model_article", expand(crate::model::expand, ARTICLE));
    check(
        "generic_relation_article",
        expand(crate::relation::expand, ARTICLE),
    );
}
