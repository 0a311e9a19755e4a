//! catalog-service, as cart-service uses it: ordering an item under the cart line's idempotency
//! key, and asking what became of the order with a key.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;
use service_kit::client::{Neighbour, UpstreamError};
use service_kit::idempotency::{self, IdempotencyKey};
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
struct OrderConfirmation {
    total_price: i64,
}

/// What came of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    /// Ordered; what it costs in all, in cents.
    Placed { total_price: i64 },
    /// Not enough stock (catalog's explanation).
    OutOfStock(String),
    /// Catalog does not know the item (catalog's explanation).
    UnknownItem(String),
}

/// Where catalog's order with a key stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderState {
    /// The order stands; what it costs in all.
    Confirmed { total_price: i64 },
    /// Cancelled: nothing ordered.
    Cancelled,
    /// Still being placed or cancelled: ask again later.
    Unsettled,
    /// Catalog has no order with the key (the order may still be on its way).
    Unknown,
}

#[derive(Debug, Clone, Deserialize)]
struct OrderRecord {
    status: String,
    total_price: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct CatalogClient {
    service: Neighbour,
}

impl CatalogClient {
    pub fn new(base_url: &Url, http: reqwest::Client) -> Self {
        Self {
            service: Neighbour::new("catalog-service", base_url, http),
        }
    }

    /// `POST /order` `{"item_id", "quantity"}` with `Idempotency-Key: key`: the same key again
    /// gets the same outcome, never a second order.
    pub async fn order(&self, key: &IdempotencyKey, item_id: i64, quantity: i64) -> Result<Order, UpstreamError> {
        let request = self
            .service
            .post("/order")
            .header(idempotency::HEADER, key.header_value())
            .json(&json!({ "item_id": item_id, "quantity": quantity }));
        let response = self.service.send(request).await?;
        match response.status() {
            StatusCode::OK => {
                let confirmation: OrderConfirmation = self.service.json(response).await?;
                Ok(Order::Placed {
                    total_price: confirmation.total_price,
                })
            }
            StatusCode::BAD_REQUEST => Ok(Order::OutOfStock(self.service.error_message(response).await)),
            StatusCode::NOT_FOUND => Ok(Order::UnknownItem(self.service.error_message(response).await)),
            _ => Err(self.service.unexpected(response).await),
        }
    }

    /// `GET /orders/{key}`: where the order with `key` stands.
    pub async fn order_state(&self, key: &IdempotencyKey) -> Result<OrderState, UpstreamError> {
        let response = self.service.send(self.service.get(&format!("/orders/{key}"))).await?;
        match response.status() {
            StatusCode::OK => {
                let order: OrderRecord = self.service.json(response).await?;
                Ok(match (order.status.as_str(), order.total_price) {
                    ("confirmed", Some(total_price)) => OrderState::Confirmed { total_price },
                    ("cancelled", _) => OrderState::Cancelled,
                    _ => OrderState::Unsettled,
                })
            }
            StatusCode::NOT_FOUND => Ok(OrderState::Unknown),
            _ => Err(self.service.unexpected(response).await),
        }
    }
}
