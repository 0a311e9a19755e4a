//! inventory-service, as catalog-service uses it: taking units out of stock under an order's
//! idempotency key, asking what became of a key, cancelling a key's take when an order cannot
//! be completed, and reading stock.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;
use service_kit::client::{Neighbour, UpstreamError};
use service_kit::idempotency::{self, IdempotencyKey};
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
    /// The key was cancelled before this take arrived: nothing was taken, nor ever will be.
    Cancelled,
}

/// What inventory recorded for a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MovementState {
    /// The units were taken.
    Taken,
    /// The take was refused; nothing was taken.
    Refused,
    /// Cancelled: units put back, or the take fenced off before it arrived.
    Cancelled,
}

#[derive(Debug, Clone, Copy, Deserialize)]
struct Movement {
    state: MovementState,
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

    /// `PATCH /items/{item_id}` `{"quantity_delta": units}` with `Idempotency-Key: key`: takes
    /// the units, all or nothing, at most once for the key (a retry gets the first answer).
    pub async fn take(&self, key: &IdempotencyKey, item_id: i64, units: i64) -> Result<TakeStock, UpstreamError> {
        let request = self
            .service
            .patch(&format!("/items/{item_id}"))
            .header(idempotency::HEADER, key.header_value())
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
            StatusCode::CONFLICT => Ok(TakeStock::Cancelled),
            _ => Err(self.service.unexpected(response).await),
        }
    }

    /// `GET /movements/{key}`: what became of the take under `key`; `None` when inventory never
    /// saw it (it may still be on its way: only [`Self::cancel`] settles that).
    pub async fn movement(&self, key: &IdempotencyKey) -> Result<Option<MovementState>, UpstreamError> {
        let response = self
            .service
            .send(self.service.get(&format!("/movements/{key}")))
            .await?;
        match response.status() {
            StatusCode::OK => Ok(Some(self.service.json::<Movement>(response).await?.state)),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.service.unexpected(response).await),
        }
    }

    /// `POST /movements/{key}/cancel` `{"item_id", "quantity"}`: undoes the take under `key`
    /// (units back once; a take not yet arrived will take nothing). Returns the movement's state
    /// after it: cancelled, or refused when nothing had been taken.
    pub async fn cancel(&self, key: &IdempotencyKey, item_id: i64, units: i64) -> Result<MovementState, UpstreamError> {
        let request = self
            .service
            .post(&format!("/movements/{key}/cancel"))
            .json(&json!({ "item_id": item_id, "quantity": units }));
        let response = self.service.send(request).await?;
        match response.status() {
            StatusCode::OK => Ok(self.service.json::<Movement>(response).await?.state),
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
}
