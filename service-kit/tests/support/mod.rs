//! Two real apps built with `service_router`, the first calling the second through a
//! `Neighbour`, as catalog calls inventory.

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use service_kit::client::{Neighbour, http_client};
use service_kit::http::service_router;
use service_kit::testing::TestApp;
use url::Url;

/// A downstream service that answers with the request id it received.
pub async fn downstream() -> TestApp {
    let echo = Router::new().route(
        "/echo",
        get(|headers: HeaderMap| async move {
            headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("none")
                .to_owned()
        }),
    );
    TestApp::spawn(service_router(echo, None)).await
}

/// An upstream service whose `/call` asks downstream's `/echo` and answers with what it said.
pub async fn upstream(downstream: &TestApp) -> TestApp {
    let url = Url::parse(&downstream.base_url).unwrap();
    let neighbour = Neighbour::new(
        "downstream",
        &url,
        http_client(std::time::Duration::from_secs(5)).unwrap(),
    );
    let call = Router::new().route(
        "/call",
        get(move || async move {
            tracing::info!("calling downstream");
            neighbour
                .send(neighbour.get("/echo"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }),
    );
    TestApp::spawn(service_router(call, None)).await
}
