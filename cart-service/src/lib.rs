//! cart-service: shopping carts. Adding an item to a cart orders it through catalog-service.
//!
//! Consumer of catalog-service; provides for nobody, so it has no provider states.

pub mod adding;
pub mod clients;
pub mod config;
pub mod routes;
pub mod storage;

use std::time::Duration;

use axum::Router;
use service_kit::detached::SagaSettings;

use clients::CatalogClient;
pub use config::Config;
use storage::CartStore;

#[derive(Clone)]
pub struct AppState {
    pub carts: CartStore,
    pub settings: SagaSettings,
    pub catalog: CatalogClient,
}

impl AppState {
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let http = service_kit::client::http_client(config.common.upstream_timeout())?;
        Ok(Self {
            carts: CartStore::open(&config.database_path).await?,
            settings: SagaSettings {
                repeat_wait: config.common.upstream_timeout(),
                recover_after: Duration::from_millis(config.cart_recovery_after_ms),
                recovery_interval: Duration::from_millis(config.cart_recovery_interval_ms),
            },
            catalog: CatalogClient::new(&config.catalog_service_url, http),
        })
    }
}

/// The app, with recovery of pending adds running beside it.
pub fn app_with_recovery(state: AppState) -> Router {
    adding::spawn_recovery(state.clone());
    app(state)
}

pub fn app(state: AppState) -> Router {
    service_kit::http::documented_service_router(routes::router().with_state(state), None)
}
