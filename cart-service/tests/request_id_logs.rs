//! One order followed through every service by its request id, in the logs. Its own test
//! binary: capturing logs with a thread-scoped subscriber is only reliable when no other test
//! runs beside it (tracing caches per-callsite interest process-wide).

use cart_service::{AppState, Config, app};
use catalog_service::testing::Neighbourhood;
use serde_json::json;
use service_kit::config::CommonArgs;
use service_kit::testing::{TempDatabase, TestApp, json_body};
use url::Url;

#[tokio::test]
async fn one_order_can_be_followed_through_every_service_by_its_request_id() {
    // Single-threaded test runtime: all five services log to the capture.
    let (logs, _guard) = service_kit::testing::capture_logs();
    let neighbours = Neighbourhood::spawn(false).await;
    let db = TempDatabase::new();
    let config = Config {
        port: 0,
        database_path: db.path.clone(),
        catalog_service_url: Url::parse(&neighbours.catalog.base_url).unwrap(),
        cart_recovery_after_ms: 60_000,
        cart_recovery_interval_ms: 5_000,
        common: CommonArgs::default(),
    };
    let cart = TestApp::spawn(app(AppState::open(&config).await.unwrap())).await;
    let created = reqwest::Client::new().post(cart.url("/carts")).send().await.unwrap();
    let id = json_body(created, 201).await["id"].as_i64().unwrap();

    let response = reqwest::Client::new()
        .patch(cart.url("/carts"))
        .header("x-request-id", "follow-me-7")
        .json(&json!({"cart_id": id, "item_id": 1, "quantity": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "follow-me-7");
    json_body(response, 200).await;

    let logs = logs.text();
    let traced: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains("request_id=follow-me-7"))
        .collect();
    for (hop, path) in [
        ("cart", "method=PATCH path=/carts"),
        ("catalog", "method=POST path=/order"),
        ("inventory", "method=PATCH path=/items/1"),
        ("accounting", "method=GET path=/items/1"),
    ] {
        assert!(
            traced.iter().any(|line| line.contains(path)),
            "no {hop} line with the request id:\n{logs}"
        );
    }
}
