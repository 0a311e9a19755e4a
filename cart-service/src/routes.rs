//! HTTP API: `POST /carts`, `GET /carts/{id}`, `PATCH /carts`.

use axum::extract::State;
use axum::http::{StatusCode, header};
use serde::Deserialize;
use service_kit::extract::{Json, Path};
use service_kit::openapi::ErrorBody;
use service_kit::{ApiError, error::require_between};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::clients::catalog::Order;
use crate::storage::{Added, Cart, CartItem};

/// Most units one request may add.
pub const MAX_QUANTITY: i64 = 1_000_000;

#[derive(OpenApi)]
struct ApiDoc;

/// The routes, and the OpenAPI document generated from the same handlers.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(create_cart, add_to_cart))
        .routes(routes!(get_cart))
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

/// Orders the item through catalog and adds it to the cart: 200 with the cart; 400 when catalog
/// says stock is short; 404 for an unknown cart (checked before ordering) or item; 422 for a
/// quantity outside 1..=MAX_QUANTITY; 502/503 when catalog fails.
#[utoipa::path(patch, path = "/carts", summary = "Order an item through catalog and add it to a cart",
    request_body = AddToCart,
    responses(
        (status = 200, description = "The cart with the item added", body = Cart),
        (status = 400, description = "Catalog says fewer units are in stock", body = ErrorBody),
        (status = 404, description = "Unknown cart (nothing ordered) or item", body = ErrorBody),
        (status = 422, description = "quantity outside 1..=1000000, or the item's total in the cart would not fit in 64 bits", body = ErrorBody),
        (status = 502, description = "Catalog answered outside its contract", body = ErrorBody),
        (status = 503, description = "Catalog could not be reached in time", body = ErrorBody),
    ))]
async fn add_to_cart(State(state): State<AppState>, Json(request): Json<AddToCart>) -> Result<Json<Cart>, ApiError> {
    require_between("quantity", request.quantity, 1..=MAX_QUANTITY)?;
    if !state.carts.exists(request.cart_id).await? {
        return Err(unknown_cart(request.cart_id));
    }
    let total_cost = match state.catalog.order(request.item_id, request.quantity).await? {
        Order::Placed { total_price } => total_price,
        Order::OutOfStock(reason) => return Err(ApiError::BadRequest(reason)),
        Order::UnknownItem(reason) => return Err(ApiError::NotFound(reason)),
    };
    let item = CartItem {
        item_id: request.item_id,
        item_quantity: request.quantity,
        total_cost,
    };
    match state.carts.add(request.cart_id, item).await? {
        Added::Added(cart) => Ok(Json(cart)),
        Added::UnknownCart => Err(unknown_cart(request.cart_id)),
        Added::TooLarge => {
            tracing::warn!(
                cart_id = request.cart_id,
                item_id = request.item_id,
                total_cost,
                "ordered, but the cart's total for the item would overflow; not added"
            );
            Err(ApiError::Invalid(format!(
                "the total of item {} in cart {} would be too large",
                request.item_id, request.cart_id
            )))
        }
    }
}
