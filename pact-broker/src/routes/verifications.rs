//! Verification results: published to a pact's `pb:publish-verification-results` link, read
//! back by id or as the latest for a pact content.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use service_kit::ApiError;
use service_kit::extract::Path;

use super::{invalid, not_found, pacticipant_or_404};
use crate::AppState;
use crate::hal::{Base, Hal, named};
use crate::storage::{NewVerification, Snapshot, VerificationDetail};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/verification-results",
            post(publish),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/metadata/{m}/verification-results",
            post(publish_with_metadata),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/verification-results/latest",
            get(latest),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/verification-results/{id}",
            get(show),
        )
}

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

async fn publish_with_metadata(
    state: State<AppState>,
    base: Base,
    Path((p, c, sha, _m)): Path<(String, String, String, String)>,
    body: crate::extract::Body<VerificationBody>,
) -> Result<Hal, ApiError> {
    publish(state, base, Path((p, c, sha)), body).await
}

async fn publish(
    State(state): State<AppState>,
    base: Base,
    Path((p, c, sha)): Path<(String, String, String)>,
    crate::extract::Body(body): crate::extract::Body<VerificationBody>,
) -> Result<Hal, ApiError> {
    let success = body
        .success
        .ok_or_else(|| invalid("success", "is required (true or false)"))?;
    let provider_version = body
        .provider_application_version
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| invalid("providerApplicationVersion", "can't be blank"))?;
    if !matches!(
        body.test_results,
        Value::Null | Value::Array(_) | Value::Object(_)
    ) {
        return Err(invalid("testResults", "must be an array or an object"));
    }
    let snapshot = state.store.snapshot().await?;
    let provider = pacticipant_or_404(&snapshot, &p)?;
    let consumer = pacticipant_or_404(&snapshot, &c)?;
    if !snapshot
        .publications
        .iter()
        .any(|x| x.sha == sha && x.provider_id == provider.id && x.consumer_id == consumer.id)
    {
        return Err(not_found(format!(
            "no pact between {c} and {p} with content {sha}"
        )));
    }
    let id = state
        .store
        .add_verification(NewVerification {
            provider: p.clone(),
            consumer: c.clone(),
            sha: sha.clone(),
            provider_version,
            branch: body.provider_version_branch,
            tags: body.provider_version_tags,
            success,
            test_results: body.test_results,
            verified_by: body.verified_by,
            build_url: body.build_url,
        })
        .await?;
    let detail = state
        .store
        .verification(id)
        .await?
        .ok_or_else(|| not_found("verification vanished"))?;
    let snapshot = state.store.snapshot().await?;
    Ok(Hal::created(verification_json(
        &base, &snapshot, &p, &c, &detail,
    )))
}

pub fn verification_json(
    base: &Base,
    snapshot: &Snapshot,
    p: &str,
    c: &str,
    d: &VerificationDetail,
) -> Value {
    let v = &d.verification;
    let version = &snapshot.version(v.provider_version_id).number;
    json!({
        "providerName": p,
        "providerApplicationVersion": version,
        "success": v.success,
        "verificationDate": v.created_at,
        "buildUrl": d.build_url,
        "testResults": d.test_results,
        "verifiedBy": d.verified_by,
        "_links": {
            "self": named(base.verification(p, c, &v.sha, v.id), format!("Verification result {} for Pact between {c} and {p}", v.id), "Verification result"),
            "pb:pact-version": named(base.pact_version(p, c, &v.sha), &v.sha, "Pact"),
            "pb:provider-version": named(base.version(p, version), version, "Provider version"),
        }
    })
}

async fn show(
    State(state): State<AppState>,
    base: Base,
    Path((p, c, sha, id)): Path<(String, String, String, String)>,
) -> Result<Hal, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| not_found(format!("no verification result {id}")))?;
    let detail = state
        .store
        .verification(id)
        .await?
        .filter(|d| d.verification.sha == sha)
        .ok_or_else(|| not_found(format!("no verification result {id} for pact {sha}")))?;
    let snapshot = state.store.snapshot().await?;
    Ok(Hal::ok(verification_json(
        &base, &snapshot, &p, &c, &detail,
    )))
}

async fn latest(
    State(state): State<AppState>,
    base: Base,
    Path((p, c, sha)): Path<(String, String, String)>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let provider = pacticipant_or_404(&snapshot, &p)?;
    let id = snapshot
        .verifications_of(&sha, provider.id)
        .next()
        .map(|v| v.id)
        .ok_or_else(|| not_found(format!("pact {sha} has no verification results")))?;
    let detail = state
        .store
        .verification(id)
        .await?
        .ok_or_else(|| not_found("verification vanished"))?;
    Ok(Hal::ok(verification_json(
        &base, &snapshot, &p, &c, &detail,
    )))
}
