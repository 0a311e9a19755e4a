//! HTTP API: `GET /items`, `GET /items/{id}`, `POST /items`.

use axum::extract::State;
use axum::http::{StatusCode, header};
use serde::Deserialize;
use service_kit::extract::{Json, Path};
use service_kit::openapi::ErrorBody;
use service_kit::{ApiError, error::require};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::storage::Item;

/// Longest name and description accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

#[derive(OpenApi)]
struct ApiDoc;

/// The routes, and the OpenAPI document generated from the same handlers.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_items, create_item))
        .routes(routes!(get_item))
}

/// 200 with every item, ordered by id.
#[utoipa::path(get, path = "/items", summary = "Every item, ordered by id",
    responses((status = 200, description = "Every item", body = Vec<Item>)))]
async fn list_items(State(state): State<AppState>) -> Result<Json<Vec<Item>>, ApiError> {
    Ok(Json(state.items.list().await?))
}

/// 200 with the item; 404 when there is none with that id.
#[utoipa::path(get, path = "/items/{id}", summary = "An item's name and description",
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The item", body = Item),
        (status = 404, description = "No item has that id", body = ErrorBody),
    ))]
async fn get_item(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Item>, ApiError> {
    state
        .items
        .get(id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("item {id} does not exist")))
}

#[derive(Debug, Deserialize, ToSchema)]
struct NewItem {
    /// 1 to 200 characters, not only spaces.
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    /// At most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    description: String,
}

/// A name as stored: trimmed, not empty, at most MAX_NAME_CHARS, no control characters (SQLite
/// measures text only up to a NUL, so "\u{0}mug" would otherwise break the table's CHECK).
pub fn valid_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    require(!name.is_empty(), "name must not be empty")?;
    require(
        name.chars().count() <= MAX_NAME_CHARS,
        format!("name must be at most {MAX_NAME_CHARS} characters"),
    )?;
    require(
        !name.chars().any(char::is_control),
        "name must not contain control characters",
    )?;
    Ok(name.to_owned())
}

/// 201 with the stored item and its `Location`; 422 for an empty or overlong name or description.
#[utoipa::path(post, path = "/items", summary = "Create an item",
    request_body = NewItem,
    responses(
        (status = 201, description = "Created; `Location` names it", body = Item,
            headers(("location" = String, description = "/items/{id}"))),
        (status = 422, description = "An empty or overlong name, or an overlong description", body = ErrorBody),
    ))]
async fn create_item(
    State(state): State<AppState>,
    Json(new): Json<NewItem>,
) -> Result<(StatusCode, [(header::HeaderName, String); 1], Json<Item>), ApiError> {
    let name = valid_name(&new.name)?;
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
