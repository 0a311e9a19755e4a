//! The official Pact broker CLI (`pact-broker-cli`, the Rust one, installed into `tools/` by
//! `scripts/setup.sh`) driven as a subprocess against this broker.

use crate::common::cli::{cli, cli_at, cli_path};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::{get_json, pact, send_json, spawn, spawn_with};
use pact_broker::Config;
use serde_json::json;
use service_kit::testing::{TempDatabase, TestApp};

fn write_pact(dir: &std::path::Path, paths: &[&str]) {
    std::fs::write(dir.join("Web-Api.json"), pact("Web", "Api", paths).to_string()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pact_broker_cli_publishes_records_and_asks_can_i_deploy() {
    let cli_binary = cli_path();
    assert!(cli_binary.exists());
    let db = TempDatabase::new();
    let broker = spawn(&db).await;
    let c = reqwest::Client::new();
    let pacts = tempfile::tempdir().unwrap();

    // create-or-update-pacticipant: creates after a 404, then updates.
    let out = cli(
        &broker,
        &["create-or-update-pacticipant", "--name", "Web", "--main-branch", "main"],
    )
    .await;
    assert!(out.success && out.text.contains("created successfully"), "{}", out.text);
    let out = cli(
        &broker,
        &[
            "create-or-update-pacticipant",
            "--name",
            "Web",
            "--repository-url",
            "http://git/web",
        ],
    )
    .await;
    assert!(out.success && out.text.contains("updated successfully"), "{}", out.text);
    let (_, web) = get_json(&c, &broker.url("/pacticipants/Web")).await;
    assert_eq!(
        (web["mainBranch"].as_str(), web["repositoryUrl"].as_str()),
        (Some("main"), Some("http://git/web"))
    );

    let out = cli(&broker, &["create-environment", "--name", "production", "--production"]).await;
    assert!(out.success, "{}", out.text);

    // publish with branch and tags.
    write_pact(pacts.path(), &["/items/1"]);
    let dir = pacts.path().to_str().unwrap();
    let out = cli(
        &broker,
        &["publish", dir, "-a", "1.0.0", "--branch", "main", "-t", "dev", "test"],
    )
    .await;
    assert!(out.success && out.text.contains("Pact published"), "{}", out.text);
    let (status, version) = get_json(&c, &broker.url("/pacticipants/Web/versions/1.0.0")).await;
    assert_eq!(status, 200);
    assert_eq!(version["_embedded"]["branchVersions"][0]["name"], "main");
    assert_eq!(version["_embedded"]["tags"].as_array().unwrap().len(), 2);
    // Same content again is fine; changed content for the same version is refused.
    let out = cli(&broker, &["publish", dir, "-a", "1.0.0", "--branch", "main"]).await;
    assert!(out.success, "{}", out.text);
    write_pact(pacts.path(), &["/items/changed"]);
    let out = cli(&broker, &["publish", dir, "-a", "1.0.0", "--branch", "main"]).await;
    assert!(
        !out.success && out.text.contains("Cannot change the content"),
        "{}",
        out.text
    );

    // describe-version and list-latest-pact-versions.
    let out = cli(&broker, &["describe-version", "-a", "Web"]).await;
    assert!(
        out.success && out.text.contains("1.0.0") && out.text.contains("dev"),
        "{}",
        out.text
    );
    let out = cli(&broker, &["list-latest-pact-versions"]).await;
    assert!(
        out.success && out.text.contains("Web") && out.text.contains("Api") && out.text.contains("1.0.0"),
        "{}",
        out.text
    );

    // can-i-deploy fails while Api has nothing in production.
    let out = cli(
        &broker,
        &[
            "can-i-deploy",
            "-a",
            "Web",
            "-e",
            "1.0.0",
            "--to-environment",
            "production",
        ],
    )
    .await;
    assert!(
        !out.success && out.text.contains("There is no verified pact"),
        "{}",
        out.text
    );

    // Api 5 verifies the pact (as the verifier publishes it), and is deployed with the CLI.
    let (_, published) = get_json(&c, &broker.url("/pacts/provider/Api/consumer/Web/version/1.0.0")).await;
    let results = published["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = send_json(
        c.post(&results)
            .json(&json!({"success": true, "providerApplicationVersion": "5"})),
    )
    .await;
    assert_eq!(status, 201);
    let out = cli(
        &broker,
        &[
            "record-deployment",
            "-a",
            "Api",
            "-e",
            "5",
            "--environment",
            "production",
        ],
    )
    .await;
    assert!(out.success && out.text.contains("Recorded deployment"), "{}", out.text);
    let out = cli(
        &broker,
        &["record-deployment", "-a", "Api", "-e", "5", "--environment", "nowhere"],
    )
    .await;
    assert!(!out.success && out.text.contains("does not exist"), "{}", out.text);

    let out = cli(
        &broker,
        &[
            "can-i-deploy",
            "-a",
            "Web",
            "-e",
            "1.0.0",
            "--to-environment",
            "production",
        ],
    )
    .await;
    assert!(out.success && out.text.contains("Computer says yes"), "{}", out.text);

    // A new consumer version whose pact Api 5 failed: can-i-deploy says no.
    write_pact(pacts.path(), &["/items/2"]);
    let out = cli(&broker, &["publish", dir, "-a", "2.0.0", "--branch", "main"]).await;
    assert!(out.success, "{}", out.text);
    let (_, published) = get_json(&c, &broker.url("/pacts/provider/Api/consumer/Web/version/2.0.0")).await;
    let results = published["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, recorded) = send_json(
        c.post(&results)
            .json(&json!({"success": false, "providerApplicationVersion": "5"})),
    )
    .await;
    assert_eq!(status, 201, "the failed verification is recorded: {recorded}");
    assert_eq!(recorded["success"], false, "{recorded}");
    let out = cli(
        &broker,
        &[
            "can-i-deploy",
            "-a",
            "Web",
            "-e",
            "2.0.0",
            "--to-environment",
            "production",
        ],
    )
    .await;
    // What a CI script checks: exit code 1 and the broker's "no", with the reason.
    assert_eq!(out.code, Some(1), "{}", out.text);
    assert!(
        out.text.contains("Computer says no") && out.text.contains("failed"),
        "{}",
        out.text
    );

    // Legacy tags: create-version-tag, then can-i-deploy --to.
    let out = cli(&broker, &["create-version-tag", "-a", "Api", "-e", "5", "-t", "prod"]).await;
    assert!(out.success, "{}", out.text);
    let out = cli(&broker, &["can-i-deploy", "-a", "Web", "-e", "1.0.0", "--to", "prod"]).await;
    assert!(out.success && out.text.contains("Computer says yes"), "{}", out.text);
    let out = cli(&broker, &["can-i-deploy", "-a", "Web", "-e", "2.0.0", "--to", "prod"]).await;
    assert_eq!(out.code, Some(1), "{}", out.text);
    assert!(out.text.contains("Computer says no"), "{}", out.text);

    // Matrix of two explicit versions, the way can-i-deploy sends several --pacticipant.
    let out = cli(
        &broker,
        &["can-i-deploy", "-a", "Web", "-e", "1.0.0", "-a", "Api", "-e", "5"],
    )
    .await;
    assert!(out.success && out.text.contains("Computer says yes"), "{}", out.text);

    // record-release, and record-undeployment (which joins paths onto the base URL as given, so
    // it is called with a trailing slash, as its own tests do).
    let out = cli(
        &broker,
        &[
            "record-release",
            "-a",
            "Web",
            "-e",
            "1.0.0",
            "--environment",
            "production",
        ],
    )
    .await;
    assert!(out.success, "{}", out.text);
    let (_, envs) = get_json(&c, &broker.url("/environments")).await;
    let production = envs["_embedded"]["environments"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, released) = get_json(
        &c,
        &broker.url(&format!(
            "/environments/{production}/released-versions/currently-supported"
        )),
    )
    .await;
    assert_eq!(
        released["_embedded"]["releasedVersions"][0]["_embedded"]["version"]["number"],
        "1.0.0"
    );
    let out = cli_at(
        &format!("{}/", broker.base_url),
        &["record-undeployment", "-a", "Api", "--environment", "production"],
    )
    .await;
    assert!(out.success && out.text.contains("Undeployed"), "{}", out.text);
    let out = cli(
        &broker,
        &[
            "can-i-deploy",
            "-a",
            "Web",
            "-e",
            "1.0.0",
            "--to-environment",
            "production",
        ],
    )
    .await;
    assert_eq!(out.code, Some(1), "Api is no longer deployed: {}", out.text);
    assert!(out.text.contains("Computer says no"), "{}", out.text);
}

/// The webhook commands: create-webhook, create-or-update-webhook (create, then update),
/// test-webhook (the receiver is called) and delete-webhook; a refused definition fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pact_broker_cli_webhook_commands() {
    let db = TempDatabase::new();
    let broker = spawn_with(Config {
        webhook_scheme_whitelist: "http".into(),
        webhook_host_whitelist: "127.0.0.1".into(),
        ..Config::for_database(db.path.clone())
    })
    .await;
    let c = reqwest::Client::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let receiver = TestApp::spawn(axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { "ok" }
        }),
    ))
    .await;
    let hook = receiver.url("/hook");
    for name in ["Web", "Api"] {
        assert!(
            cli(&broker, &["create-or-update-pacticipant", "--name", name])
                .await
                .success
        );
    }

    let out = cli(
        &broker,
        &[
            "create-webhook",
            &hook,
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "Authorization: Bearer s3cret",
            "-d",
            r#"{"pact": "${pactbroker.pactUrl}"}"#,
            "--consumer",
            "Web",
            "--provider",
            "Api",
            "--contract-published",
            "--description",
            "notify CI",
        ],
    )
    .await;
    assert!(out.success && out.text.contains("notify CI"), "{}", out.text);
    assert!(!out.text.contains("s3cret"), "secret echoed: {}", out.text);

    let uuid = "0123456789abcdef0123";
    let upsert = |description: &'static str| {
        let hook = hook.clone();
        let broker = &broker;
        async move {
            cli(
                broker,
                &[
                    "create-or-update-webhook",
                    &hook,
                    "-X",
                    "POST",
                    "--uuid",
                    uuid,
                    "--provider",
                    "Api",
                    "--contract-requiring-verification-published",
                    "--description",
                    description,
                ],
            )
            .await
        }
    };
    let out = upsert("verify changed pacts").await;
    assert!(out.success, "{}", out.text);
    let out = upsert("verify changed pacts, renamed").await;
    assert!(out.success, "{}", out.text);
    let (_, webhook) = get_json(&c, &broker.url(&format!("/webhooks/{uuid}"))).await;
    assert_eq!(webhook["description"], "verify changed pacts, renamed");
    let (_, all) = get_json(&c, &broker.url("/webhooks")).await;
    assert_eq!(all["_embedded"]["webhooks"].as_array().unwrap().len(), 2, "{all}");

    let out = cli(&broker, &["test-webhook", "--uuid", uuid]).await;
    assert!(out.success && out.text.contains("\"success\":true"), "{}", out.text);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "test-webhook called the receiver");

    let out = cli(&broker, &["delete-webhook", "--uuid", uuid]).await;
    assert!(out.success, "{}", out.text);
    assert_eq!(get_json(&c, &broker.url(&format!("/webhooks/{uuid}"))).await.0, 404);

    let out = cli(
        &broker,
        &[
            "create-webhook",
            "http://example.org/hook",
            "-X",
            "POST",
            "--contract-published",
            "--retries",
            "0",
        ],
    )
    .await;
    assert!(!out.success && out.text.contains("whitelist"), "{}", out.text);
}

/// Publishes Web's pact with Api as `version` on `branch` through the CLI.
async fn publish_on(broker: &TestApp, dir: &std::path::Path, paths: &[&str], version: &str, branch: &str) {
    write_pact(dir, paths);
    let out = cli(
        broker,
        &["publish", dir.to_str().unwrap(), "-a", version, "--branch", branch],
    )
    .await;
    assert!(out.success, "{}", out.text);
}

/// get-pacts in every form (main branch, a branch, latest, per consumer) and provider-states
/// list (main branch, a branch, an environment).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pact_broker_cli_get_pacts_and_provider_states() {
    let db = TempDatabase::new();
    let broker = spawn(&db).await;
    let pacts = tempfile::tempdir().unwrap();
    publish_on(&broker, pacts.path(), &["/items/1"], "1", "main").await;
    publish_on(&broker, pacts.path(), &["/items/2"], "2", "main").await;
    publish_on(&broker, pacts.path(), &["/items/3"], "3", "feat-x").await;

    let get_pacts = |args: &'static [&'static str]| {
        let broker = &broker;
        async move {
            let mut all = vec!["get-pacts", "--provider", "Api", "-o", "json"];
            all.extend_from_slice(args);
            let out = cli(broker, &all).await;
            assert!(out.success, "{args:?}: {}", out.text);
            out.text
        }
    };
    // (arguments, versions listed, versions not listed)
    let cases: [(&[&str], &[&str], &[&str]); 6] = [
        (&[], &["(1)", "(2)"], &["(3)"]),
        (&["--latest"], &["(2)"], &["(1)", "(3)"]),
        (&["--branch", "feat-x"], &["(3)"], &["(1)", "(2)"]),
        (&["--branch", "main", "--latest"], &["(2)"], &["(1)", "(3)"]),
        (&["--consumer", "Web"], &["version/1", "version/2"], &["version/3"]),
        (
            &["--consumer", "Web", "--branch", "feat-x"],
            &["version/3"],
            &["version/1"],
        ),
    ];
    for (args, listed, not_listed) in cases {
        let text = get_pacts(args).await;
        for version in listed {
            assert!(text.contains(version), "{args:?} lists {version}: {text}");
        }
        for version in not_listed {
            assert!(!text.contains(version), "{args:?} leaves out {version}: {text}");
        }
    }
    let text = get_pacts(&["--consumer", "Web", "--latest"]).await;
    assert!(text.contains("/items/2"), "the latest main-branch pact itself: {text}");

    let states = |args: &'static [&'static str]| {
        let broker = &broker;
        async move {
            let mut all = vec!["provider-states", "list", "--provider", "Api", "--json"];
            all.extend_from_slice(args);
            cli(broker, &all).await
        }
    };
    let out = states(&[]).await;
    assert!(
        out.success && out.text.contains("items exist") && out.text.contains("Web"),
        "{}",
        out.text
    );
    let out = states(&["--branch", "feat-x"]).await;
    assert!(out.success && out.text.contains("items exist"), "{}", out.text);
    let out = states(&["--branch", "nope"]).await;
    assert!(out.success && !out.text.contains("items exist"), "{}", out.text);
    let out = cli(&broker, &["create-environment", "--name", "production"]).await;
    assert!(out.success, "{}", out.text);
    let out = states(&["--environment", "production"]).await;
    assert!(
        out.success && !out.text.contains("items exist"),
        "nothing deployed yet: {}",
        out.text
    );
    let out = cli(
        &broker,
        &[
            "record-deployment",
            "-a",
            "Web",
            "-e",
            "1",
            "--environment",
            "production",
        ],
    )
    .await;
    assert!(out.success, "{}", out.text);
    let out = states(&["--environment", "production"]).await;
    assert!(out.success && out.text.contains("items exist"), "{}", out.text);
}

/// The environment commands besides create: describe, list, update, delete; and
/// record-support-ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pact_broker_cli_environment_commands() {
    let db = TempDatabase::new();
    let broker = spawn(&db).await;
    let c = reqwest::Client::new();
    let out = cli(&broker, &["create-environment", "--name", "staging", "-o", "json"]).await;
    assert!(out.success, "{}", out.text);
    let (_, list) = get_json(&c, &broker.url("/environments")).await;
    let uuid = list["_embedded"]["environments"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();

    let out = cli(&broker, &["describe-environment", "--uuid", &uuid]).await;
    assert!(out.success && out.text.contains("staging"), "{}", out.text);
    let out = cli(
        &broker,
        &[
            "update-environment",
            "--uuid",
            &uuid,
            "--name",
            "stage",
            "--display-name",
            "Stage",
        ],
    )
    .await;
    assert!(out.success, "{}", out.text);
    let out = cli(&broker, &["list-environments"]).await;
    assert!(
        out.success && out.text.contains("stage") && out.text.contains("Stage"),
        "{}",
        out.text
    );

    let pacts = tempfile::tempdir().unwrap();
    publish_on(&broker, pacts.path(), &["/items/1"], "1", "main").await;
    let out = cli(
        &broker,
        &["record-release", "-a", "Web", "-e", "1", "--environment", "stage"],
    )
    .await;
    assert!(out.success, "{}", out.text);
    let supported = broker.url(&format!("/environments/{uuid}/released-versions/currently-supported"));
    let (_, released) = get_json(&c, &supported).await;
    assert_eq!(released["_embedded"]["releasedVersions"].as_array().unwrap().len(), 1);
    let out = cli(
        &broker,
        &["record-support-ended", "-a", "Web", "-e", "1", "--environment", "stage"],
    )
    .await;
    assert!(out.success, "{}", out.text);
    let (_, released) = get_json(&c, &supported).await;
    assert_eq!(released["_embedded"]["releasedVersions"], json!([]), "{released}");

    let out = cli(&broker, &["delete-environment", "--uuid", &uuid]).await;
    assert!(out.success, "{}", out.text);
    assert_eq!(get_json(&c, &broker.url(&format!("/environments/{uuid}"))).await.0, 404);
}

/// describe-pacticipant, list-pacticipants, create-or-update-version, delete-version-tag,
/// delete-branch and can-i-merge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pact_broker_cli_pacticipant_version_and_merge_commands() {
    let db = TempDatabase::new();
    let broker = spawn(&db).await;
    let c = reqwest::Client::new();
    let pacts = tempfile::tempdir().unwrap();
    publish_on(&broker, pacts.path(), &["/items/1"], "1", "main").await;

    let out = cli(&broker, &["describe-pacticipant", "--name", "Web"]).await;
    assert!(out.success && out.text.contains("Main Branch: main"), "{}", out.text);
    let out = cli(&broker, &["list-pacticipants"]).await;
    assert!(
        out.success && out.text.contains("Web") && out.text.contains("Api"),
        "{}",
        out.text
    );

    let out = cli(
        &broker,
        &[
            "create-or-update-version",
            "--pacticipant",
            "Api",
            "--version",
            "7",
            "--branch",
            "feat-y",
            "--tag",
            "rc",
        ],
    )
    .await;
    assert!(out.success, "{}", out.text);
    assert_eq!(
        get_json(&c, &broker.url("/pacticipants/Api/branches/feat-y/versions/7"))
            .await
            .0,
        200
    );
    let out = cli(
        &broker,
        &[
            "delete-version-tag",
            "--pacticipant",
            "Api",
            "--version",
            "7",
            "--tag",
            "rc",
        ],
    )
    .await;
    assert!(out.success, "{}", out.text);
    assert_eq!(
        get_json(&c, &broker.url("/pacticipants/Api/versions/7/tags/rc"))
            .await
            .0,
        404
    );
    let out = cli(
        &broker,
        &["delete-branch", "--pacticipant", "Api", "--branch", "feat-y"],
    )
    .await;
    assert!(out.success, "{}", out.text);
    assert_eq!(
        get_json(&c, &broker.url("/pacticipants/Api/branches/feat-y")).await.0,
        404
    );

    // can-i-merge: Web 1 against Api's main branch: unknown (no verification), then yes.
    let out = cli(&broker, &["can-i-merge", "-a", "Web", "-e", "1", "--retries", "0"]).await;
    assert!(!out.success, "nothing verified yet: {}", out.text);
    let (_, pact_doc) = get_json(&c, &broker.url("/pacts/provider/Api/consumer/Web/version/1")).await;
    let (status, _) = send_json(
        c.post(
            pact_doc["_links"]["pb:publish-verification-results"]["href"]
                .as_str()
                .unwrap(),
        )
        .json(&json!({"success": true, "providerApplicationVersion": "5", "providerVersionBranch": "main"})),
    )
    .await;
    assert_eq!(status, 201);
    let (_, api) = get_json(&c, &broker.url("/pacticipants/Api")).await;
    assert_eq!(api["mainBranch"], "main", "detected from the verification's branch");
    let out = cli(&broker, &["can-i-merge", "-a", "Web", "-e", "1"]).await;
    assert!(out.success, "{}", out.text);
}
