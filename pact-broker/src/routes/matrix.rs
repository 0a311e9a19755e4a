//! `GET /matrix` (Rack-style `q[][pacticipant]=..&q[][version]=..`, `latestby`, `latest`,
//! `tag`, `environment`, `ignore[]`) and can-i-deploy (`GET /can-i-deploy` with `environment`
//! or the legacy `to` tag, and the branch-to-environment resource). Browsers get the matrix page.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use service_kit::ApiError;
use service_kit::extract::Path;

use super::{invalid, not_found, pacticipant_or_404, wants_html};
use crate::AppState;
use crate::extract::Query;
use crate::hal::{Base, Hal};
use crate::matrix::{self, MatrixQuery, Target};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matrix", get(show))
        .route("/can-i-deploy", get(can_i_deploy))
        .route(
            "/pacticipants/{p}/branches/{b}/latest-version/can-i-deploy/to-environment/{e}",
            get(branch_to_environment),
        )
}

async fn show(
    State(state): State<AppState>,
    base: Base,
    headers: HeaderMap,
    query: Query,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    if wants_html(&headers) && query.groups("q").is_empty() {
        return Ok(crate::ui::matrix_page(&snapshot, None).into_response());
    }
    let matrix_query = MatrixQuery::from_query(&query)?;
    let result = matrix::query(&snapshot, &matrix_query);
    if wants_html(&headers) {
        return Ok(crate::ui::matrix_page(&snapshot, Some(&result)).into_response());
    }
    Ok(Hal::ok(matrix::to_json(&base, &snapshot, &result)).into_response())
}

async fn can_i_deploy(
    State(state): State<AppState>,
    base: Base,
    query: Query,
) -> Result<Hal, ApiError> {
    let pacticipant = query
        .get("pacticipant")
        .filter(|p| !p.is_empty())
        .ok_or_else(|| invalid("pacticipant", "is required"))?;
    let version = query
        .get("version")
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let target = if let Some(env) = query.get("environment").filter(|e| !e.is_empty()) {
        Target::Environment(env.to_owned())
    } else if let Some(tag) = query
        .get("to")
        .or_else(|| query.get("tag"))
        .filter(|t| !t.is_empty())
    {
        Target::Tag(tag.to_owned())
    } else {
        return Err(invalid(
            "environment",
            "environment or to (a tag) is required",
        ));
    };
    let snapshot = state.store.snapshot().await?;
    if let Target::Environment(env) = &target
        && snapshot.environment_by_name(env).is_none()
    {
        return Err(invalid(
            "environment",
            format!("no environment named '{env}'"),
        ));
    }
    let mut matrix_query = MatrixQuery::can_i_deploy(pacticipant.to_owned(), version, target);
    matrix_query.ignore = MatrixQuery::from_query(&with_selector(&query, pacticipant))
        .map(|q| q.ignore)
        .unwrap_or_default();
    let result = matrix::query(&snapshot, &matrix_query);
    Ok(Hal::ok(matrix::to_json(&base, &snapshot, &result)))
}

/// A query with one `q[]` so the `ignore[]` parsing of the matrix can be reused.
fn with_selector(query: &Query, pacticipant: &str) -> Query {
    let mut pairs = query.0.clone();
    pairs.push(("q[][pacticipant]".into(), pacticipant.to_owned()));
    Query(pairs)
}

async fn branch_to_environment(
    State(state): State<AppState>,
    base: Base,
    Path((p, b, e)): Path<(String, String, String)>,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let pacticipant = pacticipant_or_404(&snapshot, &p)?;
    let version = snapshot
        .versions_of(pacticipant.id)
        .into_iter()
        .find(|v| v.branches.contains(&b))
        .ok_or_else(|| not_found(format!("pacticipant '{p}' has no version on branch '{b}'")))?;
    if snapshot.environment_by_name(&e).is_none() {
        return Err(not_found(format!("no environment named '{e}'")));
    }
    let matrix_query = MatrixQuery::can_i_deploy(
        p.clone(),
        Some(version.number.clone()),
        Target::Environment(e),
    );
    let result = matrix::query(&snapshot, &matrix_query);
    Ok(Hal::ok(matrix::to_json(&base, &snapshot, &result)))
}
