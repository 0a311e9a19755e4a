//! Versions, branches and tags of a pacticipant.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use service_kit::extract::Path;

use super::extract::Body;
use super::hal::Hal;
use super::{ApiError, latest_on_branch_or_404, pacticipant_or_404, version_or_404};
use crate::AppState;
use crate::storage::{Missing, VersionLabels};
use crate::views::Links;
use crate::views::versions::{
    BranchList, BranchVersion, Label, VersionList, VersionResource, branch, branch_list, branch_version, tag, version,
    version_list,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pacticipants/{pacticipant}/versions", get(list))
        .route(
            "/pacticipants/{pacticipant}/versions/{version}",
            get(show).put(create_or_update).delete(remove),
        )
        .route("/pacticipants/{pacticipant}/latest-version", get(latest))
        .route("/pacticipants/{pacticipant}/latest-version/{tag}", get(latest_tagged))
        .route(
            "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}",
            get(show_tag).put(add_tag).delete(delete_tag),
        )
        .route(
            "/pacticipants/{pacticipant}/branches/{branch}",
            get(show_branch).delete(delete_branch),
        )
        .route(
            "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
            get(show_branch_version).put(add_branch_version),
        )
        .route(
            "/pacticipants/{pacticipant}/branches/{branch}/latest-version",
            get(latest_on_branch),
        )
        .route("/pacticipants/{pacticipant}/branches", get(list_branches))
}

async fn list(
    State(state): State<AppState>,
    links: Links,
    Path(pacticipant): Path<String>,
) -> Result<Hal<VersionList>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = pacticipant_or_404(&snapshot, &pacticipant)?;
    Ok(Hal::ok(version_list(&links, &snapshot, found.id)))
}

async fn show(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, number)): Path<(String, String)>,
) -> Result<Hal<VersionResource>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = version_or_404(&snapshot, &pacticipant, &number)?;
    Ok(Hal::ok(version(&links, &snapshot, &pacticipant, found)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionBody {
    build_url: Option<String>,
    branch: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// `PUT /pacticipants/{pacticipant}/versions/{version}` (create-or-update-version).
async fn create_or_update(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, number)): Path<(String, String)>,
    Body(body): Body<VersionBody>,
) -> Result<Hal<VersionResource>, ApiError> {
    let labels = VersionLabels {
        branch: body.branch,
        tags: body.tags,
        build_url: body.build_url,
    };
    let created = state.store.save_version(&pacticipant, &number, labels).await?;
    let snapshot = state.store.snapshot().await?;
    let saved = version_or_404(&snapshot, &pacticipant, &number)?;
    Ok(Hal::saved(created, version(&links, &snapshot, &pacticipant, saved)))
}

async fn latest(
    State(state): State<AppState>,
    links: Links,
    Path(pacticipant): Path<String>,
) -> Result<Hal<VersionResource>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = pacticipant_or_404(&snapshot, &pacticipant)?;
    let newest = snapshot
        .versions_of(found.id)
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found(format!("pacticipant '{pacticipant}' has no versions")))?;
    Ok(Hal::ok(version(&links, &snapshot, &pacticipant, newest)))
}

async fn latest_tagged(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, tag_name)): Path<(String, String)>,
) -> Result<Hal<VersionResource>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = pacticipant_or_404(&snapshot, &pacticipant)?;
    let newest = snapshot.latest_version_with_tag(found.id, &tag_name).ok_or_else(|| {
        ApiError::not_found(format!(
            "pacticipant '{pacticipant}' has no version tagged '{tag_name}'"
        ))
    })?;
    Ok(Hal::ok(version(&links, &snapshot, &pacticipant, newest)))
}

async fn latest_on_branch(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, branch_name)): Path<(String, String)>,
) -> Result<Hal<VersionResource>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let newest = latest_on_branch_or_404(&snapshot, &pacticipant, &branch_name)?;
    Ok(Hal::ok(version(&links, &snapshot, &pacticipant, newest)))
}

async fn show_tag(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, number, tag_name)): Path<(String, String, String)>,
) -> Result<Hal<Label>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = version_or_404(&snapshot, &pacticipant, &number)?;
    if !found.tags.contains(&tag_name) {
        return Err(Missing::Tag {
            pacticipant,
            version: number,
            tag: tag_name,
        }
        .into());
    }
    Ok(Hal::ok(tag(&links, &pacticipant, &number, &tag_name)))
}

/// `PUT .../tags/{tag}` creates pacticipant and version when needed (as the official broker).
async fn add_tag(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, number, tag_name)): Path<(String, String, String)>,
) -> Result<Hal<Label>, ApiError> {
    let before = state.store.snapshot().await?;
    let existed = version_or_404(&before, &pacticipant, &number).is_ok_and(|v| v.tags.contains(&tag_name));
    let labels = VersionLabels {
        tags: vec![tag_name.clone()],
        ..VersionLabels::default()
    };
    state.store.save_version(&pacticipant, &number, labels).await?;
    Ok(Hal::saved(!existed, tag(&links, &pacticipant, &number, &tag_name)))
}

async fn delete_tag(
    State(state): State<AppState>,
    Path((pacticipant, number, tag_name)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_tag(&pacticipant, &number, &tag_name).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_branches(
    State(state): State<AppState>,
    links: Links,
    Path(pacticipant): Path<String>,
) -> Result<Hal<BranchList>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = pacticipant_or_404(&snapshot, &pacticipant)?;
    Ok(Hal::ok(branch_list(
        &links,
        &pacticipant,
        &snapshot.branches_of(found.id),
    )))
}

async fn show_branch(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, branch_name)): Path<(String, String)>,
) -> Result<Hal<Label>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = pacticipant_or_404(&snapshot, &pacticipant)?;
    if snapshot.latest_version_on_branch(found.id, &branch_name).is_none() {
        return Err(Missing::Branch {
            pacticipant,
            branch: branch_name,
        }
        .into());
    }
    Ok(Hal::ok(branch(&links, &pacticipant, &branch_name)))
}

async fn delete_branch(
    State(state): State<AppState>,
    Path((pacticipant, branch_name)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_branch(&pacticipant, &branch_name).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn show_branch_version(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, branch_name, number)): Path<(String, String, String)>,
) -> Result<Hal<BranchVersion>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = version_or_404(&snapshot, &pacticipant, &number)?;
    if !found.branches.contains(&branch_name) {
        return Err(ApiError::not_found(format!(
            "version '{number}' of '{pacticipant}' is not on branch '{branch_name}'"
        )));
    }
    Ok(Hal::ok(branch_version(&links, &pacticipant, &branch_name, &number)))
}

/// `PUT /pacticipants/{pacticipant}/branches/{branch}/versions/{version}` (the verifier
/// publishes the provider branch this way); creates pacticipant and version when needed.
async fn add_branch_version(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, branch_name, number)): Path<(String, String, String)>,
) -> Result<Hal<BranchVersion>, ApiError> {
    let labels = VersionLabels {
        branch: Some(branch_name.clone()),
        ..VersionLabels::default()
    };
    state.store.save_version(&pacticipant, &number, labels).await?;
    Ok(Hal::ok(branch_version(&links, &pacticipant, &branch_name, &number)))
}

/// `DELETE /pacticipants/{p}/versions/{v}`: the version, its branches, tags, deployments, the
/// pacts it published and the verifications it made.
async fn remove(
    State(state): State<AppState>,
    Path((pacticipant, version)): Path<(String, String)>,
) -> Result<axum::http::StatusCode, ApiError> {
    match state.store.delete_version(&pacticipant, &version).await? {
        true => Ok(axum::http::StatusCode::NO_CONTENT),
        false => Err(ApiError::not_found(format!(
            "version '{version}' of pacticipant '{pacticipant}' not found"
        ))),
    }
}
