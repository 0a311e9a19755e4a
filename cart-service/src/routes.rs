//! HTTP API: `POST /carts`, `GET /carts/{id}`, `GET /carts/{id}/lines`, `PATCH /carts`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use service_kit::extract::{Json, Path};
use service_kit::idempotency::{self, KeyOrNew};
use service_kit::openapi::ErrorBody;
use service_kit::{ApiError, error::require_between};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::storage::{Cart, CartLine};

/// Most units one request may add.
pub const MAX_QUANTITY: i64 = 1_000_000;

#[derive(OpenApi)]
struct ApiDoc;

/// The routes, and the OpenAPI document generated from the same handlers.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(create_cart, add_to_cart))
        .routes(routes!(get_cart))
        .routes(routes!(cart_lines))
}

fn unknown_cart(id: i64) -> ApiError {
    ApiError::NotFound(format!("cart {id} does not exist"))
}

/// 201 `{"id", "items": []}` with its `Location`.
#[utoipa::path(post, path = "/carts", summary = "Create an empty cart",
    responses((status = 201, description = "Created; `Location` names it", body = Cart,
        headers(("location" = String, description = "/carts/{id}")))))]
async fn create_cart(
    State(state): State<AppState>,
) -> Result<(StatusCode, [(header::HeaderName, String); 1], Json<Cart>), ApiError> {
    let cart = state.carts.create().await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/carts/{}", cart.id))],
        Json(cart),
    ))
}

/// 200 with the cart; 404 when there is none with that id.
#[utoipa::path(get, path = "/carts/{id}", summary = "A cart and its items",
    params(("id" = i64, Path, description = "Cart id")),
    responses(
        (status = 200, description = "The cart", body = Cart),
        (status = 404, description = "No cart has that id", body = ErrorBody),
    ))]
async fn get_cart(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Cart>, ApiError> {
    state.carts.get(id).await?.map(Json).ok_or_else(|| unknown_cart(id))
}

#[derive(Debug, Deserialize, ToSchema)]
struct AddToCart {
    cart_id: i64,
    item_id: i64,
    #[schema(minimum = 1, maximum = 1_000_000)]
    quantity: i64,
}

/// Every add to the cart under its idempotency key, whatever it came to (pending, added,
/// failed): what reconciliation with catalog's orders reads.
#[utoipa::path(get, path = "/carts/{id}/lines", summary = "Every add to a cart and what it came to",
    params(("id" = i64, Path, description = "Cart id")),
    responses(
        (status = 200, description = "The cart's adds, in key order", body = Vec<CartLine>),
        (status = 404, description = "No cart has that id", body = ErrorBody),
    ))]
async fn cart_lines(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Vec<CartLine>>, ApiError> {
    state.carts.lines(id).await?.map(Json).ok_or_else(|| unknown_cart(id))
}

/// Orders the item through catalog and adds it to the cart: 200 with the cart; 400 when catalog
/// says stock is short; 404 for an unknown cart (checked before ordering) or item; 422 for a
/// quantity outside 1..=MAX_QUANTITY or a key already used for another add; 502/503 when catalog
/// fails. The same `Idempotency-Key` again gets the same answer and never orders twice; the key
/// (the caller's, or a new one) is echoed in the `Idempotency-Key` response header.
#[utoipa::path(patch, path = "/carts", summary = "Order an item through catalog and add it to a cart; once per Idempotency-Key",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[A-Za-z0-9._:-]{1,128}$",
        description = "The same key again answers the same outcome, never a second order (one is made up when absent)")),
    request_body = AddToCart,
    responses(
        (status = 200, description = "The cart with the item added", body = Cart,
            headers(("idempotency-key" = String, description = "The add's key"))),
        (status = 400, description = "Catalog says fewer units are in stock", body = ErrorBody),
        (status = 404, description = "Unknown cart (nothing ordered) or item", body = ErrorBody),
        (status = 422, description = "quantity outside 1..=1000000, the item's total in the cart would not fit in 64 bits, a malformed key, or a key used for another add", body = ErrorBody),
        (status = 502, description = "Catalog answered outside its contract", body = ErrorBody),
        (status = 503, description = "Catalog could not be reached in time (the add is settled later under its key)", body = ErrorBody),
    ))]
async fn add_to_cart(
    State(state): State<AppState>,
    KeyOrNew(key): KeyOrNew,
    Json(request): Json<AddToCart>,
) -> Result<(HeaderMap, Json<Cart>), ApiError> {
    require_between("quantity", request.quantity, 1..=MAX_QUANTITY)?;
    let mut headers = HeaderMap::new();
    headers.insert(idempotency::HEADER, key.header_value());
    let cart = crate::adding::add_to_cart(&state, key, request.cart_id, request.item_id, request.quantity).await?;
    Ok((headers, Json(cart)))
}
