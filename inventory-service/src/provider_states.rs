//! Provider states of inventory-service (table in the README): each one resets the stock to
//! exactly what it names.

use service_kit::ApiError;
use service_kit::provider_states::{Param, Params, ProviderState, ProviderStates, not_implemented};

use crate::storage::{Movement, MovementState, Stock, StockStore};

pub const IN_STOCK: &str = "an item with id {item_id} has {quantity} units in stock";
pub const NO_ITEM: &str = "no item with id {item_id} exists";
pub const TAKEN_WITH_KEY: &str =
    "an item with id {item_id} has {quantity} units in stock after a take of {taken} units with key {key}";

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
            name: TAKEN_WITH_KEY,
            params: &[
                Param::integer("item_id", "1"),
                Param::integer("quantity", "8"),
                Param::integer("taken", "2"),
                Param::text("key", "order-1"),
            ],
            effect: "only that item is stocked, with that many units, and the one stock movement is that take",
        },
        ProviderState {
            name: NO_ITEM,
            params: &[Param::integer("item_id", "42")],
            effect: "no item is stocked",
        },
    ];

    async fn set_up(&self, state: &str, params: &Params) -> Result<(), ApiError> {
        match state {
            IN_STOCK => self.stock.replace_all(vec![stocked(params)?]).await,
            TAKEN_WITH_KEY => {
                let stock = stocked(params)?;
                let taken = params.integer("taken")?;
                if taken < 1 {
                    return Err(ApiError::BadRequest(
                        "provider state param 'taken' must be positive".into(),
                    ));
                }
                let key = service_kit::idempotency::IdempotencyKey::parse(&params.text("key")?)
                    .map_err(|error| ApiError::BadRequest(format!("provider state param 'key': {error}")))?;
                self.stock.replace_all(vec![stock]).await?;
                let movement = Movement {
                    key: key.to_string(),
                    item_id: stock.item_id,
                    quantity: taken,
                    state: MovementState::Taken,
                };
                self.stock.record_taken(movement, stock.quantity).await
            }
            NO_ITEM => self.stock.replace_all(vec![]).await,
            other => Err(not_implemented(other)),
        }
    }
}

/// The item and its units named by `item_id` and `quantity` (not negative).
fn stocked(params: &Params) -> Result<Stock, ApiError> {
    let quantity = params.integer("quantity")?;
    if quantity < 0 {
        return Err(ApiError::BadRequest(
            "provider state param 'quantity' must not be negative".into(),
        ));
    }
    Ok(Stock {
        item_id: params.integer("item_id")?,
        quantity,
    })
}
