//! A given request id is echoed, passed on to a neighbour and written in every log line of both
//! services. Its own test binary: capturing logs with a thread-scoped subscriber is only reliable
//! when no other test runs beside it (tracing caches per-callsite interest process-wide).

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
async fn a_given_request_id_is_echoed_passed_on_and_logged() {
    // The test runtime is single-threaded, so both apps log to the capture.
    let (logs, _guard) = service_kit::testing::capture_logs();

    let downstream = downstream().await;
    let upstream = upstream(&downstream).await;
    let response = reqwest::Client::new()
        .get(upstream.url("/call"))
        .header("x-request-id", "order-42")
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["x-request-id"], "order-42", "echoed to the caller");
    assert_eq!(response.text().await.unwrap(), "order-42", "passed on to the neighbour");
    let logs = logs.text();
    let tagged: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains("request_id=order-42"))
        .collect();
    assert!(
        tagged.iter().any(|l| l.contains("calling downstream")),
        "the handler's own line:\n{logs}"
    );
    assert!(
        tagged.iter().any(|l| l.contains("path=/echo")),
        "the neighbour's line:\n{logs}"
    );
    assert!(
        tagged.iter().any(|l| l.contains("path=/call")),
        "the caller's line:\n{logs}"
    );
}
