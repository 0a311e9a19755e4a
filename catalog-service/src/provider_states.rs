//! Provider states of catalog-service (table in the README).
//!
//! Catalog's answers come from its neighbours, so each of its states resets its own orders and
//! puts every neighbour into the matching state of its own, through the neighbour's provider
//! state endpoint. The neighbour states named here are the ones those providers document, and
//! are themselves verified against catalog's pacts with them: the chain stays consistent.

use serde_json::json;
use service_kit::ApiError;
use service_kit::idempotency::IdempotencyKey;
use service_kit::provider_states::{
    Param, Params, ProviderState, ProviderStates, not_implemented, set_neighbour_state,
};

use crate::AppState;
use crate::clients::{AccountingClient, InventoryClient, ItemClient};
use crate::storage::OrderStore;

pub const FOR_SALE: &str = "an item with id {item_id} is for sale at price {price} with {quantity} units in stock";
pub const NO_ITEM: &str = "no item with id {item_id} exists";
pub const ORDER_CONFIRMED: &str =
    "an order with key {key} for {quantity} units of item {item_id} is confirmed at price {price}";

/// The neighbours' own state names.
const ITEM_EXISTS: &str = "an item with id {item_id} exists with name {name}";
const PRICE_WITHOUT_TAX: &str = "an item with id {item_id} has price {price} and no tax";
const IN_STOCK: &str = "an item with id {item_id} has {quantity} units in stock";
const NEIGHBOUR_NO_ITEM: &str = "no item with id {item_id} exists";

#[derive(Clone)]
pub struct CatalogStates {
    orders: OrderStore,
    accounting: AccountingClient,
    inventory: InventoryClient,
    items: ItemClient,
}

impl CatalogStates {
    pub fn new(state: &AppState) -> Self {
        Self {
            orders: state.orders.clone(),
            accounting: state.accounting.clone(),
            inventory: state.inventory.clone(),
            items: state.items.clone(),
        }
    }
}

impl ProviderStates for CatalogStates {
    const STATES: &'static [ProviderState] = &[
        ProviderState {
            name: FOR_SALE,
            params: &[
                Param::integer("item_id", "1"),
                Param::integer("price", "250"),
                Param::integer("quantity", "10"),
            ],
            effect: "no orders; item-service has only that item (named \"Item {item_id}\"), accounting only its price (no tax), inventory only its stock",
        },
        ProviderState {
            name: ORDER_CONFIRMED,
            params: &[
                Param::text("key", "cart-line-1"),
                Param::integer("quantity", "2"),
                Param::integer("item_id", "1"),
                Param::integer("price", "1299"),
            ],
            effect: "the only order is that one, confirmed (total price × quantity); the neighbours are left as they are",
        },
        ProviderState {
            name: NO_ITEM,
            params: &[Param::integer("item_id", "42")],
            effect: "no orders; item-service, accounting-service and inventory-service know no item at all",
        },
    ];

    async fn set_up(&self, state: &str, params: &Params) -> Result<(), ApiError> {
        let item_id = params.integer("item_id")?;
        self.orders.clear().await?;
        match state {
            FOR_SALE => {
                let (price, quantity) = (params.integer("price")?, params.integer("quantity")?);
                let name = format!("Item {item_id}");
                tokio::try_join!(
                    set_neighbour_state(
                        self.items.neighbour(),
                        ITEM_EXISTS,
                        json!({"item_id": item_id, "name": name})
                    ),
                    set_neighbour_state(
                        self.accounting.neighbour(),
                        PRICE_WITHOUT_TAX,
                        json!({"item_id": item_id, "price": price})
                    ),
                    set_neighbour_state(
                        self.inventory.neighbour(),
                        IN_STOCK,
                        json!({"item_id": item_id, "quantity": quantity})
                    ),
                )?;
            }
            ORDER_CONFIRMED => {
                let key = IdempotencyKey::parse(&params.text("key")?)
                    .map_err(|error| ApiError::BadRequest(format!("provider state param 'key': {error}")))?;
                let (quantity, price) = (params.integer("quantity")?, params.integer("price")?);
                if quantity < 1 || price < 0 || price.checked_mul(quantity).is_none() {
                    return Err(ApiError::BadRequest(
                        "provider state params 'quantity' must be positive and 'price' not negative, their product 64-bit".into(),
                    ));
                }
                self.orders
                    .insert_confirmed(key.to_string(), item_id, quantity, price)
                    .await?;
            }
            NO_ITEM => {
                let params = json!({ "item_id": item_id });
                tokio::try_join!(
                    set_neighbour_state(self.items.neighbour(), NEIGHBOUR_NO_ITEM, params.clone()),
                    set_neighbour_state(self.accounting.neighbour(), NEIGHBOUR_NO_ITEM, params.clone()),
                    set_neighbour_state(self.inventory.neighbour(), NEIGHBOUR_NO_ITEM, params),
                )?;
            }
            other => return Err(not_implemented(other)),
        }
        Ok(())
    }
}
