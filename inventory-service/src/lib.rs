//! inventory-service: how many units of each item are in stock.
//!
//! Provider for catalog-service (taking, reading and putting back stock). Consumes nobody.

pub mod config;
pub mod provider_states;
pub mod routes;
pub mod storage;

use axum::Router;

pub use config::Config;
use provider_states::InventoryStates;
use storage::StockStore;

#[derive(Clone)]
pub struct AppState {
    pub stock: StockStore,
    pub provider_states: bool,
}

impl AppState {
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            stock: StockStore::open(&config.database_path).await?,
            provider_states: config.common.provider_states,
        })
    }
}

pub fn app(state: AppState) -> Router {
    let provider_states = state
        .provider_states
        .then(|| service_kit::provider_states::routes(InventoryStates::new(state.stock.clone())));
    service_kit::http::documented_service_router(routes::router().with_state(state), provider_states)
}
