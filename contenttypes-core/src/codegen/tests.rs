use super::lower::{to_ir, Resolver, ThroughModel, Unresolved};
use super::*;
use crate::ir::*;

struct Models;

impl Resolver for Models {
    fn foreign_key_target(&self, target: &syn::Path) -> Option<(String, String)> {
        target
            .is_ident("Tag")
            .then(|| ("tagging_tag".to_string(), "id".to_string()))
    }

    fn through_model(&self, through: &syn::Path) -> Option<ThroughModel> {
        through.is_ident("TaggedItem").then(|| ThroughModel {
            app_label: "tagging".into(),
            model: "taggeditem".into(),
            sole_gfk: Some("content_object".into()),
        })
    }
}

fn cx() -> ParseContext {
    ParseContext::new("demo")
}

fn parse(src: &str) -> Result<ModelSpec, syn::Error> {
    parse_derive_input(&syn::parse_str(src).unwrap(), &cx())
}

fn errors(src: &str) -> Vec<String> {
    match parse(src) {
        Ok(_) => vec![],
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn through_model_lowers_with_the_automatic_index_and_foreign_keys() {
    let spec = parse(
        r#"
        #[model(app_label = "tagging", unique(tag_id, content_type_id, object_id))]
        struct TaggedItem {
            id: i64,
            #[model(foreign_key = Tag, on_delete = cascade)]
            tag_id: i64,
            content_type_id: i32,
            object_id: i64,
            #[generic_foreign_key]
            content_object: GenericForeignKey,
        }"#,
    )
    .unwrap();
    let (def, unresolved) = to_ir(&spec, &Models);
    assert!(unresolved.is_empty());
    assert_eq!(def.table.name, "tagging_taggeditem");
    assert_eq!(def.model_name, "taggeditem");
    assert_eq!(def.verbose_name, "tagged item");
    let pk = def.primary_key().unwrap();
    assert!(pk.auto_increment && pk.sql_type == SqlType::BigInt);
    let ct = def.column("content_type_id").unwrap();
    assert_eq!(
        ct.foreign_key.as_ref().unwrap().table,
        "django_content_type"
    );
    assert!(
        !ct.indexed,
        "the composite index serves content type lookups"
    );
    let tag = def.column("tag_id").unwrap();
    assert_eq!(tag.foreign_key.as_ref().unwrap().table, "tagging_tag");
    assert!(!tag.indexed, "the unique constraint leads with tag_id");
    let names: Vec<&str> = def.table.indexes.iter().map(|i| i.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "tagging_taggeditem_tag_id_content_type_id_object_id_uniq",
            "tagging_taggeditem_content_type_id_object_id_idx"
        ]
    );
    assert_eq!(def.generic_foreign_keys[0].fk_column, "object_id");
}

#[test]
fn relation_resolves_its_through_model() {
    let spec = parse(
        r#"
        struct Article {
            id: i64,
            #[model(max_length = 200)]
            title: String,
            #[generic_relation(related_query_name = "article")]
            tags: GenericRelation<TaggedItem>,
        }"#,
    )
    .unwrap();
    let (def, unresolved) = to_ir(&spec, &Models);
    assert!(unresolved.is_empty());
    assert_eq!(def.app_label, "demo");
    assert_eq!(def.table.columns.len(), 2);
    let rel = &def.generic_relations[0];
    assert_eq!(
        (rel.through_app_label.as_ref(), rel.gfk.as_ref()),
        ("tagging", "content_object")
    );
    assert_eq!(rel.related_query_name.as_deref(), Some("article"));
}

#[test]
fn unknown_models_are_reported() {
    let spec = parse("struct A { id: i32, #[model(foreign_key = Nope)] b: i32 }").unwrap();
    let (_, unresolved) = to_ir(&spec, &Models);
    assert_eq!(
        unresolved,
        vec![Unresolved::ForeignKey {
            field: "b".into(),
            target: "Nope".into()
        }]
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let errs = errors(
        r#"
        #[model(colour = "red")]
        struct Bad {
            pk: i32,
            name_: String,
            #[model(max_length = 5, max_length = 6)]
            title: String,
            when: std::time::Instant,
        }"#,
    );
    let all = errs.join("\n");
    assert!(all.contains("unknown model option `colour`"), "{all}");
    assert!(all.contains("`pk` is a reserved word"), "{all}");
    assert!(all.contains("must not end with an underscore"), "{all}");
    assert!(all.contains("duplicate `max_length`"), "{all}");
    assert!(all.contains("unsupported column type"), "{all}");
    assert!(all.contains("has no primary key"), "{all}");
}

#[test]
fn model_names_longer_than_100_characters_are_django_e005() {
    let name = "M".repeat(101);
    let errs = errors(&format!("struct {name} {{ id: i32 }}"));
    assert_eq!(
        errs,
        vec!["Model names must be at most 100 characters (got 101).".to_string()]
    );
    assert!(errors(&format!("struct {} {{ id: i32 }}", "M".repeat(100))).is_empty());
}

#[test]
fn generic_foreign_key_columns_are_checked() {
    let errs =
        errors("struct T { id: i64, #[generic_foreign_key] content_object: GenericForeignKey }")
            .join("\n");
    assert!(
        errs.contains("nonexistent field 'T.content_type_id'"),
        "{errs}"
    );
    assert!(
        errs.contains("object ID references the nonexistent field 'object_id'"),
        "{errs}"
    );
    let errs = errors("struct T { id: i64, content_type_id: i64, object_id: String, content_object: GenericForeignKey }")
        .join("\n");
    assert!(errs.contains("must be an `i32`"), "{errs}");
    // An unbounded text object id is Django's `TextField` object id: accepted.
    assert!(!errs.contains("max_length"), "{errs}");
}

#[test]
fn every_item_of_an_attribute_is_read_past_an_error() {
    let errs = errors(
        r#"
        #[model(app_label = 5, colour = "red", table_name = 7, verbose_name = "ok")]
        struct T { id: i64, #[model(primary_key = true, max_len = 3)] a: i32 }"#,
    );
    assert_eq!(errs.len(), 5, "{errs:#?}");
    assert!(errs
        .iter()
        .any(|e| e.contains("`primary_key` takes no value")));
    assert!(errs
        .iter()
        .any(|e| e.contains("unknown field option `max_len`")));
}

#[test]
fn defaults_must_fit_their_column() {
    let errs = errors(
        r#"
        struct T {
            id: i64,
            #[model(default = 99999)] small: i16,
            #[model(default = -32768)] smallest: i16,
            #[model(default = 2147483648)] int: i32,
            #[model(default = 1e39)] single: f32,
            #[model(default = 1e-400)] double: f64,
            #[model(default = "a\0b")] text: String,
            #[model(max_length = 3, default = "abcd")] code: String,
            #[model(default = 5u8)] suffixed: i32,
        }"#,
    )
    .join("\n");
    assert!(
        errs.contains("99999 does not fit the field's type `i16` (-32768..=32767)"),
        "{errs}"
    );
    assert!(!errs.contains("-32768 does not fit"), "{errs}");
    assert!(errs.contains("2147483648 does not fit"), "{errs}");
    assert!(errs.contains("1e39 is out of the range of `f32`"), "{errs}");
    assert!(errs.contains("1e-400 is too small for `f64`"), "{errs}");
    assert!(errs.contains("NUL bytes are not allowed"), "{errs}");
    assert!(
        errs.contains("4 characters long, but `max_length` is 3"),
        "{errs}"
    );
    assert!(errs.contains("the suffix `u8`"), "{errs}");
}

#[test]
fn names_diesel_and_the_databases_refuse() {
    let errs = errors(
        r#"
        #[model(table_name = "self")]
        struct T { id: i64, table: i32, #[model(column = "xmin")] x: i32 }"#,
    )
    .join("\n");
    assert!(
        errs.contains("`self` cannot name a Diesel table module"),
        "{errs}"
    );
    assert!(
        errs.contains("Diesel's `table!` declares its own `table`"),
        "{errs}"
    );
    assert!(errs.contains("system column"), "{errs}");
    let errs = errors(r#"#[model(table_name = "notes")] struct T { id: i64, notes: String }"#);
    assert_eq!(errs.len(), 1);
    assert!(errs[0].contains("named like its table"), "{errs:?}");
    // A quoted field name is never re-lexed.
    let errs = errors(
        r#"struct T { id: i64, content_type_id: i32, object_id: i64,
           #[generic_foreign_key(ct_field = "a\"b")] o: GenericForeignKey }"#,
    );
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("must name a field"), "{errs:?}");
    let errs = errors(
        r#"#[generic_relation] struct T { id: i64,
           #[generic_relation(related_query_name = "has space")] tags: GenericRelation<X> }"#,
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("Reverse query name 'has space' is invalid")),
        "{errs:?}"
    );
}

#[test]
fn column_limit_is_the_derives_and_names_the_feature() {
    let fields: String = (1..40).map(|i| format!("c{i}: i32, ")).collect();
    let src = format!("struct Wide {{ id: i64, {fields} }}");
    let input = syn::parse_str(&src).unwrap();
    // The build helper allows what Diesel can do with its largest feature.
    assert!(parse_derive_input(&input, &cx()).is_ok());
    let derive = ParseContext {
        max_columns: 32,
        ..cx()
    };
    let errs: Vec<String> = parse_derive_input(&input, &derive)
        .unwrap_err()
        .into_iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        errs,
        vec![
            "a model with more than 32 columns needs the contenttypes feature `64-column-tables` \
             (Diesel's `64-column-tables`); this one has 40"
                .to_string()
        ]
    );
}

#[test]
fn generated_names_must_not_collide() {
    let errs = errors(
        "struct T { id: i64, #[model(foreign_key = Tag)] tag_id: i64, #[model(foreign_key = Tag)] tag: i64 }",
    );
    assert_eq!(
        errs,
        vec!["the derives generate `T::TAG` for both `tag_id` and `tag`; rename one of them"]
    );
}

#[test]
fn generic_foreign_key_targets_are_parsed_and_checked() {
    let gfk = |targets: &str| {
        format!(
            r#"
            #[model(app_label = "tagging")]
            struct TaggedItem {{
                id: i64,
                content_type_id: i32,
                object_id: i64,
                #[generic_foreign_key(index_name = "ix", targets({targets}))]
                content_object: GenericForeignKey,
            }}"#
        )
    };
    let spec = parse(&gfk("Article, media::Video")).unwrap();
    let (_, g) = spec.generic_foreign_keys().next().unwrap();
    let paths: Vec<String> = g
        .target_paths()
        .iter()
        .map(|p| quote::quote!(#p).to_string().replace(' ', ""))
        .collect();
    assert_eq!(paths, ["Article", "media::Video"]);
    // The IR (and so the migrations) does not depend on the targets.
    let open = parse(&gfk("Article").replace(", targets(Article)", "")).unwrap();
    assert!(open
        .generic_foreign_keys()
        .next()
        .unwrap()
        .1
        .targets
        .is_none());
    assert_eq!(to_ir(&spec, &Models).0, to_ir(&open, &Models).0);

    assert_eq!(errors(&gfk("")).len(), 1);
    assert!(errors(&gfk(""))[0].contains("`targets()` lists no model"));
    let both = errors(&gfk("Article, Article, a::Video, b::Video"));
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(both[0].contains("`Article` is listed twice"));
    assert!(both[1].contains("`a::Video` and `b::Video` are both named `Video`"));
}
