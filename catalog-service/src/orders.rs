//! Placing an order: take the stock and price it (at once), record it. Stock that was taken is put back when
//! anything after it fails, so a failed order never loses units.

use std::time::Duration;

use service_kit::ApiError;

use crate::AppState;
use crate::clients::inventory::TakeStock;
use crate::storage::Order;

/// Attempts at putting stock back before giving up and logging the loss loudly.
const PUT_BACK_ATTEMPTS: u32 = 3;

pub async fn place_order(state: &AppState, item_id: i64, quantity: i64) -> Result<Order, ApiError> {
    // The price is asked for while the stock is taken: one round trip less on every order. A
    // stock refusal still wins over a pricing error, as if the price had never been asked for.
    let (taken, price) = tokio::join!(state.inventory.take(item_id, quantity), price_of(state, item_id));
    match taken? {
        TakeStock::Taken { .. } => {}
        TakeStock::Insufficient(reason) => return Err(ApiError::BadRequest(reason)),
        TakeStock::UnknownItem => return Err(ApiError::NotFound(format!("item {item_id} does not exist"))),
    }
    let result = match price {
        Ok(price) => record(state, item_id, quantity, price).await,
        Err(error) => Err(error),
    };
    if let Err(error) = &result {
        tracing::warn!(item_id, quantity, %error, "order failed after taking stock; putting it back");
        put_back(state, item_id, quantity).await;
    }
    result
}

async fn price_of(state: &AppState, item_id: i64) -> Result<i64, ApiError> {
    let price = state
        .accounting
        .price(item_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("item {item_id} has no price")))?;
    Ok(price.price)
}

async fn record(state: &AppState, item_id: i64, quantity: i64, unit_price: i64) -> Result<Order, ApiError> {
    let total_price = unit_price
        .checked_mul(quantity)
        .ok_or_else(|| ApiError::Invalid(format!("the total of {quantity} × {unit_price} is too large")))?;
    state.orders.record(item_id, quantity, unit_price, total_price).await
}

async fn put_back(state: &AppState, item_id: i64, quantity: i64) {
    for attempt in 1..=PUT_BACK_ATTEMPTS {
        match state.inventory.put_back(item_id, quantity).await {
            Ok(Some(_)) => return,
            Ok(None) => {
                tracing::error!(
                    item_id,
                    quantity,
                    "cannot put stock back: inventory no longer stocks the item"
                );
                return;
            }
            Err(error) if attempt < PUT_BACK_ATTEMPTS => {
                tracing::warn!(item_id, quantity, attempt, %error, "putting stock back failed; retrying");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
            Err(error) => {
                tracing::error!(item_id, quantity, %error, "giving up putting stock back: restock by hand");
            }
        }
    }
}
