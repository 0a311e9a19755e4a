//! `GET /metrics`: counts of what the broker holds, in the official broker's shape.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::Value;

use super::ApiError;
use super::hal::Hal;
use crate::AppState;
use crate::views::metrics::metrics;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(show))
}

async fn show(State(state): State<AppState>) -> Result<Hal<Value>, ApiError> {
    Ok(Hal::ok(metrics(&state.store.metrics().await?)))
}
