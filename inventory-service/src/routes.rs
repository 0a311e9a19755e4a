//! HTTP API: read, take, put back and set the stock of an item.
//!
//! - `GET /items/{item_id}` → `{"item_id", "quantity"}`
//! - `PATCH /items/{item_id}` `{"quantity_delta": n}` takes n units out of stock
//! - `POST /items/{item_id}/restock` `{"quantity": n}` puts n units back (compensation)
//! - `PUT /items/{item_id}` `{"quantity": n}` sets the stock

use axum::extract::State;
use serde::Deserialize;
use service_kit::extract::{Json, Path};
use service_kit::openapi::ErrorBody;
use service_kit::{ApiError, error::require, error::require_between};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::storage::{Stock, Take};

/// Largest number of units one request may take, put back or set, so sums cannot overflow.
pub const MAX_UNITS: i64 = 1_000_000_000;

#[derive(OpenApi)]
struct ApiDoc;

/// The routes, and the OpenAPI document generated from the same handlers.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(get_stock, take_stock, set_stock))
        .routes(routes!(put_back_stock))
}

fn unknown_item(item_id: i64) -> ApiError {
    ApiError::NotFound(format!("item {item_id} is not stocked"))
}

fn require_units(units: i64, field: &str) -> Result<(), ApiError> {
    require_between(field, units, 1..=MAX_UNITS)
}

/// 200 with the stock; 404 when the item is not stocked.
#[utoipa::path(get, path = "/items/{item_id}", summary = "Units of an item in stock",
    params(("item_id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The stock", body = Stock),
        (status = 404, description = "The item is not stocked", body = ErrorBody),
    ))]
async fn get_stock(State(state): State<AppState>, Path(item_id): Path<i64>) -> Result<Json<Stock>, ApiError> {
    state
        .stock
        .get(item_id)
        .await?
        .map(Json)
        .ok_or_else(|| unknown_item(item_id))
}

#[derive(Debug, Deserialize, ToSchema)]
struct TakeStock {
    /// Units to take out of stock.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    quantity_delta: i64,
}

/// 200 with what is left; 400 when fewer units are in stock (nothing taken); 404 unknown item;
/// 422 for a delta outside 1..=MAX_UNITS.
#[utoipa::path(patch, path = "/items/{item_id}", summary = "Take units out of stock, all or nothing",
    params(("item_id" = i64, Path, description = "Item id")),
    request_body = TakeStock,
    responses(
        (status = 200, description = "Taken; the stock that is left", body = Stock),
        (status = 400, description = "Fewer units in stock than asked for; nothing taken", body = ErrorBody),
        (status = 404, description = "The item is not stocked", body = ErrorBody),
        (status = 422, description = "quantity_delta outside 1..=1000000000", body = ErrorBody),
    ))]
async fn take_stock(
    State(state): State<AppState>,
    Path(item_id): Path<i64>,
    Json(body): Json<TakeStock>,
) -> Result<Json<Stock>, ApiError> {
    require_units(body.quantity_delta, "quantity_delta")?;
    match state.stock.take(item_id, body.quantity_delta).await? {
        Take::Taken(stock) => Ok(Json(stock)),
        Take::Insufficient { available } => Err(ApiError::BadRequest(format!(
            "insufficient stock: {available} units of item {item_id} in stock, {} requested",
            body.quantity_delta
        ))),
        Take::UnknownItem => Err(unknown_item(item_id)),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
struct PutBack {
    /// Units to put back.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    quantity: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
struct Units {
    /// Units to have in stock.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    quantity: i64,
}

/// 200 with the stock after putting units back; 404 unknown item; 422 outside 1..=MAX_UNITS.
#[utoipa::path(post, path = "/items/{item_id}/restock", summary = "Put units back into stock",
    params(("item_id" = i64, Path, description = "Item id")),
    request_body = PutBack,
    responses(
        (status = 200, description = "The stock after putting the units back", body = Stock),
        (status = 404, description = "The item is not stocked", body = ErrorBody),
        (status = 422, description = "quantity outside 1..=1000000000", body = ErrorBody),
    ))]
async fn put_back_stock(
    State(state): State<AppState>,
    Path(item_id): Path<i64>,
    Json(body): Json<PutBack>,
) -> Result<Json<Stock>, ApiError> {
    require_units(body.quantity, "quantity")?;
    state
        .stock
        .put_back(item_id, body.quantity)
        .await?
        .map(Json)
        .ok_or_else(|| unknown_item(item_id))
}

/// 200 with the stock as set; 422 for a non-positive id or a quantity outside 0..=MAX_UNITS.
#[utoipa::path(put, path = "/items/{item_id}", summary = "Set the units in stock",
    params(("item_id" = i64, Path, description = "Item id")),
    request_body = Units,
    responses(
        (status = 200, description = "The stock as set", body = Stock),
        (status = 422, description = "A non-positive id or a quantity outside 0..=1000000000", body = ErrorBody),
    ))]
async fn set_stock(
    State(state): State<AppState>,
    Path(item_id): Path<i64>,
    Json(body): Json<Units>,
) -> Result<Json<Stock>, ApiError> {
    require(item_id > 0, "item_id must be a positive integer")?;
    require_between("quantity", body.quantity, 0..=MAX_UNITS)?;
    Ok(Json(
        state
            .stock
            .set(Stock {
                item_id,
                quantity: body.quantity,
            })
            .await?,
    ))
}
