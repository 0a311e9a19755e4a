//! A given request id is echoed, passed on to a neighbour and written in every log line of both
//! services. Its own test binary: capturing logs with a thread-scoped subscriber is only reliable
//! when no other test runs beside it (tracing caches per-callsite interest process-wide).

mod support;

use support::{downstream, upstream};

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
