//! Request ids cross service boundaries: two real apps built with `service_router`, the first
//! calling the second through a `Neighbour`, as catalog calls inventory.
//! (`request_id_logs.rs` checks the log lines, in a test binary of its own.)

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use service_kit::client::{Neighbour, http_client};
use service_kit::http::service_router;
use service_kit::testing::TestApp;
use url::Url;

/// A downstream service that answers with the request id it received.
async fn downstream() -> TestApp {
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
async fn upstream(downstream: &TestApp) -> TestApp {
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

#[tokio::test]
async fn a_request_without_an_id_gets_one_that_travels_too() {
    let downstream = downstream().await;
    let upstream = upstream(&downstream).await;
    let response = reqwest::get(upstream.url("/call")).await.unwrap();
    let generated = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    assert_eq!(response.text().await.unwrap(), generated);
}
