//! Request ids, so one order can be followed from cart through catalog to its neighbours in the
//! logs: every request gets an `x-request-id` (the caller's when it sent one, a new UUID
//! otherwise), every log line written while handling it carries the id, the response echoes it,
//! and every call to a neighbour made while handling it passes it on.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Span;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static CURRENT: HeaderValue;
}

/// The id of the request this task is handling, if any.
pub fn current() -> Option<HeaderValue> {
    CURRENT.try_with(HeaderValue::clone).ok()
}

/// Runs `work` with `id` as the request id in scope for [`current`] (a task spawned to finish a
/// request's work keeps its id this way).
pub async fn in_scope<F: std::future::Future>(id: HeaderValue, work: F) -> F::Output {
    CURRENT.scope(id, work).await
}

/// Middleware: handles the rest of the request with its id in scope for [`current`].
pub async fn scope(request: Request, next: Next) -> Response {
    match request.headers().get(&HEADER).cloned() {
        Some(id) => CURRENT.scope(id, next.run(request)).await,
        None => next.run(request).await,
    }
}

/// The tracing span of a request: every event inside it is logged with the request id.
pub fn make_span(request: &axum::http::Request<Body>) -> Span {
    let id = request
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
}
