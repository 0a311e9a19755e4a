//! inventory-service, as catalog-service uses it: taking units out of stock, reading stock and
//! putting units back when an order cannot be completed.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;
use service_kit::client::{Neighbour, UpstreamError};
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
struct Stock {
    quantity: i64,
}

/// What came of asking inventory for units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakeStock {
    /// Taken; this many units are left.
    Taken { remaining: i64 },
    /// Not enough units in stock (inventory's explanation); nothing was taken.
    Insufficient(String),
    /// Inventory does not stock the item.
    UnknownItem,
}

#[derive(Debug, Clone)]
pub struct InventoryClient {
    service: Neighbour,
}

impl InventoryClient {
    pub fn new(base_url: &Url, http: reqwest::Client) -> Self {
        Self {
            service: Neighbour::new("inventory-service", base_url, http),
        }
    }

    pub fn neighbour(&self) -> &Neighbour {
        &self.service
    }

    /// `PATCH /items/{item_id}` `{"quantity_delta": units}`: takes the units, all or nothing.
    pub async fn take(&self, item_id: i64, units: i64) -> Result<TakeStock, UpstreamError> {
        let request = self
            .service
            .patch(&format!("/items/{item_id}"))
            .json(&json!({ "quantity_delta": units }));
        let response = self.service.send(request).await?;
        match response.status() {
            StatusCode::OK => {
                let stock: Stock = self.service.json(response).await?;
                Ok(TakeStock::Taken {
                    remaining: stock.quantity,
                })
            }
            StatusCode::BAD_REQUEST => Ok(TakeStock::Insufficient(self.service.error_message(response).await)),
            StatusCode::NOT_FOUND => Ok(TakeStock::UnknownItem),
            _ => Err(self.service.unexpected(response).await),
        }
    }

    /// `GET /items/{item_id}`: units in stock, or `None` when the item is not stocked.
    pub async fn stock(&self, item_id: i64) -> Result<Option<i64>, UpstreamError> {
        let response = self
            .service
            .send(self.service.get(&format!("/items/{item_id}")))
            .await?;
        match response.status() {
            StatusCode::OK => Ok(Some(self.service.json::<Stock>(response).await?.quantity)),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.service.unexpected(response).await),
        }
    }

    /// `POST /items/{item_id}/restock` `{"quantity": units}`: puts units back (compensation);
    /// returns the units now in stock, or `None` when the item is not stocked.
    pub async fn put_back(&self, item_id: i64, units: i64) -> Result<Option<i64>, UpstreamError> {
        let request = self
            .service
            .post(&format!("/items/{item_id}/restock"))
            .json(&json!({ "quantity": units }));
        let response = self.service.send(request).await?;
        match response.status() {
            StatusCode::OK => Ok(Some(self.service.json::<Stock>(response).await?.quantity)),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.service.unexpected(response).await),
        }
    }
}
