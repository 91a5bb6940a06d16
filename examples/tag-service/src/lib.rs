//! An HTTP service (axum) over the tagging models: articles and videos tagged
//! django-taggit style, with the library's race-free tagging, objects by tag across both
//! models and the most common tags. See `README.md` beside `Cargo.toml` for the endpoints.
//!
//! | module | holds |
//! |---|---|
//! | `models` | the models (`Article`, `Video`; the default tag models) |
//! | `store` | all database access: the library's async API, awaited on a deadpool pool |
//! | `api` | the JSON read and written, and input validation |
//! | `routes` | the routes and handlers |
//! | `extract` | axum's extractors answering the service's JSON errors |
//! | `error` | the error type and its HTTP statuses, in one place |
//! | `config` | the command line |

pub mod api;
pub mod config;
pub mod error;
mod extract;
pub mod models;
pub mod routes;
pub mod store;

use std::io::Write;

use tokio::net::TcpListener;

pub use config::{Command, Config};
pub use error::{Error, Result};
pub use store::Store;

/// Serves `store` on `listener` until the process ends.
pub async fn serve(listener: TcpListener, store: Store) -> std::io::Result<()> {
    axum::serve(listener, routes::router(store)).await
}

/// Opens the database, listens where `config` says, prints the address and serves.
pub async fn run(config: Config) -> Result<()> {
    let store = Store::open(&config.database_url).await?;
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .await
        .map_err(|e| {
            Error::Setup(format!(
                "cannot listen on {}:{}: {e}",
                config.host, config.port
            ))
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::Setup(format!("no local address: {e}")))?;
    // Serving goes on if the line cannot be printed (stdout closed).
    let _ = writeln!(
        std::io::stdout(),
        "tag-service: {} database, listening on http://{address}",
        store.backend()
    );
    serve(listener, store)
        .await
        .map_err(|e| Error::Setup(format!("the server stopped: {e}")))
}
