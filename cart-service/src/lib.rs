//! cart-service: shopping carts. Adding an item to a cart orders it through catalog-service.
//!
//! Consumer of catalog-service; provides for nobody, so it has no provider states.

pub mod clients;
pub mod config;
pub mod routes;
pub mod storage;

use axum::Router;

use clients::CatalogClient;
pub use config::Config;
use storage::CartStore;

#[derive(Clone)]
pub struct AppState {
    pub carts: CartStore,
    pub catalog: CatalogClient,
}

impl AppState {
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let http = service_kit::client::http_client(config.common.upstream_timeout())?;
        Ok(Self {
            carts: CartStore::open(&config.database_path).await?,
            catalog: CatalogClient::new(&config.catalog_service_url, http),
        })
    }
}

pub fn app(state: AppState) -> Router {
    service_kit::http::documented_service_router(routes::router().with_state(state), None)
}
