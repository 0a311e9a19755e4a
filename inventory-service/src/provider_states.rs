//! Provider states of inventory-service (table in the README): each one resets the stock to
//! exactly what it names.

use service_kit::ApiError;
use service_kit::provider_states::{Param, Params, ProviderState, ProviderStates, not_implemented};

use crate::storage::{Stock, StockStore};

pub const IN_STOCK: &str = "an item with id {item_id} has {quantity} units in stock";
pub const NO_ITEM: &str = "no item with id {item_id} exists";

#[derive(Clone)]
pub struct InventoryStates {
    stock: StockStore,
}

impl InventoryStates {
    pub fn new(stock: StockStore) -> Self {
        Self { stock }
    }
}

impl ProviderStates for InventoryStates {
    const STATES: &'static [ProviderState] = &[
        ProviderState {
            name: IN_STOCK,
            params: &[Param::integer("item_id", "2"), Param::integer("quantity", "10")],
            effect: "only that item is stocked, with that many units",
        },
        ProviderState {
            name: NO_ITEM,
            params: &[Param::integer("item_id", "42")],
            effect: "no item is stocked",
        },
    ];

    async fn set_up(&self, state: &str, params: &Params) -> Result<(), ApiError> {
        let stock = match state {
            IN_STOCK => {
                let quantity = params.integer("quantity")?;
                if quantity < 0 {
                    return Err(ApiError::BadRequest(
                        "provider state param 'quantity' must not be negative".into(),
                    ));
                }
                vec![Stock {
                    item_id: params.integer("item_id")?,
                    quantity,
                }]
            }
            NO_ITEM => vec![],
            other => return Err(not_implemented(other)),
        };
        self.stock.replace_all(stock).await
    }
}
