//! item-service, as catalog-service uses it: reading an item's name.

use reqwest::StatusCode;
use serde::Deserialize;
use service_kit::client::{Neighbour, UpstreamError};
use url::Url;

/// What catalog needs of an item.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ItemName {
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct ItemClient {
    service: Neighbour,
}

impl ItemClient {
    pub fn new(base_url: &Url, http: reqwest::Client) -> Self {
        Self {
            service: Neighbour::new("item-service", base_url, http),
        }
    }

    pub fn neighbour(&self) -> &Neighbour {
        &self.service
    }

    /// `GET /items/{id}`: the item's name, or `None` when the item does not exist.
    pub async fn name(&self, item_id: i64) -> Result<Option<String>, UpstreamError> {
        let response = self
            .service
            .send(self.service.get(&format!("/items/{item_id}")))
            .await?;
        match response.status() {
            StatusCode::OK => Ok(Some(self.service.json::<ItemName>(response).await?.name)),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.service.unexpected(response).await),
        }
    }
}
