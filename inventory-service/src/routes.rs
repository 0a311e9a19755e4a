//! HTTP API: read, take, put back and set the stock of an item.
//!
//! - `GET /items/{item_id}` → `{"item_id", "quantity"}`
//! - `PATCH /items/{item_id}` `{"quantity_delta": n}` takes n units out of stock
//! - `POST /items/{item_id}/restock` `{"quantity": n}` puts n units back (compensation)
//! - `PUT /items/{item_id}` `{"quantity": n}` sets the stock
//! - `GET /movements/{key}`, `POST /movements/{key}/cancel`, `GET /movements?item_id=`: the takes
//!   made with an `Idempotency-Key`, cancelling one, and an item's movements

use axum::extract::State;
use serde::Deserialize;
use service_kit::extract::{Json, Path, Query};
use service_kit::idempotency::{IdempotencyKey, OptionalKey};
use service_kit::openapi::ErrorBody;
use service_kit::{ApiError, error::require, error::require_between};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::storage::{Cancel, KeyedTake, Movement, Stock, Take};

/// Largest number of units one request may take, put back or set, so sums cannot overflow.
pub const MAX_UNITS: i64 = 1_000_000_000;

#[derive(OpenApi)]
struct ApiDoc;

/// The routes, and the OpenAPI document generated from the same handlers.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(get_stock, take_stock, set_stock))
        .routes(routes!(put_back_stock))
        .routes(routes!(get_movement))
        .routes(routes!(cancel_movement))
        .routes(routes!(list_movements))
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
/// 409 when the `Idempotency-Key` was cancelled before this take arrived (nothing taken); 422 for
/// a delta outside 1..=MAX_UNITS or a key already used for another item or quantity. With a key,
/// a repeated take changes nothing and gets the first answer.
#[utoipa::path(patch, path = "/items/{item_id}", summary = "Take units out of stock, all or nothing; at most once per Idempotency-Key",
    params(
        ("item_id" = i64, Path, description = "Item id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[A-Za-z0-9._:-]{1,128}$",
            description = "Applies the take at most once; a repeat gets the recorded answer"),
    ),
    request_body = TakeStock,
    responses(
        (status = 200, description = "Taken; the stock that is left", body = Stock),
        (status = 400, description = "Fewer units in stock than asked for; nothing taken", body = ErrorBody),
        (status = 404, description = "The item is not stocked", body = ErrorBody),
        (status = 409, description = "The key was cancelled before this take arrived; nothing taken", body = ErrorBody),
        (status = 422, description = "quantity_delta outside 1..=1000000000, a malformed key, or a key used for another take", body = ErrorBody),
    ))]
async fn take_stock(
    State(state): State<AppState>,
    Path(item_id): Path<i64>,
    OptionalKey(key): OptionalKey,
    Json(body): Json<TakeStock>,
) -> Result<Json<Stock>, ApiError> {
    require_units(body.quantity_delta, "quantity_delta")?;
    let take = match key {
        None => state.stock.take(item_id, body.quantity_delta).await?,
        Some(key) => match state
            .stock
            .take_with_key(key.to_string(), item_id, body.quantity_delta)
            .await?
        {
            KeyedTake::Done(take) => take,
            KeyedTake::Cancelled => {
                return Err(ApiError::Conflict(format!(
                    "the take with key {key} was cancelled; nothing was taken"
                )));
            }
            KeyedTake::KeyReused(movement) => return Err(key_reused(&movement)),
        },
    };
    match take {
        Take::Taken(stock) => Ok(Json(stock)),
        Take::Insufficient { available } => Err(ApiError::BadRequest(format!(
            "insufficient stock: {available} units of item {item_id} in stock, {} requested",
            body.quantity_delta
        ))),
        Take::UnknownItem => Err(unknown_item(item_id)),
    }
}

fn key_reused(movement: &Movement) -> ApiError {
    ApiError::Invalid(format!(
        "key {} was already used to take {} units of item {}",
        movement.key, movement.quantity, movement.item_id
    ))
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

/// 200 with the take made under `key` and what became of it; 404 when no take used the key.
#[utoipa::path(get, path = "/movements/{key}", summary = "What happened to the take made with an Idempotency-Key",
    params(("key" = String, Path, pattern = "^[A-Za-z0-9._:-]{1,128}$", description = "The take's Idempotency-Key")),
    responses(
        (status = 200, description = "The movement: taken, refused or cancelled", body = Movement),
        (status = 404, description = "No take used the key (and none was cancelled under it)", body = ErrorBody),
        (status = 422, description = "A malformed key", body = ErrorBody),
    ))]
async fn get_movement(State(state): State<AppState>, Path(key): Path<String>) -> Result<Json<Movement>, ApiError> {
    let key = IdempotencyKey::parse(&key)?;
    state
        .stock
        .movement(key.to_string())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no stock movement has key {key}")))
}

#[derive(Debug, Deserialize, ToSchema)]
struct CancelTake {
    /// The item the take was for.
    item_id: i64,
    /// The units the take was for.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    quantity: i64,
}

/// Cancels the take made, or still on its way, under `key`: taken units are put back once; a key
/// never seen is recorded as cancelled so a take arriving later takes nothing; a refused take
/// stays refused. Repeating it changes nothing. 422 when the key was used for another take.
#[utoipa::path(post, path = "/movements/{key}/cancel", summary = "Cancel the take made with an Idempotency-Key: put its units back, at most once",
    params(("key" = String, Path, pattern = "^[A-Za-z0-9._:-]{1,128}$", description = "The take's Idempotency-Key")),
    request_body = CancelTake,
    responses(
        (status = 200, description = "Cancelled (units back in stock, or the take fenced off), or refused (nothing was taken)", body = Movement),
        (status = 422, description = "quantity outside 1..=1000000000, a malformed key, or a key used for another take", body = ErrorBody),
    ))]
async fn cancel_movement(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Json(body): Json<CancelTake>,
) -> Result<Json<Movement>, ApiError> {
    let key = IdempotencyKey::parse(&key)?;
    require_units(body.quantity, "quantity")?;
    match state.stock.cancel(key.to_string(), body.item_id, body.quantity).await? {
        Cancel::Done(movement) => Ok(Json(movement)),
        Cancel::KeyReused(movement) => Err(key_reused(&movement)),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct ItemQuery {
    /// The item whose movements to list.
    item_id: i64,
}

/// 200 with every keyed take of the item, oldest first (what reconciliation and the chaos test read).
#[utoipa::path(get, path = "/movements", summary = "The keyed takes of an item and what became of them",
    params(ItemQuery),
    responses((status = 200, description = "The item's movements, oldest first", body = Vec<Movement>)))]
async fn list_movements(
    State(state): State<AppState>,
    Query(query): Query<ItemQuery>,
) -> Result<Json<Vec<Movement>>, ApiError> {
    Ok(Json(state.stock.movements(query.item_id).await?))
}
