//! HAL+JSON over HTTP: the link builder for a request (on the configured public base URL, else
//! the request's `X-Forwarded-Proto`/`X-Forwarded-Host`/`Host`), the response type, and content
//! negotiation between HAL and the web pages.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::ApiError;
use crate::AppState;
use crate::views::Links;

impl FromRequestParts<AppState> for Links {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(base) = &state.public_base_url {
            return Ok(Links::new(base.clone()));
        }
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let host = header("x-forwarded-host")
            .or_else(|| header("host"))
            .or_else(|| parts.uri.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "localhost".to_owned());
        let scheme = header("x-forwarded-proto").unwrap_or_else(|| "http".to_owned());
        Ok(Links::new(format!("{scheme}://{host}")))
    }
}

/// A HAL+JSON answer of any resource view.
#[derive(Debug)]
pub struct Hal<T>(pub StatusCode, pub T);

impl<T: Serialize> Hal<T> {
    pub fn ok(body: T) -> Self {
        Hal(StatusCode::OK, body)
    }

    pub fn created(body: T) -> Self {
        Hal(StatusCode::CREATED, body)
    }

    /// 201 when the write created the resource, else 200.
    pub fn saved(created: bool, body: T) -> Self {
        if created { Self::created(body) } else { Self::ok(body) }
    }

    /// The response with a `Location` header naming the resource (as the official broker sets it
    /// on what PUT or POST created).
    pub fn at(self, location: &str) -> Response {
        let mut response = self.into_response();
        if let Ok(value) = HeaderValue::from_str(location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        response
    }
}

impl<T: Serialize> IntoResponse for Hal<T> {
    fn into_response(self) -> Response {
        let text = match serde_json::to_string(&self.1) {
            Ok(text) => text,
            Err(error) => return ApiError::internal(format!("serialising a resource: {error}")).into_response(),
        };
        let mut response = (self.0, text).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/hal+json;charset=utf-8"),
        );
        response
    }
}

/// A browser asking for a page (`Accept: text/html` before any JSON type).
pub fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accept.contains("text/html") && !accept.starts_with("application/")
}
