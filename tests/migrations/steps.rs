//! A sequence of model changes, as the source of a crate at each step, with the migration
//! name each step must produce.

pub struct Step {
    /// The name of the migration the step produces.
    pub name: &'static str,
    /// The blog app's models.
    blog: &'static str,
    /// Whether the through model's foreign key to `Tag` is `on_delete = restrict`
    /// (else `cascade`).
    restrict: bool,
    /// Whether the through model carries Django's names for its foreign key and its
    /// generic foreign key's index.
    named: bool,
}

impl Step {
    /// The crate's source at this step.
    pub fn source(&self) -> String {
        let mut tagged_item = if self.restrict {
            TAGGED_ITEM.replace("on_delete = cascade", "on_delete = restrict")
        } else {
            TAGGED_ITEM.to_string()
        };
        if self.named {
            tagged_item = tagged_item
                .replace(
                    "on_delete = restrict)",
                    "on_delete = restrict, foreign_key_name = \"tagging_taggeditem_tag_id_fk_tagging_tag_id\")",
                )
                .replace(
                    "#[generic_foreign_key]",
                    "#[generic_foreign_key(index_name = \"tagging_tagged_ct_obj_idx\")]",
                );
        }
        format!("{TAGGING}{tagged_item}{}", self.blog)
    }
}

const TAGGING: &str = r#"
use contenttypes::prelude::*;

#[derive(Model)]
#[model(app_label = "tagging")]
pub struct Tag {
    pub id: i64,
    #[model(max_length = 50, unique)]
    pub name: String,
}
"#;

/// The through model before and after its foreign key's `on_delete` changes.
const TAGGED_ITEM: &str = r#"
#[derive(Model)]
#[model(app_label = "tagging", unique(tag_id, content_type_id, object_id))]
pub struct TaggedItem {
    pub id: i64,
    #[model(foreign_key = Tag, on_delete = cascade)]
    pub tag_id: i64,
    pub content_type_id: i32,
    pub object_id: i64,
    #[generic_foreign_key]
    pub content_object: GenericForeignKey,
}
"#;

pub const STEPS: [Step; 10] = [
    Step {
        name: "initial",
        restrict: false,
        named: false,
        blog: r#"
#[derive(Model)]
#[model(app_label = "journal")]
pub struct Article {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
}

#[derive(Model)]
#[model(app_label = "journal")]
pub struct Note {
    pub id: i64,
    pub body: String,
    #[model(foreign_key = Article, on_delete = cascade)]
    pub article_id: i64,
}
"#,
    },
    // Add columns: a nullable one and a required one (existing rows get 0).
    Step {
        name: "article_subtitle_article_views",
        restrict: false,
        named: false,
        blog: r#"
#[derive(Model)]
#[model(app_label = "journal")]
pub struct Article {
    pub id: i64,
    #[model(max_length = 200)]
    pub title: String,
    #[model(max_length = 100)]
    pub subtitle: Option<String>,
    pub views: i32,
}

#[derive(Model)]
#[model(app_label = "journal")]
pub struct Note {
    pub id: i64,
    pub body: String,
    #[model(foreign_key = Article, on_delete = cascade)]
    pub article_id: i64,
}
"#,
    },
    // Add an index and a composite unique constraint.
    Step {
        name: "index_article_unique_article",
        restrict: false,
        named: false,
        blog: r#"
#[derive(Model)]
#[model(app_label = "journal", unique(title, views))]
pub struct Article {
    pub id: i64,
    #[model(max_length = 200, index)]
    pub title: String,
    #[model(max_length = 100)]
    pub subtitle: Option<String>,
    pub views: i32,
}

#[derive(Model)]
#[model(app_label = "journal")]
pub struct Note {
    pub id: i64,
    pub body: String,
    #[model(foreign_key = Article, on_delete = cascade)]
    pub article_id: i64,
}
"#,
    },
    // Declared renames: the model (table, indexes, foreign keys, content type) and a column.
    Step {
        name: "rename_article_post_rename_post_title_headline",
        restrict: false,
        named: false,
        blog: r#"
#[derive(Model)]
#[model(app_label = "journal", renamed_from = "article", unique(headline, views))]
pub struct Post {
    pub id: i64,
    #[model(max_length = 200, index, renamed_from = "title")]
    pub headline: String,
    #[model(max_length = 100)]
    pub subtitle: Option<String>,
    pub views: i32,
}

#[derive(Model)]
#[model(app_label = "journal")]
pub struct Note {
    pub id: i64,
    pub body: String,
    #[model(foreign_key = Post, on_delete = cascade)]
    pub article_id: i64,
}
"#,
    },
    // Drop a column and a model.
    Step {
        name: "remove_post_subtitle_delete_note",
        restrict: false,
        named: false,
        blog: r#"
#[derive(Model)]
#[model(app_label = "journal", renamed_from = "article", unique(headline, views))]
pub struct Post {
    pub id: i64,
    #[model(max_length = 200, index, renamed_from = "title")]
    pub headline: String,
    pub views: i32,
}
"#,
    },
    // Alter: max length and nullability, a default, a foreign key's on_delete.
    Step {
        name: "alter_post_headline_alter_post_views_alter_taggeditem_tag_id",
        restrict: true,
        named: false,
        blog: r#"
#[derive(Model)]
#[model(app_label = "journal", unique(headline, views))]
pub struct Post {
    pub id: i64,
    #[model(max_length = 300, index)]
    pub headline: Option<String>,
    #[model(default = 5)]
    pub views: i32,
}
"#,
    },
    // Django's names for an index, a unique constraint, a generic foreign key's index and a
    // foreign key: renamed where the database can, dropped and created where it cannot.
    Step {
        name: "auto",
        restrict: true,
        named: true,
        blog: POST_NAMED,
    },
    // A model with a nullable generic foreign key over an unbounded text object id
    // (Django's `TextField`): MySQL indexes a prefix of it.
    Step {
        name: "comment",
        restrict: true,
        named: true,
        blog: COMMENT_CASCADE,
    },
    // Its content type's `on_delete` changes (SQLite rebuilds the table).
    Step {
        name: "alter_comment_content_type_id",
        restrict: true,
        named: true,
        blog: COMMENT_SET_NULL,
    },
    // The text object id becomes bounded (and back when reverted): on MySQL its index goes
    // from a prefix to the whole column in the statement that alters it.
    Step {
        name: "alter_comment_object_pk",
        restrict: true,
        named: true,
        blog: COMMENT_BOUNDED,
    },
];

const POST_NAMED: &str = r#"
#[derive(Model)]
#[model(app_label = "journal", unique(headline, views, name = "journal_post_headline_views_key"))]
pub struct Post {
    pub id: i64,
    #[model(max_length = 300, index, index_name = "journal_post_headline_like")]
    pub headline: Option<String>,
    #[model(default = 5)]
    pub views: i32,
}
"#;

const COMMENT_CASCADE: &str = r#"
#[derive(Model)]
#[model(app_label = "journal", unique(headline, views, name = "journal_post_headline_views_key"))]
pub struct Post {
    pub id: i64,
    #[model(max_length = 300, index, index_name = "journal_post_headline_like")]
    pub headline: Option<String>,
    #[model(default = 5)]
    pub views: i32,
}

#[derive(Model)]
#[model(app_label = "journal")]
pub struct Comment {
    pub id: i64,
    pub content_type_id: Option<i32>,
    pub object_pk: Option<String>,
    #[generic_foreign_key(fk_field = object_pk)]
    pub target: GenericForeignKey,
}
"#;

const COMMENT_SET_NULL: &str = r#"
#[derive(Model)]
#[model(app_label = "journal", unique(headline, views, name = "journal_post_headline_views_key"))]
pub struct Post {
    pub id: i64,
    #[model(max_length = 300, index, index_name = "journal_post_headline_like")]
    pub headline: Option<String>,
    #[model(default = 5)]
    pub views: i32,
}

#[derive(Model)]
#[model(app_label = "journal")]
pub struct Comment {
    pub id: i64,
    #[model(on_delete = set_null)]
    pub content_type_id: Option<i32>,
    pub object_pk: Option<String>,
    #[generic_foreign_key(fk_field = object_pk)]
    pub target: GenericForeignKey,
}
"#;

const COMMENT_BOUNDED: &str = r#"
#[derive(Model)]
#[model(app_label = "journal", unique(headline, views, name = "journal_post_headline_views_key"))]
pub struct Post {
    pub id: i64,
    #[model(max_length = 300, index, index_name = "journal_post_headline_like")]
    pub headline: Option<String>,
    #[model(default = 5)]
    pub views: i32,
}

#[derive(Model)]
#[model(app_label = "journal")]
pub struct Comment {
    pub id: i64,
    #[model(on_delete = set_null)]
    pub content_type_id: Option<i32>,
    #[model(max_length = 40)]
    pub object_pk: Option<String>,
    #[generic_foreign_key(fk_field = object_pk)]
    pub target: GenericForeignKey,
}
"#;
