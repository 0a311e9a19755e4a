//! Verification results: published to a pact's `pb:publish-verification-results` link, read
//! back by id or as the latest for a pact content.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use service_kit::extract::Path;

use super::extract::Body;
use super::hal::Hal;
use super::{ApiError, pacticipant_or_404};
use crate::AppState;
use crate::storage::{NewVerification, VersionLabels};
use crate::views::Links;
use crate::views::verifications::{VerificationResource, verification};

pub fn router() -> Router<AppState> {
    const PACT_VERSION: &str = "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}";
    Router::new()
        .route(&format!("{PACT_VERSION}/verification-results"), post(publish))
        .route(
            &format!("{PACT_VERSION}/metadata/{{metadata}}/verification-results"),
            post(publish_with_metadata),
        )
        .route(&format!("{PACT_VERSION}/verification-results/latest"), get(latest))
        .route(&format!("{PACT_VERSION}/verification-results/{{id}}"), get(show))
}

/// A pact content's address: provider, consumer, sha.
type PactVersionPath = (String, String, String);

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerificationBody {
    success: Option<bool>,
    provider_application_version: Option<String>,
    provider_version_branch: Option<String>,
    #[serde(default)]
    provider_version_tags: Vec<String>,
    build_url: Option<String>,
    /// An array (pact_verifier) or an object (some other clients): stored as sent.
    #[serde(default)]
    test_results: Value,
    #[serde(default)]
    verified_by: Value,
}

/// The metadata (which selection led to the pact) does not change which pact is verified.
async fn publish_with_metadata(
    state: State<AppState>,
    links: Links,
    Path((provider, consumer, sha, _metadata)): Path<(String, String, String, String)>,
    body: Body<VerificationBody>,
) -> Result<Hal<VerificationResource>, ApiError> {
    publish(state, links, Path((provider, consumer, sha)), body).await
}

async fn publish(
    State(state): State<AppState>,
    links: Links,
    Path((provider, consumer, sha)): Path<PactVersionPath>,
    Body(body): Body<VerificationBody>,
) -> Result<Hal<VerificationResource>, ApiError> {
    let success = body
        .success
        .ok_or_else(|| ApiError::invalid("success", "is required (true or false)"))?;
    let provider_version = body
        .provider_application_version
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("providerApplicationVersion", "can't be blank"))?;
    if !matches!(body.test_results, Value::Null | Value::Array(_) | Value::Object(_)) {
        return Err(ApiError::invalid("testResults", "must be an array or an object"));
    }
    let snapshot = state.store.snapshot().await?;
    let provider_id = pacticipant_or_404(&snapshot, &provider)?.id;
    let consumer_id = pacticipant_or_404(&snapshot, &consumer)?.id;
    if !snapshot
        .publications_between(consumer_id, provider_id)
        .any(|x| x.sha == sha)
    {
        return Err(ApiError::not_found(format!(
            "no pact between {consumer} and {provider} with content {sha}"
        )));
    }
    let id = state
        .store
        .add_verification(NewVerification {
            provider: provider.clone(),
            consumer: consumer.clone(),
            sha,
            provider_version,
            labels: VersionLabels {
                branch: body.provider_version_branch,
                tags: body.provider_version_tags,
                build_url: None,
            },
            success,
            test_results: body.test_results,
            verified_by: body.verified_by,
            build_url: body.build_url,
            base_url: links.base().to_owned(),
        })
        .await?;
    state.webhooks.wake();
    let detail = state
        .store
        .verification(id)
        .await?
        .ok_or_else(|| ApiError::internal(format!("verification {id} vanished")))?;
    let snapshot = state.store.snapshot().await?;
    Ok(Hal::created(verification(
        &links, &snapshot, &provider, &consumer, &detail,
    )))
}

async fn show(
    State(state): State<AppState>,
    links: Links,
    Path((provider, consumer, sha, id)): Path<(String, String, String, String)>,
) -> Result<Hal<VerificationResource>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::not_found(format!("no verification result {id}")))?;
    let detail = state
        .store
        .verification(id)
        .await?
        .filter(|d| d.verification.sha == sha)
        .ok_or_else(|| ApiError::not_found(format!("no verification result {id} for pact {sha}")))?;
    let snapshot = state.store.snapshot().await?;
    Ok(Hal::ok(verification(&links, &snapshot, &provider, &consumer, &detail)))
}

async fn latest(
    State(state): State<AppState>,
    links: Links,
    Path((provider, consumer, sha)): Path<PactVersionPath>,
) -> Result<Hal<VerificationResource>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let provider_id = pacticipant_or_404(&snapshot, &provider)?.id;
    let id = snapshot
        .verifications_of(&sha, provider_id)
        .next()
        .map(|v| v.id)
        .ok_or_else(|| ApiError::not_found(format!("pact {sha} has no verification results")))?;
    let detail = state
        .store
        .verification(id)
        .await?
        .ok_or_else(|| ApiError::internal(format!("verification {id} vanished")))?;
    Ok(Hal::ok(verification(&links, &snapshot, &provider, &consumer, &detail)))
}
