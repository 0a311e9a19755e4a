//! `GET /matrix` (Rack-style `q[][pacticipant]=..&q[][version]=..`, `latestby`, `latest`,
//! `tag`, `environment`, `ignore[]`, `limit`) and can-i-deploy (`GET /can-i-deploy` with
//! `environment` or the legacy `to` tag, and the branch-to-environment resource). Browsers get
//! the matrix page.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use service_kit::extract::Path;

use super::extract::Query;
use super::hal::{Hal, wants_html};
use super::{ApiError, latest_on_branch_or_404};
use crate::AppState;
use crate::model::matrix::{self, DEFAULT_LIMIT, LatestBy, MatrixQuery, SelectorSpec, Target};
use crate::model::{Snapshot, can_i_deploy};
use crate::views::matrix::MatrixResource;
use crate::views::{Links, pages};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matrix", get(show))
        .route("/can-i-deploy", get(can_i_deploy))
        .route(
            "/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}",
            get(branch_to_environment),
        )
}

/// `ignore[][pacticipant]=..&ignore[][version]=..`: whose verifications do not count.
fn ignored(query: &Query) -> Vec<(String, Option<String>)> {
    query
        .groups("ignore")
        .into_iter()
        .filter_map(|group| {
            let field = |name: &str| group.iter().find(|(f, _)| f == name).map(|(_, v)| v.clone());
            Some((field("pacticipant")?, field("version")))
        })
        .collect()
}

/// The matrix query a Rack-style query string asks.
fn matrix_query(query: &Query) -> Result<MatrixQuery, ApiError> {
    let mut selectors = Vec::new();
    for group in query.groups("q") {
        let mut spec = SelectorSpec::default();
        for (field, value) in group {
            match field.as_str() {
                "pacticipant" => spec.pacticipant = value,
                "version" => spec.version = Some(value),
                "latest" => spec.latest = value == "true",
                "tag" => spec.tag = Some(value),
                "branch" => spec.branch = Some(value),
                "mainBranch" => spec.main_branch = value == "true",
                _ => {}
            }
        }
        if spec.pacticipant.is_empty() {
            return Err(ApiError::BadRequest(
                "q[][pacticipant] is required in every selector".into(),
            ));
        }
        selectors.push(spec);
    }
    if selectors.is_empty() {
        return Err(ApiError::BadRequest(
            "Please provide 1 or more version selectors (q[][pacticipant]=...)".into(),
        ));
    }
    let target = if let Some(env) = query.get("environment").filter(|e| !e.is_empty()) {
        Some(Target::Environment(env.to_owned()))
    } else if let Some(tag) = query.get("tag").filter(|t| !t.is_empty()) {
        Some(Target::Tag(tag.to_owned()))
    } else if query.flag("latest") {
        Some(Target::Latest)
    } else {
        None
    };
    let latest_by = match query.get("latestby") {
        Some("cvp") => LatestBy::Cvp,
        Some("cvpv") => LatestBy::Cvpv,
        Some("") | None => LatestBy::None,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "latestby must be cvp or cvpv, not {other:?}"
            )));
        }
    };
    Ok(MatrixQuery {
        selectors,
        target,
        latest_by,
        ignore: ignored(query),
        limit: query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(DEFAULT_LIMIT),
    })
}

/// The matrix answer (also can-i-deploy's) for a query.
fn answer(links: &Links, snapshot: &Snapshot, query: &MatrixQuery) -> MatrixResource {
    let result = matrix::query(snapshot, query);
    let summary = can_i_deploy::summary(snapshot, &result);
    crate::views::matrix::matrix(links, snapshot, &result, &summary)
}

async fn show(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    query: Query,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    if wants_html(&headers) && query.groups("q").is_empty() {
        return Ok(Html(pages::matrix_page(&snapshot, None)).into_response());
    }
    let matrix_query = matrix_query(&query)?;
    if wants_html(&headers) {
        let result = matrix::query(&snapshot, &matrix_query);
        return Ok(Html(pages::matrix_page(&snapshot, Some(&result))).into_response());
    }
    Ok(Hal::ok(answer(&links, &snapshot, &matrix_query)).into_response())
}

async fn can_i_deploy(
    State(state): State<AppState>,
    links: Links,
    query: Query,
) -> Result<Hal<MatrixResource>, ApiError> {
    let pacticipant = query
        .get("pacticipant")
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::invalid("pacticipant", "is required"))?;
    let version = query.get("version").filter(|v| !v.is_empty()).map(str::to_owned);
    let target = if let Some(env) = query.get("environment").filter(|e| !e.is_empty()) {
        Target::Environment(env.to_owned())
    } else if let Some(tag) = query.get("to").or_else(|| query.get("tag")).filter(|t| !t.is_empty()) {
        Target::Tag(tag.to_owned())
    } else {
        return Err(ApiError::invalid(
            "environment",
            "environment or to (a tag) is required",
        ));
    };
    let snapshot = state.store.snapshot().await?;
    if let Target::Environment(env) = &target
        && snapshot.environment_by_name(env).is_none()
    {
        return Err(ApiError::invalid(
            "environment",
            format!("no environment named '{env}'"),
        ));
    }
    let mut matrix_query = MatrixQuery::can_i_deploy(pacticipant.to_owned(), version, target);
    matrix_query.ignore = ignored(&query);
    Ok(Hal::ok(answer(&links, &snapshot, &matrix_query)))
}

async fn branch_to_environment(
    State(state): State<AppState>,
    links: Links,
    Path((pacticipant, branch, environment)): Path<(String, String, String)>,
) -> Result<Hal<MatrixResource>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let version = latest_on_branch_or_404(&snapshot, &pacticipant, &branch)?;
    if snapshot.environment_by_name(&environment).is_none() {
        return Err(ApiError::not_found(format!("no environment named '{environment}'")));
    }
    let matrix_query = MatrixQuery::can_i_deploy(
        pacticipant.clone(),
        Some(version.number.clone()),
        Target::Environment(environment),
    );
    Ok(Hal::ok(answer(&links, &snapshot, &matrix_query)))
}
