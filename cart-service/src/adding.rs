//! Adding to a cart, as a saga that loses nothing: the line is written `pending` under its
//! idempotency key before catalog is asked, with the key catalog is asked to order under (made
//! up by cart, so no other caller of catalog can have used it; asking again can never order
//! twice), and the line becomes `added` (with the cart's totals, in
//! one transaction) or `failed`. It runs on its own task, so a caller hanging up cannot stop it
//! half-way. When catalog's answer does not arrive, cart asks catalog what became of the key;
//! if that cannot be known yet, the line stays `pending` and [`recover`] settles it later by
//! repeating the keyed order, which catalog answers from its record.

use std::time::Duration;

use service_kit::ApiError;
use service_kit::detached::now_ms;
use service_kit::error::Failure;
use service_kit::idempotency::IdempotencyKey;

use crate::AppState;
use crate::clients::catalog::{Order, OrderState};
use crate::storage::{Begun, Cart, CartLine, Completed, LineStatus};

/// How often a repeated request polls an add that is still being carried out.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

fn unknown_cart(id: i64) -> ApiError {
    ApiError::NotFound(format!("cart {id} does not exist"))
}

/// Adds the item to the cart under `key` (ordering it through catalog), or answers what the add
/// under `key` came to.
pub async fn add_to_cart(
    state: &AppState,
    key: IdempotencyKey,
    cart_id: i64,
    item_id: i64,
    quantity: i64,
) -> Result<Cart, ApiError> {
    let order_key = IdempotencyKey::derived("cart");
    let begun = state
        .carts
        .begin(
            key.to_string(),
            order_key.to_string(),
            cart_id,
            item_id,
            quantity,
            now_ms(),
        )
        .await?;
    match begun {
        Begun::UnknownCart => Err(unknown_cart(cart_id)),
        Begun::Existing(line) => answer_again(state, &key, line, (cart_id, item_id, quantity)).await,
        Begun::New => {
            let state = state.clone();
            let add = Add {
                key,
                order_key,
                item_id,
                quantity,
            };
            service_kit::detached::run_to_completion(async move { settle(&state, &add).await }).await
        }
    }
}

async fn answer_again(
    state: &AppState,
    key: &IdempotencyKey,
    mut line: CartLine,
    request: (i64, i64, i64),
) -> Result<Cart, ApiError> {
    if (line.cart_id, line.item_id, line.quantity) != request {
        return Err(ApiError::Invalid(format!(
            "Idempotency-Key {key} was already used to add {} units of item {} to cart {}",
            line.quantity, line.item_id, line.cart_id
        )));
    }
    let deadline = tokio::time::Instant::now() + state.settings.repeat_wait;
    while line.status == LineStatus::Pending && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(POLL_INTERVAL).await;
        line = state.carts.line(key.to_string()).await?.unwrap_or(line);
    }
    answer(state, key, &line).await
}

async fn answer(state: &AppState, key: &IdempotencyKey, line: &CartLine) -> Result<Cart, ApiError> {
    match (line.status, &line.failure) {
        (LineStatus::Added, _) => state
            .carts
            .get(line.cart_id)
            .await?
            .ok_or_else(|| unknown_cart(line.cart_id)),
        (LineStatus::Failed, Some(failure)) => Err(failure.to_error()),
        _ => Err(ApiError::Unavailable(format!(
            "the add with key {key} is still being carried out; ask again with the same Idempotency-Key"
        ))),
    }
}

/// A pending add: the line's key, and the key its order has in catalog.
struct Add {
    key: IdempotencyKey,
    order_key: IdempotencyKey,
    item_id: i64,
    quantity: i64,
}

/// Orders under the add's order key and records what came of it; when that cannot be known,
/// leaves the line `pending` and answers 503.
async fn settle(state: &AppState, add: &Add) -> Result<Cart, ApiError> {
    let Add {
        key,
        order_key,
        item_id,
        quantity,
    } = add;
    let (item_id, quantity) = (*item_id, *quantity);
    let error = match state.catalog.order(order_key, item_id, quantity).await {
        Ok(Order::Placed { total_price }) => return complete(state, key, total_price).await,
        Ok(Order::OutOfStock(reason)) => return fail(state, key, ApiError::BadRequest(reason)).await,
        Ok(Order::UnknownItem(reason)) => return fail(state, key, ApiError::NotFound(reason)).await,
        Err(error) => ApiError::from(error),
    };
    // No answer, or an error whose cause is not known here: catalog's record of the key decides.
    match state.catalog.order_state(order_key).await {
        Ok(OrderState::Confirmed { total_price }) => complete(state, key, total_price).await,
        Ok(OrderState::Cancelled) => fail(state, key, error).await,
        Ok(OrderState::Unsettled | OrderState::Unknown) | Err(_) => {
            tracing::warn!(%key, %order_key, item_id, quantity, %error, "order outcome not known yet; the line stays pending for recovery");
            Err(error)
        }
    }
}

async fn complete(state: &AppState, key: &IdempotencyKey, total_cost: i64) -> Result<Cart, ApiError> {
    match state.carts.complete(key.to_string(), total_cost).await? {
        Completed::Added(cart) => Ok(cart),
        Completed::TooLarge => {
            tracing::warn!(%key, total_cost, "ordered, but the cart's total for the item would overflow; not added");
            decided(state, key).await
        }
        Completed::NotPending => decided(state, key).await,
    }
}

async fn fail(state: &AppState, key: &IdempotencyKey, error: ApiError) -> Result<Cart, ApiError> {
    if state.carts.fail(key.to_string(), Failure::of(&error)).await? {
        return Err(error);
    }
    decided(state, key).await
}

/// The answer for a line decided elsewhere (recovery, or the overflow check).
async fn decided(state: &AppState, key: &IdempotencyKey) -> Result<Cart, ApiError> {
    match state.carts.line(key.to_string()).await? {
        Some(line) => answer(state, key, &line).await,
        None => Err(ApiError::Internal(anyhow::anyhow!("cart line {key} disappeared"))),
    }
}

/// Settles every add still `pending` that started before `started_before_ms` by repeating its
/// keyed order: catalog answers from its record (or places it, if the first request never
/// arrived). Returns how many it settled.
pub async fn recover(state: &AppState, started_before_ms: i64) -> Result<usize, ApiError> {
    let mut settled = 0;
    for line in state.carts.pending(started_before_ms).await? {
        let (Ok(key), Ok(order_key)) = (IdempotencyKey::parse(&line.key), IdempotencyKey::parse(&line.order_key))
        else {
            continue;
        };
        let add = Add {
            key,
            order_key,
            item_id: line.item_id,
            quantity: line.quantity,
        };
        let _ = settle(state, &add).await;
        if state
            .carts
            .line(line.key.clone())
            .await?
            .is_some_and(|line| line.status != LineStatus::Pending)
        {
            settled += 1;
        }
    }
    Ok(settled)
}

/// Runs [`recover`] at start-up and then periodically.
pub fn spawn_recovery(state: AppState) -> tokio::task::JoinHandle<()> {
    service_kit::detached::spawn_recovery("cart lines", state.settings, move |started_before| {
        let state = state.clone();
        async move { recover(&state, started_before).await }
    })
}
