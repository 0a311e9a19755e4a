//! accounting-service, as catalog-service uses it: reading an item's price.

use reqwest::StatusCode;
use serde::Deserialize;
use service_kit::client::{Neighbour, UpstreamError};
use url::Url;

/// What catalog needs of a price (accounting sends more; a tolerant reader ignores it).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Price {
    /// In cents.
    pub price: i64,
    /// Tax rate, or none.
    pub tax: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct AccountingClient {
    service: Neighbour,
}

impl AccountingClient {
    pub fn new(base_url: &Url, http: reqwest::Client) -> Self {
        Self {
            service: Neighbour::new("accounting-service", base_url, http),
        }
    }

    pub fn neighbour(&self) -> &Neighbour {
        &self.service
    }

    /// `GET /items/{item_id}`: the price, or `None` when accounting has none for the item.
    pub async fn price(&self, item_id: i64) -> Result<Option<Price>, UpstreamError> {
        let response = self
            .service
            .send(self.service.get(&format!("/items/{item_id}")))
            .await?;
        match response.status() {
            StatusCode::OK => Ok(Some(self.service.json(response).await?)),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.service.unexpected(response).await),
        }
    }
}
