//! Versions, branches and tags of a pacticipant.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde::Deserialize;
use serde_json::json;
use service_kit::ApiError;
use service_kit::extract::Path;

use super::{not_found, pacticipant_or_404, version_json, version_or_404};
use crate::AppState;
use crate::extract::Body;
use crate::hal::{Base, Hal, link, named};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pacticipants/{p}/versions", get(list))
        .route(
            "/pacticipants/{p}/versions/{v}",
            get(show).put(create_or_update),
        )
        .route("/pacticipants/{p}/latest-version", get(latest))
        .route("/pacticipants/{p}/latest-version/{tag}", get(latest_tagged))
        .route(
            "/pacticipants/{p}/versions/{v}/tags/{tag}",
            get(show_tag).put(add_tag).delete(delete_tag),
        )
        .route(
            "/pacticipants/{p}/branches/{b}",
            get(show_branch).delete(delete_branch),
        )
        .route(
            "/pacticipants/{p}/branches/{b}/versions/{v}",
            get(show_branch_version).put(add_branch_version),
        )
        .route(
            "/pacticipants/{p}/branches/{b}/latest-version",
            get(latest_on_branch),
        )
        .route("/pacticipants/{p}/branches", get(list_branches))
        .route("/pacticipants/{p}/labels/{label}", delete(no_labels))
}

async fn no_labels() -> ApiError {
    not_found("labels are not supported")
}

async fn list(
    State(state): State<AppState>,
    base: Base,
    Path(p): Path<String>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let pacticipant = pacticipant_or_404(&snapshot, &p)?;
    let versions: Vec<_> = snapshot
        .versions_of(pacticipant.id)
        .into_iter()
        .map(|v| version_json(&base, &snapshot, &p, v))
        .collect();
    Ok(Hal::ok(json!({
        "_embedded": { "versions": versions },
        "_links": { "self": link(format!("{}/versions", base.pacticipant(&p))) }
    })))
}

async fn show(
    State(state): State<AppState>,
    base: Base,
    Path((p, v)): Path<(String, String)>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let version = version_or_404(&snapshot, &p, &v)?;
    Ok(Hal::ok(version_json(&base, &snapshot, &p, version)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionBody {
    build_url: Option<String>,
    branch: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// `PUT /pacticipants/{p}/versions/{v}` (create-or-update-version).
async fn create_or_update(
    State(state): State<AppState>,
    base: Base,
    Path((p, v)): Path<(String, String)>,
    Body(body): Body<VersionBody>,
) -> Result<Hal, ApiError> {
    let created = state
        .store
        .ensure_version(&p, &v, body.branch, body.tags, body.build_url)
        .await?;
    let snapshot = state.store.snapshot().await?;
    let json = version_json(&base, &snapshot, &p, version_or_404(&snapshot, &p, &v)?);
    Ok(if created {
        Hal::created(json)
    } else {
        Hal::ok(json)
    })
}

async fn latest(
    State(state): State<AppState>,
    base: Base,
    Path(p): Path<String>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let pacticipant = pacticipant_or_404(&snapshot, &p)?;
    let version = snapshot
        .versions_of(pacticipant.id)
        .into_iter()
        .next()
        .ok_or_else(|| not_found(format!("pacticipant '{p}' has no versions")))?;
    Ok(Hal::ok(version_json(&base, &snapshot, &p, version)))
}

async fn latest_tagged(
    State(state): State<AppState>,
    base: Base,
    Path((p, tag)): Path<(String, String)>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let pacticipant = pacticipant_or_404(&snapshot, &p)?;
    let version = snapshot
        .versions_of(pacticipant.id)
        .into_iter()
        .find(|v| v.tags.contains(&tag))
        .ok_or_else(|| not_found(format!("pacticipant '{p}' has no version tagged '{tag}'")))?;
    Ok(Hal::ok(version_json(&base, &snapshot, &p, version)))
}

async fn latest_on_branch(
    State(state): State<AppState>,
    base: Base,
    Path((p, b)): Path<(String, String)>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let pacticipant = pacticipant_or_404(&snapshot, &p)?;
    let version = snapshot
        .versions_of(pacticipant.id)
        .into_iter()
        .find(|v| v.branches.contains(&b))
        .ok_or_else(|| not_found(format!("pacticipant '{p}' has no version on branch '{b}'")))?;
    Ok(Hal::ok(version_json(&base, &snapshot, &p, version)))
}

fn tag_json(base: &Base, p: &str, v: &str, tag: &str) -> serde_json::Value {
    json!({
        "name": tag,
        "_links": {
            "self": link(base.tag(p, v, tag)),
            "pb:version": named(base.version(p, v), v, "Version"),
            "pb:pacticipant": named(base.pacticipant(p), p, "Pacticipant"),
        }
    })
}

async fn show_tag(
    State(state): State<AppState>,
    base: Base,
    Path((p, v, tag)): Path<(String, String, String)>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let version = version_or_404(&snapshot, &p, &v)?;
    if !version.tags.contains(&tag) {
        return Err(not_found(format!(
            "version '{v}' of '{p}' has no tag '{tag}'"
        )));
    }
    Ok(Hal::ok(tag_json(&base, &p, &v, &tag)))
}

/// `PUT .../tags/{tag}` creates pacticipant and version when needed (as the official broker).
async fn add_tag(
    State(state): State<AppState>,
    base: Base,
    Path((p, v, tag)): Path<(String, String, String)>,
) -> Result<Hal, ApiError> {
    let before = state.store.snapshot().await?;
    let existed = version_or_404(&before, &p, &v).is_ok_and(|version| version.tags.contains(&tag));
    state
        .store
        .ensure_version(&p, &v, None, vec![tag.clone()], None)
        .await?;
    let json = tag_json(&base, &p, &v, &tag);
    Ok(if existed {
        Hal::ok(json)
    } else {
        Hal::created(json)
    })
}

async fn delete_tag(
    State(state): State<AppState>,
    Path((p, v, tag)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    match state.store.delete_tag(&p, &v, &tag).await? {
        0 => Err(not_found(format!(
            "version '{v}' of '{p}' has no tag '{tag}'"
        ))),
        _ => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

async fn list_branches(
    State(state): State<AppState>,
    base: Base,
    Path(p): Path<String>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let pacticipant = pacticipant_or_404(&snapshot, &p)?;
    let mut branches: Vec<&String> = snapshot
        .versions_of(pacticipant.id)
        .iter()
        .flat_map(|v| v.branches.iter())
        .collect();
    branches.sort();
    branches.dedup();
    let items: Vec<_> = branches
        .iter()
        .map(|b| json!({"name": b, "_links": {"self": link(base.branch(&p, b))}}))
        .collect();
    Ok(Hal::ok(json!({
        "_embedded": { "branches": items },
        "_links": { "self": link(format!("{}/branches", base.pacticipant(&p))) }
    })))
}

async fn show_branch(
    State(state): State<AppState>,
    base: Base,
    Path((p, b)): Path<(String, String)>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let pacticipant = pacticipant_or_404(&snapshot, &p)?;
    if !snapshot
        .versions_of(pacticipant.id)
        .iter()
        .any(|v| v.branches.contains(&b))
    {
        return Err(not_found(format!("pacticipant '{p}' has no branch '{b}'")));
    }
    Ok(Hal::ok(json!({
        "name": b,
        "_links": {
            "self": link(base.branch(&p, &b)),
            "pb:latest-version": link(format!("{}/latest-version", base.branch(&p, &b))),
            "pb:pacticipant": named(base.pacticipant(&p), &p, "Pacticipant"),
        }
    })))
}

async fn delete_branch(
    State(state): State<AppState>,
    Path((p, b)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    match state.store.delete_branch(&p, &b).await? {
        0 => Err(not_found(format!("pacticipant '{p}' has no branch '{b}'"))),
        _ => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

fn branch_version_json(base: &Base, p: &str, b: &str, v: &str) -> serde_json::Value {
    json!({
        "_links": {
            "self": link(base.branch_version(p, b, v)),
            "pb:version": named(base.version(p, v), v, "Version"),
            "pb:branch": named(base.branch(p, b), b, "Branch"),
        }
    })
}

async fn show_branch_version(
    State(state): State<AppState>,
    base: Base,
    Path((p, b, v)): Path<(String, String, String)>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let version = version_or_404(&snapshot, &p, &v)?;
    if !version.branches.contains(&b) {
        return Err(not_found(format!(
            "version '{v}' of '{p}' is not on branch '{b}'"
        )));
    }
    Ok(Hal::ok(branch_version_json(&base, &p, &b, &v)))
}

/// `PUT /pacticipants/{p}/branches/{b}/versions/{v}` (the verifier publishes the provider
/// branch this way); creates pacticipant and version when needed.
async fn add_branch_version(
    State(state): State<AppState>,
    base: Base,
    Path((p, b, v)): Path<(String, String, String)>,
) -> Result<Hal, ApiError> {
    state
        .store
        .ensure_version(&p, &v, Some(b.clone()), Vec::new(), None)
        .await?;
    Ok(Hal::ok(branch_version_json(&base, &p, &b, &v)))
}
