//! One error type for every service. Each variant documents the status it answers with; the
//! body is always `{"error": "<what is wrong>"}`, so no handler builds an error body by hand.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 Bad Request: the request is valid but cannot be carried out as asked
    /// (e.g. fewer units in stock than requested).
    #[error("{0}")]
    BadRequest(String),
    /// 404 Not Found: the addressed resource (item, cart, route) does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 409 Conflict: the request cannot be applied because of what already happened to the
    /// resource (e.g. an idempotency key whose stock take was cancelled before it arrived).
    #[error("{0}")]
    Conflict(String),
    /// 422 Unprocessable Entity: well-formed JSON whose values are out of range
    /// (zero or negative quantities, negative prices, empty names).
    #[error("{0}")]
    Invalid(String),
    /// The request could not be read at all; keeps the status the extractor chose:
    /// 400 malformed JSON or path, 413 body too large, 415 not JSON, 422 missing or mistyped field.
    #[error("{message}")]
    Rejected { status: StatusCode, message: String },
    /// 502 Bad Gateway: a neighbour answered something this service cannot use.
    #[error("{0}")]
    BadGateway(String),
    /// 503 Service Unavailable: a neighbour could not be reached in time, or this service's
    /// storage is full; either passes without the request changing.
    #[error("{0}")]
    Unavailable(String),
    /// 500 Internal Server Error: a fault of this service (e.g. its database); the detail is
    /// logged, the client only learns that it happened.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Rejected { status, .. } => *status,
            ApiError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a client is told: an internal error's detail is for the log only.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        }
    }

    /// 503 with [`STORAGE_FULL`]: the answer whenever SQLite finds the database or its disk full.
    pub fn storage_full() -> Self {
        ApiError::Unavailable(STORAGE_FULL.to_owned())
    }
}

impl ApiError {
    /// The error a recorded answer stands for: `status` and its message, as answered the first
    /// time (an idempotent request repeated answers what it answered then).
    pub fn recorded(status: u16, message: String) -> Self {
        match status {
            400 => ApiError::BadRequest(message),
            404 => ApiError::NotFound(message),
            409 => ApiError::Conflict(message),
            422 => ApiError::Invalid(message),
            502 => ApiError::BadGateway(message),
            503 => ApiError::Unavailable(message),
            other => match StatusCode::from_u16(other) {
                Ok(status) if status.is_client_error() || status.is_server_error() => {
                    ApiError::Rejected { status, message }
                }
                _ => ApiError::Internal(anyhow::anyhow!("recorded answer {other}: {message}")),
            },
        }
    }
}

/// What a caller hears when this service's database or its disk is full: nothing more can be
/// saved until an operator makes room, and then the same request works again.
pub const STORAGE_FULL: &str = "this service's storage is full: the change could not be saved; try again later";

/// Whether SQLite refused a write because the database or its disk is full.
pub fn is_storage_full(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
}

/// A database error: 503 when the storage is full (it passes once room is made, as an
/// unreachable neighbour does), else 500.
impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        if is_storage_full(&error) {
            ApiError::storage_full()
        } else {
            ApiError::Internal(anyhow::Error::new(error).context("database"))
        }
    }
}

impl From<tokio_rusqlite::Error<rusqlite::Error>> for ApiError {
    fn from(error: tokio_rusqlite::Error<rusqlite::Error>) -> Self {
        match error {
            tokio_rusqlite::Error::Error(error) => error.into(),
            other => ApiError::Internal(anyhow::Error::new(other).context("database")),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            ApiError::Internal(source) => tracing::error!(error = format!("{source:#}"), "internal error"),
            // A neighbour that failed, or this service's storage full: worth an operator's
            // look, though not a fault in this service's code.
            other if status.is_server_error() => tracing::warn!(%status, error = %other, "request failed"),
            _ => {}
        }
        let message = self.public_message();
        (status, Json(crate::openapi::ErrorBody { error: message })).into_response()
    }
}

/// Validation helper: 422 "`field` must be between `min` and `max`" unless `value` is in `range`.
pub fn require_between(field: &str, value: i64, range: std::ops::RangeInclusive<i64>) -> Result<(), ApiError> {
    require(
        range.contains(&value),
        format!("{field} must be between {} and {}", range.start(), range.end()),
    )
}

/// Validation helper: `require(quantity >= 1, "quantity must be at least 1")?`.
pub fn require(condition: bool, message: impl Into<String>) -> Result<(), ApiError> {
    if condition {
        Ok(())
    } else {
        Err(ApiError::Invalid(message.into()))
    }
}

/// An error answer as recorded with an idempotency key, to give the same answer again when the
/// request is repeated (and to show why a saga ended as it did).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Failure {
    /// The HTTP status answered.
    pub status: u16,
    /// Its message.
    pub error: String,
}

impl Failure {
    /// The answer `error` gave its client, as the client saw it (an internal error's detail
    /// stays in the log, also when the answer is given again).
    pub fn of(error: &ApiError) -> Self {
        Self {
            status: error.status().as_u16(),
            error: error.public_message(),
        }
    }

    /// The error to answer again.
    pub fn to_error(&self) -> ApiError {
        ApiError::recorded(self.status, self.error.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_failure_is_answered_again_as_its_client_first_heard_it() {
        let cases = [
            (ApiError::BadRequest("only 2 in stock".into()), 400, "only 2 in stock"),
            (ApiError::Unavailable(STORAGE_FULL.into()), 503, STORAGE_FULL),
            (
                ApiError::Internal(anyhow::anyhow!("database: disk I/O error")),
                500,
                "internal error",
            ),
        ];
        for (error, status, message) in cases {
            let failure = Failure::of(&error);
            assert_eq!((failure.status, failure.error.as_str()), (status, message));
            let again = failure.to_error();
            assert_eq!(
                (again.status().as_u16(), again.public_message()),
                (status, message.to_owned())
            );
        }
    }
}
