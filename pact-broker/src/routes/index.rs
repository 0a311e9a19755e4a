//! `GET /`: the index with every `pb:` relation clients navigate from (or the web page for a
//! browser), and the heartbeat.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::ApiError;
use super::hal::{Hal, wants_html};
use crate::AppState;
use crate::views::index::Heartbeat;
use crate::views::{Links, index, pages};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(show))
        .route("/diagnostic/status/heartbeat", get(heartbeat))
}

async fn heartbeat() -> Hal<Heartbeat> {
    Hal::ok(Heartbeat { ok: true })
}

async fn show(State(state): State<AppState>, links: Links, headers: HeaderMap) -> Result<Response, ApiError> {
    if wants_html(&headers) {
        let snapshot = state.store.snapshot().await?;
        return Ok(Html(pages::index_page(&links, &snapshot)).into_response());
    }
    Ok(Hal::ok(index::index(&links)).into_response())
}
