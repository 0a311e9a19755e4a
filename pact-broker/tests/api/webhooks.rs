//! Webhooks: the resource model and its validation, execution after the triggering write with
//! the template parameters, retries, logs, secrets never echoed, receivers that are slow or
//! down, and pending executions resuming after a restart.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use pact_broker::Config;
use serde_json::{Value, json};
use service_kit::testing::{TempDatabase, TestApp};

use crate::client;
use crate::common::{get_json, get_text, pact, publish, send_json, spawn, spawn_with};

/// A broker that lets webhooks call plain http on loopback, retrying after 0.2 s twice.
fn local_config(db: &TempDatabase) -> Config {
    Config {
        webhook_scheme_whitelist: "http https".into(),
        webhook_host_whitelist: "127.0.0.1".into(),
        webhook_retry_schedule: "0.2 0.2".into(),
        webhook_timeout_seconds: 1,
        ..Config::for_database(db.path.clone())
    }
}

/// What a receiver got: headers and body of each call.
type Calls = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// `POST /hook` recording every call, answering 500 to the first `failures`, then 200.
fn recording_hook(failures: usize) -> (axum::Router, Calls) {
    let calls: Calls = Arc::default();
    let recorded = Arc::clone(&calls);
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let recorded = Arc::clone(&recorded);
            async move {
                let mut calls = recorded.lock().unwrap();
                calls.push((headers, body));
                if calls.len() <= failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    (app, calls)
}

/// A receiver on a random port answering 500 to the first `failures` calls, then 200.
async fn receiver(failures: usize) -> (TestApp, Calls) {
    let (app, calls) = recording_hook(failures);
    (TestApp::spawn(app).await, calls)
}

/// A receiver answering 200 on `port`, known (and closed) from before.
async fn receiver_on(port: u16) -> Calls {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let (app, calls) = recording_hook(0);
    tokio::spawn(async move { axum::serve(listener, app).await });
    calls
}

/// A loopback port nothing listens on (for now).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Runs `work` on a tokio runtime of its own, then shuts that runtime down at once, as a stopped
/// broker process would be: whatever the broker was still doing in the background ends there.
fn run_then_stop(work: impl Future<Output = ()>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(work);
    runtime.shutdown_background();
}

/// On a broker about to be stopped: Foo's first pact with Bar (a webhook names an existing
/// provider), a `contract_published` webhook to `hook_url`, then the pact that triggers it.
async fn publish_a_triggering_pact(c: &reqwest::Client, app: &TestApp, hook_url: &str) {
    publish(c, app, &pact("Foo", "Bar", &["/0"]), "0", None, &[]).await;
    let body = webhook_body(hook_url, &["contract_published"]);
    assert_eq!(send_json(c.post(app.url("/webhooks")).json(&body)).await.0, 201);
    publish(c, app, &pact("Foo", "Bar", &["/1"]), "1", None, &[]).await;
}

async fn wait_for<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn webhook_body(url: &str, events: &[&str]) -> Value {
    json!({
        "description": "CI build",
        "provider": {"name": "Bar"},
        "events": events.iter().map(|e| json!({"name": e})).collect::<Vec<_>>(),
        "request": {
            "method": "POST",
            "url": url,
            "headers": {"Content-Type": "application/json", "Authorization": "Bearer s3cret"},
            "body": {
                "pact": "${pactbroker.pactUrl}",
                "consumer": "${pactbroker.consumerName}",
                "version": "${pactbroker.consumerVersionNumber}",
                "branch": "${pactbroker.consumerVersionBranch}",
                "consumerLabels": "${pactbroker.consumerLabels}",
                "event": "${pactbroker.eventName}",
                "providerVersion": "${pactbroker.providerVersionNumber}",
                "status": "${pactbroker.githubVerificationStatus}"
            }
        }
    })
}

#[tokio::test]
async fn webhooks_crud_lists_and_index_relations() {
    let db = TempDatabase::new();
    let app = spawn_with(local_config(&db)).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &[]).await;

    let (status, index) = get_json(&c, &app.url("/")).await;
    assert_eq!(status, 200);
    assert_eq!(index["_links"]["pb:webhooks"]["href"], app.url("/webhooks"));
    assert_eq!(index["_links"]["pb:webhook"]["href"], app.url("/webhooks/{uuid}"));

    let response = c
        .post(app.url("/webhooks"))
        .json(&webhook_body("http://127.0.0.1:9/hook", &["contract_published"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["_links"]["self"]["href"], location);
    let (status, shown) = get_json(&c, &location).await;
    assert_eq!(status, 200);
    assert_eq!(shown["provider"]["name"], "Bar");
    assert_eq!(shown["events"], json!([{"name": "contract_published"}]));
    assert_eq!(shown["request"]["headers"]["Authorization"], "**********", "{shown}");
    assert!(
        !shown.to_string().contains("s3cret"),
        "the secret is never echoed: {shown}"
    );
    assert_eq!(shown["_links"]["pb:execute"]["href"], format!("{location}/execute"));

    // PUT with a client-chosen uuid: creates, then replaces.
    let uuid_url = app.url("/webhooks/my-webhook-uuid-0001");
    let mut body = webhook_body("http://127.0.0.1:9/hook", &["contract_content_changed"]);
    body["consumer"] = json!({"name": "Foo"});
    assert_eq!(send_json(c.put(&uuid_url).json(&body)).await.0, 201);
    body["description"] = json!("renamed");
    let (status, replaced) = send_json(c.put(&uuid_url).json(&body)).await;
    assert_eq!((status, replaced["description"].as_str()), (200, Some("renamed")));

    let (_, all) = get_json(&c, &app.url("/webhooks")).await;
    assert_eq!(all["_links"]["pb:webhooks"].as_array().unwrap().len(), 2, "{all}");
    let (_, pair) = get_json(&c, &app.url("/webhooks/provider/Bar/consumer/Foo")).await;
    assert_eq!(pair["_embedded"]["webhooks"].as_array().unwrap().len(), 1, "{pair}");
    let (_, provider) = get_json(&c, &app.url("/webhooks/provider/Bar")).await;
    assert_eq!(provider["_embedded"]["webhooks"].as_array().unwrap().len(), 2);
    let (_, consumer) = get_json(&c, &app.url("/webhooks/consumer/Foo")).await;
    assert_eq!(consumer["_embedded"]["webhooks"].as_array().unwrap().len(), 1);
    let (_, for_pact) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/webhooks")).await;
    assert_eq!(for_pact["_embedded"]["webhooks"].as_array().unwrap().len(), 2);

    assert_eq!(send_json(c.delete(&uuid_url)).await.0, 204);
    assert_eq!(get_json(&c, &uuid_url).await.0, 404);
    assert_eq!(send_json(c.delete(&uuid_url)).await.0, 404);
}

#[tokio::test]
async fn invalid_definitions_are_refused_with_the_official_errors() {
    let db = TempDatabase::new();
    let local = spawn_with(local_config(&db)).await;
    let db2 = TempDatabase::new();
    let defaults = spawn(&db2).await;
    let c = client();
    for app in [&local, &defaults] {
        publish(&c, app, &pact("Foo", "Bar", &["/1"]), "1", None, &[]).await;
    }
    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = webhook_body("http://127.0.0.1:9/hook", &["contract_published"]);
        change(&mut body);
        body
    };
    let cases: Vec<(&str, &TestApp, Value, &str)> = vec![
        ("no events", &local, with(&|b| b["events"] = json!([])), "events"),
        (
            "unknown event",
            &local,
            with(&|b| b["events"] = json!([{"name": "nope"}])),
            "events[0].name",
        ),
        ("no request", &local, with(&|b| b["request"] = Value::Null), "request"),
        (
            "bad URL",
            &local,
            with(&|b| b["request"]["url"] = json!("not a url")),
            "request.url",
        ),
        (
            "template in the host",
            &local,
            with(&|b| b["request"]["url"] = json!("http://${pactbroker.consumerName}/hook")),
            "request.url",
        ),
        (
            "host not whitelisted",
            &local,
            with(&|b| b["request"]["url"] = json!("http://example.org/hook")),
            "request.url",
        ),
        (
            "method not whitelisted",
            &local,
            with(&|b| b["request"]["method"] = json!("GET")),
            "request.method",
        ),
        (
            "unknown provider",
            &local,
            with(&|b| b["provider"] = json!({"name": "Nobody"})),
            "provider.name",
        ),
        ("http by default", &defaults, with(&|_| {}), "request.url"),
    ];
    for (name, app, body, field) in cases {
        let (status, answer) = send_json(c.post(app.url("/webhooks")).json(&body)).await;
        assert_eq!(status, 400, "{name}: {answer}");
        assert!(answer["errors"][field].is_array(), "{name}: errors.{field} in {answer}");
    }
    let (_, answer) = send_json(c.post(defaults.url("/webhooks")).json(&with(&|_| {}))).await;
    assert!(
        answer["errors"]["request.url"][0]
            .as_str()
            .unwrap()
            .contains("scheme must be https"),
        "{answer}"
    );
    let (_, all) = get_json(&c, &local.url("/webhooks")).await;
    assert_eq!(all["_embedded"]["webhooks"], json!([]), "nothing stored");
}

#[tokio::test]
async fn a_publication_fires_its_webhooks_after_commit_with_parameters_and_retries() {
    let db = TempDatabase::new();
    let app = spawn_with(local_config(&db)).await;
    let c = client();
    let (hook, calls) = receiver(1).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &[]).await;
    for label in ["web", "team-a"] {
        let url = app.url(&format!("/pacticipants/Foo/labels/{label}"));
        assert_eq!(send_json(c.put(url).json(&json!({}))).await.0, 201);
    }
    let body = webhook_body(&hook.url("/hook"), &["contract_published", "contract_content_changed"]);
    assert_eq!(send_json(c.post(app.url("/webhooks")).json(&body)).await.0, 201);

    publish(&c, &app, &pact("Foo", "Bar", &["/2"]), "2", Some("feat-x"), &[]).await;
    // Two events, the first call answered 500 and retried: three calls.
    let calls = wait_for("three calls", async || {
        let calls = calls.lock().unwrap();
        (calls.len() >= 3).then(|| calls.clone())
    })
    .await;
    let bodies: Vec<Value> = calls.iter().map(|(_, b)| serde_json::from_str(b).unwrap()).collect();
    let first = &bodies[0];
    assert_eq!(first["consumer"], "Foo");
    assert_eq!(first["version"], "2");
    assert_eq!(first["branch"], "feat-x");
    assert_eq!(first["consumerLabels"], "team-a, web");
    assert_eq!(first["status"], "pending");
    let pact_url = first["pact"].as_str().unwrap();
    assert!(
        pact_url.starts_with(&app.url("/pacts/provider/Bar/consumer/Foo/pact-version/")),
        "{pact_url}"
    );
    assert_eq!(get_json(&c, pact_url).await.0, 200, "the pact URL reaches the pact");
    let events: Vec<&str> = bodies.iter().map(|b| b["event"].as_str().unwrap()).collect();
    assert!(
        events.contains(&"contract_published") && events.contains(&"contract_content_changed"),
        "{events:?}"
    );
    assert_eq!(
        calls[0].0["authorization"], "Bearer s3cret",
        "the receiver gets the secret"
    );

    let status_url = app.url("/pacts/provider/Bar/consumer/Foo/webhooks/status");
    let status = wait_for("both successful", async || {
        let (_, status) = get_json(&c, &status_url).await;
        (status["summary"]["successful"] == 2).then_some(status)
    })
    .await;
    let triggered = status["_embedded"]["triggeredWebhooks"].as_array().unwrap();
    let attempts: Vec<u64> = triggered.iter().map(|t| t["attemptsMade"].as_u64().unwrap()).collect();
    assert!(attempts.contains(&2) && attempts.contains(&1), "{status}");
    let retried = triggered.iter().find(|t| t["attemptsMade"] == 2).unwrap();
    let logs = get_text(&c, retried["_links"]["pb:logs"]["href"].as_str().unwrap(), "text/plain").await;
    assert!(logs.contains("HTTP 500") && logs.contains("HTTP 200"), "{logs}");
    assert!(!logs.contains("s3cret") && logs.contains("**********"), "{logs}");
    let (_, by_version) = get_json(
        &c,
        &app.url("/pacts/provider/Bar/consumer/Foo/version/2/triggered-webhooks"),
    )
    .await;
    assert_eq!(
        by_version["_embedded"]["triggeredWebhooks"].as_array().unwrap().len(),
        2
    );

    // The same content again: published, not changed.
    publish(&c, &app, &pact("Foo", "Bar", &["/2"]), "3", Some("feat-x"), &[]).await;
    let (_, by_version) = get_json(
        &c,
        &app.url("/pacts/provider/Bar/consumer/Foo/version/3/triggered-webhooks"),
    )
    .await;
    let events: Vec<&str> = by_version["_embedded"]["triggeredWebhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["eventName"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["contract_published"]);

    // The web page lists the webhook and its executions.
    let page = get_text(&c, &app.url("/webhooks"), "text/html").await;
    assert!(page.contains("CI build") && page.contains("contract_content_changed") && page.contains("success"));
    assert!(!page.contains("s3cret"));
}

#[tokio::test]
async fn receivers_down_or_slow_never_slow_the_publication_and_retries_are_bounded() {
    let db = TempDatabase::new();
    let app = spawn_with(local_config(&db)).await;
    let c = client();
    publish(&c, &app, &pact("Foo", "Bar", &["/0"]), "0", None, &[]).await;
    // Down: a port nobody listens on. Slow: answers after 5 s (the timeout is 1 s).
    let down = closed_port();
    let slow = TestApp::spawn(axum::Router::new().route(
        "/hook",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            StatusCode::OK
        }),
    ))
    .await;
    for url in [format!("http://127.0.0.1:{down}/hook"), slow.url("/hook")] {
        let body = webhook_body(&url, &["contract_published"]);
        assert_eq!(send_json(c.post(app.url("/webhooks")).json(&body)).await.0, 201);
    }
    for i in 1..=5 {
        let started = Instant::now();
        publish(
            &c,
            &app,
            &pact("Foo", "Bar", &[&format!("/{i}")]),
            &i.to_string(),
            None,
            &[],
        )
        .await;
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "publish {i} took {:?}",
            started.elapsed()
        );
    }
    // Each trigger: one try and two retries, then failure.
    let status_url = app.url("/pacts/provider/Bar/consumer/Foo/webhooks/status");
    let status = wait_for("all failed", async || {
        let (_, status) = get_json(&c, &status_url).await;
        (status["summary"]["failed"] == 10).then_some(status)
    })
    .await;
    for t in status["_embedded"]["triggeredWebhooks"].as_array().unwrap() {
        assert_eq!(
            (t["attemptsMade"].as_u64(), t["attemptsRemaining"].as_u64()),
            (Some(3), Some(0)),
            "{t}"
        );
    }
}

#[test]
fn pending_executions_resume_after_a_restart() {
    let db = TempDatabase::new();
    let config = Config {
        webhook_retry_schedule: "1".into(),
        ..local_config(&db)
    };
    // The receiver's port, closed for now: the first attempt fails, the retry is due in 1 s.
    let port = closed_port();
    let hook_url = format!("http://127.0.0.1:{port}/hook");
    // The first broker is stopped before the retry is due.
    let (first_config, first_hook_url) = (config.clone(), hook_url.clone());
    run_then_stop(async move {
        let app = spawn_with(first_config).await;
        let c = client();
        publish_a_triggering_pact(&c, &app, &first_hook_url).await;
        let status_url = app.url("/pacts/provider/Bar/consumer/Foo/webhooks/status");
        wait_for("the first attempt", async || {
            let (_, status) = get_json(&c, &status_url).await;
            (status["summary"]["retrying"] == 1).then_some(())
        })
        .await;
    });
    run_then_stop(async move {
        let calls = receiver_on(port).await;
        let app = spawn_with(config).await;
        let c = client();
        let status_url = app.url("/pacts/provider/Bar/consumer/Foo/webhooks/status");
        let status = wait_for("the resumed retry to succeed", async || {
            let (_, status) = get_json(&c, &status_url).await;
            (status["summary"]["successful"] == 1).then_some(status)
        })
        .await;
        assert_eq!(
            status["_embedded"]["triggeredWebhooks"][0]["attemptsMade"], 2,
            "{status}"
        );
        assert_eq!(calls.lock().unwrap().len(), 1);
    });
}

#[test]
fn triggers_not_yet_run_are_delivered_after_a_restart() {
    let db = TempDatabase::new();
    // Should the first broker get to an attempt (refused: nothing listens yet), the retry is
    // due after the restart.
    let config = Config {
        webhook_retry_schedule: "1".into(),
        ..local_config(&db)
    };
    // The receiver's port, closed while the first broker runs.
    let port = closed_port();
    let hook_url = format!("http://127.0.0.1:{port}/hook");
    // Publishes and stops at once: the publication's triggers are committed with it, whether
    // or not the runner got to them.
    let (first_config, first_hook_url) = (config.clone(), hook_url.clone());
    run_then_stop(async move {
        let app = spawn_with(first_config).await;
        publish_a_triggering_pact(&client(), &app, &first_hook_url).await;
    });
    run_then_stop(async move {
        let calls = receiver_on(port).await;
        let app = spawn_with(config).await;
        let c = client();
        let status_url = app.url("/pacts/provider/Bar/consumer/Foo/webhooks/status");
        wait_for("the publication's webhook to succeed after the restart", async || {
            let (_, status) = get_json(&c, &status_url).await;
            (status["summary"]["successful"] == 1).then_some(())
        })
        .await;
        let calls = calls.lock().unwrap();
        assert_eq!(calls.len(), 1, "delivered once");
        let body: Value = serde_json::from_str(&calls[0].1).unwrap();
        assert_eq!(body["version"], "1", "{body}");
    });
}

#[tokio::test]
async fn verification_results_fire_their_events_and_execute_runs_a_webhook_once() {
    let db = TempDatabase::new();
    let app = spawn_with(local_config(&db)).await;
    let c = client();
    let (hook, calls) = receiver(0).await;
    publish(&c, &app, &pact("Foo", "Bar", &["/1"]), "1", Some("main"), &[]).await;
    let body = webhook_body(
        &hook.url("/hook"),
        &["provider_verification_published", "provider_verification_failed"],
    );
    let (_, webhook) = send_json(c.post(app.url("/webhooks")).json(&body)).await;

    // Execute (test-webhook): runs now with the latest pact, answers what happened.
    let (status, execution) = send_json(
        c.post(webhook["_links"]["pb:execute"]["href"].as_str().unwrap())
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 200, "{execution}");
    assert_eq!(execution["success"], true, "{execution}");
    assert_eq!(execution["response"]["status"], 200);
    assert_eq!(execution["request"]["headers"]["Authorization"], "**********");
    assert_eq!(calls.lock().unwrap().len(), 1);

    let (_, pact_doc) = get_json(&c, &app.url("/pacts/provider/Bar/consumer/Foo/version/1")).await;
    let publish_url = pact_doc["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap();
    let (status, _) = send_json(c.post(publish_url).json(&json!({
        "success": false, "providerApplicationVersion": "7", "providerVersionBranch": "main"
    })))
    .await;
    assert_eq!(status, 201);
    let calls = wait_for("both verification events", async || {
        let calls = calls.lock().unwrap();
        (calls.len() >= 3).then(|| calls.clone())
    })
    .await;
    let bodies: Vec<Value> = calls[1..]
        .iter()
        .map(|(_, b)| serde_json::from_str(b).unwrap())
        .collect();
    for body in &bodies {
        assert_eq!(body["providerVersion"], "7");
        assert_eq!(body["status"], "failure");
        assert_eq!(body["version"], "1");
    }
}
