//! catalog-service, as cart-service uses it: ordering an item.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;
use service_kit::client::{Neighbour, UpstreamError};
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

    /// `POST /order` `{"item_id", "quantity"}`.
    pub async fn order(&self, item_id: i64, quantity: i64) -> Result<Order, UpstreamError> {
        let request = self
            .service
            .post("/order")
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
}
