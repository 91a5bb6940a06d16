//! The HTTP API: the routes and their handlers. A handler checks its input (`api.rs`),
//! calls one of the store's methods and answers JSON; errors answer through `error.rs`.
//! `{kind}` is `articles` or `videos`.
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST /articles`, `POST /videos` | `{"title": "..."}` | 201 `{"kind", "id", "title"}` |
//! | `GET /{kind}/{id}` | | `{"kind", "id", "title", "tags": [...]}` |
//! | `GET /{kind}/{id}/tags` | | `{"kind", "id", "tags": [...]}`, in the order added |
//! | `POST /{kind}/{id}/tags` | `{"tags": ["rust", "web dev"]}` | the object's tags afterwards |
//! | `DELETE /{kind}/{id}/tags` | `{"tags": [...]}` | the tags left and `"removed": n` |
//! | `GET /tags` | | `{"tags": [{"name", "slug"}]}`, every tag, by name |
//! | `GET /tags/most-common?limit=10&min_count=1` | | `{"tags": [{"name", "slug", "count"}]}`, most first |
//! | `GET /tags/{name}/objects` | | `{"tag", "objects": [{"kind", "id", "title"}]}`, articles and videos |

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};

use crate::api::{
    self, Kind, MostCommonQuery, NewObject, Object, ObjectTags, ObjectWithTags, TagCount, TagInfo,
    TagList, TagNames, TaggedObjects,
};
use crate::error::{Error, Result};
use crate::extract::{Body, Collection, ObjectPath, Params, TagName};
use crate::store::Store;

/// The service's routes over `store`.
pub fn router(store: Store) -> Router {
    Router::new()
        .route("/tags", get(all_tags))
        .route("/tags/most-common", get(most_common))
        .route("/tags/{name}/objects", get(tagged))
        .nest("/articles", collection(Kind::Article))
        .nest("/videos", collection(Kind::Video))
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .with_state(store)
}

/// The routes of a collection, `/articles` or `/videos`; the handlers read the kind from
/// the request's extensions (`extract::Collection`).
fn collection(kind: Kind) -> Router<Store> {
    Router::new()
        .route("/", post(create))
        .route("/{id}", get(show))
        .route(
            "/{id}/tags",
            get(list_tags).post(add_tags).delete(remove_tags),
        )
        .layer(Extension(kind))
}

async fn create(
    State(store): State<Store>,
    Collection(kind): Collection,
    Body(new): Body<NewObject>,
) -> Result<(StatusCode, Json<Object>)> {
    let object = store.create(kind, new.title()?).await?;
    Ok((StatusCode::CREATED, Json(object)))
}

async fn show(State(store): State<Store>, path: ObjectPath) -> Result<Json<ObjectWithTags>> {
    Ok(Json(store.object(path.kind, path.id).await?))
}

async fn list_tags(State(store): State<Store>, path: ObjectPath) -> Result<Json<ObjectTags>> {
    Ok(Json(store.tags(path.kind, path.id).await?))
}

async fn add_tags(
    State(store): State<Store>,
    path: ObjectPath,
    Body(tags): Body<TagNames>,
) -> Result<Json<ObjectTags>> {
    let names = tags.names()?;
    Ok(Json(store.add_tags(path.kind, path.id, names).await?))
}

async fn remove_tags(
    State(store): State<Store>,
    path: ObjectPath,
    Body(tags): Body<TagNames>,
) -> Result<Json<ObjectTags>> {
    let names = tags.names()?;
    Ok(Json(store.remove_tags(path.kind, path.id, names).await?))
}

async fn all_tags(State(store): State<Store>) -> Result<Json<TagList<TagInfo>>> {
    Ok(Json(TagList {
        tags: store.all_tags().await?,
    }))
}

async fn most_common(
    State(store): State<Store>,
    Params(query): Params<MostCommonQuery>,
) -> Result<Json<TagList<TagCount>>> {
    let (limit, min_count) = query.bounds()?;
    Ok(Json(TagList {
        tags: store.most_common(limit, min_count).await?,
    }))
}

async fn tagged(State(store): State<Store>, TagName(name): TagName) -> Result<Json<TaggedObjects>> {
    let name = api::tag_name(&name)?;
    Ok(Json(store.tagged(name).await?))
}

async fn no_route() -> Error {
    Error::NotFound(
        "no such route: the service's routes are under `/articles`, `/videos` and `/tags` (see its README)"
            .into(),
    )
}

async fn wrong_method() -> Error {
    Error::MethodNotAllowed
}
