//! HTTP API: `GET /items/{item_id}` and `PUT /items/{item_id}`.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use service_kit::extract::{Json, Path};
use service_kit::{ApiError, error::require};

use crate::AppState;
use crate::storage::ItemPrice;

pub fn router() -> Router<AppState> {
    Router::new().route("/items/{item_id}", get(get_price).put(set_price))
}

/// 200 with the price; 404 when the item has none.
async fn get_price(State(state): State<AppState>, Path(item_id): Path<i64>) -> Result<Json<ItemPrice>, ApiError> {
    state
        .prices
        .get(item_id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("item {item_id} has no price")))
}

#[derive(Debug, Deserialize)]
struct SetPrice {
    price: i64,
    #[serde(default)]
    tax: Option<f64>,
}

/// 200 with the stored price; 422 for a non-positive id, a negative price or a negative tax.
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
