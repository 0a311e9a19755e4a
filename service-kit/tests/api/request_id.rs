//! Request ids cross service boundaries: two real apps built with `service_router`, the first
//! calling the second through a `Neighbour`, as catalog calls inventory.
//! (`request_id_logs.rs` checks the log lines, in a test binary of its own.)

use crate::support;

use support::{downstream, upstream};

#[tokio::test]
async fn a_request_without_an_id_gets_one_that_travels_too() {
    let downstream = downstream().await;
    let upstream = upstream(&downstream).await;
    let response = reqwest::get(upstream.url("/call")).await.unwrap();
    let generated = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    assert_eq!(response.text().await.unwrap(), generated);
}
