//! pact-broker: a Pact Broker serving the official Pact Broker's HTTP API (HAL+JSON with
//! absolute, templated links) on SQLite, so every Pact client can switch between it, the
//! official broker and PactFlow by changing the base URL and credentials alone.
//!
//! Layers, each calling only the ones after it: `routes` (HTTP: extractors, content
//! negotiation, auth, errors) → `views` (HAL resources and HTML pages) and `storage` (SQLite)
//! → `model` (the domain types, the snapshot and the pure rules). See the README's "Code layout".

pub mod config;
pub mod dispatch;
pub mod model;
pub mod routes;
pub mod storage;
pub mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;

pub use config::Config;
use dispatch::Dispatcher;
use routes::auth::Auth;
use storage::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// `PACT_BROKER_PUBLIC_BASE_URL` without a trailing slash.
    pub public_base_url: Option<String>,
    pub allow_dangerous_contract_modification: bool,
    pub auth: Auth,
    pub max_body_bytes: usize,
    /// Runs triggered webhooks in the background; `wake` it after a triggering write.
    pub webhooks: Dispatcher,
}

impl AppState {
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let store = Store::open(&config.database_path, config.branch_settings()).await?;
        let webhooks = Dispatcher::start(store.clone(), config.webhook_policy()?);
        Ok(Self {
            store,
            webhooks,
            public_base_url: config
                .public_base_url
                .as_ref()
                .map(|url| url.trim_end_matches('/').to_owned())
                .filter(|url| !url.is_empty()),
            allow_dangerous_contract_modification: config.allow_dangerous_contract_modification,
            auth: Auth::from_config(config),
            max_body_bytes: config.max_body_bytes,
        })
    }
}

/// The whole app: the broker's resources behind basic auth (when configured) and the larger
/// body limit pacts need, each request counted (webhook deliveries give way to requests), inside
/// the shared service router (health, JSON 404/405, tracing).
pub fn app(state: AppState) -> Router {
    let (auth, max_body_bytes) = (state.auth.clone(), state.max_body_bytes);
    let activity = state.webhooks.activity();
    let routes = routes::router()
        .with_state(state)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(auth, routes::auth::require))
        .layer(axum::middleware::from_fn_with_state(activity, routes::count_serving));
    service_kit::http::service_router(routes, None)
}
