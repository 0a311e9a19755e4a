//! HTTP API: `POST /order`, `GET /orders/{key}`, `GET /orders?item_id=` and `GET /items/{item_id}`.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use service_kit::extract::{Json, Path, Query};
use service_kit::idempotency::{self, IdempotencyKey, KeyOrNew};
use service_kit::openapi::ErrorBody;
use service_kit::{ApiError, error::require_between};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::orders::place_order;
use crate::storage::{Order, OrderRecord};

/// Most units one order may ask for.
pub const MAX_ORDER_QUANTITY: i64 = 1_000_000;

#[derive(OpenApi)]
struct ApiDoc;

/// The routes, and the OpenAPI document generated from the same handlers.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(order))
        .routes(routes!(order_by_key))
        .routes(routes!(orders_of_item))
        .routes(routes!(item_details))
}

#[derive(Debug, Deserialize, ToSchema)]
struct OrderRequest {
    item_id: i64,
    #[schema(minimum = 1, maximum = 1_000_000)]
    quantity: i64,
}

/// 200 `{"order_id", "item_id", "quantity", "total_price"}`; 400 when stock is short; 404 for an
/// unknown item; 422 for a quantity outside 1..=MAX_ORDER_QUANTITY or a key already used for
/// another order; 502/503 when a neighbour fails (stock already taken is put back). The same
/// `Idempotency-Key` again gets the same answer, never a second order; the key used (the
/// caller's, or a new one) is echoed in the response's `Idempotency-Key` header.
#[utoipa::path(post, path = "/order", summary = "Order an item: take the stock, price it, record the order; once per Idempotency-Key",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[A-Za-z0-9._:-]{1,128}$",
        description = "The same key again answers the same outcome, never a second order (one is made up when absent)")),
    request_body = OrderRequest,
    responses(
        (status = 200, description = "Ordered", body = Order,
            headers(("idempotency-key" = String, description = "The order's key"))),
        (status = 400, description = "Fewer units in stock than ordered; nothing taken", body = ErrorBody),
        (status = 404, description = "Unknown item, or an item without a price (stock put back)", body = ErrorBody),
        (status = 422, description = "quantity outside 1..=1000000, the total is too large, a malformed key, or a key used for another order", body = ErrorBody),
        (status = 502, description = "A neighbour answered outside its contract (stock put back)", body = ErrorBody),
        (status = 503, description = "A neighbour could not be reached in time (stock put back), or the order with this key is still being placed", body = ErrorBody),
    ))]
async fn order(
    State(state): State<AppState>,
    KeyOrNew(key): KeyOrNew,
    Json(request): Json<OrderRequest>,
) -> Result<(HeaderMap, Json<Order>), ApiError> {
    require_between("quantity", request.quantity, 1..=MAX_ORDER_QUANTITY)?;
    let mut headers = HeaderMap::new();
    headers.insert(idempotency::HEADER, key.header_value());
    let order = place_order(&state, key, request.item_id, request.quantity).await?;
    Ok((headers, Json(order)))
}

/// 200 with the order placed under `key` and where its saga stands; 404 when no order has it.
#[utoipa::path(get, path = "/orders/{key}", summary = "The order placed with an Idempotency-Key, and whether it stands",
    params(("key" = String, Path, pattern = "^[A-Za-z0-9._:-]{1,128}$", description = "The order's Idempotency-Key")),
    responses(
        (status = 200, description = "The order: pending, confirmed, cancelling or cancelled", body = OrderRecord),
        (status = 404, description = "No order has the key", body = ErrorBody),
        (status = 422, description = "A malformed key", body = ErrorBody),
    ))]
async fn order_by_key(State(state): State<AppState>, Path(key): Path<String>) -> Result<Json<OrderRecord>, ApiError> {
    let key = IdempotencyKey::parse(&key)?;
    state
        .orders
        .get(key.to_string())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no order has key {key}")))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct ItemQuery {
    /// The item whose orders to list.
    item_id: i64,
}

/// 200 with every order of the item, oldest first, whatever its state (for reconciliation).
#[utoipa::path(get, path = "/orders", summary = "Every order of an item and where it stands",
    params(ItemQuery),
    responses((status = 200, description = "The item's orders, oldest first", body = Vec<OrderRecord>)))]
async fn orders_of_item(
    State(state): State<AppState>,
    Query(query): Query<ItemQuery>,
) -> Result<Json<Vec<OrderRecord>>, ApiError> {
    Ok(Json(state.orders.of_item(query.item_id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
struct ItemDetails {
    item_id: i64,
    item_name: String,
    item_price: i64,
    item_quantity_remaining: i64,
}

/// 200 with name (item), price (accounting) and stock (inventory; 0 when not stocked), asked
/// for concurrently; 404 when item or accounting do not know the item.
#[utoipa::path(get, path = "/items/{item_id}", summary = "An item's name, price and stock, asked of three neighbours at once",
    params(("item_id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The item (stock 0 when not stocked)", body = ItemDetails),
        (status = 404, description = "item-service or accounting-service does not know the item", body = ErrorBody),
        (status = 502, description = "A neighbour answered outside its contract", body = ErrorBody),
        (status = 503, description = "A neighbour could not be reached in time", body = ErrorBody),
    ))]
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
