//! HAL+JSON: absolute hrefs on the externally visible base URL, link helpers, the response type
//! and the URL of every resource (one place, so links and routes cannot drift apart).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use crate::AppState;

/// Characters kept as they are in a path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one path segment (names and versions may hold spaces or slashes).
pub fn seg(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// Percent-encodes a query value.
pub fn q(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// The base URL links are built on: the configured public base URL, else the request's
/// `X-Forwarded-Proto`/`X-Forwarded-Host`/`Host`.
#[derive(Debug, Clone)]
pub struct Base(pub String);

impl FromRequestParts<AppState> for Base {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(base) = &state.public_base_url {
            return Ok(Base(base.clone()));
        }
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let host = header("x-forwarded-host")
            .or_else(|| header("host"))
            .or_else(|| parts.uri.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "localhost".to_owned());
        let scheme = header("x-forwarded-proto").unwrap_or_else(|| "http".to_owned());
        Ok(Base(format!("{scheme}://{host}")))
    }
}

impl Base {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    pub fn pacticipant(&self, name: &str) -> String {
        self.url(&format!("/pacticipants/{}", seg(name)))
    }

    pub fn version(&self, pacticipant: &str, number: &str) -> String {
        self.url(&format!(
            "/pacticipants/{}/versions/{}",
            seg(pacticipant),
            seg(number)
        ))
    }

    pub fn tag(&self, pacticipant: &str, number: &str, tag: &str) -> String {
        format!("{}/tags/{}", self.version(pacticipant, number), seg(tag))
    }

    pub fn branch(&self, pacticipant: &str, branch: &str) -> String {
        format!("{}/branches/{}", self.pacticipant(pacticipant), seg(branch))
    }

    pub fn branch_version(&self, pacticipant: &str, branch: &str, number: &str) -> String {
        format!(
            "{}/versions/{}",
            self.branch(pacticipant, branch),
            seg(number)
        )
    }

    /// A pact by consumer version.
    pub fn pact(&self, provider: &str, consumer: &str, version: &str) -> String {
        self.url(&format!(
            "/pacts/provider/{}/consumer/{}/version/{}",
            seg(provider),
            seg(consumer),
            seg(version)
        ))
    }

    /// A pact by content sha (what pacts for verification point at).
    pub fn pact_version(&self, provider: &str, consumer: &str, sha: &str) -> String {
        self.url(&format!(
            "/pacts/provider/{}/consumer/{}/pact-version/{sha}",
            seg(provider),
            seg(consumer)
        ))
    }

    pub fn pact_version_with_metadata(
        &self,
        provider: &str,
        consumer: &str,
        sha: &str,
        metadata: &str,
    ) -> String {
        format!(
            "{}/metadata/{metadata}",
            self.pact_version(provider, consumer, sha)
        )
    }

    pub fn latest_pact(&self, provider: &str, consumer: &str) -> String {
        self.url(&format!(
            "/pacts/provider/{}/consumer/{}/latest",
            seg(provider),
            seg(consumer)
        ))
    }

    pub fn publish_verification(&self, provider: &str, consumer: &str, sha: &str) -> String {
        format!(
            "{}/verification-results",
            self.pact_version(provider, consumer, sha)
        )
    }

    pub fn verification(&self, provider: &str, consumer: &str, sha: &str, id: i64) -> String {
        format!(
            "{}/{id}",
            self.publish_verification(provider, consumer, sha)
        )
    }

    pub fn environment(&self, uuid: &str) -> String {
        self.url(&format!("/environments/{uuid}"))
    }

    pub fn deployed_version(&self, uuid: &str) -> String {
        self.url(&format!("/deployed-versions/{uuid}"))
    }

    pub fn released_version(&self, uuid: &str) -> String {
        self.url(&format!("/released-versions/{uuid}"))
    }
}

pub fn link(href: impl Into<String>) -> Value {
    json!({ "href": href.into() })
}

pub fn titled(href: impl Into<String>, title: impl Into<String>) -> Value {
    json!({ "href": href.into(), "title": title.into() })
}

pub fn named(href: impl Into<String>, name: impl Into<String>, title: impl Into<String>) -> Value {
    json!({ "href": href.into(), "name": name.into(), "title": title.into() })
}

pub fn templated(href: impl Into<String>, title: impl Into<String>) -> Value {
    json!({ "href": href.into(), "title": title.into(), "templated": true })
}

pub fn curies(base: &Base) -> Value {
    json!([{ "name": "pb", "href": base.url("/doc/{rel}?context=index"), "templated": true }])
}

/// A HAL+JSON answer (200 unless given a status).
#[derive(Debug)]
pub struct Hal(pub StatusCode, pub Value);

impl Hal {
    pub fn ok(body: Value) -> Self {
        Hal(StatusCode::OK, body)
    }

    pub fn created(body: Value) -> Self {
        Hal(StatusCode::CREATED, body)
    }
}

impl IntoResponse for Hal {
    fn into_response(self) -> Response {
        let mut response = (self.0, self.1.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/hal+json;charset=utf-8"),
        );
        response
    }
}

/// A pacticipant's embedded form, as many resources include it.
pub fn pacticipant_summary(base: &Base, name: &str) -> Value {
    json!({ "name": name, "_links": { "self": link(base.pacticipant(name)) } })
}
