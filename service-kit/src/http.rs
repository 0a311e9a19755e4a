//! Serving: the routes and layers every service has, binding, and graceful shutdown.
//!
//! Like mini-redis, the caller binds the listener and hands it to [`serve`], so tests can bind
//! port 0 and production binds the configured port through [`run`].

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::routing::get;
use axum::serve::ListenerExt;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::ApiError;
use crate::extract::Json;

/// Largest request body any service accepts; larger ones are answered 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A service's whole router: its own routes, the provider-state routes when enabled (absent, so
/// 404, otherwise), and what every service has: `GET /health`, JSON answers for unknown routes
/// (404) and wrong methods (405), the body size limit, request ids and request tracing.
pub fn service_router(routes: Router, provider_states: Option<Router>) -> Router {
    let router = match provider_states {
        Some(states) => routes.merge(states),
        None => routes,
    };
    router
        .route("/health", get(health))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(crate::request_id::scope))
        // Layers wrap what is above them: the id is set first, then echoed, then traced.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(crate::request_id::make_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// [`service_router`] for routes declared with `utoipa_axum::routes!`: their OpenAPI document,
/// completed by [`crate::openapi::finish`], is served at `GET /openapi.json`.
pub fn documented_service_router(
    routes: utoipa_axum::router::OpenApiRouter,
    provider_states: Option<Router>,
) -> Router {
    let (routes, doc) = routes.split_for_parts();
    let doc = crate::openapi::finish(doc);
    service_router(routes.merge(crate::openapi::route(&doc)), provider_states)
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn unknown_route(method: Method, uri: Uri) -> ApiError {
    ApiError::NotFound(format!("no route for {method} {}", uri.path()))
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::Rejected {
        status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
        message: format!("method {method} is not allowed on {}", uri.path()),
    }
}

/// Serves `app` on an already bound listener until `shutdown` completes, then lets in-flight
/// requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Responses are written whole, so Nagle's algorithm could only hold a small one back while
    // the client delays its ACK: that wait lands in the tail latency of every neighbour call.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY on an accepted connection");
        }
    });
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Binds `address` and serves `app` until Ctrl-C or SIGTERM.
pub async fn run(address: SocketAddr, app: Router) -> anyhow::Result<()> {
    let listener = TcpListener::bind(address)
        .await
        .with_context(|| format!("binding {address}"))?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    serve(listener, app, shutdown_signal()).await?;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM (what `make down`, docker and cargo watch send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing in-flight requests");
}
