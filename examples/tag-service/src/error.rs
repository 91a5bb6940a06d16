//! The service's one error type, and the one place that turns an error into an HTTP status:
//! [`Error::status`]. Every error answers with a JSON body, `{"error": "<message>"}`.
//!
//! | error | status |
//! |---|---|
//! | a bad body, path or query (`BadRequest`, a rejected extractor) | 400 (415 without a JSON content type, 413 for a body too large) |
//! | no such object, collection or route | 404; a known route with another method: 405 |
//! | the library's `ObjectNotFound`, `DoesNotExist` | 404 |
//! | the library's `InvalidArgument`, `InvalidKey` | 400 |
//! | the library's `Protected`, a unique violation | 409 |
//! | a deadlock, a serialization failure, a lock timeout the library did not retry away; the library's `Pool` (no pooled connection in time) | 503: try again |
//! | anything else (a database down, a bug) | 500, and the message on stderr |
//!
//! Input is validated before it reaches the database (`api.rs`), so a client's mistake is
//! never a 500.

use std::fmt;
use std::io::Write;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Everything that can go wrong in a request or at start-up.
#[derive(Debug)]
pub enum Error {
    /// The request's input is not valid; the message says what to change.
    BadRequest(String),
    /// An extractor refused the request (body, path or query): its status and message.
    Rejected { status: StatusCode, message: String },
    /// No such object, collection or route.
    NotFound(String),
    /// The route exists, not with this method.
    MethodNotAllowed,
    /// The library's error (a pooled connection that could not be had among them).
    Library(contenttypes::Error),
    /// The blocking task that ran database work (the migrations, at start-up) panicked or was
    /// cancelled.
    Task(String),
    /// The service could not start: a bad URL, a backend not compiled in, an address in use.
    Setup(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status of the error: the mapping, in one place.
    pub fn status(&self) -> StatusCode {
        use contenttypes::Error as Lib;
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Rejected { status, .. } => *status,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::Library(e) => match e {
                Lib::ObjectNotFound { .. } | Lib::DoesNotExist { .. } => StatusCode::NOT_FOUND,
                Lib::InvalidArgument(_) | Lib::InvalidKey { .. } => StatusCode::BAD_REQUEST,
                Lib::Protected { .. } => StatusCode::CONFLICT,
                Lib::Pool { .. } => StatusCode::SERVICE_UNAVAILABLE,
                e if e.is_unique_violation() => StatusCode::CONFLICT,
                e if e.is_retryable() => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Error::Task(_) | Error::Setup(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadRequest(message) | Error::NotFound(message) => f.write_str(message),
            Error::Rejected { message, .. } => f.write_str(message),
            Error::MethodNotAllowed => f.write_str("this route does not take this method"),
            Error::Library(e) => write!(f, "{e}"),
            Error::Task(message) => write!(f, "the database work did not finish: {message}"),
            Error::Setup(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Library(e) => Some(e),
            _ => None,
        }
    }
}

impl From<contenttypes::Error> for Error {
    fn from(e: contenttypes::Error) -> Self {
        Error::Library(e)
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::Task(e.to_string())
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // A closed stderr loses the line, not the answer.
            let _ = writeln!(std::io::stderr(), "tag-service: {status}: {self}");
        }
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}
