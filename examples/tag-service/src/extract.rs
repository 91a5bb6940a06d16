//! Axum's extractors with the service's errors: a body that is not the JSON asked for, a path
//! or a query that does not parse, answers with the service's JSON error (`error.rs`), not
//! axum's plain-text rejection.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::api::Kind;
use crate::error::Error;

/// A JSON body (`Content-Type: application/json`).
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// A body that is not valid JSON, or not of the shape asked for, is a 400; a body without a
/// JSON content type keeps its 415, one too large its 413.
fn json_rejection(rejection: JsonRejection) -> Error {
    let status = match &rejection {
        JsonRejection::JsonDataError(_) | JsonRejection::JsonSyntaxError(_) => {
            StatusCode::BAD_REQUEST
        }
        other => other.status(),
    };
    Error::Rejected {
        status,
        message: rejection.body_text(),
    }
}

/// The query string's parameters.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Params(value))
            .map_err(|rejection| Error::BadRequest(rejection.body_text()))
    }
}

/// The kind of a collection's routes (`/articles/...`, `/videos/...`), which
/// `routes::collection` puts in the request's extensions.
pub struct Collection(pub Kind);

impl<S: Send + Sync> FromRequestParts<S> for Collection {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        parts
            .extensions
            .get::<Kind>()
            .map(|kind| Collection(*kind))
            .ok_or_else(|| Error::Setup("a collection's route without its kind".into()))
    }
}

/// `/{collection}/{id}/...`: an object of a collection by its id (an id that is not an
/// integer is a 400).
pub struct ObjectPath {
    pub kind: Kind,
    pub id: i64,
}

impl<S: Send + Sync> FromRequestParts<S> for ObjectPath {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let Collection(kind) = Collection::from_request_parts(parts, state).await?;
        let Path(id) = path::<String, S>(parts, state).await?;
        let id = id
            .parse()
            .map_err(|_| Error::BadRequest(format!("`{id}` is not an id: ids are integers")))?;
        Ok(ObjectPath { kind, id })
    }
}

/// `/tags/{name}/...`: a tag's name, percent-decoded.
pub struct TagName(pub String);

impl<S: Send + Sync> FromRequestParts<S> for TagName {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let Path(name) = path::<String, S>(parts, state).await?;
        Ok(TagName(name))
    }
}

/// The path's parameters, a path that does not decode (bad percent-encoding) a 400.
async fn path<T: DeserializeOwned + Send, S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<Path<T>, Error> {
    Path::<T>::from_request_parts(parts, state)
        .await
        .map_err(|rejection| Error::BadRequest(rejection.body_text()))
}
