//! HTTP API: `POST /order` and `GET /items/{item_id}`.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use service_kit::extract::{Json, Path};
use service_kit::openapi::ErrorBody;
use service_kit::{ApiError, error::require_between};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::orders::place_order;
use crate::storage::Order;

/// Most units one order may ask for.
pub const MAX_ORDER_QUANTITY: i64 = 1_000_000;

#[derive(OpenApi)]
struct ApiDoc;

/// The routes, and the OpenAPI document generated from the same handlers.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(order))
        .routes(routes!(item_details))
}

#[derive(Debug, Deserialize, ToSchema)]
struct OrderRequest {
    item_id: i64,
    #[schema(minimum = 1, maximum = 1_000_000)]
    quantity: i64,
}

/// 200 `{"order_id", "item_id", "quantity", "total_price"}`; 400 when stock is short; 404 for an
/// unknown item; 422 for a quantity outside 1..=MAX_ORDER_QUANTITY; 502/503 when a neighbour
/// fails (stock already taken is put back).
#[utoipa::path(post, path = "/order", summary = "Order an item: take the stock, price it, record the order",
    request_body = OrderRequest,
    responses(
        (status = 200, description = "Ordered", body = Order),
        (status = 400, description = "Fewer units in stock than ordered; nothing taken", body = ErrorBody),
        (status = 404, description = "Unknown item, or an item without a price (stock put back)", body = ErrorBody),
        (status = 422, description = "quantity outside 1..=1000000, or the total is too large", body = ErrorBody),
        (status = 502, description = "A neighbour answered outside its contract (stock put back)", body = ErrorBody),
        (status = 503, description = "A neighbour could not be reached in time (stock put back)", body = ErrorBody),
    ))]
async fn order(State(state): State<AppState>, Json(request): Json<OrderRequest>) -> Result<Json<Order>, ApiError> {
    require_between("quantity", request.quantity, 1..=MAX_ORDER_QUANTITY)?;
    Ok(Json(place_order(&state, request.item_id, request.quantity).await?))
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
