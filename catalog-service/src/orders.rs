//! Placing an order, as a saga that loses nothing:
//!
//! 1. the order is written `pending` under its idempotency key before any neighbour is called;
//! 2. stock is taken under the order's stock key (so inventory applies it at most once, and a
//!    retry after an answer that never arrived is safe) while the price is read. The stock key is
//!    made up by catalog and written with the order, not the caller's key passed on: another
//!    client of inventory could have used the caller's key for a take of its own;
//! 3. the order is confirmed, or cancelled: `cancelling` is recorded first, then inventory
//!    cancels the key (units put back once, or the key fenced off if the take never landed),
//!    then `cancelled`.
//!
//! The saga runs on its own task ([`service_kit::detached`]): a caller hanging up cannot stop
//! it half-way. Whatever it cannot finish (catalog killed, inventory unreachable while
//! cancelling) stays `pending` or `cancelling` in the database, and [`recover`] finishes it, at
//! start-up and periodically, through the same keys. An answer that did not arrive is never read
//! as "nothing happened": the take is retried by key, and if it still cannot be known, the key is
//! cancelled, which settles it either way.

use std::time::Duration;

use service_kit::ApiError;
use service_kit::client::UpstreamError;
use service_kit::detached::now_ms;
use service_kit::idempotency::IdempotencyKey;

use crate::AppState;
use crate::clients::inventory::{MovementState, TakeStock};
use crate::storage::{Begun, Failure, Order, OrderRecord, Status};

/// Attempts at a keyed call to inventory (take or cancel) whose answer did not arrive.
const ATTEMPTS: u32 = 3;
/// Pause before the second attempt; doubled before each later one.
const FIRST_BACKOFF: Duration = Duration::from_millis(20);
/// How often a repeated request polls an order that is still being placed.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Places the order under `key`, or answers what the order under `key` came to.
pub async fn place_order(
    state: &AppState,
    key: IdempotencyKey,
    item_id: i64,
    quantity: i64,
) -> Result<Order, ApiError> {
    let stock_key = IdempotencyKey::derived("catalog");
    let begun = state
        .orders
        .begin(key.to_string(), stock_key.to_string(), item_id, quantity, now_ms())
        .await?;
    match begun {
        Begun::Existing(order) => answer_again(state, &key, order, item_id, quantity).await,
        Begun::New(_) => {
            let state = state.clone();
            service_kit::detached::run_to_completion(
                async move { run(&state, &key, &stock_key, item_id, quantity).await },
            )
            .await
        }
    }
}

/// A repeated request: the recorded answer, once the order is decided (waiting a little if it
/// is still being placed).
async fn answer_again(
    state: &AppState,
    key: &IdempotencyKey,
    mut order: OrderRecord,
    item_id: i64,
    quantity: i64,
) -> Result<Order, ApiError> {
    if (order.item_id, order.quantity) != (item_id, quantity) {
        return Err(ApiError::Invalid(format!(
            "Idempotency-Key {key} was already used to order {} units of item {}",
            order.quantity, order.item_id
        )));
    }
    let deadline = tokio::time::Instant::now() + state.settings.repeat_wait;
    while matches!(order.status, Status::Pending | Status::Cancelling) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(POLL_INTERVAL).await;
        order = state.orders.get(key.to_string()).await?.unwrap_or(order);
    }
    answer(key, &order)
}

/// The answer an order's state stands for.
fn answer(key: &IdempotencyKey, order: &OrderRecord) -> Result<Order, ApiError> {
    if let Some(confirmed) = order.confirmed() {
        return Ok(confirmed);
    }
    match (&order.status, &order.failure) {
        (Status::Cancelled | Status::Cancelling, Some(failure)) => Err(failure.to_error()),
        _ => Err(ApiError::Unavailable(format!(
            "order {key} is still being placed; ask again with the same Idempotency-Key"
        ))),
    }
}

/// What the order under `key` came to, when someone else (recovery) decided it.
async fn decided_elsewhere(state: &AppState, key: &IdempotencyKey) -> Result<Order, ApiError> {
    match state.orders.get(key.to_string()).await? {
        Some(order) => answer(key, &order),
        None => Err(ApiError::Internal(anyhow::anyhow!("order {key} disappeared"))),
    }
}

/// What a keyed take came to, once retries are spent.
enum TakeOutcome {
    Taken,
    /// Refused (short stock, unknown item): nothing taken; the error for the caller.
    Refused(ApiError),
    /// The key was cancelled before the take landed (recovery decided the order).
    Fenced,
    /// No answer could be had: the take may or may not have landed.
    Unknown(UpstreamError),
}

async fn run(
    state: &AppState,
    key: &IdempotencyKey,
    stock_key: &IdempotencyKey,
    item_id: i64,
    quantity: i64,
) -> Result<Order, ApiError> {
    // The price is asked for while the stock is taken: one round trip less on every order. A
    // stock refusal still wins over a pricing error, as if the price had never been asked for.
    let (taken, price) = tokio::join!(take(state, stock_key, item_id, quantity), price_of(state, item_id));
    match taken {
        TakeOutcome::Taken => {}
        TakeOutcome::Refused(error) => {
            let failure = Some(Failure::of(&error));
            if state
                .orders
                .transition(key.to_string(), Status::Pending, Status::Cancelled, failure)
                .await?
            {
                return Err(error);
            }
            return decided_elsewhere(state, key).await;
        }
        TakeOutcome::Fenced => return decided_elsewhere(state, key).await,
        TakeOutcome::Unknown(error) => return cancel(state, key, stock_key, item_id, quantity, error.into()).await,
    }
    let priced = price.and_then(|unit_price| Ok((unit_price, total(unit_price, quantity)?)));
    match priced {
        Ok((unit_price, total_price)) => match state.orders.confirm(key.to_string(), unit_price, total_price).await {
            Ok(Some(order)) => Ok(order),
            Ok(None) => decided_elsewhere(state, key).await,
            Err(error) => cancel(state, key, stock_key, item_id, quantity, error).await,
        },
        Err(error) => cancel(state, key, stock_key, item_id, quantity, error).await,
    }
}

/// Takes the stock under `stock_key`, retrying while the answer does not arrive: the key makes a
/// retry of a take that did land answer what the first one did.
async fn take(state: &AppState, stock_key: &IdempotencyKey, item_id: i64, quantity: i64) -> TakeOutcome {
    let outcome = with_retries(|| state.inventory.take(stock_key, item_id, quantity)).await;
    match outcome {
        Ok(TakeStock::Taken { .. }) => TakeOutcome::Taken,
        Ok(TakeStock::Insufficient(reason)) => TakeOutcome::Refused(ApiError::BadRequest(reason)),
        Ok(TakeStock::UnknownItem) => {
            TakeOutcome::Refused(ApiError::NotFound(format!("item {item_id} does not exist")))
        }
        Ok(TakeStock::Cancelled) => TakeOutcome::Fenced,
        Err(error) => TakeOutcome::Unknown(error),
    }
}

/// Calls `call` up to [`ATTEMPTS`] times while it fails without an answer the contract knows.
async fn with_retries<T, F, Fut>(mut call: F) -> Result<T, UpstreamError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, UpstreamError>>,
{
    let mut backoff = FIRST_BACKOFF;
    let mut attempt = 1;
    loop {
        match call().await {
            Err(error) if attempt < ATTEMPTS => {
                tracing::warn!(attempt, %error, "no usable answer from inventory; retrying with the same key");
                tokio::time::sleep(backoff).await;
                backoff *= 2;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

async fn price_of(state: &AppState, item_id: i64) -> Result<i64, ApiError> {
    let price = state
        .accounting
        .price(item_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("item {item_id} has no price")))?;
    Ok(price.price)
}

fn total(unit_price: i64, quantity: i64) -> Result<i64, ApiError> {
    unit_price
        .checked_mul(quantity)
        .ok_or_else(|| ApiError::Invalid(format!("the total of {quantity} × {unit_price} is too large")))
}

/// Decides the order against (`pending → cancelling`, with the caller's error), cancels the
/// key in inventory, then records it `cancelled`. Answers `error` when this call decided it;
/// what was decided otherwise.
async fn cancel(
    state: &AppState,
    key: &IdempotencyKey,
    stock_key: &IdempotencyKey,
    item_id: i64,
    quantity: i64,
    error: ApiError,
) -> Result<Order, ApiError> {
    tracing::warn!(%key, item_id, quantity, %error, "order cannot be completed; cancelling its stock take");
    let failure = Some(Failure::of(&error));
    if !state
        .orders
        .transition(key.to_string(), Status::Pending, Status::Cancelling, failure)
        .await?
    {
        return decided_elsewhere(state, key).await;
    }
    finish_cancelling(state, key, stock_key, item_id, quantity).await;
    Err(error)
}

/// Cancels the key in inventory and records the order `cancelled`; when inventory cannot be
/// reached, the order stays `cancelling` for [`recover`] to finish.
async fn finish_cancelling(
    state: &AppState,
    key: &IdempotencyKey,
    stock_key: &IdempotencyKey,
    item_id: i64,
    quantity: i64,
) {
    match with_retries(|| state.inventory.cancel(stock_key, item_id, quantity)).await {
        Ok(_) => {
            if let Err(error) = state
                .orders
                .transition(key.to_string(), Status::Cancelling, Status::Cancelled, None)
                .await
            {
                tracing::warn!(%key, %error, "stock take cancelled, order not yet marked; recovery will");
            }
        }
        Err(error) => tracing::warn!(%key, %error, "cannot cancel the stock take yet; recovery will retry"),
    }
}

/// Settles every order that started before `started_before_ms` and is still `pending` or
/// `cancelling`: asks inventory what became of its key, then confirms it (stock taken and a
/// price to be had) or cancels it. Returns how many it settled; an order whose neighbours
/// cannot be reached stays for the next round.
pub async fn recover(state: &AppState, started_before_ms: i64) -> Result<usize, ApiError> {
    let mut settled = 0;
    for order in state.orders.unresolved(started_before_ms).await? {
        let parse = |key: Option<&str>| key.and_then(|key| IdempotencyKey::parse(key).ok());
        let (Some(key), Some(stock_key)) = (parse(order.key.as_deref()), parse(order.stock_key.as_deref())) else {
            continue;
        };
        if recover_one(state, &key, &stock_key, &order).await {
            settled += 1;
        }
    }
    Ok(settled)
}

async fn recover_one(state: &AppState, key: &IdempotencyKey, stock_key: &IdempotencyKey, order: &OrderRecord) -> bool {
    let (item_id, quantity) = (order.item_id, order.quantity);
    let settled = async |status: Status| matches!(state.orders.get(key.to_string()).await, Ok(Some(order)) if order.status == status);
    if order.status == Status::Cancelling {
        finish_cancelling(state, key, stock_key, item_id, quantity).await;
        return settled(Status::Cancelled).await;
    }
    match state.inventory.movement(stock_key).await {
        Ok(Some(MovementState::Taken)) => match price_of(state, item_id)
            .await
            .and_then(|p| Ok((p, total(p, quantity)?)))
        {
            Ok((unit_price, total_price)) => {
                let confirmed = state.orders.confirm(key.to_string(), unit_price, total_price).await;
                tracing::info!(%key, ?confirmed, "recovered a pending order whose stock was taken: confirmed");
                settled(Status::Confirmed).await
            }
            Err(error @ (ApiError::NotFound(_) | ApiError::Invalid(_))) => {
                let _ = cancel(state, key, stock_key, item_id, quantity, error).await;
                settled(Status::Cancelled).await
            }
            Err(error) => {
                tracing::warn!(%key, %error, "pending order's stock is taken but it cannot be priced yet");
                false
            }
        },
        Ok(_) => {
            let error = ApiError::Unavailable(format!(
                "order {key} could not be completed in time and was cancelled; nothing was taken"
            ));
            let _ = cancel(state, key, stock_key, item_id, quantity, error).await;
            settled(Status::Cancelled).await
        }
        Err(error) => {
            tracing::warn!(%key, %error, "cannot ask inventory about a pending order yet");
            false
        }
    }
}

/// Runs [`recover`] at start-up and then periodically (see [`service_kit::detached::spawn_recovery`]);
/// a live order is younger than `recover_after`, and if one is not, the state transitions still
/// keep the two from both deciding it.
pub fn spawn_recovery(state: AppState) -> tokio::task::JoinHandle<()> {
    service_kit::detached::spawn_recovery("orders", state.settings, move |started_before| {
        let state = state.clone();
        async move { recover(&state, started_before).await }
    })
}
