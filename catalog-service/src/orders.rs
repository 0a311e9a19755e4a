//! Placing an order: take the stock, price it, record it. Stock that was taken is put back when
//! anything after it fails, so a failed order never loses units.

use std::time::Duration;

use service_kit::ApiError;

use crate::AppState;
use crate::clients::inventory::TakeStock;
use crate::storage::Order;

/// Attempts at putting stock back before giving up and logging the loss loudly.
const PUT_BACK_ATTEMPTS: u32 = 3;

pub async fn place_order(state: &AppState, item_id: i64, quantity: i64) -> Result<Order, ApiError> {
    match state.inventory.take(item_id, quantity).await? {
        TakeStock::Taken { .. } => {}
        TakeStock::Insufficient(reason) => return Err(ApiError::BadRequest(reason)),
        TakeStock::UnknownItem => return Err(ApiError::NotFound(format!("item {item_id} does not exist"))),
    }
    let result = price_and_record(state, item_id, quantity).await;
    if let Err(error) = &result {
        tracing::warn!(item_id, quantity, %error, "order failed after taking stock; putting it back");
        put_back(state, item_id, quantity).await;
    }
    result
}

async fn price_and_record(state: &AppState, item_id: i64, quantity: i64) -> Result<Order, ApiError> {
    let price = state
        .accounting
        .price(item_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("item {item_id} has no price")))?;
    let total_price = price
        .price
        .checked_mul(quantity)
        .ok_or_else(|| ApiError::Invalid(format!("the total of {quantity} × {} is too large", price.price)))?;
    state.orders.record(item_id, quantity, price.price, total_price).await
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
