use contenttypes::prelude::*;

#[derive(Model, Clone)]
#[model(app_label = "tagging")]
pub struct TaggedItem {
    pub id: i64,
    #[model(max_length = 50)]
    pub tag: String,
    pub content_type_id: i32,
    pub object_id: i64,
    pub content_object: GenericForeignKey,
}

fn main() {
    // A row created without its generic foreign key: the target is a required field...
    let _ = NewTaggedItem { tag: "rust".into() };
    // ...and has no default, so it cannot be filled in by `Default` either.
    let _ = NewTaggedItem { tag: "rust".into(), ..Default::default() };
    // The two columns are not fields of the insert struct.
    let _ = NewTaggedItem { tag: "rust".into(), content_type_id: 0, object_id: 0 };
}
