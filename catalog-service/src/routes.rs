//! HTTP API: `POST /order` and `GET /items/{item_id}`.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use service_kit::extract::{Json, Path};
use service_kit::{ApiError, error::require};

use crate::AppState;
use crate::orders::place_order;
use crate::storage::Order;

/// Most units one order may ask for.
pub const MAX_ORDER_QUANTITY: i64 = 1_000_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/order", post(order))
        .route("/items/{item_id}", get(item_details))
}

#[derive(Debug, Deserialize)]
struct OrderRequest {
    item_id: i64,
    quantity: i64,
}

/// 200 `{"order_id", "item_id", "quantity", "total_price"}`; 400 when stock is short; 404 for an
/// unknown item; 422 for a quantity outside 1..=MAX_ORDER_QUANTITY; 502/503 when a neighbour
/// fails (stock already taken is put back).
async fn order(State(state): State<AppState>, Json(request): Json<OrderRequest>) -> Result<Json<Order>, ApiError> {
    require(
        (1..=MAX_ORDER_QUANTITY).contains(&request.quantity),
        format!("quantity must be between 1 and {MAX_ORDER_QUANTITY}"),
    )?;
    Ok(Json(place_order(&state, request.item_id, request.quantity).await?))
}

#[derive(Debug, Serialize)]
struct ItemDetails {
    item_id: i64,
    item_name: String,
    item_price: i64,
    item_quantity_remaining: i64,
}

/// 200 with name (item), price (accounting) and stock (inventory; 0 when not stocked), asked
/// for concurrently; 404 when item or accounting do not know the item.
async fn item_details(State(state): State<AppState>, Path(item_id): Path<i64>) -> Result<Json<ItemDetails>, ApiError> {
    let (name, price, stock) = tokio::try_join!(
        state.items.name(item_id),
        state.accounting.price(item_id),
        state.inventory.stock(item_id),
    )?;
    let name = name.ok_or_else(|| ApiError::NotFound(format!("item {item_id} does not exist")))?;
    let price = price.ok_or_else(|| ApiError::NotFound(format!("item {item_id} has no price")))?;
    Ok(Json(ItemDetails {
        item_id,
        item_name: name,
        item_price: price.price,
        item_quantity_remaining: stock.unwrap_or(0),
    }))
}
