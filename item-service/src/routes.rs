//! HTTP API: `GET /items`, `GET /items/{id}`, `POST /items`.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::routing::get;
use serde::Deserialize;
use service_kit::extract::{Json, Path};
use service_kit::{ApiError, error::require};

use crate::AppState;
use crate::storage::Item;

/// Longest name and description accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/items", get(list_items).post(create_item))
        .route("/items/{id}", get(get_item))
}

/// 200 with every item, ordered by id.
async fn list_items(State(state): State<AppState>) -> Result<Json<Vec<Item>>, ApiError> {
    Ok(Json(state.items.list().await?))
}

/// 200 with the item; 404 when there is none with that id.
async fn get_item(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Item>, ApiError> {
    state
        .items
        .get(id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("item {id} does not exist")))
}

#[derive(Debug, Deserialize)]
struct NewItem {
    name: String,
    #[serde(default)]
    description: String,
}

/// 201 with the stored item and its `Location`; 422 for an empty or overlong name or description.
async fn create_item(
    State(state): State<AppState>,
    Json(new): Json<NewItem>,
) -> Result<(StatusCode, [(header::HeaderName, String); 1], Json<Item>), ApiError> {
    let name = new.name.trim().to_owned();
    require(!name.is_empty(), "name must not be empty")?;
    require(
        name.chars().count() <= MAX_NAME_CHARS,
        format!("name must be at most {MAX_NAME_CHARS} characters"),
    )?;
    require(
        new.description.chars().count() <= MAX_DESCRIPTION_CHARS,
        format!("description must be at most {MAX_DESCRIPTION_CHARS} characters"),
    )?;
    let item = state.items.create(name, new.description).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/items/{}", item.id))],
        Json(item),
    ))
}
