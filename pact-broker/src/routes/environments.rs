//! Environments and what is deployed or released to them: `POST/GET /environments`,
//! `GET/PUT/DELETE /environments/{uuid}`, record-deployment and record-release on a version,
//! the currently deployed/supported lists, and undeployment / end of support by `PATCH`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use service_kit::extract::Path;

use super::extract::{Body, Query};
use super::hal::Hal;
use super::{ApiError, version_or_404};
use crate::AppState;
use crate::model::{Deployment, DeploymentKind, Environment};
use crate::storage::{EnvironmentFields, Missing, Save};
use crate::views::Links;
use crate::views::environments::{
    CurrentDeployments, DeploymentResource, EnvironmentList, EnvironmentResource, current_deployments, deployment,
    environment, environment_list,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/environments", get(list).post(create))
        .route("/environments/{uuid}", get(show).put(replace).delete(remove))
        .route(
            "/environments/{uuid}/deployed-versions/currently-deployed",
            get(currently_deployed),
        )
        .route(
            "/environments/{uuid}/released-versions/currently-supported",
            get(currently_supported),
        )
        .route(
            "/pacticipants/{pacticipant}/versions/{version}/deployed-versions/environment/{uuid}",
            post(record_deployment),
        )
        .route(
            "/pacticipants/{pacticipant}/versions/{version}/released-versions/environment/{uuid}",
            post(record_release),
        )
        .route(
            "/deployed-versions/{uuid}",
            get(show_deployment).patch(update_deployment),
        )
        .route(
            "/released-versions/{uuid}",
            get(show_deployment).patch(update_deployment),
        )
}

fn environment_missing(uuid: &str) -> ApiError {
    Missing::Environment { uuid: uuid.to_owned() }.into()
}

fn deployment_missing(uuid: &str) -> ApiError {
    Missing::Deployment { uuid: uuid.to_owned() }.into()
}

async fn list(State(state): State<AppState>, links: Links, query: Query) -> Result<Hal<EnvironmentList>, ApiError> {
    let environments: Vec<Environment> = state
        .store
        .environments()
        .await?
        .into_iter()
        .filter(|e| query.get("name").is_none_or(|n| n == e.name))
        .collect();
    Ok(Hal::ok(environment_list(&links, &environments)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnvironmentBody {
    name: Option<String>,
    display_name: Option<String>,
    #[serde(default)]
    production: bool,
    uuid: Option<String>,
}

impl EnvironmentBody {
    /// The fields, once the name is acceptable.
    fn fields(self) -> Result<EnvironmentFields, ApiError> {
        let name = self
            .name
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| ApiError::invalid("name", "can't be blank"))?;
        if name.contains(char::is_whitespace) || name.contains('/') {
            return Err(ApiError::invalid("name", "cannot contain spaces or slashes"));
        }
        Ok(EnvironmentFields {
            name,
            display_name: self.display_name,
            production: self.production,
        })
    }
}

async fn create(
    State(state): State<AppState>,
    links: Links,
    Body(mut body): Body<EnvironmentBody>,
) -> Result<Hal<EnvironmentResource>, ApiError> {
    let uuid = body.uuid.take();
    let (created, _) = state.store.save_environment(Save::Create(uuid), body.fields()?).await?;
    Ok(Hal::created(environment(&links, &created)))
}

async fn show(
    State(state): State<AppState>,
    links: Links,
    Path(uuid): Path<String>,
) -> Result<Hal<EnvironmentResource>, ApiError> {
    let found = state
        .store
        .environment(&uuid)
        .await?
        .ok_or_else(|| environment_missing(&uuid))?;
    Ok(Hal::ok(environment(&links, &found)))
}

async fn replace(
    State(state): State<AppState>,
    links: Links,
    Path(uuid): Path<String>,
    Body(body): Body<EnvironmentBody>,
) -> Result<Hal<EnvironmentResource>, ApiError> {
    let fields = body.fields()?;
    let (saved, created) = state.store.save_environment(Save::Replace(uuid), fields).await?;
    Ok(Hal::saved(created, environment(&links, &saved)))
}

async fn remove(State(state): State<AppState>, Path(uuid): Path<String>) -> Result<StatusCode, ApiError> {
    state.store.delete_environment(&uuid).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordBody {
    application_instance: Option<String>,
}

/// Records a deployment or release of `version` of `pacticipant` to environment `uuid`.
async fn record(
    state: &AppState,
    links: &Links,
    (pacticipant, number, uuid): (String, String, String),
    kind: DeploymentKind,
    application_instance: Option<String>,
) -> Result<Hal<DeploymentResource>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let version = version_or_404(&snapshot, &pacticipant, &number)?;
    let target = snapshot
        .environment_by_uuid(&uuid)
        .ok_or_else(|| environment_missing(&uuid))?
        .clone();
    let recorded = state
        .store
        .record(kind, version.id, target.id, application_instance)
        .await?;
    let snapshot = state.store.snapshot().await?;
    Ok(Hal::created(deployment(links, &snapshot, &recorded, &target)))
}

async fn record_deployment(
    State(state): State<AppState>,
    links: Links,
    Path(path): Path<(String, String, String)>,
    Body(body): Body<RecordBody>,
) -> Result<Hal<DeploymentResource>, ApiError> {
    // pact-broker-cli also sends the environment name as `target`, the older name of
    // `applicationInstance`; only an explicit applicationInstance names an instance.
    let instance = body.application_instance.filter(|i| !i.is_empty());
    record(&state, &links, path, DeploymentKind::Deployed, instance).await
}

async fn record_release(
    State(state): State<AppState>,
    links: Links,
    Path(path): Path<(String, String, String)>,
) -> Result<Hal<DeploymentResource>, ApiError> {
    record(&state, &links, path, DeploymentKind::Released, None).await
}

/// What is currently deployed (or supported) in an environment, optionally of one pacticipant
/// or application instance.
async fn current(
    state: &AppState,
    links: &Links,
    uuid: &str,
    query: &Query,
    kind: DeploymentKind,
) -> Result<Hal<CurrentDeployments>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let target = snapshot
        .environment_by_uuid(uuid)
        .ok_or_else(|| environment_missing(uuid))?;
    let items = snapshot
        .deployments
        .iter()
        .filter(|d| d.kind == kind && d.environment_id == target.id)
        .filter(|d| {
            query
                .get("pacticipant")
                .is_none_or(|p| p == snapshot.owner_of(d.version_id))
        })
        .filter(|d| {
            query
                .get("applicationInstance")
                .is_none_or(|i| d.application_instance.as_deref() == Some(i))
        })
        .map(|d| deployment(links, &snapshot, d, target))
        .collect();
    Ok(Hal::ok(current_deployments(links, kind, uuid, items)))
}

async fn currently_deployed(
    State(state): State<AppState>,
    links: Links,
    Path(uuid): Path<String>,
    query: Query,
) -> Result<Hal<CurrentDeployments>, ApiError> {
    current(&state, &links, &uuid, &query, DeploymentKind::Deployed).await
}

async fn currently_supported(
    State(state): State<AppState>,
    links: Links,
    Path(uuid): Path<String>,
    query: Query,
) -> Result<Hal<CurrentDeployments>, ApiError> {
    current(&state, &links, &uuid, &query, DeploymentKind::Released).await
}

async fn show_deployment(
    State(state): State<AppState>,
    links: Links,
    Path(uuid): Path<String>,
) -> Result<Hal<DeploymentResource>, ApiError> {
    let found = state
        .store
        .deployment(&uuid)
        .await?
        .ok_or_else(|| deployment_missing(&uuid))?;
    deployment_response(&state, &links, &found).await
}

async fn deployment_response(
    state: &AppState,
    links: &Links,
    recorded: &Deployment,
) -> Result<Hal<DeploymentResource>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let target = snapshot
        .environment(recorded.environment_id)
        .ok_or_else(|| ApiError::not_found("environment vanished"))?;
    Ok(Hal::ok(deployment(links, &snapshot, recorded, target)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    currently_deployed: Option<bool>,
    currently_supported: Option<bool>,
}

/// `PATCH {"currentlyDeployed": false}` records an undeployment, `{"currentlySupported": false}`
/// the end of a release's support (neither can be undone, as in the official broker).
async fn update_deployment(
    State(state): State<AppState>,
    links: Links,
    Path(uuid): Path<String>,
    Body(body): Body<UpdateBody>,
) -> Result<Hal<DeploymentResource>, ApiError> {
    let existing = state
        .store
        .deployment(&uuid)
        .await?
        .ok_or_else(|| deployment_missing(&uuid))?;
    let end = match existing.kind {
        DeploymentKind::Deployed => body.currently_deployed,
        DeploymentKind::Released => body.currently_supported,
    };
    let updated = match end {
        Some(false) => state.store.end_deployment(&uuid).await?,
        Some(true) if existing.ended_at.is_some() => {
            return Err(ApiError::invalid(
                "currentlyDeployed",
                "an ended deployment or release cannot be resumed",
            ));
        }
        _ => existing,
    };
    deployment_response(&state, &links, &updated).await
}
