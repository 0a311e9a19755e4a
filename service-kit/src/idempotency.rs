//! Idempotency keys: the `Idempotency-Key` header a caller sends so that a retried request is
//! recognised as the same one. A service records the key in the same transaction as the change it
//! makes, so a request whose key was already applied changes nothing and gets the recorded
//! answer. A key is also passed on to the neighbours the request calls, so every step of an order
//! can be retried, asked about and compensated by the same key.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue};

use crate::ApiError;

pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");

/// Longest key accepted.
pub const MAX_LENGTH: usize = 128;

/// The characters a key may have: letters, digits and `.`, `_`, `:`, `-`, so it fits unescaped
/// in a URL path (`GET /movements/{key}`) and in a log line. The same rule as a regex, for the
/// OpenAPI documents and the contracts.
pub const PATTERN: &str = "^[A-Za-z0-9._:-]{1,128}$";

/// A valid idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Checks `value` against [`PATTERN`].
    pub fn parse(value: &str) -> Result<Self, ApiError> {
        let valid = (1..=MAX_LENGTH).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(ApiError::Invalid(format!(
                "Idempotency-Key must be 1 to {MAX_LENGTH} characters of A-Z, a-z, 0-9, '.', '_', ':' and '-'"
            )))
        }
    }

    /// A new key (a UUID v7: the millisecond it was made, then a counter and random bits), for a
    /// request that came without one. Keys made here sort by time, so recording one lands at the
    /// end of the key index instead of on a random page of it: one page written per batch of
    /// orders, not one each. (The key tells its holder when it was made, as the `Date` header of
    /// the same response does.)
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// A new key for a call this service makes on its own behalf, `<prefix>:<uuid>`: the
    /// prefix says who made it (in the neighbour's records and logs), the UUID (v7, as in
    /// [`Self::generate`]) keeps it apart from every key any other client of that neighbour uses.
    pub fn derived(prefix: &str) -> Self {
        Self(format!("{prefix}:{}", uuid::Uuid::now_v7()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as a header value for a call to a neighbour (always valid: ASCII only).
    pub fn header_value(&self) -> HeaderValue {
        HeaderValue::from_str(&self.0).expect("a validated key is a valid header value")
    }

    /// The key of the header in `headers`, if any.
    pub fn from_headers(headers: &HeaderMap) -> Result<Option<Self>, ApiError> {
        headers
            .get(HEADER)
            .map(|value| Self::parse(value.to_str().unwrap_or("\u{0}")))
            .transpose()
    }
}

impl std::fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Extractor: the request's key, or a new one when the caller sent none (the caller cannot retry
/// then, but the service still keys every step it takes); 422 for a malformed key.
#[derive(Debug, Clone)]
pub struct KeyOrNew(pub IdempotencyKey);

impl<S: Send + Sync> FromRequestParts<S> for KeyOrNew {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            IdempotencyKey::from_headers(&parts.headers)?.unwrap_or_else(IdempotencyKey::generate),
        ))
    }
}

/// Extractor: the request's key if it sent one; 422 for a malformed key.
#[derive(Debug, Clone)]
pub struct OptionalKey(pub Option<IdempotencyKey>);

impl<S: Send + Sync> FromRequestParts<S> for OptionalKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(IdempotencyKey::from_headers(&parts.headers)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_against_the_documented_rule() {
        let long = "k".repeat(MAX_LENGTH);
        let too_long = "k".repeat(MAX_LENGTH + 1);
        let cases: &[(&str, bool)] = &[
            ("order-1", true),
            ("0b6f2c1e-1f7a-4c55-9b0e-5d1c3f0a9e21", true),
            ("cart:7.line_2", true),
            (&long, true),
            ("", false),
            (&too_long, false),
            ("has space", false),
            ("slash/in/it", false),
            ("percent%20", false),
            ("ünïcode", false),
        ];
        for (key, valid) in cases {
            assert_eq!(IdempotencyKey::parse(key).is_ok(), *valid, "{key:?}");
        }
    }

    #[test]
    fn a_generated_key_is_valid_and_new_each_time() {
        let (first, second) = (IdempotencyKey::generate(), IdempotencyKey::generate());
        assert!(IdempotencyKey::parse(first.as_str()).is_ok());
        assert_ne!(first, second);
    }

    #[test]
    fn a_header_that_is_not_text_is_refused_not_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        assert!(IdempotencyKey::from_headers(&headers).is_err());
        headers.insert(HEADER, HeaderValue::from_static("order-1"));
        assert_eq!(
            IdempotencyKey::from_headers(&headers).unwrap().unwrap().as_str(),
            "order-1"
        );
        assert_eq!(IdempotencyKey::from_headers(&HeaderMap::new()).unwrap(), None);
    }
}
