//! `GET/POST /pacts/provider/{provider}/for-verification`. The Rust verifier GETs it first and
//! POSTs its selectors to the `self` link it finds there.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::Value;
use service_kit::extract::Path;

use super::ApiError;
use super::extract::{Body, Query};
use super::hal::Hal;
use crate::AppState;
use crate::model::selectors::{Selector, VerificationRequest, pacts_for_verification};
use crate::views::Links;
use crate::views::for_verification::{self, PactsForVerification};

pub fn router() -> Router<AppState> {
    Router::new().route("/pacts/provider/{provider}/for-verification", get(query).post(request))
}

/// The GET form takes the same parameters in the query string (Rack style).
fn request_from_query(query: &Query) -> VerificationRequest {
    let selectors = query
        .groups("consumer_version_selectors")
        .into_iter()
        .chain(query.groups("consumerVersionSelectors"))
        .map(|group| {
            let mut object = serde_json::Map::new();
            for (field, value) in group {
                let value = match value.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::String(value),
                };
                object.insert(field, value);
            }
            serde_json::from_value::<Selector>(Value::Object(object)).unwrap_or_default()
        })
        .collect();
    VerificationRequest {
        provider_version_tags: query
            .all("provider_version_tags[]")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        provider_version_branch: query.get("provider_version_branch").map(str::to_owned),
        consumer_version_selectors: selectors,
        include_pending_status: query.flag("include_pending_status"),
        include_wip_pacts_since: query.get("include_wip_pacts_since").map(str::to_owned),
    }
}

async fn query(
    State(state): State<AppState>,
    links: Links,
    Path(provider): Path<String>,
    query: Query,
) -> Result<Hal<PactsForVerification>, ApiError> {
    answer(&state, &links, &provider, &request_from_query(&query)).await
}

async fn request(
    State(state): State<AppState>,
    links: Links,
    Path(provider): Path<String>,
    Body(request): Body<VerificationRequest>,
) -> Result<Hal<PactsForVerification>, ApiError> {
    answer(&state, &links, &provider, &request).await
}

async fn answer(
    state: &AppState,
    links: &Links,
    provider: &str,
    request: &VerificationRequest,
) -> Result<Hal<PactsForVerification>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let selected = pacts_for_verification(&snapshot, provider, request)?
        .ok_or_else(|| ApiError::not_found(format!("provider '{provider}' not found")))?;
    Ok(Hal::ok(for_verification::pacts_for_verification(
        links, provider, request, &selected,
    )))
}
