//! The official Rust verifier (`pact_verifier` as a library) against this broker: it fetches
//! pacts for verification with selectors, pending and WIP, verifies a small provider and
//! publishes the results; the broker then answers can-i-deploy from them.

use std::sync::Arc;

use crate::common::cli::cli;
use crate::common::{environment, get_json, pact, publish, send_json, spawn};
use axum::Json;
use axum::extract::Path;
use axum::routing::{get, post};
use pact_verifier::callback_executors::HttpRequestProviderStateExecutor;
use pact_verifier::selectors::json_to_selectors;
use pact_verifier::{
    FilterInfo, NullRequestFilterExecutor, PactSource, ProviderInfo, ProviderTransport, PublishOptions,
    VerificationOptions, verify_provider_async,
};
use serde_json::{Value, json};
use service_kit::testing::{TempDatabase, TestApp};

/// A provider serving `GET /items/{id}` and the provider-state endpoint.
async fn provider() -> TestApp {
    let app = axum::Router::new()
        .route(
            "/items/{id}",
            get(|Path(id): Path<String>| async move { Json(json!({ "path": format!("/items/{id}") })) }),
        )
        .route("/_pact/state", post(|| async { Json(json!({})) }));
    TestApp::spawn(app).await
}

/// Runs pact_verifier as a provider's CI would: pending on, provider version 1.0.0 on branch
/// `main`, results published.
async fn verify(
    broker: &TestApp,
    provider_app: &TestApp,
    selectors: Vec<Value>,
    include_wip_pacts_since: Option<&str>,
    auth: Option<pact_models::http_utils::HttpAuth>,
) -> pact_verifier::verification_result::VerificationExecutionResult {
    let provider_info = ProviderInfo {
        name: "Provider".into(),
        host: "127.0.0.1".into(),
        transports: vec![ProviderTransport {
            transport: "http".into(),
            port: Some(provider_app.address.port()),
            path: None,
            scheme: Some("http".into()),
        }],
        ..ProviderInfo::default()
    };
    let source = PactSource::BrokerWithDynamicConfiguration {
        provider_name: "Provider".into(),
        broker_url: broker.base_url.clone(),
        enable_pending: true,
        include_wip_pacts_since: include_wip_pacts_since.map(String::from),
        provider_tags: vec![],
        provider_branch: Some("main".into()),
        selectors: json_to_selectors(selectors),
        auth,
        links: vec![],
    };
    let options: VerificationOptions<NullRequestFilterExecutor> = VerificationOptions {
        coloured_output: false,
        broker_request_retries: 0,
        ..VerificationOptions::default()
    };
    let publish_options = PublishOptions {
        provider_version: Some("1.0.0".into()),
        build_url: None,
        provider_tags: vec![],
        provider_branch: Some("main".into()),
    };
    let states = Arc::new(HttpRequestProviderStateExecutor {
        state_change_url: Some(provider_app.url("/_pact/state")),
        ..HttpRequestProviderStateExecutor::default()
    });
    verify_provider_async(
        provider_info,
        vec![source],
        FilterInfo::None,
        vec![],
        &options,
        Some(&publish_options),
        &states,
        None,
    )
    .await
    .expect("the verifier ran")
}

/// The setup every Pact guide shows, on a fresh broker with no setup step: the consumer
/// publishes with `--branch main` (the official CLI), the provider verifies `mainBranch`. The
/// broker detects `main` as the consumer's main branch, as the official one does by default.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn main_branch_is_detected_so_a_fresh_broker_serves_the_main_branch_selector() {
    let db = TempDatabase::new();
    let broker = spawn(&db).await;
    let provider_app = provider().await;
    let c = reqwest::Client::new();
    let pacts = tempfile::tempdir().unwrap();
    std::fs::write(
        pacts.path().join("Consumer-Provider.json"),
        pact("Consumer", "Provider", &["/items/1"]).to_string(),
    )
    .unwrap();

    let out = cli(
        &broker,
        &["publish", pacts.path().to_str().unwrap(), "-a", "1", "--branch", "main"],
    )
    .await;
    assert!(out.success, "{}", out.text);
    let (_, consumer) = get_json(&c, &broker.url("/pacticipants/Consumer")).await;
    assert_eq!(consumer["mainBranch"], "main", "{consumer}");

    let result = verify(&broker, &provider_app, vec![json!({"mainBranch": true})], None, None).await;
    assert!(result.result, "{:?}", result.errors);
    let (_, body) = get_json(&c, &broker.url("/pacts/provider/Provider/consumer/Consumer/version/1")).await;
    let (status, verification) = get_json(
        &c,
        body["_links"]["pb:latest-verification-results"]["href"]
            .as_str()
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, &verification["success"]),
        (200, &json!(true)),
        "{verification}"
    );
    // The provider verified from `main` too: its main branch is detected the same way.
    let (_, provider) = get_json(&c, &broker.url("/pacticipants/Provider")).await;
    assert_eq!(provider["mainBranch"], "main", "{provider}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pact_verifier_fetches_verifies_and_publishes_through_the_broker() {
    let db = TempDatabase::new();
    let broker = spawn(&db).await;
    let provider_app = provider().await;
    let c = reqwest::Client::new();

    send_json(
        c.put(broker.url("/pacticipants/Consumer"))
            .json(&json!({"mainBranch": "main"})),
    )
    .await;
    // The main-branch pact the provider honours, and a WIP pact from a feature branch it does not.
    publish(
        &c,
        &broker,
        &pact("Consumer", "Provider", &["/items/1", "/items/2"]),
        "1",
        Some("main"),
        &[],
    )
    .await;
    publish(
        &c,
        &broker,
        &pact("Consumer", "Provider", &["/items/1", "/missing"]),
        "2",
        Some("feat-new"),
        &[],
    )
    .await;

    let result = verify(
        &broker,
        &provider_app,
        vec![json!({"mainBranch": true}), json!({"deployedOrReleased": true})],
        Some("2020-01-01"),
        None,
    )
    .await;

    // The WIP pact fails, but it is pending: the overall result passes.
    assert!(result.result, "verification failed: {:?}", result.errors);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert!(
        !result.pending_errors.is_empty(),
        "the WIP pact's failure is reported as pending"
    );
    assert!(
        result
            .notices
            .iter()
            .any(|n| n.get("text").is_some_and(|t| t.contains("work in progress"))),
        "{:?}",
        result.notices
    );

    // The verification results are stored, per interaction, with the provider's branch.
    let (_, main_pact) = get_json(&c, &broker.url("/pacts/provider/Provider/consumer/Consumer/version/1")).await;
    let latest = main_pact["_links"]["pb:latest-verification-results"]["href"]
        .as_str()
        .unwrap();
    let (status, verification) = get_json(&c, latest).await;
    assert_eq!(status, 200, "{verification}");
    assert_eq!(verification["success"], true);
    assert_eq!(verification["providerApplicationVersion"], "1.0.0");
    let ids: Vec<&Value> = main_pact["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["_id"])
        .collect();
    let results = verification["testResults"].as_array().expect("testResults array");
    assert_eq!(results.len(), 2, "{verification}");
    for result in results {
        assert!(
            ids.contains(&&result["interactionId"]),
            "{result} refers to an interaction of the pact"
        );
        assert_eq!(result["success"], true);
    }
    let (_, wip_pact) = get_json(&c, &broker.url("/pacts/provider/Provider/consumer/Consumer/version/2")).await;
    let (_, wip_verification) = get_json(
        &c,
        wip_pact["_links"]["pb:latest-verification-results"]["href"]
            .as_str()
            .unwrap(),
    )
    .await;
    assert_eq!(wip_verification["success"], false, "{wip_verification}");
    let (status, _) = get_json(&c, &broker.url("/pacticipants/Provider/branches/main/versions/1.0.0")).await;
    assert_eq!(status, 200, "the verifier published the provider branch");

    // can-i-deploy answers from those results.
    let production = environment(&c, &broker, "production").await;
    let (status, _) = send_json(
        c.post(broker.url(&format!(
            "/pacticipants/Provider/versions/1.0.0/deployed-versions/environment/{production}"
        )))
        .json(&json!({})),
    )
    .await;
    assert_eq!(status, 201);
    let can_i_deploy = |version: &str| {
        broker.url(&format!(
            "/can-i-deploy?pacticipant=Consumer&version={version}&environment=production"
        ))
    };
    let (_, answer) = get_json(&c, &can_i_deploy("1")).await;
    assert_eq!(answer["summary"]["deployable"], true, "{answer}");
    let (_, answer) = get_json(&c, &can_i_deploy("2")).await;
    assert_eq!(answer["summary"]["deployable"], false, "{answer}");
    assert!(
        answer["summary"]["reason"].as_str().unwrap().contains("failed"),
        "{answer}"
    );

    // A second run sees the main pact as no longer pending and no WIP for the verified content.
    let (_, body) = send_json(
        c.post(broker.url("/pacts/provider/Provider/for-verification"))
            .json(&json!({
                "consumerVersionSelectors": [{"mainBranch": true}],
                "includePendingStatus": true,
                "providerVersionBranch": "main",
                "includeWipPactsSince": "2020-01-01"
            })),
    )
    .await;
    let pacts = body["_embedded"]["pacts"].as_array().unwrap();
    let main = pacts
        .iter()
        .find(|p| p["verificationProperties"]["wip"].is_null())
        .unwrap();
    assert_eq!(main["verificationProperties"]["pending"], false, "{body}");
}

/// The verifier reaches a broker that needs credentials by credentials alone (as it would the
/// official image or PactFlow): with the right user it fetches, verifies and publishes; with a
/// wrong password it gets nothing and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pact_verifier_switches_to_a_broker_with_credentials_by_credentials_alone() {
    use pact_models::http_utils::HttpAuth;

    let db = TempDatabase::new();
    let broker = crate::common::spawn_with(pact_broker::Config {
        basic_auth_username: Some("ci".into()),
        basic_auth_password: Some("s3cret".into()),
        ..pact_broker::Config::for_database(db.path.clone())
    })
    .await;
    let provider_app = provider().await;
    let c = reqwest::Client::new();
    let published = c
        .post(broker.url("/contracts/publish"))
        .basic_auth("ci", Some("s3cret"))
        .json(&crate::common::publish_body(
            &pact("Consumer", "Provider", &["/items/1"]),
            "1",
            Some("main"),
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 200);

    let verify = |password: &str| {
        let auth = HttpAuth::User("ci".into(), Some(password.into()));
        verify(
            &broker,
            &provider_app,
            vec![json!({"branch": "main"})],
            None,
            Some(auth),
        )
    };

    let result = verify("s3cret").await;
    assert!(result.result, "{:?}", result.output);
    assert_eq!(result.interaction_results.len(), 1, "{:?}", result.output);
    let read = |url: String| c.get(url).basic_auth("ci", Some("s3cret")).send();
    let pact_read = read(broker.url("/pacts/provider/Provider/consumer/Consumer/version/1"))
        .await
        .unwrap();
    let pact_body: Value = pact_read.json().await.unwrap();
    let latest = pact_body["_links"]["pb:latest-verification-results"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let verification = read(latest).await.unwrap();
    assert_eq!(
        verification.status(),
        200,
        "the result was published with the credentials"
    );
    assert_eq!(verification.json::<Value>().await.unwrap()["success"], true);

    let refused = verify("wrong").await;
    assert!(!refused.result, "a wrong password must not pass");
    assert!(refused.interaction_results.is_empty(), "nothing was fetched");
    assert!(
        refused.output.join("\n").contains("401") || refused.errors.iter().any(|(text, _)| text.contains("401")),
        "the verifier says it was refused: {:?} {:?}",
        refused.output,
        refused.errors
    );
}
