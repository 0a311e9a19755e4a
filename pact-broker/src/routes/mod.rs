//! HTTP, and only here: one module per resource on the official broker's paths, the
//! extractors, content negotiation (HAL or a web page), basic auth and the error type. A
//! handler reads the store, asks the model, renders a view.

pub mod auth;
pub mod badges;
pub mod environments;
pub mod error;
pub mod extract;
pub mod for_verification;
pub mod hal;
pub mod index;
pub mod integrations;
pub mod matrix;
pub mod metrics;
pub mod pacticipants;
pub mod pacts;
pub mod pages;
pub mod provider_pacts;
pub mod publish;
pub mod verifications;
pub mod versions;
pub mod webhooks;

use axum::Router;

pub use error::ApiError;

use crate::AppState;
use crate::model::{Pacticipant, Snapshot, Version};

/// Counts the request as being served while it runs (webhook deliveries give way to requests).
pub async fn count_serving(
    axum::extract::State(activity): axum::extract::State<crate::dispatch::Activity>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let _serving = activity.serving();
    next.run(request).await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(index::router())
        .merge(pacticipants::router())
        .merge(versions::router())
        .merge(pacts::router())
        .merge(publish::router())
        .merge(for_verification::router())
        .merge(verifications::router())
        .merge(matrix::router())
        .merge(environments::router())
        .merge(pages::router())
        .merge(provider_pacts::router())
        .merge(webhooks::router())
        .merge(badges::router())
        .merge(integrations::router())
        .merge(metrics::router())
}

pub fn pacticipant_or_404<'a>(snapshot: &'a Snapshot, name: &str) -> Result<&'a Pacticipant, ApiError> {
    snapshot
        .pacticipant_by_name(name)
        .ok_or_else(|| ApiError::not_found(format!("pacticipant '{name}' not found")))
}

pub fn version_or_404<'a>(snapshot: &'a Snapshot, pacticipant: &str, number: &str) -> Result<&'a Version, ApiError> {
    let p = pacticipant_or_404(snapshot, pacticipant)?;
    snapshot
        .version_by_number(p.id, number)
        .ok_or_else(|| ApiError::not_found(format!("version '{number}' of pacticipant '{pacticipant}' not found")))
}

/// The newest version of a pacticipant on a branch (what the branch's `latest-version` and
/// can-i-deploy resources address).
pub fn latest_on_branch_or_404<'a>(
    snapshot: &'a Snapshot,
    pacticipant: &str,
    branch: &str,
) -> Result<&'a Version, ApiError> {
    let p = pacticipant_or_404(snapshot, pacticipant)?;
    snapshot.latest_version_on_branch(p.id, branch).ok_or_else(|| {
        ApiError::not_found(format!(
            "pacticipant '{pacticipant}' has no version on branch '{branch}'"
        ))
    })
}
