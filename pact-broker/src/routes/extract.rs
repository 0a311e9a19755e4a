//! Request extractors tuned to what Pact clients send: JSON bodies whatever the content type
//! (`application/json`, `application/merge-patch+json`, none), an empty body read as `{}`, and
//! Rack-style query strings (`q[][pacticipant]=A&q[][version]=1`) kept in order.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON body; invalid JSON answers 400, a body over the limit 413.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            ApiError::Service(service_kit::ApiError::Rejected {
                status: rejection.status(),
                message: rejection.body_text(),
            })
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::BadRequest("body is not UTF-8".into()))?;
        let text = if text.trim().is_empty() { "{}" } else { text };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ApiError::BadRequest(format!("invalid JSON: {e}")))?;
        serde_json::from_value(value)
            .map(Body)
            .map_err(|e| ApiError::BadRequest(format!("unexpected JSON: {e}")))
    }
}

/// The query string as ordered `(key, value)` pairs, brackets kept literally.
#[derive(Debug, Default, Clone)]
pub struct Query(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let pairs = parts
            .uri
            .query()
            .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Ok(Query(pairs))
    }
}

impl Query {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn flag(&self, key: &str) -> bool {
        self.get(key).is_some_and(|v| v == "true")
    }

    /// Rack-style array of hashes: `prefix[][field]=..` pairs grouped by position; a new group
    /// starts when a field repeats (as Rack does).
    pub fn groups(&self, prefix: &str) -> Vec<Vec<(String, String)>> {
        let start = format!("{prefix}[][");
        let mut groups: Vec<Vec<(String, String)>> = Vec::new();
        for (key, value) in &self.0 {
            let Some(field) = key.strip_prefix(&start).and_then(|rest| rest.strip_suffix(']')) else {
                continue;
            };
            let repeat = groups.last().is_none_or(|g| g.iter().any(|(f, _)| f == field));
            if repeat {
                groups.push(Vec::new());
            }
            groups
                .last_mut()
                .expect("a group")
                .push((field.to_owned(), value.clone()));
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::Query;

    fn query(text: &str) -> Query {
        Query(url::form_urlencoded::parse(text.as_bytes()).into_owned().collect())
    }

    #[test]
    fn rack_style_groups_follow_positions_and_repeats() {
        let q =
            query("q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B&q[][latest]=true&q[][tag]=prod&latestby=cvp");
        let groups = q.groups("q");
        assert_eq!(groups.len(), 2);
        assert_eq!(
            groups[0],
            vec![("pacticipant".into(), "A".into()), ("version".into(), "1".into())]
        );
        assert_eq!(groups[1][2], ("tag".into(), "prod".into()));
        assert_eq!(q.get("latestby"), Some("cvp"));
    }

    #[test]
    fn percent_encoded_brackets_are_the_same_as_literal_ones() {
        let q = query("q%5B%5D%5Bpacticipant%5D=My%20App&q%5B%5D%5Bversion%5D=1.0");
        assert_eq!(q.groups("q")[0][0], ("pacticipant".into(), "My App".into()));
    }
}
