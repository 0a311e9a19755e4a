//! Badges (SVG, drawn locally): a pact's latest verification
//! (`/pacts/provider/{p}/consumer/{c}/latest[/{tag}]/badge`), the matrix between the latest
//! tagged versions (`/matrix/provider/{p}/latest/{pt}/consumer/{c}/latest/{ct}/badge`) and
//! can-i-deploy (`/pacticipants/{p}/latest-version/{tag}/can-i-deploy/to/{env}/badge`,
//! `/pacticipants/{p}/branches/{b}/latest-version/can-i-deploy/to-environment/{env}/badge`).
//! As the official broker, anything unknown (pacticipant, pact, version) is an "unknown" badge,
//! not a 404: a README keeps showing an image.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use service_kit::extract::Path;

use super::ApiError;
use crate::AppState;
use crate::model::matrix::{self, MatrixQuery, Target};
use crate::model::{Snapshot, can_i_deploy};
use crate::views::badges::{Status, badge, deploy_message, verification_message};

pub fn router() -> Router<AppState> {
    const PAIR: &str = "/pacts/provider/{provider}/consumer/{consumer}";
    Router::new()
        .route(&format!("{PAIR}/latest/badge"), get(latest_pact))
        .route(&format!("{PAIR}/latest/{{tag}}/badge"), get(latest_tagged_pact))
        .route(
            "/matrix/provider/{provider}/latest/{provider_tag}/consumer/{consumer}/latest/{consumer_tag}/badge",
            get(matrix_badge),
        )
        .route(
            "/pacticipants/{pacticipant}/latest-version/{tag}/can-i-deploy/to/{environment}/badge",
            get(can_i_deploy_tag),
        )
        .route(
            "/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}/badge",
            get(can_i_deploy_branch),
        )
}

/// `?label=` replaces the default label (as on the official broker).
#[derive(Debug, Default, Deserialize)]
struct BadgeQuery {
    label: Option<String>,
}

fn svg(label: String, message: &str, status: Status) -> Response {
    let mut response = badge(&label, message, status).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The latest verification of the pair's latest pact (with `tag` on its consumer version).
fn pact_status(snapshot: &Snapshot, provider: &str, consumer: &str, tag: Option<&str>) -> Status {
    let (Some(p), Some(c)) = (
        snapshot.pacticipant_by_name(provider),
        snapshot.pacticipant_by_name(consumer),
    ) else {
        return Status::Unknown;
    };
    let latest = snapshot
        .publications_between(c.id, p.id)
        .filter(|x| tag.is_none_or(|t| snapshot.version(x.consumer_version_id).tags.iter().any(|v| v == t)))
        .last();
    Status::from_outcome(latest.and_then(|x| snapshot.last_verification(x)).map(|v| v.success))
}

async fn pact_badge(
    state: &AppState,
    (provider, consumer, tag): (&str, &str, Option<&str>),
    label: Option<String>,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let status = pact_status(&snapshot, provider, consumer, tag);
    let label = label.unwrap_or_else(|| format!("{consumer}/{provider} pact"));
    Ok(svg(label, verification_message(status), status))
}

async fn latest_pact(
    State(state): State<AppState>,
    Path((provider, consumer)): Path<(String, String)>,
    Query(query): Query<BadgeQuery>,
) -> Result<Response, ApiError> {
    pact_badge(&state, (&provider, &consumer, None), query.label).await
}

async fn latest_tagged_pact(
    State(state): State<AppState>,
    Path((provider, consumer, tag)): Path<(String, String, String)>,
    Query(query): Query<BadgeQuery>,
) -> Result<Response, ApiError> {
    pact_badge(&state, (&provider, &consumer, Some(&tag)), query.label).await
}

/// The verification between the latest consumer version with one tag and the latest provider
/// version with another.
async fn matrix_badge(
    State(state): State<AppState>,
    Path((provider, provider_tag, consumer, consumer_tag)): Path<(String, String, String, String)>,
    Query(query): Query<BadgeQuery>,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let latest_tagged = |name: &str, tag: &str| {
        snapshot
            .pacticipant_by_name(name)
            .and_then(|p| snapshot.latest_version_with_tag(p.id, tag))
    };
    let outcome = match (
        latest_tagged(&consumer, &consumer_tag),
        latest_tagged(&provider, &provider_tag),
    ) {
        (Some(consumer_version), Some(provider_version)) => snapshot
            .publications_of_version(consumer_version.id)
            .find(|x| snapshot.name(x.provider_id) == provider)
            .and_then(|x| {
                snapshot
                    .verifications_of(&x.sha, x.provider_id)
                    .find(|v| v.provider_version_id == provider_version.id)
            })
            .map(|v| v.success),
        _ => None,
    };
    let status = Status::from_outcome(outcome);
    let label = query
        .label
        .unwrap_or_else(|| format!("{consumer} ({consumer_tag})/{provider} ({provider_tag}) pact"));
    Ok(svg(label, verification_message(status), status))
}

fn deploy_status(snapshot: &Snapshot, pacticipant: &str, version: Option<String>, environment: &str) -> Status {
    if version.is_none() || snapshot.environment_by_name(environment).is_none() {
        return Status::Unknown;
    }
    let query = MatrixQuery::can_i_deploy(
        pacticipant.to_owned(),
        version,
        Target::Environment(environment.to_owned()),
    );
    let result = matrix::query(snapshot, &query);
    Status::from_outcome(can_i_deploy::summary(snapshot, &result).deployable)
}

async fn can_i_deploy_tag(
    State(state): State<AppState>,
    Path((pacticipant, tag, environment)): Path<(String, String, String)>,
    Query(query): Query<BadgeQuery>,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let version = snapshot
        .pacticipant_by_name(&pacticipant)
        .and_then(|p| snapshot.latest_version_with_tag(p.id, &tag))
        .map(|v| v.number.clone());
    let status = deploy_status(&snapshot, &pacticipant, version, &environment);
    let label = query
        .label
        .unwrap_or_else(|| format!("can-i-deploy {pacticipant} ({tag}) to {environment}"));
    Ok(svg(label, deploy_message(status), status))
}

async fn can_i_deploy_branch(
    State(state): State<AppState>,
    Path((pacticipant, branch, environment)): Path<(String, String, String)>,
    Query(query): Query<BadgeQuery>,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let version = snapshot
        .pacticipant_by_name(&pacticipant)
        .and_then(|p| snapshot.latest_version_on_branch(p.id, &branch))
        .map(|v| v.number.clone());
    let status = deploy_status(&snapshot, &pacticipant, version, &environment);
    let label = query
        .label
        .unwrap_or_else(|| format!("can-i-deploy {pacticipant} ({branch}) to {environment}"));
    Ok(svg(label, deploy_message(status), status))
}
