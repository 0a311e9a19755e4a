//! Provider verification: replay every pact for a provider against the running service, with
//! state changes through its `/_pact/provider_states` endpoint.
//!
//! Where the pacts come from (read from the environment, so the Makefile, CI and a developer's
//! shell steer the same test):
//! - `PACT_BROKER_BASE_URL` set: the broker's "pacts for verification" with consumer version
//!   selectors (`PACT_CONSUMER_VERSION_SELECTORS`, JSON; default mainBranch, matchingBranch,
//!   deployedOrReleased), pending pacts on, WIP pacts since `PACT_INCLUDE_WIP_PACTS_SINCE`,
//!   credentials from `PACT_BROKER_TOKEN` or `PACT_BROKER_USERNAME`/`PACT_BROKER_PASSWORD`;
//!   results published only when `PACT_PUBLISH_RESULTS=true`, as `PACT_PROVIDER_VERSION` on
//!   `PACT_PROVIDER_BRANCH`;
//! - `PACT_URL` set: just that pact (what a broker webhook for a changed pact passes on), read
//!   through the broker when `PACT_BROKER_BASE_URL` is set too;
//! - otherwise the local `pacts/` folder when it holds a pact for the provider, else the
//!   committed `example-pacts/`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pact_models::http_utils::HttpAuth;
use pact_verifier::callback_executors::{HttpRequestProviderStateExecutor, NullRequestFilterExecutor};
use pact_verifier::verification_result::VerificationExecutionResult;
use pact_verifier::{
    FilterInfo, PactSource, ProviderInfo, ProviderTransport, PublishOptions, VerificationOptions, verify_provider_async,
};
use serde_json::{Value, json};
use url::Url;

use crate::pact_files::{example_pacts_dir, has_pact_for, pacts_dir};

/// The provider-state endpoint every provider serves (see service-kit).
pub(crate) const PROVIDER_STATES_PATH: &str = "/_pact/provider_states";

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

/// Where to read pacts for `provider`, as the environment says (see the module docs).
pub fn pact_source_from_env(provider: &str) -> PactSource {
    match (env("PACT_URL"), env("PACT_BROKER_BASE_URL")) {
        (Some(pact_url), Some(broker_url)) => PactSource::WebhookCallbackUrl {
            pact_url,
            broker_url,
            auth: broker_auth(),
        },
        (Some(pact_url), None) => PactSource::URL(pact_url, broker_auth()),
        (None, Some(broker_url)) => broker_source(provider, &broker_url),
        (None, None) => local_source(provider),
    }
}

/// The local pacts for `provider`: see [`local_pacts_dir`].
pub fn local_source(provider: &str) -> PactSource {
    PactSource::Dir(local_pacts_dir(provider).to_string_lossy().into_owned())
}

/// `pacts/` when it holds a pact for `provider`, else `example-pacts/`.
pub fn local_pacts_dir(provider: &str) -> PathBuf {
    let fresh = pacts_dir();
    if has_pact_for(&fresh, provider) {
        fresh
    } else {
        example_pacts_dir()
    }
}

/// The broker's pacts for verification, configured from the environment.
pub fn broker_source(provider: &str, broker_url: &str) -> PactSource {
    let selectors = match env("PACT_CONSUMER_VERSION_SELECTORS") {
        Some(text) => serde_json::from_str::<Vec<Value>>(&text)
            .unwrap_or_else(|e| panic!("PACT_CONSUMER_VERSION_SELECTORS is not a JSON array ({e}): {text}")),
        None => vec![
            json!({"mainBranch": true}),
            json!({"matchingBranch": true}),
            json!({"deployedOrReleased": true}),
        ],
    };
    PactSource::BrokerWithDynamicConfiguration {
        provider_name: provider.to_owned(),
        broker_url: broker_url.trim_end_matches('/').to_owned(),
        enable_pending: true,
        include_wip_pacts_since: env("PACT_INCLUDE_WIP_PACTS_SINCE"),
        provider_tags: vec![],
        provider_branch: env("PACT_PROVIDER_BRANCH"),
        selectors: pact_verifier::selectors::json_to_selectors(selectors),
        auth: broker_auth(),
        links: vec![],
    }
}

/// Credentials for the broker: a token, or a username and password.
pub fn broker_auth() -> Option<HttpAuth> {
    if let Some(token) = env("PACT_BROKER_TOKEN") {
        return Some(HttpAuth::Token(token));
    }
    env("PACT_BROKER_USERNAME").map(|user| HttpAuth::User(user, env("PACT_BROKER_PASSWORD")))
}

/// Publishing options when `PACT_PUBLISH_RESULTS=true`.
pub fn publish_options_from_env() -> Option<PublishOptions> {
    if env("PACT_PUBLISH_RESULTS").as_deref() != Some("true") {
        return None;
    }
    let version = env("PACT_PROVIDER_VERSION")
        .expect("PACT_PUBLISH_RESULTS=true needs PACT_PROVIDER_VERSION (the provider version to publish results for)");
    Some(PublishOptions {
        provider_version: Some(version),
        build_url: env("PACT_BUILD_URL"),
        provider_tags: vec![],
        provider_branch: env("PACT_PROVIDER_BRANCH"),
    })
}

/// Replays the pacts from `source` against the provider running at `base_url`.
pub async fn verify(
    provider: &str,
    base_url: &str,
    source: PactSource,
    publish: Option<PublishOptions>,
) -> VerificationExecutionResult {
    let url = Url::parse(base_url).expect("provider base URL");
    let provider_info = ProviderInfo {
        name: provider.to_owned(),
        host: url.host_str().expect("provider host").to_owned(),
        transports: vec![ProviderTransport {
            transport: "http".to_owned(),
            port: url.port_or_known_default(),
            path: None,
            scheme: Some(url.scheme().to_owned()),
        }],
        ..ProviderInfo::default()
    };
    let state_changes = Arc::new(HttpRequestProviderStateExecutor {
        state_change_url: Some(format!("{}{PROVIDER_STATES_PATH}", base_url.trim_end_matches('/'))),
        state_change_teardown: true,
        state_change_body: true,
        retries: 0,
    });
    let options = VerificationOptions::<NullRequestFilterExecutor> {
        coloured_output: false,
        request_timeout: 10_000,
        ..VerificationOptions::default()
    };
    verify_provider_async(
        provider_info,
        vec![source],
        FilterInfo::None,
        vec![],
        &options,
        publish.as_ref(),
        &state_changes,
        None,
    )
    .await
    .unwrap_or_else(|error| panic!("verification of {provider} could not run: {error:#}"))
}

/// Verifies `provider` at `base_url` against the pacts the environment names and fails with
/// the verifier's mismatch report when any non-pending interaction fails.
pub async fn assert_honours_its_pacts(provider: &str, base_url: &str) {
    let source = pact_source_from_env(provider);
    let from = describe(&source);
    let publish = publish_options_from_env();
    let result = verify(provider, base_url, source, publish.clone()).await;
    println!("\n{}", summary(provider, &from, &result));
    if let (Some(broker_url), Some(version)) = (env("PACT_BROKER_BASE_URL"), publish.and_then(|p| p.provider_version)) {
        for line in published_results(&broker_url, provider, &version).await {
            println!("{line}");
        }
    }
    assert!(
        result.result,
        "{provider} does not honour its pacts:\n{}",
        report(&result)
    );
}

/// Where the pacts came from, in a few words.
pub fn describe(source: &PactSource) -> String {
    match source {
        PactSource::Dir(dir) => format!("pacts from {dir}"),
        PactSource::BrokerWithDynamicConfiguration {
            broker_url,
            provider_branch,
            include_wip_pacts_since,
            ..
        } => {
            let wip = include_wip_pacts_since
                .as_deref()
                .map(|since| format!(", WIP since {since}"))
                .unwrap_or_default();
            let branch = provider_branch.as_deref().unwrap_or("no branch");
            format!("broker {broker_url}, provider branch {branch}, selected pacts, pending on{wip}")
        }
        PactSource::WebhookCallbackUrl { pact_url, .. } | PactSource::URL(pact_url, _) => format!("pact {pact_url}"),
        other => other.to_string(),
    }
}

/// One line per pact that `provider` at `version` has published a result for, read back from
/// the broker's matrix: `PACT RESULT <provider> <version> <- <consumer> <version>: verified|failed`.
pub async fn published_results(broker_url: &str, provider: &str, version: &str) -> Vec<String> {
    let url = format!("{}/matrix", broker_url.trim_end_matches('/'));
    let mut request = reqwest::Client::new().get(url).query(&[
        ("q[][pacticipant]", provider),
        ("q[][version]", version),
        ("latestby", "cvpv"),
    ]);
    request = match broker_auth() {
        Some(HttpAuth::Token(token)) => request.bearer_auth(token),
        Some(HttpAuth::User(user, password)) => request.basic_auth(user, password),
        _ => request,
    };
    let answer = match request.send().await.and_then(reqwest::Response::error_for_status) {
        Ok(response) => response.json::<Value>().await,
        Err(error) => Err(error),
    };
    let matrix = match answer {
        Ok(matrix) => matrix,
        Err(error) => {
            return vec![format!(
                "PACT RESULT {provider} {version}: cannot read the broker's matrix: {error}"
            )];
        }
    };
    let rows = matrix["matrix"].as_array().cloned().unwrap_or_default();
    // A service that is also a consumer appears in rows as the consumer too: keep its provider side.
    rows.iter()
        .filter(|row| row["provider"]["name"] == provider)
        .map(|row| {
            let outcome = match row["verificationResult"]["success"].as_bool() {
                Some(true) => "verified",
                Some(false) => "failed",
                None => "not verified",
            };
            format!(
                "PACT RESULT {provider} {version} <- {} {}: {outcome}",
                row["consumer"]["name"].as_str().unwrap_or("?"),
                row["consumer"]["version"]["number"].as_str().unwrap_or("?"),
            )
        })
        .collect()
}

/// One line: how many interactions passed, failed, or failed but pending, and from where.
pub fn summary(provider: &str, source: &str, result: &VerificationExecutionResult) -> String {
    let total = result.interaction_results.len();
    format!(
        "PACT VERIFICATION {provider}: {} of {total} interactions verified, {} failed, {} failed but pending ({source})",
        total - result.errors.len() - result.pending_errors.len(),
        result.errors.len(),
        result.pending_errors.len()
    )
}

/// The verifier's own output: every interaction and, for failures, each mismatch.
pub fn report(result: &VerificationExecutionResult) -> String {
    result.output.join("\n")
}

/// A pact file's JSON, for tests that change a contract to show verification catching it.
pub fn read_pact(dir: &Path, consumer: &str, provider: &str) -> Value {
    let path = dir.join(format!("{consumer}-{provider}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Asserts that verification failed for exactly `failures` interactions and that the report
/// names `mismatch`; returns the descriptions of the failed interactions.
pub fn assert_fails_with(result: &VerificationExecutionResult, failures: usize, mismatch: &str) -> Vec<String> {
    let report = report(result);
    assert!(!result.result, "verification should fail:\n{report}");
    let failed: Vec<String> = result
        .errors
        .iter()
        .map(|(description, _)| description.clone())
        .collect();
    assert_eq!(failed.len(), failures, "failed interactions: {failed:#?}");
    assert!(
        report.contains(mismatch),
        "the report should say {mismatch:?}:\n{report}"
    );
    failed
}
