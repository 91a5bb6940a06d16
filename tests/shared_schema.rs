//! Models declared the way a Django project declares the same tables, so both can share one
//! database: a `TextField` object id pointing at integer and text keys (MySQL indexes a
//! prefix of it), Django's index and constraint names, and the content type's `on_delete`.
//! Every behaviour on every backend.

mod common;

use common::{assert_queries, backend_tests, TestConnection};
use contenttypes::prelude::*;
use contenttypes::{strict_loading, Dialect};
use diesel::prelude::*;
use diesel::sql_types::Text;

/// Django's `Remark` with `object_pk = models.TextField()` and Django's names:
/// `models.Index(fields=["content_type", "object_pk"], name="shared_remark_ct_obj_idx")`.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "shared")]
pub struct Remark {
    pub id: i64,
    #[model(max_length = 100)]
    pub body: String,
    #[model(foreign_key_name = "shared_remark_content_type_id_fk_django_ct")]
    pub content_type_id: i32,
    pub object_pk: String,
    #[generic_foreign_key(fk_field = object_pk, index_name = "shared_remark_ct_obj_idx")]
    pub target: GenericForeignKey,
}

/// An integer-keyed target.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "shared")]
pub struct Post {
    pub id: i64,
    #[model(max_length = 100)]
    pub title: String,
    #[generic_relation(related_query_name = "post")]
    pub remarks: GenericRelation<Remark>,
}

/// A text-keyed target whose keys are longer than the prefix MySQL indexes.
#[derive(Model, GenericRelation, Clone, Debug, PartialEq)]
#[model(app_label = "shared")]
pub struct Page {
    #[model(primary_key, max_length = 400)]
    pub slug: String,
    #[generic_relation(related_query_name = "page")]
    pub remarks: GenericRelation<Remark>,
}

/// Django's `content_type = ForeignKey(ContentType, null=True, on_delete=models.CASCADE)`:
/// the default, nullable or not.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "shared")]
pub struct Vote {
    pub id: i64,
    pub content_type_id: Option<i32>,
    pub object_id: Option<i64>,
    #[generic_foreign_key]
    pub target: GenericForeignKey,
}

/// `on_delete=models.SET_NULL`, said on the content-type field.
#[derive(Model, Clone, Debug, PartialEq)]
#[model(app_label = "shared")]
pub struct Flag {
    pub id: i64,
    #[model(on_delete = set_null)]
    pub content_type_id: Option<i32>,
    pub object_id: Option<i64>,
    #[generic_foreign_key]
    pub target: GenericForeignKey,
}

fn post(db: &mut impl Db<Mode = SyncMode>, title: &str) -> Post {
    Post::insert(
        db,
        NewPost {
            title: title.into(),
        },
    )
    .unwrap()
}

fn page(db: &mut impl Db<Mode = SyncMode>, slug: &str) -> Page {
    Page::insert(db, NewPage { slug: slug.into() }).unwrap()
}

fn remark(body: &str) -> impl FnOnce(Target<String>) -> NewRemark {
    let body = body.to_string();
    move |target| NewRemark { body, target }
}

/// Two slugs that share their first 300 characters: more than MySQL's index prefix.
fn long_slugs() -> (String, String) {
    let stem = "s".repeat(300);
    (format!("{stem}-one"), format!("{stem}-two"))
}

#[derive(QueryableByName)]
struct V {
    #[diesel(sql_type = Text)]
    v: String,
}

/// The indexes of `table` as `name(column, column(prefix))`, sorted, from the catalog.
fn indexes<C: TestConnection>(conn: &mut C, table: &str) -> Vec<String>
where
    C::Backend: contenttypes::SupportedBackend,
    V: diesel::deserialize::QueryableByName<C::Backend>,
    diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, V>,
{
    let sql = match C::DIALECT {
        Dialect::Sqlite => format!(
            "SELECT l.name || '(' || group_concat(i.name, ', ') || ')' AS v FROM pragma_index_list('{table}') l, \
             pragma_index_info(l.name) i WHERE l.origin <> 'pk' GROUP BY l.name"
        ),
        Dialect::Postgres => format!(
            "SELECT i.relname || '(' || array_to_string(ARRAY(SELECT a.attname FROM unnest(ix.indkey::int2[]) \
             WITH ORDINALITY AS k(n, o) JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.o), ', ') \
             || ')' AS v FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
             WHERE ix.indrelid = '{table}'::regclass AND NOT ix.indisprimary"
        ),
        Dialect::Mysql => format!(
            "SELECT CONCAT(INDEX_NAME, '(', GROUP_CONCAT(CONCAT(COLUMN_NAME, COALESCE(CONCAT('(', SUB_PART, ')'), '')) \
             ORDER BY SEQ_IN_INDEX SEPARATOR ', '), ')') AS v FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' AND INDEX_NAME <> 'PRIMARY' GROUP BY INDEX_NAME"
        ),
    };
    let mut out: Vec<String> = diesel::sql_query(sql)
        .load::<V>(conn)
        .unwrap()
        .into_iter()
        .map(|r| r.v)
        .collect();
    out.sort();
    out
}

backend_tests! {
    /// The tables carry the given names; MySQL indexes the text object id by a prefix, the
    /// other databases whole.
    fn the_schema_carries_djangos_names(t) {
        let prefix = if <Conn as TestConnection>::DIALECT == Dialect::Mysql { "(255)" } else { "" };
        assert_eq!(
            indexes(&mut t.conn, "shared_remark"),
            [format!("shared_remark_ct_obj_idx(content_type_id, object_pk{prefix})")]
        );
        if <Conn as TestConnection>::DIALECT != Dialect::Sqlite {
            // SQLite keeps no constraint names.
            let sql = match <Conn as TestConnection>::DIALECT {
                Dialect::Postgres => "SELECT conname::text AS v FROM pg_constraint WHERE conrelid = 'shared_remark'::regclass AND contype = 'f'",
                _ => "SELECT CONSTRAINT_NAME AS v FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'shared_remark'",
            };
            let names: Vec<String> = diesel::sql_query(sql).load::<V>(&mut t.conn).unwrap().into_iter().map(|r| r.v).collect();
            assert_eq!(names, ["shared_remark_content_type_id_fk_django_ct"]);
        }
    }

    /// A text object id holds integer and text keys (longer than MySQL's index prefix),
    /// and each reads back as its target.
    fn text_object_ids_round_trip(t) {
        let db = &mut t.db();
        let hello = post(db, "Hello");
        let (one, two) = long_slugs();
        let (one, two) = (page(db, &one), page(db, &two));
        let on_post = Remark::insert(db, remark("on a post")(Target::to(&hello))).unwrap();
        let on_page = Remark::insert(db, remark("on a page")(Target::to(&two))).unwrap();
        let read = Remark::get(db, &on_post.id).unwrap().unwrap();
        assert_eq!(read.object_pk, hello.id.to_string());
        assert_eq!(read.target(db).unwrap().unwrap().downcast_ref::<Post>().unwrap(), &hello);
        let read = Remark::get(db, &on_page.id).unwrap().unwrap();
        assert_eq!(read.object_pk, two.slug);
        assert_eq!(read.target(db).unwrap().unwrap().downcast_ref::<Page>().unwrap(), &two);
        assert_ne!(read.target(db).unwrap().unwrap().downcast_ref::<Page>().unwrap(), &one);
    }

    /// The generic relation finds its own rows through the text object id, and only those:
    /// two pages whose keys share the indexed prefix do not see each other's remarks.
    fn generic_relation_over_text_object_ids(t) {
        let db = &mut t.db();
        let hello = post(db, "Hello");
        let (one, two) = long_slugs();
        let (one, two) = (page(db, &one), page(db, &two));
        hello.remarks().create(db, remark("a")).unwrap();
        hello.remarks().create(db, remark("b")).unwrap();
        let first = one.remarks().create(db, remark("c")).unwrap();
        let second = two.remarks().create(db, remark("d")).unwrap();
        assert_eq!(hello.remarks().count(db).unwrap(), 2);
        assert_eq!(one.remarks().all(db).unwrap(), vec![first]);
        assert_eq!(two.remarks().all(db).unwrap(), vec![second.clone()]);
        // Filtering the targets by their related rows joins on the text column.
        let conn = &mut t.conn;
        let remarked: Vec<Page> = shared_page::table
            .filter(Page::REMARKS.any(shared_remark::body.eq("d")))
            .load(conn)
            .unwrap();
        assert_eq!(remarked, vec![two.clone()]);
        let posts: Vec<Remark> = shared_remark::table
            .filter(Remark::POST.any(shared_post::title.eq("Hello")))
            .order(shared_remark::id)
            .load(conn)
            .unwrap();
        assert_eq!(posts.len(), 2);
    }

    /// Prefetching the targets of rows over two key types: one query per type; the
    /// relation over many parents: one query.
    fn prefetch_over_text_object_ids(t) {
        let log = t.log();
        let db = &mut t.db();
        let (hello, bye) = (post(db, "Hello"), post(db, "Bye"));
        let (one, two) = long_slugs();
        let (one, two) = (page(db, &one), page(db, &two));
        for (i, p) in [&hello, &bye].iter().enumerate() {
            for j in 0..=i {
                p.remarks().create(db, remark(&format!("post {j}"))).unwrap();
            }
        }
        one.remarks().create(db, remark("one")).unwrap();
        two.remarks().create(db, remark("two")).unwrap();
        ContentType::for_models(db, &[Post::DEF, Page::DEF]).unwrap();
        let remarks = Remark::all(db).unwrap();
        assert_queries(&log, 2, || Remark::TARGET.prefetch(db, &remarks).unwrap());
        {
            let _strict = strict_loading();
            let slugs: Vec<String> = remarks[3..]
                .iter()
                .map(|r| r.target(db).unwrap().unwrap().downcast_ref::<Page>().unwrap().slug.clone())
                .collect();
            assert_eq!(slugs, [one.slug.clone(), two.slug.clone()]);
        }
        let pages = Page::all(db).unwrap();
        assert_queries(&log, 1, || Page::REMARKS.prefetch(db, &pages).unwrap());
        let posts = Post::all(db).unwrap();
        assert_queries(&log, 1, || Post::REMARKS.prefetch(db, &posts).unwrap());
        let _strict = strict_loading();
        let counts: Vec<i64> = posts.iter().map(|p| p.remarks().count(db).unwrap()).collect();
        assert_eq!(counts, [1, 2]);
        let bodies: Vec<Vec<String>> =
            pages.iter().map(|p| p.remarks().all(db).unwrap().into_iter().map(|r| r.body).collect()).collect();
        assert_eq!(bodies, [vec!["one".to_string()], vec!["two".to_string()]]);
    }

    /// Deleting a target deletes its generic rows through the text object id, and only its
    /// own.
    fn delete_cascades_through_text_object_ids(t) {
        let db = &mut t.db();
        let hello = post(db, "Hello");
        let (one, two) = long_slugs();
        let (one, two) = (page(db, &one), page(db, &two));
        hello.remarks().create(db, remark("post")).unwrap();
        one.remarks().create(db, remark("one")).unwrap();
        let kept = two.remarks().create(db, remark("two")).unwrap();
        hello.delete(db).unwrap();
        one.delete(db).unwrap();
        assert_eq!(Remark::all(db).unwrap(), vec![kept]);
    }

    /// Deleting a content type row (Django's `remove_stale_contenttypes`) deletes the rows
    /// that point at it through a CASCADE content type, and nulls the content type of the
    /// rows whose content type says SET NULL; rows of other types stay as they were.
    fn deleting_a_content_type_cascades_or_nulls_as_declared(t) {
        let db = &mut t.db();
        let hello = post(db, "Hello");
        let page = page(db, "about");
        // A generic foreign key to a page needs a text object id: votes and flags point at
        // posts, and at a second post kept as the control.
        let kept_post = post(db, "Kept");
        for target in [&hello, &kept_post] {
            Vote::insert(db, NewVote { target: Some(Target::to(target)) }).unwrap();
            Flag::insert(db, NewFlag { target: Some(Target::to(target)) }).unwrap();
        }
        page.remarks().create(db, remark("unrelated")).unwrap();
        let post_type = ContentType::for_model::<Post>(db).unwrap().id;
        // Posts go away (a content type is deleted with its model's rows, as Django's
        // `remove_stale_contenttypes` does).
        diesel::delete(shared_post::table).execute(&mut t.conn).unwrap();
        diesel::sql_query(format!("DELETE FROM django_content_type WHERE id = {post_type}"))
            .execute(&mut t.conn)
            .unwrap();
        t.cts.clear_cache();
        let db = &mut t.db();
        assert_eq!(Vote::count(db).unwrap(), 0, "CASCADE deleted the votes");
        let flags = Flag::all(db).unwrap();
        assert_eq!(flags.len(), 2, "SET NULL kept the flags");
        for flag in &flags {
            assert_eq!(flag.content_type_id, None);
            // The database nulls the column it was told to; the object id is left as it was.
            assert!(flag.object_id.is_some());
            assert!(flag.target(db).unwrap().is_none());
        }
        assert_eq!(Remark::count(db).unwrap(), 1, "rows of other types are untouched");
    }
}
