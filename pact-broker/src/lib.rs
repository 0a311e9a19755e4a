//! pact-broker: a Pact Broker serving the official Pact Broker's HTTP API (HAL+JSON with
//! absolute, templated links) on SQLite, so every Pact client can switch between it, the
//! official broker and PactFlow by changing the base URL and credentials alone.
//!
//! Modules by concern: `routes` (one module per resource), `storage` (SQLite), `hal` (links and
//! URLs), `selectors` (pacts for verification: consumer version selectors, pending, WIP),
//! `matrix` (matrix and can-i-deploy), `ui` (HTML pages and the SVG network graph), `auth`.

pub mod auth;
pub mod config;
pub mod extract;
pub mod hal;
pub mod matrix;
pub mod pact;
pub mod routes;
pub mod selectors;
pub mod storage;
pub mod ui;

use axum::Router;
use axum::extract::DefaultBodyLimit;

pub use config::Config;
use storage::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// `PACT_BROKER_PUBLIC_BASE_URL` without a trailing slash.
    pub public_base_url: Option<String>,
    pub allow_dangerous_contract_modification: bool,
}

impl AppState {
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            store: Store::open(&config.database_path).await?,
            public_base_url: config
                .public_base_url
                .as_ref()
                .map(|u| u.trim_end_matches('/').to_owned())
                .filter(|u| !u.is_empty()),
            allow_dangerous_contract_modification: config.allow_dangerous_contract_modification,
        })
    }
}

/// The whole app: the broker's resources behind basic auth (when configured) and the larger
/// body limit pacts need, inside the shared service router (health, JSON 404/405, tracing).
pub fn app(state: AppState, config: &Config) -> Router {
    let auth = auth::Auth::from_config(config);
    let routes = routes::router()
        .with_state(state)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(auth, auth::require));
    service_kit::http::service_router(routes, None)
}
