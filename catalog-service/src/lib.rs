//! catalog-service: places orders (stock from inventory, price from accounting) and shows items
//! composed from item, accounting and inventory.
//!
//! Consumer of accounting-, inventory- and item-service; provider for cart-service.

pub mod clients;
pub mod config;
pub mod orders;
pub mod provider_states;
pub mod routes;
pub mod storage;
#[cfg(feature = "testing")]
pub mod testing;

use std::time::Duration;

use axum::Router;
use service_kit::detached::SagaSettings;

use clients::{AccountingClient, InventoryClient, ItemClient};
pub use config::Config;
use provider_states::CatalogStates;
use storage::OrderStore;

#[derive(Clone)]
pub struct AppState {
    pub orders: OrderStore,
    pub settings: SagaSettings,
    pub accounting: AccountingClient,
    pub inventory: InventoryClient,
    pub items: ItemClient,
    pub provider_states: bool,
}

impl AppState {
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let http = service_kit::client::http_client(config.common.upstream_timeout())?;
        Ok(Self {
            orders: OrderStore::open(&config.database_path).await?,
            settings: SagaSettings {
                repeat_wait: config.common.upstream_timeout(),
                recover_after: Duration::from_millis(config.order_recovery_after_ms),
                recovery_interval: Duration::from_millis(config.order_recovery_interval_ms),
            },
            accounting: AccountingClient::new(&config.accounting_service_url, http.clone()),
            inventory: InventoryClient::new(&config.inventory_service_url, http.clone()),
            items: ItemClient::new(&config.item_service_url, http),
            provider_states: config.common.provider_states,
        })
    }
}

/// The app, with order recovery running beside it (at once for orders left over from before
/// start-up, then periodically).
pub fn app_with_recovery(state: AppState) -> Router {
    orders::spawn_recovery(state.clone());
    app(state)
}

pub fn app(state: AppState) -> Router {
    let provider_states = state
        .provider_states
        .then(|| service_kit::provider_states::routes(CatalogStates::new(&state)));
    service_kit::http::documented_service_router(routes::router().with_state(state), provider_states)
}
