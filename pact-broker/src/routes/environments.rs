//! Environments and what is deployed or released to them: `POST/GET /environments`,
//! `GET/PUT/DELETE /environments/{uuid}`, record-deployment and record-release on a version,
//! the currently deployed/supported lists, and undeployment / end of support by `PATCH`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use service_kit::ApiError;
use service_kit::extract::Path;

use super::{invalid, not_found, version_or_404};
use crate::AppState;
use crate::extract::{Body, Query};
use crate::hal::{Base, Hal, link, named};
use crate::storage::{Deployment, DeploymentKind, Environment, Snapshot};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/environments", get(list).post(create))
        .route(
            "/environments/{uuid}",
            get(show).put(replace).delete(remove),
        )
        .route(
            "/environments/{uuid}/deployed-versions/currently-deployed",
            get(currently_deployed),
        )
        .route(
            "/environments/{uuid}/released-versions/currently-supported",
            get(currently_supported),
        )
        .route(
            "/pacticipants/{p}/versions/{v}/deployed-versions/environment/{uuid}",
            post(record_deployment),
        )
        .route(
            "/pacticipants/{p}/versions/{v}/released-versions/environment/{uuid}",
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

pub fn environment_json(base: &Base, e: &Environment) -> Value {
    let url = base.environment(&e.uuid);
    json!({
        "uuid": e.uuid,
        "name": e.name,
        "displayName": e.display_name.clone().unwrap_or_else(|| e.name.clone()),
        "production": e.production,
        "createdAt": e.created_at,
        "updatedAt": e.updated_at,
        "_links": {
            "self": named(&url, &e.name, "Environment"),
            "pb:currently-deployed-deployed-versions": link(format!("{url}/deployed-versions/currently-deployed")),
            "pb:currently-supported-released-versions": link(format!("{url}/released-versions/currently-supported")),
            "pb:environments": link(base.url("/environments")),
        }
    })
}

async fn list(State(state): State<AppState>, base: Base, query: Query) -> Result<Hal, ApiError> {
    let environments: Vec<Environment> = state
        .store
        .environments()
        .await?
        .into_iter()
        .filter(|e| query.get("name").is_none_or(|n| n == e.name))
        .collect();
    Ok(Hal::ok(json!({
        "_embedded": { "environments": environments.iter().map(|e| environment_json(&base, e)).collect::<Vec<_>>() },
        "_links": {
            "self": link(base.url("/environments")),
            "pb:create": { "href": base.url("/environments"), "title": "Create an environment" },
            "pb:environments": environments.iter().map(|e| named(base.environment(&e.uuid), &e.name, "Environment")).collect::<Vec<_>>(),
        }
    })))
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

fn valid_name(body: &EnvironmentBody) -> Result<String, ApiError> {
    let name = body
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid("name", "can't be blank"))?;
    if name.contains(char::is_whitespace) || name.contains('/') {
        return Err(invalid("name", "cannot contain spaces or slashes"));
    }
    Ok(name)
}

fn conflict(message: String) -> ApiError {
    ApiError::Rejected {
        status: StatusCode::CONFLICT,
        message,
    }
}

async fn create(
    State(state): State<AppState>,
    base: Base,
    Body(body): Body<EnvironmentBody>,
) -> Result<Hal, ApiError> {
    let name = valid_name(&body)?;
    if let Some(uuid) = &body.uuid
        && state.store.environment(uuid).await?.is_some()
    {
        return Err(conflict(format!(
            "an environment with uuid {uuid} already exists"
        )));
    }
    let environment = state
        .store
        .save_environment(body.uuid, name, body.display_name, body.production)
        .await?
        .map_err(conflict)?;
    Ok(Hal::created(environment_json(&base, &environment)))
}

async fn show(
    State(state): State<AppState>,
    base: Base,
    Path(uuid): Path<String>,
) -> Result<Hal, ApiError> {
    let environment = state
        .store
        .environment(&uuid)
        .await?
        .ok_or_else(|| not_found(format!("no environment {uuid}")))?;
    Ok(Hal::ok(environment_json(&base, &environment)))
}

async fn replace(
    State(state): State<AppState>,
    base: Base,
    Path(uuid): Path<String>,
    Body(body): Body<EnvironmentBody>,
) -> Result<Hal, ApiError> {
    let name = valid_name(&body)?;
    let existed = state.store.environment(&uuid).await?.is_some();
    let environment = state
        .store
        .save_environment(Some(uuid), name, body.display_name, body.production)
        .await?
        .map_err(conflict)?;
    let json = environment_json(&base, &environment);
    Ok(if existed {
        Hal::ok(json)
    } else {
        Hal::created(json)
    })
}

async fn remove(
    State(state): State<AppState>,
    Path(uuid): Path<String>,
) -> Result<Response, ApiError> {
    if state.store.delete_environment(&uuid).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(not_found(format!("no environment {uuid}")))
    }
}

fn deployment_json(
    base: &Base,
    snapshot: &Snapshot,
    d: &Deployment,
    environment: &Environment,
) -> Value {
    let version = snapshot.version(d.version_id);
    let pacticipant = snapshot.name(version.pacticipant_id);
    let (url, current_key) = match d.kind {
        DeploymentKind::Deployed => (base.deployed_version(&d.uuid), "currentlyDeployed"),
        DeploymentKind::Released => (base.released_version(&d.uuid), "currentlySupported"),
    };
    let mut json = json!({
        "uuid": d.uuid,
        "applicationInstance": d.application_instance,
        "target": d.application_instance,
        "createdAt": d.created_at,
        "_embedded": {
            "pacticipant": { "name": pacticipant, "_links": { "self": link(base.pacticipant(pacticipant)) } },
            "version": { "number": version.number, "_links": { "self": link(base.version(pacticipant, &version.number)) } },
            "environment": environment_json(base, environment),
        },
        "_links": {
            "self": link(&url),
            "pb:version": named(base.version(pacticipant, &version.number), &version.number, "Version"),
            "pb:environment": named(base.environment(&environment.uuid), &environment.name, "Environment"),
        }
    });
    json[current_key] = json!(d.ended_at.is_none());
    match d.kind {
        DeploymentKind::Deployed => json["undeployedAt"] = json!(d.ended_at),
        DeploymentKind::Released => {
            json["currentlyReleased"] = json!(d.ended_at.is_none());
            json["supportEndedAt"] = json!(d.ended_at);
        }
    }
    json
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordBody {
    application_instance: Option<String>,
    /// The older name of `applicationInstance`.
    target: Option<String>,
}

async fn record(
    state: &AppState,
    base: &Base,
    (p, v, uuid): (String, String, String),
    kind: DeploymentKind,
    instance: Option<String>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let version = version_or_404(&snapshot, &p, &v)?;
    let environment = snapshot
        .environments
        .iter()
        .find(|e| e.uuid == uuid)
        .ok_or_else(|| not_found(format!("no environment {uuid}")))?
        .clone();
    let deployment = state
        .store
        .record(kind, version.id, environment.id, instance)
        .await?;
    let snapshot = state.store.snapshot().await?;
    Ok(Hal::created(deployment_json(
        base,
        &snapshot,
        &deployment,
        &environment,
    )))
}

async fn record_deployment(
    State(state): State<AppState>,
    base: Base,
    Path(path): Path<(String, String, String)>,
    Body(body): Body<RecordBody>,
) -> Result<Hal, ApiError> {
    // pact-broker-cli sends the environment name as `target`; only an explicit
    // applicationInstance names an instance.
    let instance = body.application_instance.filter(|i| !i.is_empty());
    let _ = body.target;
    record(&state, &base, path, DeploymentKind::Deployed, instance).await
}

async fn record_release(
    State(state): State<AppState>,
    base: Base,
    Path(path): Path<(String, String, String)>,
) -> Result<Hal, ApiError> {
    record(&state, &base, path, DeploymentKind::Released, None).await
}

async fn current(
    state: &AppState,
    base: &Base,
    uuid: &str,
    query: &Query,
    kind: DeploymentKind,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let environment = snapshot
        .environments
        .iter()
        .find(|e| e.uuid == uuid)
        .ok_or_else(|| not_found(format!("no environment {uuid}")))?;
    let items: Vec<Value> = snapshot
        .deployments
        .iter()
        .filter(|d| d.kind == kind && d.environment_id == environment.id)
        .filter(|d| {
            let pacticipant = snapshot.name(snapshot.version(d.version_id).pacticipant_id);
            query.get("pacticipant").is_none_or(|p| p == pacticipant)
        })
        .filter(|d| {
            query
                .get("applicationInstance")
                .is_none_or(|i| d.application_instance.as_deref() == Some(i))
        })
        .map(|d| deployment_json(base, &snapshot, d, environment))
        .collect();
    let (key, path) = match kind {
        DeploymentKind::Deployed => ("deployedVersions", "deployed-versions/currently-deployed"),
        DeploymentKind::Released => ("releasedVersions", "released-versions/currently-supported"),
    };
    Ok(Hal::ok(json!({
        "_embedded": { key: items },
        "_links": { "self": link(format!("{}/{path}", base.environment(uuid))) }
    })))
}

async fn currently_deployed(
    State(state): State<AppState>,
    base: Base,
    Path(uuid): Path<String>,
    query: Query,
) -> Result<Hal, ApiError> {
    current(&state, &base, &uuid, &query, DeploymentKind::Deployed).await
}

async fn currently_supported(
    State(state): State<AppState>,
    base: Base,
    Path(uuid): Path<String>,
    query: Query,
) -> Result<Hal, ApiError> {
    current(&state, &base, &uuid, &query, DeploymentKind::Released).await
}

async fn show_deployment(
    State(state): State<AppState>,
    base: Base,
    Path(uuid): Path<String>,
) -> Result<Hal, ApiError> {
    let deployment = state
        .store
        .deployment(&uuid)
        .await?
        .ok_or_else(|| not_found(format!("no deployment {uuid}")))?;
    deployment_response(&state, &base, &deployment).await
}

async fn deployment_response(
    state: &AppState,
    base: &Base,
    d: &Deployment,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let environment = snapshot
        .environments
        .iter()
        .find(|e| e.id == d.environment_id)
        .ok_or_else(|| not_found("environment vanished"))?;
    Ok(Hal::ok(deployment_json(base, &snapshot, d, environment)))
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
    base: Base,
    Path(uuid): Path<String>,
    Body(body): Body<UpdateBody>,
) -> Result<Hal, ApiError> {
    let existing = state
        .store
        .deployment(&uuid)
        .await?
        .ok_or_else(|| not_found(format!("no deployment {uuid}")))?;
    let end = match existing.kind {
        DeploymentKind::Deployed => body.currently_deployed,
        DeploymentKind::Released => body.currently_supported,
    };
    let deployment = match end {
        Some(false) => state
            .store
            .end_deployment(&uuid)
            .await?
            .ok_or_else(|| not_found("deployment vanished"))?,
        Some(true) if existing.ended_at.is_some() => {
            return Err(invalid(
                "currentlyDeployed",
                "an ended deployment or release cannot be resumed",
            ));
        }
        _ => existing,
    };
    deployment_response(&state, &base, &deployment).await
}
