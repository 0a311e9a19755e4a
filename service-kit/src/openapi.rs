//! OpenAPI documents generated from the code (utoipa), served at `GET /openapi.json`.
//!
//! Each service declares its routes with `utoipa_axum::routes!` over handlers annotated with
//! `#[utoipa::path]`, so the router and the document are built from the same list and cannot
//! drift. What every service shares is added here once: the error body schema ([`ErrorBody`]),
//! the statuses the extractors answer on their own (malformed path or body, body too large,
//! not JSON, missing field), `GET /health`, and the route that serves the document.

use axum::Router;
use axum::http::header;
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, ParameterIn, PathItem};
use utoipa::openapi::{Content, OpenApi, RefOr, Response, ResponseBuilder};
use utoipa::{PartialSchema, ToSchema};

/// Where every service serves its document.
pub const PATH: &str = "/openapi.json";

/// The body of every error answer: `{"error": "<what is wrong>"}` (see [`crate::ApiError`]).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What is wrong, in words.
    pub error: String,
}

/// `{"status": "ok"}`, the answer of `GET /health`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}

/// A JSON error response for the document, with the [`ErrorBody`] schema.
pub fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", Content::new(Some(error_schema())))
        .build()
}

fn error_schema() -> RefOr<utoipa::openapi::Schema> {
    RefOr::Ref(utoipa::openapi::Ref::from_schema_name(ErrorBody::name()))
}

/// Adds to `doc` what every service has: the extractors' error answers on each operation,
/// `GET /health` and the schemas both refer to.
pub fn finish(mut doc: OpenApi) -> OpenApi {
    for item in doc.paths.paths.values_mut() {
        for operation in operations(item) {
            add_extractor_errors(operation);
        }
    }
    let health = OperationBuilder::new()
        .summary(Some("Liveness: answers while the service runs"))
        .operation_id(Some("health"))
        .tags(Some(vec!["health".to_owned()]))
        .response(
            "200",
            ResponseBuilder::new().description("The service runs").content(
                "application/json",
                Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(Health::name())))),
            ),
        )
        .build();
    doc.paths
        .paths
        .insert("/health".to_owned(), PathItem::new(HttpMethod::Get, health));
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .schemas
        .insert(ErrorBody::name().into_owned(), ErrorBody::schema());
    components.schemas.insert(Health::name().into_owned(), Health::schema());
    doc
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// The statuses `extract::{Json, Path}` answer before a handler runs, added unless the handler
/// documents the status itself (then its description says what else it means).
fn add_extractor_errors(operation: &mut Operation) {
    let has_path_params = operation.parameters.iter().flatten().any(|parameter| match parameter {
        RefOr::T(parameter) => parameter.parameter_in == ParameterIn::Path,
        RefOr::Ref(_) => false,
    });
    let mut errors: Vec<(&str, &str)> = Vec::new();
    if has_path_params {
        errors.push(("400", "A path parameter is not a 64-bit integer"));
    }
    if operation.request_body.is_some() {
        errors.extend([
            ("400", "The body is not well-formed JSON"),
            ("413", "The body is larger than 64 KiB"),
            ("415", "The body is not sent as application/json"),
            ("422", "A field is missing or of the wrong type"),
        ]);
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in errors {
        match responses.get_mut(status) {
            Some(RefOr::T(documented)) => {
                let also = lowercase_first(description);
                if !documented.description.contains(&also) {
                    documented.description = format!("{}; or {also}", documented.description);
                }
            }
            Some(RefOr::Ref(_)) => {}
            None => {
                responses.insert(status.to_owned(), RefOr::T(error_response(description)));
            }
        }
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `GET /openapi.json`, serving `doc` (serialized once).
pub fn route(doc: &OpenApi) -> Router {
    let json = doc.to_json().expect("an OpenAPI document always serializes");
    Router::new().route(
        PATH,
        get(move || {
            let json = json.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], json) }
        }),
    )
}
