//! Shared by the integration tests: the broker on a random port with a temporary database,
//! and small pacts built by hand.
#![allow(dead_code)]

pub mod cli;

use base64::Engine;
use pact_broker::{AppState, Config, app};
use serde_json::{Value, json};
use service_kit::testing::{TempDatabase, TestApp};

pub async fn spawn_with(config: Config) -> TestApp {
    let state = AppState::open(&config).await.expect("open the broker");
    TestApp::spawn(app(state)).await
}

pub async fn spawn(db: &TempDatabase) -> TestApp {
    spawn_with(Config::for_database(db.path.clone())).await
}

/// A V3 pact between `consumer` and `provider` with one GET interaction per path.
pub fn pact(consumer: &str, provider: &str, paths: &[&str]) -> Value {
    let interactions: Vec<Value> = paths
        .iter()
        .map(|path| {
            json!({
                "description": format!("a request for {path}"),
                "providerStates": [{ "name": "items exist" }],
                "request": { "method": "GET", "path": path },
                "response": {
                    "status": 200,
                    "headers": { "Content-Type": "application/json" },
                    "body": { "path": path }
                }
            })
        })
        .collect();
    json!({
        "consumer": { "name": consumer },
        "provider": { "name": provider },
        "interactions": interactions,
        "metadata": { "pactSpecification": { "version": "3.0.0" } }
    })
}

/// The `POST /contracts/publish` body the Rust CLI sends for one pact.
pub fn publish_body(pact: &Value, version: &str, branch: Option<&str>, tags: &[&str]) -> Value {
    let consumer = pact["consumer"]["name"].as_str().unwrap();
    let provider = pact["provider"]["name"].as_str().unwrap();
    let mut body = json!({
        "pacticipantName": consumer,
        "pacticipantVersionNumber": version,
        "tags": tags,
        "contracts": [{
            "consumerName": consumer,
            "providerName": provider,
            "specification": "pact",
            "contentType": "application/json",
            "content": base64::engine::general_purpose::STANDARD.encode(pact.to_string()),
            "onConflict": "overwrite"
        }]
    });
    if let Some(branch) = branch {
        body["branch"] = json!(branch);
    }
    body
}

pub async fn publish(
    client: &reqwest::Client,
    app: &TestApp,
    pact: &Value,
    version: &str,
    branch: Option<&str>,
    tags: &[&str],
) {
    let response = client
        .post(app.url("/contracts/publish"))
        .json(&publish_body(pact, version, branch, tags))
        .send()
        .await
        .expect("publish");
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "publish answered {status}: {text}");
}

pub async fn get_json(client: &reqwest::Client, url: &str) -> (u16, Value) {
    let response = client.get(url).send().await.expect("GET");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {text}")),
    )
}

/// The body of a GET as text, asking for `accept` (a web page: `text/html`).
pub async fn get_text(client: &reqwest::Client, url: &str, accept: &str) -> String {
    let response = client.get(url).header("Accept", accept).send().await.expect("GET");
    assert!(response.status().is_success(), "{url}: {}", response.status());
    response.text().await.unwrap()
}

pub async fn send_json(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// Creates an environment and returns its uuid.
pub async fn environment(client: &reqwest::Client, app: &TestApp, name: &str) -> String {
    let (status, body) = send_json(
        client
            .post(app.url("/environments"))
            .json(&json!({"name": name, "production": name == "production"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["uuid"].as_str().unwrap().to_owned()
}
