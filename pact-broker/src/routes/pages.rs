//! The web pages that have no API resource at the same URL: one integration's matrix, the
//! network graph (page and SVG) and one pacticipant's integrations.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use service_kit::extract::Path;

use super::{ApiError, pacticipant_or_404};
use crate::AppState;
use crate::model::matrix::{self, MatrixQuery};
use crate::views::pages;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matrix/provider/{provider}/consumer/{consumer}", get(pair_matrix_page))
        .route("/network", get(network_page))
        .route("/groups/{pacticipant}", get(group_page))
        .route("/network.svg", get(network_svg))
}

/// The official UI's matrix of one integration: every consumer version against every
/// verification.
async fn pair_matrix_page(
    State(state): State<AppState>,
    Path((provider, consumer)): Path<(String, String)>,
) -> Result<Html<String>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let result = matrix::query(&snapshot, &MatrixQuery::between(consumer, provider));
    Ok(Html(pages::matrix_page(&snapshot, Some(&result))))
}

async fn network_svg(State(state): State<AppState>) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let mut response = pages::network(&snapshot, None).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    Ok(response)
}

async fn group_page(State(state): State<AppState>, Path(pacticipant): Path<String>) -> Result<Html<String>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    pacticipant_or_404(&snapshot, &pacticipant)?;
    Ok(Html(pages::group_page(&snapshot, &pacticipant)))
}

async fn network_page(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    Ok(Html(pages::network_page(&snapshot)))
}
