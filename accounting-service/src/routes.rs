//! HTTP API: `GET /items/{item_id}` and `PUT /items/{item_id}`.

use axum::extract::State;
use serde::Deserialize;
use service_kit::extract::{Json, Path};
use service_kit::openapi::ErrorBody;
use service_kit::{ApiError, error::require};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::storage::ItemPrice;

#[derive(OpenApi)]
struct ApiDoc;

/// The routes, and the OpenAPI document generated from the same handlers.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).routes(routes!(get_price, set_price))
}

/// 200 with the price; 404 when the item has none.
#[utoipa::path(get, path = "/items/{item_id}", summary = "The price and tax of an item",
    params(("item_id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The price", body = ItemPrice),
        (status = 404, description = "The item has no price", body = ErrorBody),
    ))]
async fn get_price(State(state): State<AppState>, Path(item_id): Path<i64>) -> Result<Json<ItemPrice>, ApiError> {
    state
        .prices
        .get(item_id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("item {item_id} has no price")))
}

#[derive(Debug, Deserialize, ToSchema)]
struct SetPrice {
    /// In cents.
    #[schema(minimum = 0)]
    price: i64,
    /// Tax rate (0.2 = 20 %), or none.
    #[serde(default)]
    #[schema(minimum = 0)]
    tax: Option<f64>,
}

/// 200 with the stored price; 422 for a non-positive id, a negative price or a negative tax.
#[utoipa::path(put, path = "/items/{item_id}", summary = "Set the price and tax of an item",
    params(("item_id" = i64, Path, description = "Item id")),
    request_body = SetPrice,
    responses(
        (status = 200, description = "The price as stored", body = ItemPrice),
        (status = 422, description = "A non-positive id, a negative price or a negative tax", body = ErrorBody),
    ))]
async fn set_price(
    State(state): State<AppState>,
    Path(item_id): Path<i64>,
    Json(body): Json<SetPrice>,
) -> Result<Json<ItemPrice>, ApiError> {
    require(item_id > 0, "item_id must be a positive integer")?;
    require(body.price >= 0, "price must not be negative")?;
    require(body.tax.is_none_or(|tax| tax >= 0.0), "tax must not be negative")?;
    let stored = state
        .prices
        .set(ItemPrice {
            item_id,
            price: body.price,
            tax: body.tax,
        })
        .await?;
    Ok(Json(stored))
}
