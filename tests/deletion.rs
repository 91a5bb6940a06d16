//! Deleting through the framework: the rows of the generic foreign keys that can point at an
//! object (whether or not it declares a generic relation) and of the foreign keys pointing at
//! it go first, set-based, in one transaction (Django E.83–E.88, where E.84 and E.86 differ:
//! Django follows only generic relations), and nothing else is touched; the delete says what
//! went (Django's `(total, per model)`).

mod common;

use common::models::*;
use common::{assert_queries, backend_tests, probe, protected};
use contenttypes::prelude::*;
use diesel::prelude::*;

backend_tests! {
    /// E.83: deleting an object deletes its tagged items, and only its own: one SELECT for the
    /// `restrict` foreign key from Enclosure (Django's PROTECT check), one statement per
    /// generic foreign key that can point at an animal, and one DELETE for the object,
    /// whatever the number of rows. Tagged items can be pointed at themselves, so they are
    /// collected (their SELECT is the tagged items' statement among the animal's) and every
    /// generic foreign key that can point at them is looked at before their DELETE.
    fn cascade_to_generic_relations(t) {
        let log = t.log();
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let tiger = animal(db, "Tiger");
        for name in ["a", "b", "c"] {
            lion.tags().create(db, tag(name)).unwrap();
        }
        let kept = tiger.tags().create(db, tag("striped")).unwrap();
        ContentType::for_models(db, &[Animal::DEF, TaggedItem::DEF]).unwrap();
        let expected = 3 + probe::<Animal>() + probe::<TaggedItem>();
        let deleted = assert_queries(&log, expected, || lion.delete(db).unwrap());
        assert_eq!(deleted.total, 4);
        assert_eq!((deleted.of::<Animal>(), deleted.of::<TaggedItem>()), (1, 3));
        assert_eq!(
            deleted.per_model.into_iter().collect::<Vec<_>>(),
            [("generic_relations.Animal".to_string(), 1), ("generic_relations.TaggedItem".to_string(), 3)]
        );
        assert_eq!(TaggedItem::all(db).unwrap(), vec![kept]);
        assert!(Animal::get(db, &lion.id).unwrap().is_none());
    }

    /// Many objects at once: still one probe per level for every generic foreign key, and one statement per change.
    fn cascade_many_at_once(t) {
        let log = t.log();
        let db = &mut t.db();
        let animals: Vec<Animal> = (0..20).map(|i| animal(db, &format!("A{i}"))).collect();
        for a in &animals {
            a.tags().create(db, tag("x")).unwrap();
        }
        ContentType::for_models(db, &[Animal::DEF, TaggedItem::DEF]).unwrap();
        let keys: Vec<i64> = animals.iter().map(|a| a.id).collect();
        let expected = 3 + probe::<Animal>() + probe::<TaggedItem>();
        let deleted = assert_queries(&log, expected, || Animal::delete_many(db, &keys).unwrap());
        assert_eq!((deleted.of::<Animal>(), deleted.of::<TaggedItem>(), deleted.total), (20, 20, 40));
        assert_eq!(TaggedItem::count(db).unwrap(), 0);
    }

    /// E.84, where the framework differs: Django leaves the tagged items of an object without
    /// a generic relation behind, pointing at nothing; here the generic foreign key's own
    /// `on_delete` (cascade by default) applies to every model it can point at, so they go.
    fn no_relation_still_cascades(t) {
        let db = &mut t.db();
        let quartz = Mineral::insert(db, NewMineral { name: "Quartz".into(), hardness: 7 }).unwrap();
        let item = TaggedItem::insert(db, tag("clear")(Target::to(&quartz))).unwrap();
        let lion = animal(db, "Lion");
        let kept = lion.tags().create(db, tag("clear")).unwrap();
        let deleted = quartz.delete(db).unwrap();
        assert_eq!((deleted.total, deleted.of::<Mineral>(), deleted.of::<TaggedItem>()), (2, 1, 1));
        assert!(TaggedItem::get(db, &item.id).unwrap().is_none());
        assert_eq!(TaggedItem::all(db).unwrap(), vec![kept]);
    }

    /// E.85: deleting a tagged item never touches its target.
    fn deleting_the_generic_row_keeps_the_target(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let fatty = lion.tags().create(db, tag("fatty")).unwrap();
        lion.tags().create(db, tag("hairy")).unwrap();
        fatty.delete(db).unwrap();
        assert!(Animal::get(db, &lion.id).unwrap().is_some());
        assert_eq!(lion.tags().count(db).unwrap(), 1);
    }

    /// E.86, where the framework differs: Django cascades only through the generic foreign
    /// key a relation reverses (`first_obj`); here both of Comparison's generic foreign keys
    /// point at the animal (both cascade by default), so the comparisons it is in go by
    /// either one, and the one between other animals stays.
    fn both_generic_foreign_keys_cascade(t) {
        let db = &mut t.db();
        let cheetah = animal(db, "Cheetah");
        let tiger = animal(db, "Tiger");
        let lion = animal(db, "Lion");
        let first = NewComparison { comparative: "faster".into(), first_obj: Target::to(&cheetah), other_obj: Target::to(&tiger) };
        Comparison::insert(db, first).unwrap();
        let second = NewComparison { comparative: "cooler".into(), first_obj: Target::to(&tiger), other_obj: Target::to(&cheetah) };
        Comparison::insert(db, second).unwrap();
        let third = NewComparison { comparative: "bigger".into(), first_obj: Target::to(&lion), other_obj: Target::to(&tiger) };
        let kept = Comparison::insert(db, third).unwrap();
        let deleted = cheetah.delete(db).unwrap();
        assert_eq!((deleted.of::<Animal>(), deleted.of::<Comparison>()), (1, 2));
        assert_eq!(Comparison::all(db).unwrap(), vec![kept]);
    }

    /// E.88: the cascade converts keys for text object ids.
    fn cascade_through_text_object_ids(t) {
        let db = &mut t.db();
        let dune = Book::insert(db, NewBook { title: "Dune".into() }).unwrap();
        let board = Board::insert(db, NewBoard { name: dune.id.to_string() }).unwrap();
        dune.comments().create(db, |content_object| NewComment { text: "great".into(), content_object }).unwrap();
        let kept = board.comments().create(db, |content_object| NewComment { text: "same key".into(), content_object }).unwrap();
        dune.delete(db).unwrap();
        assert_eq!(Comment::all(db).unwrap(), vec![kept]);
    }

    /// A generic child with generic children of its own cascades in turn: its keys collected,
    /// then the DELETEs, deepest first.
    fn nested_generic_cascade(t) {
        let log = t.log();
        let db = &mut t.db();
        let post = Post::insert(db, NewPost { title: "Hello".into() }).unwrap();
        let other = Post::insert(db, NewPost { title: "Other".into() }).unwrap();
        let note = post.notes().create(db, |content_object| NewNote { body: "nice".into(), content_object }).unwrap();
        note.likes().create(db, |content_object| NewLike { content_object }).unwrap();
        post.likes().create(db, |content_object| NewLike { content_object }).unwrap();
        let other_like = other.likes().create(db, |content_object| NewLike { content_object }).unwrap();
        ContentType::for_models(db, &[Post::DEF, Note::DEF, Like::DEF]).unwrap();
        // One probe (`SELECT (CASE WHEN EXISTS ...) + ...`) per level for every generic
        // foreign key that can point at its rows: the post's keys, its like (by condition),
        // its note (by condition: it has a like, so its keys are read), the note's keys and
        // the note's like. Then the post's like's DELETE, the note's keys, the note's like's
        // DELETE, the note's and the post's DELETEs.
        let expected = 5 + probe::<Post>() + 2 * probe::<Note>() + 2 * probe::<Like>();
        assert_queries(&log, expected, || post.delete(db).unwrap());
        assert_eq!(Note::count(db).unwrap(), 0);
        assert_eq!(Like::all(db).unwrap(), vec![other_like]);
    }

    /// The cascade and the delete are one transaction: a `restrict` foreign key still
    /// pointing at the row refuses the delete (Django's ProtectedError), and the generic rows
    /// are still there.
    fn a_refused_delete_keeps_everything(t) {
        let db = &mut t.db();
        let lion = animal(db, "Lion");
        let tiger = animal(db, "Tiger");
        lion.tags().create(db, tag("kept")).unwrap();
        let enclosure = Enclosure::insert(db, NewEnclosure { animal_id: lion.id }).unwrap();
        let error = Animal::delete_many(db, &[tiger.id, lion.id]).unwrap_err();
        assert_eq!(
            protected(&error),
            Some((
                "generic_relations.Animal",
                vec![("generic_relations.Enclosure", "animal_id", vec![enclosure.id.into()])]
            )),
            "{error}"
        );
        assert_eq!(lion.tags().count(db).unwrap(), 1);
        assert!(Animal::get(db, &lion.id).unwrap().is_some());
        assert!(Animal::get(db, &tiger.id).unwrap().is_some());
    }

    /// Ordinary `on_delete = cascade` foreign keys cascade through the framework, set-based
    /// (so they hold on a schema with no `ON DELETE`, such as Django's): deleting a label
    /// deletes its links, and the count says so. A label and its links can be pointed at by
    /// generic foreign keys, so each costs one statement per such key; the links are
    /// collected (one SELECT of their keys), then one DELETE of the links, one of the label.
    fn foreign_keys_cascade_through_the_framework(t) {
        let log = t.log();
        let db = &mut t.db();
        let label = Label::insert(db, NewLabel { name: "rust".into() }).unwrap();
        let other = Label::insert(db, NewLabel { name: "go".into() }).unwrap();
        let article = Article::insert(db, NewArticle { title: "A".into() }).unwrap();
        let second = Article::insert(db, NewArticle { title: "B".into() }).unwrap();
        for (a, l) in [(&article, &label), (&second, &label), (&article, &other)] {
            a.labels().create(db, |content_object| NewLabeledThing { label_id: l.id, content_object }).unwrap();
        }
        ContentType::for_models(db, &[Label::DEF, LabeledThing::DEF]).unwrap();
        // The label's probe, the labeled things' (cascading by foreign key: a probe of the
        // rows the condition matches), their DELETE and the label's.
        let expected = 2 + probe::<Label>() + probe::<LabeledThing>();
        let deleted = assert_queries(&log, expected, || label.delete(db).unwrap());
        assert_eq!((deleted.of::<Label>(), deleted.of::<LabeledThing>()), (1, 2));
        assert_eq!(article.labels().count(db).unwrap(), 1);
        assert_eq!(second.labels().count(db).unwrap(), 0);
        let conn = &mut t.conn;
        let left: i64 = labels_labeledthing::table.count().get_result(conn).unwrap();
        assert_eq!(left, 1);
    }
}
