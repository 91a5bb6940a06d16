//! The declarations a model needs to share its database with a Django project: unbounded
//! text object ids, index and constraint names, and the content-type column's `on_delete`.

use super::lower::{to_ir, Resolver, ThroughModel};
use super::*;
use crate::ddl::{self, Dialect};
use crate::ir::*;

struct Models;

impl Resolver for Models {
    fn foreign_key_target(&self, target: &syn::Path) -> Option<(String, String)> {
        target
            .is_ident("Tag")
            .then(|| ("tagging_tag".to_string(), "id".to_string()))
    }

    fn through_model(&self, _: &syn::Path) -> Option<ThroughModel> {
        None
    }
}

fn parse(src: &str) -> Result<ModelSpec, syn::Error> {
    parse_derive_input(&syn::parse_str(src).unwrap(), &ParseContext::new("demo"))
}

fn lower(src: &str) -> ModelDef {
    let spec = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let (def, unresolved) = to_ir(&spec, &Models);
    assert!(unresolved.is_empty(), "{unresolved:?}");
    def
}

fn errors(src: &str) -> Vec<String> {
    match parse(src) {
        Ok(_) => vec![],
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    }
}

/// Django's `TaggedItem` with a `TextField` object id, its names, and a CASCADE content type.
const DJANGO_TAGGED_ITEM: &str = r#"
    #[model(app_label = "tagging", unique(content_type_id, tag_id, name = "tagging_taggeditem_unique_link"))]
    struct TaggedItem {
        id: i64,
        #[model(foreign_key = Tag, on_delete = cascade, foreign_key_name = "tagging_taggeditem_tag_id_fk", index_name = "tagging_taggeditem_tag_id_idx")]
        tag_id: i64,
        #[model(on_delete = cascade, foreign_key_name = "tagging_tagged_ct_fk")]
        content_type_id: Option<i32>,
        object_id: Option<String>,
        #[model(index, index_name = "tagging_taggeditem_label_idx")]
        label: String,
        #[generic_foreign_key(index_name = "tagging_tagged_ct_obj_idx")]
        content_object: GenericForeignKey,
    }"#;

#[test]
fn given_names_reach_the_ir_and_the_ddl() {
    let def = lower(DJANGO_TAGGED_ITEM);
    let names: Vec<String> = ddl::all_indexes(&def)
        .iter()
        .map(|i| i.name.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "tagging_taggeditem_tag_id_idx",
            "tagging_taggeditem_label_idx",
            "tagging_taggeditem_unique_link",
            "tagging_tagged_ct_obj_idx",
        ]
    );
    let fk_names: Vec<String> = def
        .table
        .columns
        .iter()
        .filter_map(|c| {
            Some(ddl::foreign_key_name(
                &def.table.name,
                &c.name,
                c.foreign_key.as_ref()?,
            ))
        })
        .collect();
    assert_eq!(
        fk_names,
        ["tagging_taggeditem_tag_id_fk", "tagging_tagged_ct_fk"]
    );
    let ct = def
        .column("content_type_id")
        .unwrap()
        .foreign_key
        .clone()
        .unwrap();
    assert_eq!(
        ct.on_delete,
        OnDelete::Cascade,
        "the content type's on_delete, as declared"
    );
    let sql = ddl::create_table(Dialect::Postgres, &def).join("\n");
    assert!(sql.contains("CONSTRAINT \"tagging_tagged_ct_fk\" FOREIGN KEY (\"content_type_id\") REFERENCES \"django_content_type\" (\"id\") ON DELETE CASCADE"), "{sql}");
    assert!(sql.contains("CREATE INDEX \"tagging_tagged_ct_obj_idx\" ON \"tagging_taggeditem\" (\"content_type_id\", \"object_id\");"), "{sql}");
    assert!(sql.contains("\"object_id\" text NULL"), "{sql}");
}

#[test]
fn unbounded_text_is_indexed_whole_except_on_mysql() {
    let def = lower(DJANGO_TAGGED_ITEM);
    let gfk_index = |d: Dialect| {
        ddl::create_table(d, &def)
            .into_iter()
            .find(|s| s.contains("tagging_tagged_ct_obj_idx"))
            .unwrap()
    };
    assert_eq!(
        gfk_index(Dialect::Mysql),
        "CREATE INDEX `tagging_tagged_ct_obj_idx` ON `tagging_taggeditem` (`content_type_id`, `object_id`(255));"
    );
    assert_eq!(
        gfk_index(Dialect::Sqlite),
        "CREATE INDEX \"tagging_tagged_ct_obj_idx\" ON \"tagging_taggeditem\" (\"content_type_id\", \"object_id\");"
    );
    let mysql = ddl::create_table(Dialect::Mysql, &def).join("\n");
    assert!(
        mysql.contains("(`label`(255))"),
        "a plain index takes the prefix too: {mysql}"
    );
    assert!(mysql.contains("`object_id` longtext NULL"), "{mysql}");
}

#[test]
fn a_nullable_content_type_cascades_unless_it_says_otherwise() {
    let def = lower(
        r#"struct Note { id: i64, author_type_id: Option<i32>, author_id: Option<i64>,
           #[generic_foreign_key(ct_field = author_type_id, fk_field = author_id)] author: GenericForeignKey }"#,
    );
    let fk = def
        .column("author_type_id")
        .unwrap()
        .foreign_key
        .clone()
        .unwrap();
    assert_eq!(
        (fk.table.as_ref(), fk.on_delete),
        ("django_content_type", OnDelete::Cascade)
    );
    let def = lower(
        r#"struct Note { id: i64, #[model(on_delete = set_null)] author_type_id: Option<i32>, author_id: Option<i64>,
           #[generic_foreign_key(ct_field = author_type_id, fk_field = author_id)] author: GenericForeignKey }"#,
    );
    let fk = def
        .column("author_type_id")
        .unwrap()
        .foreign_key
        .clone()
        .unwrap();
    assert_eq!(fk.on_delete, OnDelete::SetNull);
}

#[test]
fn on_delete_of_a_content_type_is_checked() {
    let errs = errors(
        r#"struct Note { id: i64, #[model(on_delete = set_null)] content_type_id: i32, object_id: i64,
           #[generic_foreign_key] item: GenericForeignKey }"#,
    );
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("needs a nullable column"), "{errs:?}");
    let errs = errors(
        r#"struct Note { id: i64, content_type_id: i32, object_id: i64,
           #[generic_foreign_key(on_delete = cascade, foreign_key_name = "x")] item: GenericForeignKey }"#,
    );
    // `on_delete` on the generic foreign key is the targets' policy; the constraint name
    // belongs to the content-type field.
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("`#[model(foreign_key_name = ...)] content_type_id`"),
        "{errs:?}"
    );
    let errs = errors(
        r#"struct Note { id: i64, content_type_id: i32, object_id: i64,
           #[generic_foreign_key(on_delete = set_null)] item: GenericForeignKey }"#,
    );
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("needs a nullable generic foreign key"),
        "{errs:?}"
    );
    let errs = errors(r#"struct Note { id: i64, #[model(on_delete = cascade)] other_id: i64 }"#);
    assert!(errs[0].contains("needs `foreign_key = Target`"), "{errs:?}");
}

#[test]
fn unique_or_primary_key_over_unbounded_text_is_refused() {
    let errs = errors(
        r#"#[model(unique(a, b), index(b, a))]
           struct T { id: i64, #[model(unique)] u: String, a: i32, b: String, #[model(index)] i: String }"#,
    );
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs[0].contains(
            "a unique constraint over an unbounded `String` needs `#[model(max_length = N)]`"
        ),
        "{errs:#?}"
    );
    assert!(
        errs[1].contains(
            "`b` is an unbounded `String`: a unique constraint over it needs `max_length`"
        ),
        "{errs:#?}"
    );
    let errs = errors(r#"struct T { #[model(primary_key)] code: String }"#);
    assert!(
        errs[0].contains("a primary key over an unbounded `String`"),
        "{errs:#?}"
    );
    // A GFK over a text object id inside a unique constraint is refused too.
    let errs = errors(
        r#"#[model(unique(content_type_id, object_id))]
           struct T { id: i64, content_type_id: i32, object_id: String, #[generic_foreign_key] o: GenericForeignKey }"#,
    );
    assert_eq!(errs.len(), 1, "{errs:#?}");
}

#[test]
fn a_key_too_long_for_mysql_counts_the_text_prefix() {
    // 700 characters leave 68 for the text: fine. 768 leave none.
    assert!(errors(r#"#[model(index(a, b))] struct T { id: i64, #[model(max_length = 700)] a: String, b: String }"#).is_empty());
    let errs = errors(
        r#"#[model(index(a, b))] struct T { id: i64, #[model(max_length = 768)] a: String, b: String }"#,
    );
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].contains("needs 3076"), "{errs:#?}");
}

#[test]
fn given_names_are_identifiers_named_once() {
    let errs = errors(
        r#"#[model(table_name = "t", unique(a, b, name = "dup"), index(b, a, name = "DUP"), index(a, c, name = "has space"))]
           struct T { id: i64, a: i32, b: i32, #[model(index, index_name = "sqlite_x")] c: i32,
           #[model(unique, index_name = "t")] d: i32, #[model(index, index_name = "dup")] e: i32 }"#,
    );
    assert_eq!(errs.len(), 5, "{errs:#?}");
    assert!(
        errs[0].contains("are named `DUP` (MySQL does not tell it from `dup`)"),
        "{errs:#?}"
    );
    assert!(
        errs[1].contains("invalid index name `has space`"),
        "{errs:#?}"
    );
    assert!(
        errs[2].contains("invalid index name `sqlite_x`: SQLite reserves"),
        "{errs:#?}"
    );
    assert!(
        errs[3].contains("invalid unique constraint name `t`: it is the table's name"),
        "{errs:#?}"
    );
    assert!(errs[4].contains("are named `dup`"), "{errs:#?}");
    let long = "n".repeat(64);
    let errs = errors(&format!(
        r#"#[model(index(a, b, name = "{long}"))] struct T {{ id: i64, a: i32, b: i32 }}"#
    ));
    assert!(errs[0].contains("at most 63 characters"), "{errs:#?}");
    // A given name that is another index's generated name.
    let errs = errors(
        r#"#[model(table_name = "t", index(a, b, name = "t_c_idx"))] struct T { id: i64, a: i32, b: i32, #[model(index)] c: i32 }"#,
    );
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].contains("`t_c_idx` is the name generated for another index"),
        "{errs:#?}"
    );
}

#[test]
fn given_names_must_name_something() {
    let errs = errors(
        r#"#[model(index(content_type_id, object_id))]
           struct T { id: i64, #[model(index_name = "a")] plain: i32, #[model(foreign_key_name = "b")] other: i32,
           #[model(index_name = "c")] content_type_id: i32, object_id: i64,
           #[generic_foreign_key(index_name = "d")] o: GenericForeignKey }"#,
    );
    assert_eq!(errs.len(), 4, "{errs:#?}");
    assert!(
        errs[0].contains("`plain` has none: add `index` or `unique`"),
        "{errs:#?}"
    );
    assert!(
        errs[1].contains("`foreign_key_name` names a foreign key"),
        "{errs:#?}"
    );
    assert!(
        errs[2].contains("name that one, `#[generic_foreign_key(index_name = \"...\")] o`"),
        "{errs:#?}"
    );
    assert!(
        errs[3].contains(
            "the declared `index(content_type_id, object_id)` serves this generic foreign key"
        ),
        "{errs:#?}"
    );
    // A content-type column's foreign key can be named.
    assert!(errors(
        r#"struct T { id: i64, #[model(foreign_key_name = "x")] content_type_id: i32, object_id: i64,
           #[generic_foreign_key] o: GenericForeignKey }"#
    )
    .is_empty());
}

#[test]
fn together_lists_read_names_and_report_other_options() {
    let errs = errors(
        r#"#[model(index(a, b, colour = "red"), unique(a, b, name = "x", name = "y"))] struct T { id: i64, a: i32, b: i32 }"#,
    );
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs[0].contains("unknown `index(...)` option `colour`"),
        "{errs:#?}"
    );
    assert!(errs[1].contains("duplicate `name` option"), "{errs:#?}");
    // A field called `name` is listed as a field.
    let def = lower(
        r#"#[model(index(name, b, name = "by_name"))] struct T { id: i64, #[model(max_length = 9)] name: String, b: i32 }"#,
    );
    assert_eq!(def.table.indexes[0].columns.as_ref(), ["name", "b"]);
    assert_eq!(def.table.indexes[0].name, "by_name");
}

#[test]
fn a_table_someone_else_created_has_the_keys_it_has() {
    // Django's own table on PostgreSQL or SQLite: a unique constraint over its `TextField`.
    let src = r#"#[model(managed = false, unique(tag_id, content_type_id, object_id, name = "link"))]
        struct T { id: i64, tag_id: i64, content_type_id: i32, object_id: String,
        #[generic_foreign_key] o: GenericForeignKey }"#;
    assert!(errors(src).is_empty(), "{:#?}", errors(src));
    assert!(
        errors(r#"#[model(managed = false)] struct T { #[model(primary_key)] code: String }"#)
            .is_empty()
    );
    // The same declared for a table the framework creates is refused.
    assert_eq!(errors(&src.replace("managed = false, ", "")).len(), 1);
    assert_eq!(
        errors(r#"struct T { #[model(primary_key)] code: String }"#).len(),
        1
    );
}
