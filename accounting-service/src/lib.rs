//! accounting-service: the price and tax of each item.
//!
//! Provider for catalog-service (reading a price). Consumes nobody.

pub mod config;
pub mod provider_states;
pub mod routes;
pub mod storage;

use axum::Router;

pub use config::Config;
use provider_states::AccountingStates;
use storage::PriceStore;

#[derive(Clone)]
pub struct AppState {
    pub prices: PriceStore,
    pub provider_states: bool,
}

impl AppState {
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            prices: PriceStore::open(&config.database_path).await?,
            provider_states: config.common.provider_states,
        })
    }
}

pub fn app(state: AppState) -> Router {
    let provider_states = state
        .provider_states
        .then(|| service_kit::provider_states::routes(AccountingStates::new(state.prices.clone())));
    service_kit::http::documented_service_router(routes::router().with_state(state), provider_states)
}
