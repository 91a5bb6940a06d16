//! The derive corpus: model declarations that vary every key of `#[model(...)]`,
//! `#[generic_foreign_key(...)]` and `#[generic_relation(...)]` (missing, extra, duplicated,
//! misspelled, mistyped), names (empty, long, unicode, SQL reserved words, Rust keywords, NUL
//! bytes), defaults out of range, wide tables and names that collide with what Diesel's
//! `table!` declares.
//!
//! Written once and read by two tests (with `#[path]`):
//! - `contenttypes-derive/src/corpus_tests.rs` expands every variation in-process: no panic,
//!   and every error where the variation says it is;
//! - `tests/derive_corpus.rs` creates (and drops) the table of every accepted variation on
//!   SQLite, PostgreSQL and MySQL/MariaDB.
//!
//! A variation marks the lines its errors must be reported on with a trailing `// ERR`
//! (`// ERR 3`: exactly three errors on that line); a variation without a mark must be
//! accepted. Line 1 is always the `#[derive(...)]` line.
//!
//! Models may reference the support models [`SUPPORT`] declares: `Tag` (foreign keys point at
//! it) and `Tagged` (the through model of generic relations).

#![allow(dead_code)]

/// One model declaration.
#[derive(Clone, Debug)]
pub struct Variation {
    /// What it varies (unique).
    pub name: String,
    /// The struct with its attributes.
    pub source: String,
    /// Items the model needs beside it to compile (an unmanaged model's `table!`).
    pub extra: String,
    /// For a wide model, the lines of its columns: more than the column limit in force is an
    /// error at the first column past it.
    pub column_lines: Vec<usize>,
}

impl Variation {
    /// The lines (1-based) errors must be reported on, each with the exact number of errors
    /// when the mark gives one, under a column limit of `max_columns`.
    pub fn expected_errors(&self, max_columns: usize) -> Vec<(usize, Option<usize>)> {
        let mut errors: Vec<(usize, Option<usize>)> = self
            .source
            .lines()
            .enumerate()
            .filter_map(|(i, line)| {
                let (_, mark) = line.rsplit_once("// ERR")?;
                Some((i + 1, mark.trim().parse().ok()))
            })
            .collect();
        if let Some(&line) = self.column_lines.get(max_columns) {
            errors.push((line, Some(1)));
        }
        errors
    }

    /// Whether the derive must accept it under a column limit of `max_columns`.
    pub fn accepted(&self, max_columns: usize) -> bool {
        self.expected_errors(max_columns).is_empty()
    }

    /// The line the struct's name is on.
    pub fn struct_line(&self) -> Option<usize> {
        self.source
            .lines()
            .position(|l| {
                let l = l.trim_start();
                l.starts_with("pub struct")
                    || l.starts_with("struct")
                    || l.starts_with("pub enum")
                    || l.starts_with("pub(crate) struct")
            })
            .map(|i| i + 1)
    }
}

/// The models the variations may reference, as Rust (for compiling) — `Tag` is the target of
/// foreign keys, `Tagged` the through model of generic relations.
pub const SUPPORT: &str = r#"
#[derive(Model, Clone, Debug)]
#[model(app_label = "corpus_support", table_name = "corpus_tag")]
pub struct Tag {
    pub id: i64,
    #[model(max_length = 50)]
    pub name: String,
}

#[derive(Model, Clone, Debug)]
#[model(app_label = "corpus_support", table_name = "corpus_tagged")]
pub struct Tagged {
    pub id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    pub content_object: GenericForeignKey,
}
"#;

/// The table and primary key column of a support model a foreign key names.
pub fn support_target(path: &str) -> Option<(&'static str, &'static str)> {
    match path {
        "Tag" => Some(("corpus_tag", "id")),
        _ => None,
    }
}

const ERR: &str = " // ERR";

fn bad(line: &str) -> String {
    format!("{line}{ERR}")
}

fn bad_n(line: &str, n: usize) -> String {
    format!("{line}{ERR} {n}")
}

/// A model being written.
struct M {
    name: String,
    ident: String,
    derives: String,
    container: Vec<String>,
    keyword: String,
    struct_error: bool,
    fields: Vec<String>,
    extra: String,
    wide: bool,
}

impl M {
    /// Replaces the struct attributes (the default is `#[model(app_label = "corpus")]`).
    fn attrs(mut self, lines: &[String]) -> Self {
        self.container = lines.to_vec();
        self
    }

    fn attr(self, line: impl Into<String>) -> Self {
        self.attrs(&[line.into()])
    }

    /// Adds a field line (the default fields are `pub id: i64,`).
    fn field(mut self, line: impl Into<String>) -> Self {
        self.fields.push(line.into());
        self
    }

    /// Replaces the fields.
    fn fields(mut self, lines: &[String]) -> Self {
        self.fields = lines.to_vec();
        self
    }

    fn ident(mut self, ident: &str) -> Self {
        self.ident = ident.into();
        self
    }

    fn derives(mut self, derives: &str) -> Self {
        self.derives = derives.into();
        self
    }

    /// `struct Name<T> {` and the like; the struct line is marked when `error`.
    fn head(mut self, keyword: &str, error: bool) -> Self {
        self.keyword = keyword.into();
        self.struct_error = error;
        self
    }

    fn struct_error(mut self) -> Self {
        self.struct_error = true;
        self
    }

    fn extra(mut self, extra: impl Into<String>) -> Self {
        self.extra = extra.into();
        self
    }

    /// Every field is a column, one a line: past the column limit in force, the first
    /// column past it is an error.
    fn wide(mut self) -> Self {
        self.wide = true;
        self
    }
}

/// The corpus being written: numbers models and keeps their names unique.
struct Corpus {
    out: Vec<Variation>,
}

impl Corpus {
    fn model(&self, name: &str) -> M {
        let ident = format!("M{:03}", self.out.len());
        M {
            name: name.to_string(),
            ident,
            derives: "Model".into(),
            container: vec![r#"#[model(app_label = "corpus")]"#.into()],
            keyword: "pub struct".into(),
            struct_error: false,
            fields: vec!["pub id: i64,".into()],
            extra: String::new(),
            wide: false,
        }
    }

    fn push(&mut self, m: M) {
        let mut source = format!("#[derive({})]\n", m.derives);
        for line in &m.container {
            source.push_str(line);
            source.push('\n');
        }
        let first_field_line = source.lines().count() + 2;
        let column_lines = if m.wide {
            (0..m.fields.len()).map(|i| first_field_line + i).collect()
        } else {
            Vec::new()
        };
        let head = format!("{} {} {{", m.keyword, m.ident);
        source.push_str(&if m.struct_error { bad(&head) } else { head });
        source.push('\n');
        for line in &m.fields {
            source.push_str("    ");
            source.push_str(line);
            source.push('\n');
        }
        source.push_str("}\n");
        assert!(
            !self.out.iter().any(|v| v.name == m.name),
            "duplicate variation name {}",
            m.name
        );
        self.out.push(Variation {
            name: m.name,
            source,
            extra: m.extra.replace("{ident}", &m.ident),
            column_lines,
        });
    }

    /// A model whose only change is one struct attribute line.
    fn container(&mut self, name: &str, line: String) {
        let m = self.model(name).attr(line);
        self.push(m);
    }

    /// A model whose only change is one more field line.
    fn with_field(&mut self, name: &str, line: String) {
        let m = self.model(name).field(line);
        self.push(m);
    }
}

/// Every variation.
pub fn variations() -> Vec<Variation> {
    let mut c = Corpus { out: Vec::new() };
    container_keys(&mut c);
    container_names(&mut c);
    shapes(&mut c);
    field_keys(&mut c);
    field_types(&mut c);
    primary_keys(&mut c);
    defaults(&mut c);
    column_names(&mut c);
    together(&mut c);
    foreign_keys(&mut c);
    generic_foreign_keys(&mut c);
    generic_relations(&mut c);
    wide(&mut c);
    combined(&mut c);
    c.out
}

fn long(c: char, n: usize) -> String {
    std::iter::repeat_n(c, n).collect()
}

/// `#[model(...)]` on the struct: each key right, missing, twice, misspelled, mistyped.
fn container_keys(c: &mut Corpus) {
    // No attribute at all: the crate's app label.
    let m = c.model("container/none").attrs(&[]);
    c.push(m);
    let m = c.model("container/empty_list").attr("#[model()]");
    c.push(m);
    for (key, value) in [
        ("app_label", r#""blog""#),
        ("model_name", r#""story""#),
        ("table_name", r#""corpus_stories""#),
        ("verbose_name", r#""a story""#),
        ("managed", "true"),
        ("renamed_from", r#""post""#),
        ("crate", r#""::contenttypes""#),
    ] {
        // `app_label = "corpus"` is where every model starts from.
        let base = if key == "app_label" {
            String::new()
        } else {
            r#"app_label = "corpus", "#.to_string()
        };
        c.container(
            &format!("container/{key}/ok"),
            format!("#[model({base}{key} = {value})]"),
        );
        c.container(
            &format!("container/{key}/twice"),
            bad(&format!("#[model({base}{key} = {value}, {key} = {value})]")),
        );
        c.push({
            let m = c.model(&format!("container/{key}/twice_in_two_attributes"));
            m.attrs(&[
                format!("#[model({base}{key} = {value})]"),
                bad(&format!("#[model({key} = {value})]")),
            ])
        });
        // No value, and `=` with nothing after it.
        c.container(
            &format!("container/{key}/no_value"),
            bad(&format!(r#"#[model(app_label = "corpus", {key})]"#)),
        );
        c.container(
            &format!("container/{key}/empty_value"),
            bad(&format!(r#"#[model(app_label = "corpus", {key} = )]"#)),
        );
    }
    // Unmanaged: the user declares the table.
    let m = c
        .model("container/managed/false")
        .attr(r#"#[model(app_label = "corpus", table_name = "corpus_legacy", managed = false)]"#)
        .extra("diesel::table! { corpus_legacy (id) { id -> BigInt, } }");
    c.push(m);
    // Unmanaged over Django's own table: a unique constraint over a `TextField` is what that
    // table has (on PostgreSQL and SQLite), not DDL the framework makes.
    let m = c
        .model("container/managed/false_unique_text")
        .attr(r#"#[model(app_label = "corpus", table_name = "corpus_django_link", managed = false, unique(tag, content_type_id, object_id, name = "corpus_django_link_key"))]"#)
        .fields(&[
            "pub id: i64,".into(),
            "pub tag: i64,".into(),
            "pub content_type_id: i32,".into(),
            "pub object_id: String,".into(),
            "pub content_object: GenericForeignKey,".into(),
        ])
        .extra("diesel::table! { corpus_django_link (id) { id -> BigInt, tag -> BigInt, content_type_id -> Integer, object_id -> Text, } }");
    c.push(m);
    // Misspelled and unknown keys, each alone and several in one attribute.
    for key in [
        "app_lable",
        "applabel",
        "tabel_name",
        "table",
        "modle_name",
        "verbose",
        "manged",
        "renamed",
        "db_table",
        "ordering",
        "colour",
        "APP_LABEL",
    ] {
        c.container(
            &format!("container/unknown/{key}"),
            bad(&format!(r#"#[model(app_label = "corpus", {key} = "x")]"#)),
        );
    }
    c.container(
        "container/unknown/three_at_once",
        bad_n(
            r#"#[model(app_lable = "a", tabel_name = "b", colour = "c", app_label = "corpus")]"#,
            3,
        ),
    );
    // Field options on the struct.
    for option in [
        "primary_key",
        "unique",
        "max_length = 5",
        "default = 1",
        "column = \"x\"",
        "skip",
        "foreign_key = Tag",
        "auto_increment = false",
    ] {
        let key = option.split(' ').next().unwrap_or(option);
        c.container(
            &format!("container/field_option/{key}"),
            bad(&format!(r#"#[model(app_label = "corpus", {option})]"#)),
        );
    }
    // Wrong literal types.
    for (key, value) in [
        ("app_label", "5"),
        ("app_label", "blog"),
        ("app_label", "'b'"),
        ("app_label", "b\"blog\""),
        ("model_name", "1.5"),
        ("table_name", "true"),
        ("verbose_name", "7"),
        ("managed", "\"yes\""),
        ("managed", "1"),
        ("renamed_from", "3"),
        ("crate", "contenttypes"),
        ("crate", "5"),
    ] {
        let label = value.replace(['"', '\''], "").replace('.', "_");
        c.container(
            &format!("container/{key}/type_{label}"),
            bad(&format!("#[model({key} = {value})]")),
        );
    }
    c.container(
        "container/mistyped/all_at_once",
        bad_n(
            "#[model(app_label = 5, model_name = 6, table_name = 7, managed = 8)]",
            4,
        ),
    );
    c.container(
        "container/suffix",
        bad(r#"#[model(app_label = "corpus"suffix)]"#),
    );
    c.container("container/path_only", bad("#[model]"));
    c.container("container/name_value", bad(r#"#[model = "corpus"]"#));
    c.container("container/no_key", bad("#[model(= 5)]"));
    c.container(
        "container/trailing_comma",
        r#"#[model(app_label = "corpus",)]"#.into(),
    );
    // `crate = "..."` that is not a path (the compiler's lexer would abort on some).
    for (label, value) in [
        ("quote", r#""a\"b""#),
        ("paren", r#""(""#),
        ("empty", r#""""#),
        ("space", r#""my crate""#),
        ("digit", r#""1abc""#),
        ("superscript", r#""a²""#),
        ("nul", r#""a\0b""#),
    ] {
        c.container(
            &format!("container/crate/{label}"),
            bad(&format!(
                "#[model(app_label = \"corpus\", crate = {value})]"
            )),
        );
    }
    // A generic foreign key or relation attribute on the struct.
    let m = c.model("container/gfk_attribute").attrs(&[
        r#"#[model(app_label = "corpus")]"#.into(),
        bad("#[generic_foreign_key(ct_field = content_type_id)]"),
    ]);
    c.push(m);
    let m = c.model("container/relation_attribute").attrs(&[
        r#"#[model(app_label = "corpus")]"#.into(),
        bad(r#"#[generic_relation(related_query_name = "x")]"#),
    ]);
    c.push(m);
    // Other attributes are left alone.
    let m = c.model("container/doc_and_allow").attrs(&[
        "/// A documented model.".into(),
        "#[allow(dead_code)]".into(),
        r#"#[model(app_label = "corpus")]"#.into(),
    ]);
    c.push(m);
}

/// App labels, model names, table names, verbose names and renames.
fn container_names(c: &mut Corpus) {
    let ok_names = [
        ("short", "a".to_string()),
        ("underscore", "_corpus".into()),
        ("digits", "corpus2".into()),
        ("len63", format!("t{}", long('a', 62))),
    ];
    for (label, name) in &ok_names {
        c.container(
            &format!("table_name/{label}"),
            format!(r#"#[model(app_label = "corpus", table_name = "{name}")]"#),
        );
    }
    // SQL reserved words and Rust keywords that can be raw identifiers work (quoted in DDL,
    // `r#type` in Rust).
    for name in [
        "order", "select", "group", "user", "table", "key", "from", "where", "index", "type",
        "match", "fn", "struct", "async", "dyn", "columns", "dsl", "star", "New",
    ] {
        c.container(
            &format!("table_name/reserved/{name}"),
            format!(r#"#[model(app_label = "corpus", table_name = "{name}")]"#),
        );
    }
    let bad_tables = [
        ("empty", String::new()),
        ("space", "has space".into()),
        ("dash", "has-dash".into()),
        ("digit_first", "1table".into()),
        ("len64", format!("t{}", long('a', 63))),
        ("len101", long('t', 101)),
        ("unicode", "tâble".into()),
        ("emoji", "🎉".into()),
        ("nul", "t\\0".into()),
        ("self", "self".into()),
        ("Self", "Self".into()),
        ("crate", "crate".into()),
        ("super", "super".into()),
        ("underscore", "_".into()),
        ("raw", "r#type".into()),
        ("content_types", "django_content_type".into()),
        ("diesel_migrations", "__diesel_schema_migrations".into()),
        ("sqlite_prefix", "sqlite_master".into()),
        ("sqlite_prefix_upper", "SQLITE_things".into()),
        ("std", "std".into()),
        ("core", "core".into()),
        ("diesel", "diesel".into()),
        ("contenttypes", "contenttypes".into()),
        ("quote", "it\\\"s".into()),
    ];
    for (label, name) in &bad_tables {
        c.container(
            &format!("table_name/bad/{label}"),
            bad(&format!(
                r#"#[model(app_label = "corpus", table_name = "{name}")]"#
            )),
        );
    }
    // The table module collides with the struct, its `New` struct or a type a field uses.
    let m = c.model("table_name/is_struct_name");
    let ident = m.ident.clone();
    let m = m.attr(bad(&format!(
        r#"#[model(app_label = "corpus", table_name = "{ident}")]"#
    )));
    c.push(m);
    let m = c.model("table_name/is_new_struct_name");
    let ident = m.ident.clone();
    let m = m.attr(bad(&format!(
        r#"#[model(app_label = "corpus", table_name = "New{ident}")]"#
    )));
    c.push(m);
    let m = c
        .model("table_name/shadows_field_type")
        .attr(bad(
            r#"#[model(app_label = "corpus", table_name = "String")]"#,
        ))
        .field("pub title: String,");
    c.push(m);
    let m = c
        .model("table_name/shadows_option")
        .attr(bad(
            r#"#[model(app_label = "corpus", table_name = "Option")]"#,
        ))
        .field("pub rating: Option<i32>,");
    c.push(m);
    // A model over the user's own `table!` (`table_name = path`): its names are the user's.
    let m = c
        .model("table_name/path")
        .attr("#[model(app_label = \"corpus\", table_name = self::schema::corpus_existing)]")
        .field("pub title: String,")
        .extra(
            "pub mod schema { diesel::table! { corpus_existing (id) { id -> BigInt, title -> Text, } } }",
        );
    c.push(m);
    let m = c
        .model("table_name/path_managed_reserved")
        .attr(bad(
            "#[model(app_label = \"corpus\", table_name = self::schema::django_content_type, managed = true)]",
        ));
    c.push(m);
    // A table name that is a type no field uses is fine.
    c.container(
        "table_name/unused_type_name",
        r#"#[model(app_label = "corpus", table_name = "Vec")]"#.into(),
    );

    // App labels and model names: identifiers of at most 100 characters.
    for (label, value, ok) in [
        ("len100", long('a', 100), true),
        ("len101", long('a', 101), false),
        ("empty", String::new(), false),
        ("space", "my app".into(), false),
        ("unicode", "блог".into(), false),
        ("nul", "a\\0".into(), false),
        ("digit_first", "1app".into(), false),
        ("keyword", "type".into(), true),
        ("self", "self".into(), true),
    ] {
        let line = format!(r#"#[model(app_label = "{value}")]"#);
        c.container(
            &format!("app_label/{label}"),
            if ok { line } else { bad(&line) },
        );
        let line = format!(r#"#[model(app_label = "corpus", model_name = "{value}")]"#);
        c.container(
            &format!("model_name/{label}"),
            if ok { line } else { bad(&line) },
        );
    }
    // Django's default table name past the identifier limit is shortened with a hash.
    c.container(
        "table_name/default_shortened",
        format!(
            r#"#[model(app_label = "{}", model_name = "{}")]"#,
            long('a', 60),
            long('m', 60)
        ),
    );
    // A struct name that is not a model name needs `model_name`.
    let m = c
        .model("struct_name/unicode")
        .ident("Ärtikel")
        .struct_error();
    c.push(m);
    let m = c
        .model("struct_name/unicode_with_model_name")
        .ident("Ärtikel2")
        .attr(r#"#[model(app_label = "corpus", model_name = "artikel2")]"#);
    c.push(m);
    let m = c
        .model("struct_name/too_long")
        .ident(&format!("M{}", long('x', 100)))
        .struct_error();
    c.push(m);
    let m = c
        .model("struct_name/raw")
        .ident("r#match")
        .attr(r#"#[model(app_label = "corpus", model_name = "matchmodel")]"#);
    c.push(m);

    // Verbose names: any text but NUL.
    for (label, value, ok) in [
        ("empty", "", true),
        ("unicode", "ünïcödé 🎉", true),
        ("quote", "it's \\\"quoted\\\"", true),
        ("long", "a very long verbose name that goes on and on well past a hundred characters, which Django would also allow", true),
        ("nul", "a\\0b", false),
    ] {
        let line = format!(r#"#[model(app_label = "corpus", verbose_name = "{value}")]"#);
        c.container(
            &format!("verbose_name/{label}"),
            if ok { line } else { bad(&line) },
        );
    }
    // Renames: a model name.
    for (label, value, ok) in [
        ("space", "old post", false),
        ("empty", "", false),
        ("nul", "p\\0", false),
        ("upper", "OldPost", true),
    ] {
        let line = format!(r#"#[model(app_label = "corpus", renamed_from = "{value}")]"#);
        c.container(
            &format!("renamed_from/{label}"),
            if ok { line } else { bad(&line) },
        );
    }
}

/// Things that are not a struct with named fields.
fn shapes(c: &mut Corpus) {
    let m = c.model("shape/generic").head("pub struct", false);
    let ident = m.ident.clone();
    let m = m.ident(&format!("{ident}<T>"));
    // The generics are on the struct line.
    let m = m.struct_error();
    c.push(m);
    let m = c
        .model("shape/enum")
        .head("pub enum", true)
        .fields(&["A,".into(), "B,".into()]);
    c.push(m);
    let m = c.model("shape/visibility").head("pub(crate) struct", false);
    c.push(m);
    let m = c
        .model("shape/private_fields")
        .fields(&["id: i64,".into(), "title: String,".into()]);
    c.push(m);
    let m = c.model("shape/only_id");
    c.push(m);
}

/// `#[model(...)]` on a column field.
fn field_keys(c: &mut Corpus) {
    for (label, line) in [
        (
            "unique",
            "#[model(unique, max_length = 20)] pub code: String,",
        ),
        ("index", "#[model(index)] pub rank: i32,"),
        ("max_length", "#[model(max_length = 10)] pub title: String,"),
        (
            "column",
            r#"#[model(column = "heading")] pub title: String,"#,
        ),
        ("default", "#[model(default = 3)] pub stars: i32,"),
        (
            "renamed_from",
            r#"#[model(renamed_from = "old_title")] pub title: String,"#,
        ),
        ("skip", "#[model(skip)] pub cache: Vec<String>,"),
        (
            "two_attributes",
            "#[model(unique)] #[model(max_length = 20)] pub code: String,",
        ),
        ("empty_list", "#[model()] pub title: String,"),
        ("doc", "/// The title. \n    pub title: String,"),
        ("index_float", "#[model(index)] pub score: f64,"),
        ("unique_bool", "#[model(unique)] pub flag: bool,"),
        (
            "max_length_768_unique",
            "#[model(unique, max_length = 768)] pub code: String,",
        ),
        (
            "max_length_16000",
            "#[model(max_length = 16000)] pub body: String,",
        ),
        // Django's `TextField(db_index=True)`: MySQL indexes a prefix.
        ("index_unbounded", "#[model(index)] pub code: String,"),
        (
            "index_name",
            r#"#[model(index, index_name = "corpus_rank_by")] pub rank: i32,"#,
        ),
        (
            "index_name_unique",
            r#"#[model(unique, max_length = 20, index_name = "corpus_code_key")] pub code: String,"#,
        ),
        (
            "index_name_foreign_key",
            r#"#[model(foreign_key = Tag, index_name = "corpus_tag_by")] pub tag_id: i64,"#,
        ),
        (
            "foreign_key_name",
            r#"#[model(foreign_key = Tag, foreign_key_name = "corpus_tag_fk_x")] pub tag_id: i64,"#,
        ),
    ] {
        c.with_field(&format!("field/{label}/ok"), line.into());
    }
    for (label, line) in [
        (
            "unique",
            "#[model(unique, unique, max_length = 20)] pub code: String,",
        ),
        ("index", "#[model(index, index)] pub rank: i32,"),
        (
            "max_length",
            "#[model(max_length = 10, max_length = 10)] pub title: String,",
        ),
        (
            "column",
            r#"#[model(column = "a", column = "b")] pub title: String,"#,
        ),
        (
            "default",
            "#[model(default = 1, default = 2)] pub stars: i32,",
        ),
        ("skip", "#[model(skip, skip)] pub cache: Vec<String>,"),
        (
            "renamed_from",
            r#"#[model(renamed_from = "a", renamed_from = "b")] pub title: String,"#,
        ),
        (
            "two_attributes",
            "#[model(index)] #[model(index)] pub rank: i32,",
        ),
    ] {
        c.with_field(&format!("field/{label}/twice"), bad(line));
    }
    for key in [
        "primry_key",
        "uniqe",
        "max_len",
        "colum",
        "defualt",
        "foriegn_key",
        "on_delet",
        "skipp",
        "nullable",
        "db_column",
        "Unique",
    ] {
        c.with_field(
            &format!("field/unknown/{key}"),
            bad(&format!("#[model({key})] pub title: String,")),
        );
    }
    c.with_field(
        "field/unknown/three_at_once",
        bad_n(
            "#[model(uniqe, max_len = 5, colour = \"red\", max_length = 5)] pub title: String,",
            3,
        ),
    );
    for option in [
        r#"app_label = "x""#,
        r#"table_name = "x""#,
        r#"verbose_name = "x""#,
        "managed = false",
        r#"crate = "x""#,
    ] {
        let key = option.split(' ').next().unwrap_or(option);
        c.with_field(
            &format!("field/model_option/{key}"),
            bad(&format!("#[model({option})] pub title: String,")),
        );
    }
    for (label, line) in [
        (
            "max_length_string",
            r#"#[model(max_length = "5")] pub title: String,"#,
        ),
        (
            "max_length_negative",
            "#[model(max_length = -1)] pub title: String,",
        ),
        (
            "max_length_zero",
            "#[model(max_length = 0)] pub title: String,",
        ),
        (
            "max_length_huge",
            "#[model(max_length = 99999999999)] pub title: String,",
        ),
        (
            "max_length_16384",
            "#[model(max_length = 16384)] pub title: String,",
        ),
        (
            "max_length_float",
            "#[model(max_length = 5.0)] pub title: String,",
        ),
        (
            "max_length_on_integer",
            "#[model(max_length = 5)] pub count: i32,",
        ),
        ("column_int", "#[model(column = 5)] pub title: String,"),
        (
            "auto_increment_string",
            r#"#[model(auto_increment = "no")] pub rank: i32,"#,
        ),
        (
            "auto_increment_not_key",
            "#[model(auto_increment = true)] pub rank: i32,",
        ),
        (
            "on_delete_string",
            r#"#[model(foreign_key = Tag, on_delete = "cascade")] pub tag_id: i64,"#,
        ),
        (
            "on_delete_unknown",
            "#[model(foreign_key = Tag, on_delete = explode)] pub tag_id: i64,",
        ),
        (
            "on_delete_alone",
            "#[model(on_delete = cascade)] pub tag_id: i64,",
        ),
        (
            "foreign_key_string",
            r#"#[model(foreign_key = "Tag")] pub tag_id: i64,"#,
        ),
        (
            "renamed_from_int",
            "#[model(renamed_from = 5)] pub title: String,",
        ),
        (
            "renamed_from_space",
            r#"#[model(renamed_from = "old title")] pub title: String,"#,
        ),
        (
            "renamed_from_nul",
            r#"#[model(renamed_from = "old\0")] pub title: String,"#,
        ),
        (
            "primary_key_value",
            "#[model(primary_key = true)] pub code: i32,",
        ),
        ("unique_value", "#[model(unique = true)] pub code: i32,"),
        (
            "skip_value",
            "#[model(skip = true)] pub cache: Vec<String>,",
        ),
        ("unique_on_bytes", "#[model(unique)] pub data: Vec<u8>,"),
        ("index_on_bytes", "#[model(index)] pub data: Vec<u8>,"),
        ("unique_unbounded", "#[model(unique)] pub code: String,"),
        (
            "primary_key_unbounded",
            "#[model(primary_key)] pub code: String,",
        ),
        (
            "index_name_without_index",
            r#"#[model(index_name = "corpus_x")] pub rank: i32,"#,
        ),
        (
            "index_name_space",
            r#"#[model(index, index_name = "by rank")] pub rank: i32,"#,
        ),
        (
            "index_name_int",
            "#[model(index, index_name = 5)] pub rank: i32,",
        ),
        (
            "index_name_too_long",
            r#"#[model(index, index_name = "iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii")] pub rank: i32,"#,
        ),
        (
            "foreign_key_name_without_foreign_key",
            r#"#[model(foreign_key_name = "corpus_fk")] pub tag_id: i64,"#,
        ),
        (
            "unique_too_long_for_mysql",
            "#[model(unique, max_length = 769)] pub code: String,",
        ),
        (
            "max_length_too_big_for_a_row",
            "#[model(max_length = 16383)] pub body: String,",
        ),
        (
            "generic_foreign_key_attribute_on_column",
            "#[generic_foreign_key] pub title: String,",
        ),
        ("model_attribute_path_only", "#[model] pub title: String,"),
    ] {
        c.with_field(&format!("field/{label}"), bad(line));
    }
    // Several fields wrong at once: every one is reported.
    let m = c.model("field/errors_on_three_lines").fields(&[
        "pub id: i64,".into(),
        bad("#[model(uniqe)] pub a: i32,"),
        "pub fine: i32,".into(),
        bad("#[model(max_length = 0)] pub b: String,"),
        bad("pub c_: i32,"),
    ]);
    c.push(m);
}

/// Column types.
fn field_types(c: &mut Corpus) {
    for ty in [
        "bool",
        "i16",
        "i32",
        "i64",
        "f32",
        "f64",
        "String",
        "Vec<u8>",
        "std::string::String",
        "::std::vec::Vec<u8>",
    ] {
        let label = ty.replace("::", "_").replace(['<', '>'], "");
        c.with_field(&format!("type/{label}"), format!("pub value: {ty},"));
        c.with_field(
            &format!("type/option_{label}"),
            format!("pub value: Option<{ty}>,"),
        );
    }
    c.with_field(
        "type/core_option",
        "pub value: ::core::option::Option<i32>,".into(),
    );
    for ty in [
        "u32",
        "usize",
        "u8",
        "char",
        "i128",
        "&'static str",
        "Option<Option<i32>>",
        "Vec<i32>",
        "Vec<String>",
        "std::collections::HashMap<String, i32>",
        "(i32, i32)",
        "[u8; 4]",
        "Box<i32>",
        "Option<u32>",
        "Option<>",
        "Result<i32, String>",
    ] {
        let label: String = ty
            .chars()
            .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
            .collect();
        c.with_field(
            &format!("type/bad/{label}"),
            bad(&format!("pub value: {ty},")),
        );
    }
}

fn primary_keys(c: &mut Corpus) {
    let m = c
        .model("pk/none")
        .fields(&["pub title: String,".into()])
        .struct_error();
    c.push(m);
    let m = c.model("pk/empty_struct").fields(&[]).struct_error();
    c.push(m);
    for (label, fields) in [
        ("i16", vec!["pub id: i16,"]),
        ("i32", vec!["pub id: i32,"]),
        ("explicit", vec!["#[model(primary_key)] pub code: i64,"]),
        (
            "explicit_i32_not_auto",
            vec!["#[model(primary_key, auto_increment = false)] pub code: i32,"],
        ),
        (
            "string",
            vec!["#[model(primary_key, max_length = 40)] pub code: String,"],
        ),
        (
            "explicit_beside_id",
            vec!["pub id: i32,", "#[model(primary_key)] pub key_id: i64,"],
        ),
        (
            "id_not_auto",
            vec!["#[model(primary_key, auto_increment = false)] pub id: i64,"],
        ),
    ] {
        let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        let m = c.model(&format!("pk/{label}")).fields(&fields);
        c.push(m);
    }
    for (label, fields) in [
        ("option", vec![bad("pub id: Option<i64>,")]),
        ("bool", vec![bad("pub id: bool,")]),
        ("float", vec![bad("pub id: f64,")]),
        ("bytes", vec![bad("pub id: Vec<u8>,")]),
        (
            "string_unbounded",
            vec![bad("#[model(primary_key)] pub code: String,")],
        ),
        (
            "two",
            vec![
                "#[model(primary_key)] pub a: i64,".into(),
                bad("#[model(primary_key)] pub b: i64,"),
            ],
        ),
        (
            "unique",
            vec![bad("#[model(primary_key, unique)] pub code: i64,")],
        ),
        (
            "auto_string",
            vec![bad(
                "#[model(primary_key, max_length = 9, auto_increment = true)] pub code: String,",
            )],
        ),
        // `auto_increment` needs `primary_key` written out, also on `id`.
        (
            "implicit_id_not_auto",
            vec![bad("#[model(auto_increment = false)] pub id: i64,")],
        ),
    ] {
        let m = c.model(&format!("pk/bad/{label}")).fields(&fields);
        c.push(m);
    }
}

/// `default = ...` against each column type.
fn defaults(c: &mut Corpus) {
    let cases: &[(&str, &str, &str, bool)] = &[
        // (label, type, default, accepted)
        ("i16_max", "i16", "32767", true),
        ("i16_min", "i16", "-32768", true),
        ("i16_over", "i16", "32768", false),
        ("i16_under", "i16", "-32769", false),
        ("i16_99999", "i16", "99999", false),
        ("i16_hex", "i16", "0x7fff", true),
        ("i16_suffix", "i16", "5i16", true),
        ("i16_wrong_suffix", "i16", "5u8", false),
        ("i32_max", "i32", "2147483647", true),
        ("i32_over", "i32", "2147483648", false),
        ("i32_underscores", "i32", "1_000_000", true),
        ("i64_max", "i64", "9223372036854775807", true),
        ("i64_min", "i64", "-9223372036854775808", true),
        ("i64_over", "i64", "9223372036854775808", false),
        (
            "i64_way_over",
            "i64",
            "999999999999999999999999999999999999999999",
            false,
        ),
        ("i32_float", "i32", "1.5", false),
        ("i32_string", "i32", "\"5\"", false),
        ("i32_bool", "i32", "true", false),
        ("f32_ok", "f32", "1.5", true),
        ("f32_int", "f32", "5", true),
        ("f32_max", "f32", "3.4e38", true),
        ("f32_over", "f32", "1e39", false),
        ("f32_underflow", "f32", "1e-50", false),
        ("f32_subnormal", "f32", "1e-40", true),
        ("f32_zero", "f32", "0.0", true),
        ("f32_negative", "f32", "-2.25", true),
        ("f64_big", "f64", "1e308", true),
        ("f64_over", "f64", "1e309", false),
        ("f64_underflow", "f64", "1e-400", false),
        ("f64_exponent", "f64", "2.5E-3", true),
        ("f64_suffix", "f64", "1.5f64", true),
        ("f64_wrong_suffix", "f64", "1.5f32", false),
        (
            "f64_int_overflowing_i64",
            "f64",
            "99999999999999999999999",
            true,
        ),
        ("f64_string", "f64", "\"1.5\"", false),
        ("bool_true", "bool", "true", true),
        ("bool_false", "bool", "false", true),
        ("bool_int", "bool", "1", false),
        ("string_ok", "String", "\"hello\"", true),
        ("string_empty", "String", "\"\"", true),
        ("string_quote", "String", "\"it's\"", true),
        ("string_backslash", "String", "\"back\\\\slash\"", true),
        ("string_unicode", "String", "\"ünïcödé 🎉\"", true),
        ("string_newline", "String", "\"two\\nlines\"", true),
        ("string_nul", "String", "\"a\\0b\"", false),
        ("string_raw", "String", "r#\"raw \"text\"\"#", true),
        ("string_int", "String", "5", false),
        ("string_char", "String", "'c'", false),
        ("string_bytes", "String", "b\"x\"", false),
        ("bytes_bytes", "Vec<u8>", "b\"x\"", false),
        ("bytes_string", "Vec<u8>", "\"x\"", false),
        ("option_i32", "Option<i32>", "5", true),
        ("option_i16_over", "Option<i16>", "40000", false),
        ("option_string", "Option<String>", "\"x\"", true),
        ("option_string_nul", "Option<String>", "\"\\0\"", false),
        ("negative_float_on_i32", "i32", "-1.0", false),
        ("expression", "i32", "1 + 1", false),
        ("path", "i32", "MAX", false),
    ];
    for (label, ty, value, ok) in cases {
        let line = format!("#[model(default = {value})] pub value: {ty},");
        c.with_field(
            &format!("default/{label}"),
            if *ok { line } else { bad(&line) },
        );
    }
    // Text defaults within `max_length`.
    c.with_field(
        "default/fits_max_length",
        "#[model(max_length = 5, default = \"abcde\")] pub code: String,".into(),
    );
    c.with_field(
        "default/longer_than_max_length",
        bad("#[model(max_length = 5, default = \"abcdef\")] pub code: String,"),
    );
    c.with_field(
        "default/unicode_fits_max_length",
        "#[model(max_length = 3, default = \"äöü\")] pub code: String,".into(),
    );
    // A default next to other mistakes: all reported.
    c.with_field(
        "default/and_unknown_key",
        bad_n(
            "#[model(default = 99999, colour = \"red\")] pub value: i16,",
            2,
        ),
    );
}

/// Column names: given with `column = "..."`, or the field's name.
fn column_names(c: &mut Corpus) {
    // SQL reserved words and Rust keywords as columns.
    for name in [
        "order", "select", "group", "user", "key", "from", "where", "index", "limit", "desc",
        "type", "match", "fn", "async", "dyn", "yield", "union", "raw", "Kind", "S", "name",
    ] {
        c.with_field(
            &format!("column/reserved/{name}"),
            format!(r#"#[model(column = "{name}")] pub value: i32,"#),
        );
    }
    for field in [
        "order", "select", "group", "user", "key", "r#type", "r#match", "r#fn",
    ] {
        c.with_field(
            &format!("column/field_named/{field}"),
            format!("pub {field}: i32,"),
        );
    }
    let bad_columns = [
        ("empty", String::new()),
        ("space", "has space".into()),
        ("dash", "a-b".into()),
        ("digit_first", "1st".into()),
        ("len64", format!("c{}", long('a', 63))),
        ("unicode", "ÿ".into()),
        ("nul", "a\\0".into()),
        ("self", "self".into()),
        ("Self", "Self".into()),
        ("crate", "crate".into()),
        ("super", "super".into()),
        ("underscore", "_".into()),
        ("raw", "r#type".into()),
        ("diesel_table", "table".into()),
        ("diesel_star", "star".into()),
        ("diesel_columns", "columns".into()),
        ("diesel_dsl", "dsl".into()),
        ("diesel_all_columns", "all_columns".into()),
        ("diesel_sql_type", "SqlType".into()),
        ("diesel_boxed_query", "BoxedQuery".into()),
        ("diesel_crate", "diesel".into()),
        ("diesel_is_nullable", "is_nullable".into()),
        ("sql_type_integer", "Integer".into()),
        ("sql_type_text", "Text".into()),
        ("sql_type_nullable", "Nullable".into()),
        ("sql_type_jsonb", "Jsonb".into()),
        ("type_param_db", "DB".into()),
        ("type_param_qs", "QS".into()),
        ("type_param_t", "T".into()),
        ("primitive_bool", "bool".into()),
        ("primitive_str", "str".into()),
        ("prelude_ok", "Ok".into()),
        ("postgres_xmin", "xmin".into()),
        ("postgres_ctid", "ctid".into()),
    ];
    for (label, name) in &bad_columns {
        c.with_field(
            &format!("column/bad/{label}"),
            bad(&format!(r#"#[model(column = "{name}")] pub value: i32,"#)),
        );
    }
    c.with_field(
        "column/len63",
        format!(r#"#[model(column = "c{}")] pub value: i32,"#, long('a', 62)),
    );
    // Fields whose names are not columns Diesel can declare.
    for field in [
        "table",
        "star",
        "columns",
        "dsl",
        "diesel",
        "all_columns",
        "xmin",
        "naïve",
    ] {
        c.with_field(
            &format!("column/bad_field/{field}"),
            bad(&format!("pub {field}: i32,")),
        );
    }
    c.with_field(
        "column/unicode_field_with_column",
        r#"#[model(column = "naive")] pub naïve: i32,"#.into(),
    );
    c.with_field(
        "column/field_len63",
        format!("pub f{}: i32,", long('a', 62)),
    );
    c.with_field(
        "column/field_len64",
        bad(&format!("pub f{}: i32,", long('a', 63))),
    );
    for (label, field) in [
        ("pk", "pk"),
        ("trailing_underscore", "name_"),
        ("double_underscore", "a__b"),
    ] {
        c.with_field(
            &format!("column/bad_field/{label}"),
            bad(&format!("pub {field}: i32,")),
        );
    }
    // A column named like its table (Diesel's `table!` refuses it).
    let m = c
        .model("column/named_like_table")
        .attr(r#"#[model(app_label = "corpus", table_name = "notes")]"#)
        .field(bad("pub notes: String,"));
    c.push(m);
    let m = c
        .model("column/given_like_table")
        .attr(r#"#[model(app_label = "corpus", table_name = "notes2")]"#)
        .field(bad(r#"#[model(column = "notes2")] pub body: String,"#));
    c.push(m);
    let m = c.model("column/named_like_default_table");
    let table = format!("corpus_{}", m.ident.to_lowercase());
    let m = m.field(bad(&format!(
        r#"#[model(column = "{table}")] pub body: String,"#
    )));
    c.push(m);
    // Two fields, one column; and columns differing only in case.
    let m = c.model("column/duplicate").fields(&[
        "pub id: i64,".into(),
        r#"#[model(column = "title")] pub a: String,"#.into(),
        bad(r#"#[model(column = "title")] pub b: String,"#),
    ]);
    c.push(m);
    let m = c.model("column/duplicate_case").fields(&[
        "pub id: i64,".into(),
        "pub name: String,".into(),
        bad("pub Name: String,"),
    ]);
    c.push(m);
    let m = c.model("column/field_and_column_swap").fields(&[
        "pub id: i64,".into(),
        r#"#[model(column = "b")] pub a: String,"#.into(),
        r#"#[model(column = "a")] pub b: String,"#.into(),
    ]);
    c.push(m);
}

/// `unique(...)` and `index(...)` on the struct.
fn together(c: &mut Corpus) {
    let fields = [
        "pub id: i64,".to_string(),
        "pub a: i32,".into(),
        "pub b: i32,".into(),
        "#[model(max_length = 30)] pub s: String,".into(),
        "pub text: String,".into(),
        "pub data: Vec<u8>,".into(),
    ];
    for (label, list, ok) in [
        ("unique_two", "unique(a, b)", true),
        ("unique_three", "unique(a, b, s)", true),
        ("index_two", "index(a, b)", true),
        ("unique_and_index", "unique(a, b), index(b, a)", true),
        ("two_lists", "unique(a, b), unique(b, s)", true),
        ("index_unbounded_text", "index(a, text)", true),
        (
            "unique_named",
            "unique(a, b, name = \"corpus_ab_uniq\")",
            true,
        ),
        (
            "index_named_first",
            "index(name = \"corpus_ab_by\", a, b)",
            true,
        ),
        ("named_with_space", "unique(a, b, name = \"a b\")", false),
        (
            "named_twice",
            "unique(a, b, name = \"x\", name = \"y\")",
            false,
        ),
        ("unknown_option", "index(a, b, colour = \"red\")", false),
        ("name_without_string", "index(a, b, name = x)", false),
        ("one_field", "unique(a)", false),
        ("empty", "unique()", false),
        ("unknown_field", "unique(a, nope)", false),
        ("twice_in_list", "unique(a, a)", false),
        ("unbounded_text", "unique(a, text)", false),
        ("bytes", "index(a, data)", false),
        ("string_list", "unique(\"a\", \"b\")", false),
        ("no_parens", "unique", false),
        ("index_value", "index = \"a\"", false),
    ] {
        let line = format!(r#"#[model(app_label = "corpus", {list})]"#);
        let m = c
            .model(&format!("together/{label}"))
            .attr(if ok { line } else { bad(&line) })
            .fields(&fields);
        c.push(m);
    }
    // The same constraint twice: two indexes with one name.
    let m = c
        .model("together/declared_twice")
        .attr(bad(
            r#"#[model(app_label = "corpus", unique(a, b), unique(a, b))]"#,
        ))
        .fields(&fields);
    c.push(m);
    // A composite unique constraint and a unique column whose names meet.
    let m = c
        .model("together/name_collision")
        .attr(r#"#[model(app_label = "corpus", unique(x, y))]"#)
        .fields(&[
            "pub id: i64,".into(),
            bad("pub x: i32,"),
            "pub y: i32,".into(),
            "#[model(unique)] pub x_y: i32,".into(),
        ]);
    c.push(m);
    // Too long for a MySQL key together.
    let m = c
        .model("together/too_long_for_mysql")
        .attr(bad(r#"#[model(app_label = "corpus", unique(p, q))]"#))
        .fields(&[
            "pub id: i64,".into(),
            "#[model(max_length = 500)] pub p: String,".into(),
            "#[model(max_length = 500)] pub q: String,".into(),
        ]);
    c.push(m);
}

fn foreign_keys(c: &mut Corpus) {
    for (label, line) in [
        ("default", "#[model(foreign_key = Tag)] pub tag_id: i64,"),
        (
            "cascade",
            "#[model(foreign_key = Tag, on_delete = cascade)] pub tag_id: i64,",
        ),
        (
            "restrict",
            "#[model(foreign_key = Tag, on_delete = restrict)] pub tag_id: i64,",
        ),
        (
            "no_action",
            "#[model(foreign_key = Tag, on_delete = no_action)] pub tag_id: i64,",
        ),
        (
            "set_null",
            "#[model(foreign_key = Tag, on_delete = set_null)] pub tag_id: Option<i64>,",
        ),
        (
            "unique",
            "#[model(foreign_key = Tag, unique)] pub tag_id: i64,",
        ),
        ("named_id", "#[model(foreign_key = Tag)] pub _id: i64,"),
        ("short_name", "#[model(foreign_key = Tag)] pub tag: i64,"),
        (
            "column",
            r#"#[model(foreign_key = Tag, column = "the_tag")] pub tag_id: i64,"#,
        ),
        (
            "self",
            "#[model(foreign_key = Self, on_delete = set_null)] pub parent_id: Option<i64>,",
        ),
    ] {
        c.with_field(&format!("fk/{label}"), line.into());
    }
    for (label, line) in [
        ("set_null_required", "#[model(foreign_key = Tag, on_delete = set_null)] pub tag_id: i64,"),
        ("on_float", "#[model(foreign_key = Tag)] pub tag_id: f64,"),
        ("on_bool", "#[model(foreign_key = Tag)] pub tag_id: bool,"),
        ("twice", "#[model(foreign_key = Tag, foreign_key = Tag)] pub tag_id: i64,"),
        ("no_target", "#[model(foreign_key)] pub tag_id: i64,"),
        ("on_delete_twice", "#[model(foreign_key = Tag, on_delete = cascade, on_delete = restrict)] pub tag_id: i64,"),
        ("on_unbounded_text", "#[model(foreign_key = Tag)] pub tag_id: String,"),
    ] {
        c.with_field(&format!("fk/bad/{label}"), bad(line));
    }
    // Two foreign keys whose descriptor constants meet (`tag_id` and `tag` → `TAG`).
    let m = c.model("fk/constant_collision").fields(&[
        "pub id: i64,".into(),
        "#[model(foreign_key = Tag)] pub tag_id: i64,".into(),
        bad("#[model(foreign_key = Tag)] pub tag: i64,"),
    ]);
    c.push(m);
}

/// The through-model fields of a generic foreign key.
fn through_fields(extra: &[String]) -> Vec<String> {
    let mut fields = vec![
        "pub id: i64,".to_string(),
        "pub content_type_id: i32,".into(),
        "pub object_id: i64,".into(),
    ];
    fields.extend(extra.iter().cloned());
    fields
}

fn generic_foreign_keys(c: &mut Corpus) {
    for (label, gfk) in [
        ("bare", "pub content_object: GenericForeignKey,"),
        ("attribute", "#[generic_foreign_key] pub content_object: GenericForeignKey,"),
        ("empty_list", "#[generic_foreign_key()] pub content_object: GenericForeignKey,"),
        (
            "both_keys",
            "#[generic_foreign_key(ct_field = content_type_id, fk_field = object_id)] pub content_object: GenericForeignKey,",
        ),
        (
            "quoted_keys",
            r#"#[generic_foreign_key(ct_field = "content_type_id", fk_field = "object_id")] pub content_object: GenericForeignKey,"#,
        ),
        ("path_type", "pub content_object: contenttypes::GenericForeignKey,"),
        ("named_target", "pub target: GenericForeignKey,"),
    ] {
        let m = c
            .model(&format!("gfk/{label}"))
            .fields(&through_fields(&[gfk.into()]));
        c.push(m);
    }
    // Custom column names, nullable pairs, text object ids.
    let m = c.model("gfk/custom_columns").fields(&[
        "pub id: i64,".into(),
        "pub kind_id: i32,".into(),
        "pub thing_id: i64,".into(),
        "#[generic_foreign_key(ct_field = kind_id, fk_field = thing_id)] pub thing: GenericForeignKey,".into(),
    ]);
    c.push(m);
    let m = c.model("gfk/nullable").fields(&[
        "pub id: i64,".into(),
        "pub content_type_id: Option<i32>,".into(),
        "pub object_id: Option<i64>,".into(),
        "pub content_object: GenericForeignKey,".into(),
    ]);
    c.push(m);
    for (label, oid, ok) in [
        (
            "text_255",
            "#[model(max_length = 255)] pub object_id: String,",
            true,
        ),
        (
            "text_767",
            "#[model(max_length = 767)] pub object_id: String,",
            true,
        ),
        (
            "text_768",
            "#[model(max_length = 768)] pub object_id: String,",
            false,
        ),
        // Django's `TextField` object id: MySQL indexes a prefix of it.
        ("text_unbounded", "pub object_id: String,", true),
        ("i32", "pub object_id: i32,", true),
        ("i16", "pub object_id: i16,", true),
        ("bytes", "pub object_id: Vec<u8>,", false),
        ("float", "pub object_id: f64,", false),
        ("bool", "pub object_id: bool,", false),
    ] {
        let oid = if ok { oid.to_string() } else { bad(oid) };
        let m = c.model(&format!("gfk/object_id/{label}")).fields(&[
            "pub id: i64,".into(),
            "pub content_type_id: i32,".into(),
            oid,
            "pub content_object: GenericForeignKey,".into(),
        ]);
        c.push(m);
    }
    // The content type's `on_delete` and names, on the content-type field.
    for (label, ct, gfk, ok) in [
        (
            "ct_cascade",
            "#[model(on_delete = cascade)] pub content_type_id: Option<i32>,",
            "pub content_object: GenericForeignKey,",
            true,
        ),
        (
            "ct_set_null",
            "#[model(on_delete = set_null)] pub content_type_id: Option<i32>,",
            "pub content_object: GenericForeignKey,",
            true,
        ),
        (
            "ct_restrict",
            "#[model(on_delete = restrict)] pub content_type_id: Option<i32>,",
            "pub content_object: GenericForeignKey,",
            true,
        ),
        (
            "ct_foreign_key_name",
            r#"#[model(foreign_key_name = "corpus_ct_fk")] pub content_type_id: Option<i32>,"#,
            "pub content_object: GenericForeignKey,",
            true,
        ),
        (
            "index_name",
            "pub content_type_id: Option<i32>,",
            r#"#[generic_foreign_key(index_name = "corpus_ct_obj")] pub content_object: GenericForeignKey,"#,
            true,
        ),
        (
            "ct_index_name",
            r#"#[model(index_name = "corpus_ct")] pub content_type_id: Option<i32>,"#,
            "pub content_object: GenericForeignKey,",
            false,
        ),
        (
            "on_delete_on_attribute",
            "pub content_type_id: Option<i32>,",
            "#[generic_foreign_key(on_delete = set_null)] pub content_object: GenericForeignKey,",
            true,
        ),
        (
            "db_constraint",
            "pub content_type_id: Option<i32>,",
            "#[generic_foreign_key(db_constraint, on_delete = restrict)] pub content_object: GenericForeignKey,",
            true,
        ),
        (
            "db_constraint_twice",
            "pub content_type_id: Option<i32>,",
            "#[generic_foreign_key(db_constraint, db_constraint)] pub content_object: GenericForeignKey,",
            false,
        ),
        (
            "foreign_key_name_on_attribute",
            "pub content_type_id: Option<i32>,",
            r#"#[generic_foreign_key(foreign_key_name = "x")] pub content_object: GenericForeignKey,"#,
            false,
        ),
        (
            "index_name_bad",
            "pub content_type_id: Option<i32>,",
            r#"#[generic_foreign_key(index_name = "9lives")] pub content_object: GenericForeignKey,"#,
            false,
        ),
    ] {
        let (ct, gfk) = if ok {
            (ct.to_string(), gfk.to_string())
        } else if ct.contains("index_name") {
            (bad(ct), gfk.to_string())
        } else {
            (ct.to_string(), bad(gfk))
        };
        let m = c.model(&format!("gfk/{label}")).fields(&[
            "pub id: i64,".into(),
            ct,
            "pub object_id: Option<i64>,".into(),
            gfk,
        ]);
        c.push(m);
    }
    let m = c.model("gfk/ct_set_null_required").fields(&[
        "pub id: i64,".into(),
        bad("#[model(on_delete = set_null)] pub content_type_id: i32,"),
        "pub object_id: i64,".into(),
        "pub content_object: GenericForeignKey,".into(),
    ]);
    c.push(m);
    let m = c.model("gfk/content_type_i64").fields(&[
        "pub id: i64,".into(),
        bad("pub content_type_id: i64,"),
        "pub object_id: i64,".into(),
        "pub content_object: GenericForeignKey,".into(),
    ]);
    c.push(m);
    let m = c.model("gfk/half_nullable").fields(&[
        "pub id: i64,".into(),
        "pub content_type_id: Option<i32>,".into(),
        bad("pub object_id: i64,"),
        "pub content_object: GenericForeignKey,".into(),
    ]);
    c.push(m);
    let m = c.model("gfk/missing_columns").fields(&[
        "pub id: i64,".into(),
        bad_n("pub content_object: GenericForeignKey,", 2),
    ]);
    c.push(m);
    let m = c.model("gfk/object_id_is_primary_key").fields(&[
        bad("pub id: i64,"),
        "pub content_type_id: i32,".into(),
        "#[generic_foreign_key(fk_field = id)] pub content_object: GenericForeignKey,".into(),
    ]);
    c.push(m);
    let m = c.model("gfk/content_type_foreign_key").fields(&[
        "pub id: i64,".into(),
        bad("#[model(foreign_key = Tag)] pub content_type_id: i32,"),
        "pub object_id: i64,".into(),
        "pub content_object: GenericForeignKey,".into(),
    ]);
    c.push(m);
    for (label, attr) in [
        (
            "unknown_key",
            "#[generic_foreign_key(ct = content_type_id)]",
        ),
        (
            "misspelled",
            "#[generic_foreign_key(ct_feild = content_type_id)]",
        ),
        (
            "twice",
            "#[generic_foreign_key(ct_field = content_type_id, ct_field = content_type_id)]",
        ),
        ("int_value", "#[generic_foreign_key(ct_field = 5)]"),
        (
            "quote_in_name",
            r#"#[generic_foreign_key(ct_field = "a\"b")]"#,
        ),
        (
            "space_in_name",
            r#"#[generic_foreign_key(ct_field = "content type")]"#,
        ),
        ("self_name", r#"#[generic_foreign_key(ct_field = "self")]"#),
        (
            "unicode_name",
            r#"#[generic_foreign_key(ct_field = "ctÿpe")]"#,
        ),
        ("empty_name", r#"#[generic_foreign_key(ct_field = "")]"#),
        (
            "keyword_unquoted",
            "#[generic_foreign_key(ct_field = self)]",
        ),
        ("model_option", "#[generic_foreign_key(max_length = 5)]"),
        ("name_value", r#"#[generic_foreign_key = "x"]"#),
        (
            "suffix",
            r#"#[generic_foreign_key(ct_field = "content_type_id"x)]"#,
        ),
    ] {
        let m = c
            .model(&format!("gfk/bad/{label}"))
            .fields(&through_fields(&[bad(&format!(
                "{attr} pub content_object: GenericForeignKey,"
            ))]));
        c.push(m);
    }
    let m = c.model("gfk/bad/three_at_once").fields(&through_fields(&[bad_n(
        "#[generic_foreign_key(ct = a, fk = b, ct_field = 5)] pub content_object: GenericForeignKey,",
        3,
    )]));
    c.push(m);
    let m = c
        .model("gfk/bad/model_attribute")
        .fields(&through_fields(&[bad(
            "#[model(skip)] pub content_object: GenericForeignKey,",
        )]));
    c.push(m);
    let m = c.model("gfk/bad/wrong_type").fields(&through_fields(&[bad(
        "#[generic_foreign_key] pub content_object: i32,",
    )]));
    c.push(m);
    let m = c.model("gfk/bad/named_pk").fields(&[
        "pub id: i64,".into(),
        "pub content_type_id: i32,".into(),
        "pub object_id: i64,".into(),
        bad("pub pk: GenericForeignKey,"),
    ]);
    c.push(m);
    // Two generic foreign keys: on separate columns fine, on shared columns not.
    let m = c.model("gfk/two").fields(&[
        "pub id: i64,".into(),
        "pub content_type_id: i32,".into(),
        "pub object_id: i64,".into(),
        "pub other_type_id: i32,".into(),
        "pub other_id: i64,".into(),
        "pub content_object: GenericForeignKey,".into(),
        "#[generic_foreign_key(ct_field = other_type_id, fk_field = other_id)] pub other: GenericForeignKey,".into(),
    ]);
    c.push(m);
    let m = c.model("gfk/two_sharing_columns").fields(&[
        "pub id: i64,".into(),
        "pub content_type_id: i32,".into(),
        "pub object_id: i64,".into(),
        "pub content_object: GenericForeignKey,".into(),
        bad_n("pub other: GenericForeignKey,", 2),
    ]);
    c.push(m);
    // A generic foreign key and a relation whose generated methods meet.
    let m = c
        .model("gfk/method_collision")
        .derives("Model, GenericRelation")
        .fields(&through_fields(&[
            "pub thing: GenericForeignKey,".into(),
            bad("pub set_thing: GenericRelation<Tagged>,"),
        ]));
    c.push(m);
}

fn generic_relations(c: &mut Corpus) {
    let rel = |c: &Corpus, name: &str| c.model(name).derives("Model, GenericRelation");
    for (label, line) in [
        ("bare", "pub tags: GenericRelation<Tagged>,"),
        (
            "attribute",
            "#[generic_relation] pub tags: GenericRelation<Tagged>,",
        ),
        (
            "query_name",
            r#"#[generic_relation(related_query_name = "thing")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "gfk",
            "#[generic_relation(gfk = content_object)] pub tags: GenericRelation<Tagged>,",
        ),
        (
            "gfk_quoted",
            r#"#[generic_relation(gfk = "content_object")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "both",
            r#"#[generic_relation(gfk = content_object, related_query_name = "thing2")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "query_name_keyword",
            r#"#[generic_relation(related_query_name = "type")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "query_name_self",
            r#"#[generic_relation(related_query_name = "self")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "path_type",
            "pub tags: contenttypes::GenericRelation<Tagged>,",
        ),
    ] {
        let m = rel(c, &format!("relation/{label}")).field(line);
        c.push(m);
    }
    for (label, line) in [
        (
            "query_name_space",
            r#"#[generic_relation(related_query_name = "has space")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "query_name_empty",
            r#"#[generic_relation(related_query_name = "")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "query_name_trailing_underscore",
            r#"#[generic_relation(related_query_name = "thing_")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "query_name_double_underscore",
            r#"#[generic_relation(related_query_name = "a__b")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "query_name_unicode",
            r#"#[generic_relation(related_query_name = "ärticle")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "query_name_digit_first",
            r#"#[generic_relation(related_query_name = "1st")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "query_name_quote",
            r#"#[generic_relation(related_query_name = "a\"b")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "query_name_nul",
            r#"#[generic_relation(related_query_name = "a\0b")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "query_name_int",
            "#[generic_relation(related_query_name = 5)] pub tags: GenericRelation<Tagged>,",
        ),
        (
            "query_name_ident",
            "#[generic_relation(related_query_name = thing)] pub tags: GenericRelation<Tagged>,",
        ),
        (
            "query_name_twice",
            r#"#[generic_relation(related_query_name = "a", related_query_name = "b")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "unknown_key",
            r#"#[generic_relation(related_name = "x")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "through_key",
            "#[generic_relation(through = Tagged)] pub tags: GenericRelation<Tagged>,",
        ),
        (
            "gfk_space",
            r#"#[generic_relation(gfk = "content object")] pub tags: GenericRelation<Tagged>,"#,
        ),
        (
            "gfk_int",
            "#[generic_relation(gfk = 1)] pub tags: GenericRelation<Tagged>,",
        ),
        ("no_argument", "pub tags: GenericRelation,"),
        ("two_arguments", "pub tags: GenericRelation<Tagged, Tag>,"),
        ("on_column", "#[generic_relation] pub tags: i32,"),
        (
            "model_attribute",
            "#[model(skip)] pub tags: GenericRelation<Tagged>,",
        ),
        ("named_pk", "pub pk: GenericRelation<Tagged>,"),
        ("trailing_underscore", "pub tags_: GenericRelation<Tagged>,"),
        (
            "all_at_once",
            r#"#[generic_relation(related_name = "x", gfk = 1, related_query_name = "has space")] pub tags: GenericRelation<Tagged>,"#,
        ),
    ] {
        let n = if label == "all_at_once" {
            Some(3)
        } else {
            None
        };
        let line = match n {
            Some(n) => bad_n(line, n),
            None => bad(line),
        };
        let m = rel(c, &format!("relation/bad/{label}")).field(line);
        c.push(m);
    }
    // Two relations, and a relation whose constant meets a foreign key's.
    let m = rel(c, "relation/two").fields(&[
        "pub id: i64,".into(),
        r#"#[generic_relation(related_query_name = "first")] pub tags: GenericRelation<Tagged>,"#.into(),
        r#"#[generic_relation(related_query_name = "second")] pub labels: GenericRelation<Tagged>,"#.into(),
    ]);
    c.push(m);
    let m = rel(c, "relation/constant_collision").fields(&[
        "pub id: i64,".into(),
        "#[model(foreign_key = Tag)] pub tags_id: i64,".into(),
        bad("pub tags: GenericRelation<Tagged>,"),
    ]);
    c.push(m);
    // A relation on a model with an i32 or i16 key (the through model's i64 object id holds it).
    for ty in ["i32", "i16"] {
        let m = rel(c, &format!("relation/parent_key_{ty}")).fields(&[
            format!("pub id: {ty},"),
            "pub tags: GenericRelation<Tagged>,".into(),
        ]);
        c.push(m);
    }
}

/// Many columns: Diesel's `table!` has 32 by default.
fn wide(c: &mut Corpus) {
    let columns = |n: usize, ty: &str| -> Vec<String> {
        let mut fields = vec!["pub id: i64,".to_string()];
        fields.extend((1..n).map(|i| format!("pub c{i}: {ty},")));
        fields
    };
    let m = c
        .model("wide/32_columns")
        .fields(&columns(32, "i32"))
        .wide();
    c.push(m);
    for (label, n, ty) in [
        ("33_columns", 33, "i32"),
        ("40_columns", 40, "i64"),
        ("64_columns", 64, "bool"),
        ("65_columns", 65, "i16"),
        ("128_columns", 128, "f64"),
        ("129_columns", 129, "i32"),
        ("40_short_strings", 40, "Option<String>"),
    ] {
        let m = c
            .model(&format!("wide/{label}"))
            .fields(&columns(n, ty))
            .wide();
        c.push(m);
    }
    // 31 strings of 63 characters: within InnoDB's page as well.
    let mut fields = vec!["pub id: i64,".to_string()];
    fields.extend((1..32).map(|i| format!("#[model(max_length = 63)] pub s{i}: String,")));
    let m = c.model("wide/32_varchar_63").fields(&fields);
    c.push(m);
    // Big strings: MySQL's row limit.
    let m = c.model("wide/row_too_big").fields(&[
        "pub id: i64,".into(),
        "#[model(max_length = 10000)] pub a: String,".into(),
        bad("#[model(max_length = 10000)] pub b: String,"),
    ]);
    c.push(m);
    let m = c.model("wide/row_fits").fields(&[
        "pub id: i64,".into(),
        "#[model(max_length = 8000)] pub a: String,".into(),
        "#[model(max_length = 8000)] pub b: String,".into(),
        "pub rest: String,".into(),
    ]);
    c.push(m);
}

/// Many mistakes at once, on many lines: each reported where it is.
fn combined(c: &mut Corpus) {
    let m = c
        .model("combined/everything_wrong")
        .derives("Model, GenericRelation")
        .attrs(&[bad_n(
            r#"#[model(app_label = "bad label", tabel_name = "x", unique(small, nope))]"#,
            3,
        )])
        .fields(&[
            "pub id: i64,".into(),
            bad("#[model(max_length = 0)] pub a: String,"),
            bad("#[model(default = 99999)] pub small: i16,"),
            bad(r#"#[model(column = "self")] pub b: i32,"#),
            bad("pub table: i32,"),
            bad("pub value: u32,"),
            bad(r#"#[generic_relation(related_query_name = "has space")] pub tags: GenericRelation<Tagged>,"#),
            bad_n("pub content_object: GenericForeignKey,", 2),
        ]);
    c.push(m);
    let m = c
        .model("combined/no_pk_and_bad_field")
        .fields(&[bad("pub c_: i32,")])
        .struct_error();
    c.push(m);
    // A realistic model with a bit of everything, accepted.
    let m = c
        .model("combined/realistic")
        .derives("Model, GenericRelation")
        .attrs(&[
            "/// An article.".into(),
            r#"#[model(app_label = "corpus", model_name = "article", table_name = "corpus_articles", verbose_name = "news article", unique(slug, lang), index(published, rank))]"#.into(),
        ])
        .fields(&[
            "pub id: i64,".into(),
            "#[model(max_length = 200)] pub title: String,".into(),
            "#[model(max_length = 100)] pub slug: String,".into(),
            r#"#[model(max_length = 5, default = "en")] pub lang: String,"#.into(),
            "#[model(default = false)] pub published: bool,".into(),
            "#[model(default = 0)] pub rank: i16,".into(),
            "pub rating: Option<f64>,".into(),
            "pub body: String,".into(),
            "pub cover: Option<Vec<u8>>,".into(),
            "#[model(foreign_key = Tag, on_delete = set_null)] pub tag_id: Option<i64>,".into(),
            "pub r#type: i32,".into(),
            "pub order: i32,".into(),
            "#[model(skip)] pub cache: Vec<String>,".into(),
            r#"#[generic_relation(related_query_name = "article")] pub tags: GenericRelation<Tagged>,"#.into(),
        ]);
    c.push(m);
}
