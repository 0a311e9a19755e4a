//! `ci-receiver`: a stand-in for CI on this machine, the other end of the broker's webhooks
//! (`make demo-webhook`).
//!
//! - `POST /verify` — the `contract_requiring_verification_published` webhook: verifies exactly
//!   the pact at `pactUrl` against the provider it names (started here for real, with its real
//!   neighbours and provider states, as `verify-pacts` does) and publishes the result as the
//!   provider version and branch the webhook names — what a provider's CI build checked out at
//!   that version would do (here the providers are this checkout's build). Answers 202 at once;
//!   the verification runs in the background, one at a time.
//! - `POST /notify` — the `provider_verification_published` webhook: the consumer side learns
//!   the outcome (printed, and recorded).
//! - `GET /events` — what happened so far, as JSON (the demo script waits on it).
//!
//! Listens on 127.0.0.1, port `CI_RECEIVER_PORT` (0: any free one); prints
//! `ci-receiver listening on <url>` once ready.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use catalog_service::testing::Neighbourhood;
use contract_testing::verification::{broker_auth, check, summary, verify};
use pact_verifier::{PactSource, PublishOptions};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// The webhook body the demo registers (template parameters of the official broker).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Webhook {
    #[serde(default)]
    pact_url: String,
    #[serde(default)]
    consumer_name: String,
    #[serde(default)]
    consumer_version_number: String,
    #[serde(default)]
    provider_name: String,
    #[serde(default)]
    provider_version_number: String,
    #[serde(default)]
    provider_version_branch: String,
    #[serde(default)]
    github_verification_status: String,
}

/// A verification to run: the webhook, the provider's URL and the broker's.
struct Job {
    webhook: Webhook,
    provider_url: String,
    broker_url: String,
}

#[derive(Clone)]
struct Receiver {
    providers: Arc<Neighbourhood>,
    events: Events,
    jobs: mpsc::UnboundedSender<Job>,
}

#[derive(Clone)]
struct Events {
    list: Arc<Mutex<Vec<Value>>>,
    started: Instant,
}

impl Events {
    fn record(&self, mut event: Value) {
        event["atSeconds"] = json!(self.started.elapsed().as_secs_f64());
        println!("ci-receiver: {event}");
        self.list.lock().expect("events").push(event);
    }
}

impl Receiver {
    fn provider_url(&self, provider: &str) -> Option<String> {
        let app = match provider {
            "accounting-service" => &self.providers.accounting,
            "inventory-service" => &self.providers.inventory,
            "item-service" => &self.providers.item,
            "catalog-service" => &self.providers.catalog,
            _ => return None,
        };
        Some(app.base_url.clone())
    }
}

/// The CI runner: one verification at a time, on a thread of its own (the verifier's future is
/// not `Send`), publishing each result as the provider version the webhook named.
fn runner(mut jobs: mpsc::UnboundedReceiver<Job>, events: Events) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the CI runner");
    while let Some(Job {
        webhook,
        provider_url,
        broker_url,
    }) = jobs.blocking_recv()
    {
        let source = PactSource::WebhookCallbackUrl {
            pact_url: webhook.pact_url.clone(),
            broker_url,
            auth: broker_auth(),
        };
        let publish = PublishOptions {
            provider_version: Some(webhook.provider_version_number.clone()),
            build_url: None,
            provider_tags: vec![],
            provider_branch: Some(webhook.provider_version_branch.clone()).filter(|b| !b.is_empty()),
        };
        let result = runtime.block_on(verify(&webhook.provider_name, &provider_url, source, Some(publish)));
        let line = summary(&webhook.provider_name, &webhook.pact_url, &result);
        let passed = check(&webhook.provider_name, &webhook.pact_url, &result, None).is_ok();
        events.record(json!({
            "event": "verified and published",
            "passed": passed,
            "summary": line,
            "webhook": webhook_json(&webhook),
        }));
    }
}

/// The broker's base URL: `PACT_BROKER_BASE_URL`, else the pact URL's origin.
fn broker_url(pact_url: &str) -> Option<String> {
    if let Ok(url) = std::env::var("PACT_BROKER_BASE_URL")
        && !url.trim().is_empty()
    {
        return Some(url.trim_end_matches('/').to_owned());
    }
    let parsed = url::Url::parse(pact_url).ok()?;
    Some(parsed.origin().ascii_serialization())
}

async fn verify_webhook(State(receiver): State<Receiver>, Json(webhook): Json<Webhook>) -> (StatusCode, Json<Value>) {
    let refuse = |message: &str| (StatusCode::BAD_REQUEST, Json(json!({ "error": message })));
    let Some(provider_url) = receiver.provider_url(&webhook.provider_name) else {
        return refuse("providerName is not one of this project's providers");
    };
    if webhook.provider_version_number.is_empty() {
        return refuse("providerVersionNumber is empty: no provider version to verify as");
    }
    let Some(broker_url) = broker_url(&webhook.pact_url) else {
        return refuse("pactUrl is not a URL");
    };
    receiver
        .events
        .record(json!({"event": "verification requested", "webhook": webhook_json(&webhook)}));
    let job = Job {
        webhook,
        provider_url,
        broker_url,
    };
    if receiver.jobs.send(job).is_err() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": "the CI runner stopped"})),
        );
    }
    (StatusCode::ACCEPTED, Json(json!({"queued": true})))
}

async fn notify(State(receiver): State<Receiver>, Json(webhook): Json<Webhook>) -> StatusCode {
    receiver.events.record(json!({
        "event": "consumer notified",
        "status": webhook.github_verification_status,
        "webhook": webhook_json(&webhook),
    }));
    StatusCode::OK
}

async fn list_events(State(receiver): State<Receiver>) -> Json<Value> {
    Json(Value::Array(receiver.events.list.lock().expect("events").clone()))
}

fn webhook_json(webhook: &Webhook) -> Value {
    json!({
        "consumer": webhook.consumer_name,
        "consumerVersion": webhook.consumer_version_number,
        "provider": webhook.provider_name,
        "providerVersion": webhook.provider_version_number,
        "providerBranch": webhook.provider_version_branch,
        "pactUrl": webhook.pact_url,
    })
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let port: u16 = match std::env::var("CI_RECEIVER_PORT").ok().filter(|p| !p.is_empty()) {
        None => 0,
        Some(port) => match port.parse() {
            Ok(port) => port,
            Err(_) => {
                eprintln!("ci-receiver: CI_RECEIVER_PORT={port} is not a port");
                return std::process::ExitCode::from(2);
            }
        },
    };
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("ci-receiver: cannot listen on 127.0.0.1:{port}: {error}");
            return std::process::ExitCode::from(1);
        }
    };
    let events = Events {
        list: Arc::default(),
        started: Instant::now(),
    };
    let (jobs, queue) = mpsc::unbounded_channel();
    let runner_events = events.clone();
    std::thread::spawn(move || runner(queue, runner_events));
    let receiver = Receiver {
        providers: Arc::new(Neighbourhood::spawn(true).await),
        events,
        jobs,
    };
    let app = Router::new()
        .route("/verify", post(verify_webhook))
        .route("/notify", post(notify))
        .route("/events", get(list_events))
        .route("/health", get(|| async { "ok" }))
        .with_state(receiver);
    let address = listener.local_addr().expect("local address");
    println!("ci-receiver listening on http://{address}");
    if let Err(error) = axum::serve(listener, app).await {
        eprintln!("ci-receiver: {error}");
        return std::process::ExitCode::from(1);
    }
    std::process::ExitCode::SUCCESS
}
