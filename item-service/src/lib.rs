//! item-service: the name and description of each item.
//!
//! Provider for catalog-service (reading an item's name). Consumes nobody.

pub mod config;
pub mod provider_states;
pub mod routes;
pub mod storage;

use axum::Router;

pub use config::Config;
use provider_states::ItemStates;
use storage::ItemStore;

#[derive(Clone)]
pub struct AppState {
    pub items: ItemStore,
    pub provider_states: bool,
}

impl AppState {
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            items: ItemStore::open(&config.database_path).await?,
            provider_states: config.common.provider_states,
        })
    }
}

pub fn app(state: AppState) -> Router {
    let provider_states = state
        .provider_states
        .then(|| service_kit::provider_states::routes(ItemStates::new(state.items.clone())));
    service_kit::http::documented_service_router(routes::router().with_state(state), provider_states)
}
