//! The broker's one error type. Every error answers JSON with `error` (the text, as every
//! service of the workspace answers and as pact-broker-cli prints it); 400 and 409 also carry
//! the official broker's `errors` (by field where there is one), and a refused publication its
//! `notices`.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::model::Invalid;
use crate::storage::{Conflict, Missing, StoreError};

#[derive(Debug)]
pub enum ApiError {
    /// 400: a request field is not acceptable.
    Invalid(Invalid),
    /// 400: the request as a whole is not acceptable (no field to blame).
    BadRequest(String),
    /// 404: the addressed resource does not exist.
    NotFound(String),
    /// 409: the request contradicts what is stored. `notices`: also list the messages as error
    /// notices (what pact-broker-cli prints for a refused publication).
    Conflict {
        field: &'static str,
        messages: Vec<String>,
        notices: bool,
    },
    /// Whatever the shared error answers: extractor rejections (413, 415, ...), 500.
    Service(service_kit::ApiError),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Invalid(Invalid::new(field, message))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::NotFound(message.into())
    }

    /// 500 for a broken invariant; the detail is logged, the client only learns that it happened.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::Service(service_kit::ApiError::Internal(anyhow::anyhow!(message.into())))
    }
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        ApiError::Invalid(invalid)
    }
}

impl From<service_kit::ApiError> for ApiError {
    fn from(error: service_kit::ApiError) -> Self {
        match error {
            service_kit::ApiError::BadRequest(message) => ApiError::BadRequest(message),
            service_kit::ApiError::NotFound(message) => ApiError::NotFound(message),
            other => ApiError::Service(other),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(conflict) => conflict.into(),
            StoreError::NotFound(missing) => missing.into(),
            StoreError::StorageFull => ApiError::Service(service_kit::ApiError::storage_full()),
            StoreError::Database(source) => {
                ApiError::Service(service_kit::ApiError::Internal(source.context("database")))
            }
        }
    }
}

impl From<Missing> for ApiError {
    fn from(missing: Missing) -> Self {
        ApiError::NotFound(missing.to_string())
    }
}

impl From<Conflict> for ApiError {
    fn from(conflict: Conflict) -> Self {
        ApiError::Conflict {
            field: conflict.field(),
            messages: vec![conflict.to_string()],
            notices: false,
        }
    }
}

/// The official broker's `errors`: messages by field, or a list when no field is to blame.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Errors {
    ByField(BTreeMap<String, Vec<String>>),
    General(Vec<String>),
}

#[derive(Debug, Serialize)]
struct Notice {
    #[serde(rename = "type")]
    kind: &'static str,
    text: String,
}

#[derive(Debug, Serialize)]
struct ErrorBody {
    error: String,
    errors: Errors,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notices: Vec<Notice>,
}

impl ErrorBody {
    fn by_field(field: impl Into<String>, messages: Vec<String>) -> Self {
        Self {
            error: String::new(),
            errors: Errors::ByField(BTreeMap::from([(field.into(), messages)])),
            notices: Vec::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Invalid(invalid) => (
                StatusCode::BAD_REQUEST,
                ErrorBody {
                    error: invalid.to_string(),
                    ..ErrorBody::by_field(invalid.field, vec![invalid.message])
                },
            ),
            ApiError::BadRequest(message) => (
                StatusCode::BAD_REQUEST,
                ErrorBody {
                    error: message.clone(),
                    errors: Errors::General(vec![message]),
                    notices: Vec::new(),
                },
            ),
            ApiError::Conflict {
                field,
                messages,
                notices,
            } => (
                StatusCode::CONFLICT,
                ErrorBody {
                    error: messages.join("\n"),
                    notices: if notices {
                        messages
                            .iter()
                            .map(|text| Notice {
                                kind: "error",
                                text: text.clone(),
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                    ..ErrorBody::by_field(field, messages)
                },
            ),
            ApiError::NotFound(message) => return service_kit::ApiError::NotFound(message).into_response(),
            ApiError::Service(error) => return error.into_response(),
        };
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use serde_json::{Value, json};
    use service_kit::db::rusqlite;

    use super::*;

    async fn answer(error: ApiError) -> (u16, Value) {
        let response = error.into_response();
        let status = response.status().as_u16();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn client_errors_carry_error_and_the_official_errors() {
        let cases = [
            (
                ApiError::invalid("name", "can't be blank"),
                400,
                json!({"error": "name: can't be blank", "errors": {"name": ["can't be blank"]}}),
            ),
            (
                ApiError::BadRequest("Please provide 1 or more version selectors".into()),
                400,
                json!({"error": "Please provide 1 or more version selectors", "errors": ["Please provide 1 or more version selectors"]}),
            ),
            (
                ApiError::Conflict {
                    field: "contracts",
                    messages: vec!["a".into(), "b".into()],
                    notices: true,
                },
                409,
                json!({"error": "a\nb", "errors": {"contracts": ["a", "b"]}, "notices": [{"type": "error", "text": "a"}, {"type": "error", "text": "b"}]}),
            ),
            (ApiError::not_found("no pact"), 404, json!({"error": "no pact"})),
            (ApiError::internal("broken"), 500, json!({"error": "internal error"})),
        ];
        for (error, status, body) in cases {
            assert_eq!(answer(error).await, (status, body));
        }
    }

    #[tokio::test]
    async fn store_errors_become_404_409_503_and_500() {
        let conflict = StoreError::Conflict(Conflict::EnvironmentNameTaken { name: "prod".into() });
        assert_eq!(
            answer(conflict.into()).await,
            (
                409,
                json!({"error": "Another environment with name 'prod' already exists.", "errors": {"name": ["Another environment with name 'prod' already exists."]}})
            )
        );
        let missing = StoreError::NotFound(crate::storage::Missing::Environment { uuid: "u".into() });
        assert_eq!(
            answer(missing.into()).await,
            (404, json!({"error": "no environment u"}))
        );
        let full = StoreError::from(tokio_rusqlite::Error::Error(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        )));
        assert_eq!(
            answer(full.into()).await,
            (503, json!({"error": service_kit::error::STORAGE_FULL}))
        );
        let broken = StoreError::from(tokio_rusqlite::Error::Error(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR),
            None,
        )));
        assert_eq!(answer(broken.into()).await, (500, json!({"error": "internal error"})));
    }
}
