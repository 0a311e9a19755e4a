//! The broker's resources, one module per resource, on the official broker's paths.

pub mod environments;
pub mod for_verification;
pub mod index;
pub mod matrix;
pub mod pacticipants;
pub mod pacts;
pub mod publish;
pub mod verifications;
pub mod versions;

use axum::Router;
use axum::http::{HeaderMap, header};
use serde_json::{Value, json};
use service_kit::ApiError;

use crate::AppState;
use crate::hal::{Base, link, named, templated, titled};
use crate::storage::{Pacticipant, Snapshot, Version};

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
        .merge(crate::ui::router())
}

/// A browser asking for a page (`Accept: text/html` before any JSON type).
pub fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accept.contains("text/html") && !accept.starts_with("application/")
}

pub fn not_found(what: impl Into<String>) -> ApiError {
    ApiError::NotFound(what.into())
}

pub fn pacticipant_or_404<'a>(
    snapshot: &'a Snapshot,
    name: &str,
) -> Result<&'a Pacticipant, ApiError> {
    snapshot
        .pacticipant_by_name(name)
        .ok_or_else(|| not_found(format!("pacticipant '{name}' not found")))
}

pub fn version_or_404<'a>(
    snapshot: &'a Snapshot,
    pacticipant: &str,
    number: &str,
) -> Result<&'a Version, ApiError> {
    let p = pacticipant_or_404(snapshot, pacticipant)?;
    snapshot.version_by_number(p.id, number).ok_or_else(|| {
        not_found(format!(
            "version '{number}' of pacticipant '{pacticipant}' not found"
        ))
    })
}

/// Validation error in the official broker's shape (`errors`) plus this workspace's `error`.
pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(format!("{field}: {}", message.into()))
}

pub fn pacticipant_json(base: &Base, p: &Pacticipant) -> Value {
    let name = &p.name;
    let url = base.pacticipant(name);
    json!({
        "name": name,
        "displayName": p.display_name.clone().unwrap_or_else(|| name.clone()),
        "mainBranch": p.main_branch,
        "repositoryUrl": p.repository_url,
        "createdAt": p.created_at,
        "updatedAt": p.updated_at,
        "_links": {
            "self": link(&url),
            "pb:versions": link(format!("{url}/versions")),
            "pb:version": templated(format!("{url}/versions/{{version}}"), "Get, create or delete a pacticipant version"),
            "pb:version-tag": templated(format!("{url}/versions/{{version}}/tags/{{tag}}"), "Get, create or delete a tag for a version"),
            "pb:branch-version": templated(format!("{url}/branches/{{branch}}/versions/{{version}}"), "Get or add/create a version for a branch"),
            "pb:latest-version": titled(format!("{url}/latest-version"), "Latest version"),
            "pb:can-i-deploy-branch-to-environment": templated(
                format!("{url}/branches/{{branch}}/latest-version/can-i-deploy/to-environment/{{environment}}"),
                "Can I deploy the latest version from a branch to an environment"),
            "curies": crate::hal::curies(base),
        }
    })
}

/// A version with its branches, tags and the record-deployment/-release links per environment.
pub fn version_json(base: &Base, snapshot: &Snapshot, pacticipant: &str, v: &Version) -> Value {
    let url = base.version(pacticipant, &v.number);
    let record = |kind: &str, title: &str| -> Vec<Value> {
        snapshot
            .environments
            .iter()
            .map(|e| {
                let name = e.display_name.clone().unwrap_or_else(|| e.name.clone());
                named(
                    format!("{url}/{kind}/environment/{}", e.uuid),
                    &e.name,
                    format!("{title} {name}"),
                )
            })
            .collect()
    };
    let pact_versions: Vec<Value> = snapshot
        .publications
        .iter()
        .filter(|p| p.consumer_version_id == v.id)
        .map(|p| {
            let provider = snapshot.name(p.provider_id);
            named(
                base.pact(provider, pacticipant, &v.number),
                format!("Pact between {pacticipant} ({}) and {provider}", v.number),
                "Pact",
            )
        })
        .collect();
    json!({
        "number": v.number,
        "buildUrl": v.build_url,
        "createdAt": v.created_at,
        "_embedded": {
            "branchVersions": v.branches.iter().map(|b| json!({
                "name": b,
                "_links": { "self": link(base.branch_version(pacticipant, b, &v.number)) }
            })).collect::<Vec<_>>(),
            "tags": v.tags.iter().map(|t| json!({
                "name": t,
                "_links": { "self": link(base.tag(pacticipant, &v.number, t)) }
            })).collect::<Vec<_>>(),
        },
        "_links": {
            "self": named(&url, &v.number, "Version"),
            "pb:pacticipant": named(base.pacticipant(pacticipant), pacticipant, "Pacticipant"),
            "pb:tag": templated(format!("{url}/tags/{{tag}}"), "Get, create or delete a tag for this pacticipant version"),
            "pb:pact-versions": pact_versions,
            "pb:record-deployment": record("deployed-versions", "Record deployment to"),
            "pb:record-release": record("released-versions", "Record release to"),
            "curies": crate::hal::curies(base),
        }
    })
}
