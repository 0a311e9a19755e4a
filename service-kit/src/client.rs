//! What every neighbour client needs: a pooled HTTP client with timeouts, URLs under a base URL,
//! and one error type for calls that fail, mapped to 502/503 for this service's own callers.

use std::time::Duration;

use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::ApiError;

/// One client per service, shared by all its neighbour clients so connections are reused.
///
/// It neither follows redirects nor retries on its own: a neighbour's 3xx is an answer the
/// contract does not allow (502, not a request somewhere else), and whether a call may be
/// repeated is for the caller to decide (the order saga repeats a take only under its
/// idempotency key).
pub fn http_client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(2)))
        .pool_idle_timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .build()?)
}

/// A neighbour service reached under `base_url`.
#[derive(Debug, Clone)]
pub struct Neighbour {
    name: &'static str,
    /// Shared, not copied, by every clone of the service's state (one per request).
    base_url: std::sync::Arc<str>,
    http: reqwest::Client,
}

/// Why a call to a neighbour failed.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// No answer: refused, reset or timed out. Answered 503 to our caller.
    #[error("{service} is unavailable: {source}")]
    Unavailable {
        service: &'static str,
        source: reqwest::Error,
    },
    /// An answer the contract does not allow for. Answered 502 to our caller.
    #[error("{service} answered {status}: {body}")]
    UnexpectedStatus {
        service: &'static str,
        status: StatusCode,
        body: String,
    },
    /// A body that does not have the agreed shape. Answered 502 to our caller.
    #[error("{service} sent a body that could not be read: {source}")]
    InvalidBody {
        service: &'static str,
        source: reqwest::Error,
    },
}

impl From<UpstreamError> for ApiError {
    fn from(error: UpstreamError) -> Self {
        match error {
            UpstreamError::Unavailable { .. } => ApiError::Unavailable(error.to_string()),
            other => ApiError::BadGateway(other.to_string()),
        }
    }
}

impl Neighbour {
    pub fn new(name: &'static str, base_url: &Url, http: reqwest::Client) -> Self {
        let base_url = base_url.as_str().trim_end_matches('/').into();
        Self { name, base_url, http }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(self.url(path))
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.http.put(self.url(path))
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.http.patch(self.url(path))
    }

    /// Sends the request, with the id of the request being handled; any answer (whatever its
    /// status) is `Ok`.
    pub async fn send(&self, request: RequestBuilder) -> Result<Response, UpstreamError> {
        let request = match crate::request_id::current() {
            Some(id) => request.header(crate::request_id::HEADER, id),
            None => request,
        };
        request.send().await.map_err(|source| UpstreamError::Unavailable {
            service: self.name,
            source,
        })
    }

    /// Reads a JSON body of the agreed shape.
    pub async fn json<T: DeserializeOwned>(&self, response: Response) -> Result<T, UpstreamError> {
        response.json().await.map_err(|source| UpstreamError::InvalidBody {
            service: self.name,
            source,
        })
    }

    /// The error for an answer the contract does not cover, with the neighbour's own words.
    pub async fn unexpected(&self, response: Response) -> UpstreamError {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        UpstreamError::UnexpectedStatus {
            service: self.name,
            status,
            body,
        }
    }

    /// The `error` message of a neighbour's JSON error body, to pass on to our own caller.
    pub async fn error_message(&self, response: Response) -> String {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|value| value.get("error")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("{} answered {status}", self.name))
    }
}
