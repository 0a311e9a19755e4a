//! The broker over real HTTP, resource by resource: statuses, shapes clients rely on, bad input,
//! auth, concurrency and restarts; then the official clients against it (`cli`: pact-broker-cli,
//! `verifier`: pact_verifier) and the web page in a headless browser (`browser`). The app runs on
//! a random port with a temporary database. One test binary; a module per resource or client.

// The spawn helper and the pact builders every module uses.
mod common;

mod auth;
mod badges;
mod browser;
mod cli;
mod environments;
mod for_verification;
mod index;
mod integrations;
mod matrix;
mod pacticipants;
mod pacts;
mod pages;
mod publish;
mod storage;
mod verifications;
mod verifier;
mod versions;
mod webhooks;

use serde_json::{Value, json};

use common::{get_json, send_json};

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

pub async fn verify(
    c: &reqwest::Client,
    pact_href: &str,
    version: &str,
    branch: Option<&str>,
    success: bool,
    results: Value,
) -> (u16, Value) {
    let (_, pact) = get_json(c, pact_href).await;
    let href = pact["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    if let Some(branch) = branch {
        let provider = pact["_links"]["pb:provider"]["href"].as_str().unwrap();
        c.put(format!("{provider}/branches/{branch}/versions/{version}"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
    }
    send_json(c.post(href).json(&json!({
        "success": success,
        "providerApplicationVersion": version,
        "testResults": results,
        "verifiedBy": {"implementation": "test", "version": "1"}
    })))
    .await
}
