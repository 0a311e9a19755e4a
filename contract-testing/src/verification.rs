//! Provider verification: replay every pact for a provider against the running service, with
//! state changes through its `/_pact/provider_states` endpoint.
//!
//! Two callers, two sources:
//! - the providers' `*_honours_its_pacts` tests (in `make test`) verify the **local** pacts,
//!   whatever the environment says ([`assert_honours_its_pacts`]): the pacts the change just
//!   wrote to `pacts/`, or the committed `example-pacts/` when `pacts/` does not exist;
//! - `make verify-pacts` (the `verify-pacts` runner) verifies what the environment names
//!   ([`pact_source_from_env`]): with `PACT_BROKER_BASE_URL`, the broker's "pacts for
//!   verification" with consumer version selectors (`PACT_CONSUMER_VERSION_SELECTORS`, JSON;
//!   default mainBranch, matchingBranch, deployedOrReleased), pending pacts on, WIP pacts since
//!   `PACT_INCLUDE_WIP_PACTS_SINCE`, credentials from `PACT_BROKER_TOKEN` or
//!   `PACT_BROKER_USERNAME`/`PACT_BROKER_PASSWORD`, results published only when
//!   `PACT_PUBLISH_RESULTS=true` on `PACT_PROVIDER_BRANCH`; with `PACT_URL`, just that pact
//!   (what a broker webhook for a changed pact passes on); else the local pacts.
//!
//! Either way a verification that verified nothing (no pact for the provider, or no
//! interaction) fails, naming the provider and the source, and a pact file that does not parse
//! is an error naming the file.

use std::collections::BTreeMap;
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

use crate::pact_files::{example_pacts_dir, interactions_by_consumer, pacts_dir};

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
        (None, None) => local_source(),
    }
}

/// The local pacts: see [`local_pacts_dir`].
pub fn local_source() -> PactSource {
    PactSource::Dir(local_pacts_dir().to_string_lossy().into_owned())
}

/// `pacts/` when it exists (`make create-pacts` writes it), else the committed `example-pacts/`
/// (a fresh clone running `cargo test` before any consumer test). Never a silent mix: a `pacts/`
/// without a pact for the provider fails its verification instead of falling back.
pub fn local_pacts_dir() -> PathBuf {
    let fresh = pacts_dir();
    if fresh.is_dir() { fresh } else { example_pacts_dir() }
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

/// Publishing options when `PACT_PUBLISH_RESULTS=true`: results are published as `version`.
pub fn publish_options_from_env(version: Option<&str>) -> Option<PublishOptions> {
    if env("PACT_PUBLISH_RESULTS").as_deref() != Some("true") {
        return None;
    }
    let version = version
        .map(str::to_owned)
        .expect("PACT_PUBLISH_RESULTS=true needs the provider version to publish results for");
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

/// Verifies `provider` at `base_url` against the local pacts (see [`local_pacts_dir`]), whatever
/// the environment says, and fails with the verifier's report unless every interaction of every
/// local pact for it was verified, and there was at least one.
pub async fn assert_honours_its_pacts(provider: &str, base_url: &str) {
    let dir = local_pacts_dir();
    let expected = interactions_by_consumer(&dir, provider).unwrap_or_else(|error| panic!("{error:#}"));
    let source = PactSource::Dir(dir.to_string_lossy().into_owned());
    let from = describe(&source);
    let result = verify(provider, base_url, source, None).await;
    println!("\n{}", summary(provider, &from, &result));
    if let Err(problem) = check(provider, &from, &result, Some(&expected)) {
        panic!("{problem}");
    }
}

/// What one provider's verification from the environment's source came to.
pub struct Outcome {
    /// One line for the provider, then one per pact whose result was published.
    pub lines: Vec<String>,
    /// Why it failed: a non-pending interaction failed, or nothing was verified.
    pub failure: Option<String>,
}

/// Verifies `provider` at `base_url` against the pacts the environment names (see the module
/// docs), publishing results as `version` when `PACT_PUBLISH_RESULTS=true`.
pub async fn verify_from_env(provider: &str, base_url: &str, version: Option<&str>) -> Outcome {
    let source = pact_source_from_env(provider);
    let from = describe(&source);
    // Local pacts are counted against their files; a broker's selection cannot be.
    let expected = match &source {
        PactSource::Dir(dir) => match interactions_by_consumer(Path::new(dir), provider) {
            Ok(expected) => Some(expected),
            Err(error) => {
                return Outcome {
                    lines: vec![format!("PACT VERIFICATION {provider}: {error:#}")],
                    failure: Some(format!("{error:#}")),
                };
            }
        },
        _ => None,
    };
    let publish = publish_options_from_env(version);
    let result = verify(provider, base_url, source, publish.clone()).await;
    let mut lines = vec![summary(provider, &from, &result)];
    if let (Some(broker_url), Some(version)) = (env("PACT_BROKER_BASE_URL"), publish.and_then(|p| p.provider_version)) {
        lines.extend(published_results(&broker_url, provider, &version).await);
    }
    Outcome {
        lines,
        failure: check(provider, &from, &result, expected.as_ref()).err(),
    }
}

/// Fails a verification that verified nothing, that skipped part of a pact it was given
/// (`expected`: interactions per consumer, for local pacts), or in which a non-pending
/// interaction failed; the message names the provider and the source.
pub fn check(
    provider: &str,
    source: &str,
    result: &VerificationExecutionResult,
    expected: Option<&BTreeMap<String, usize>>,
) -> Result<(), String> {
    if result.interaction_results.is_empty() {
        return Err(format!(
            "{provider} verified nothing: no pact or no interaction for it in {source}"
        ));
    }
    if let Some(expected) = expected {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for interaction in &result.interaction_results {
            *seen.entry(interaction.consumer.clone()).or_default() += 1;
        }
        if &seen != expected {
            return Err(format!(
                "{provider}: the pacts in {source} hold {expected:?} interactions per consumer, but {seen:?} were verified"
            ));
        }
    }
    if !result.result {
        return Err(format!("{provider} does not honour its pacts:\n{}", report(result)));
    }
    Ok(())
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

/// Asserts that verifying `provider` fails, saying why, when there is nothing to verify (an
/// empty pact folder) and when a pact file is corrupt: the two ways a green run could mean
/// nothing was checked.
pub async fn assert_refuses_to_verify_nothing(provider: &str, base_url: &str) {
    let empty = tempfile::tempdir().expect("a temporary folder");
    let from = empty.path().display().to_string();
    let result = verify(provider, base_url, PactSource::Dir(from.clone()), None).await;
    let problem = check(provider, &from, &result, None).expect_err("verifying an empty folder must fail");
    assert!(
        problem.contains(&format!("{provider} verified nothing")) && problem.contains(&from),
        "{problem}"
    );

    let corrupt = tempfile::tempdir().expect("a temporary folder");
    for (name, pact) in crate::pact_files::read_pacts(&local_pacts_dir()).expect("the local pacts") {
        std::fs::write(corrupt.path().join(name), pact.to_string()).expect("copy a pact");
    }
    let broken = corrupt.path().join("broken-pact.json");
    std::fs::write(&broken, "{\"consumer\": {\"name\": ").expect("write a corrupt pact");
    let error = interactions_by_consumer(corrupt.path(), provider).expect_err("a corrupt pact must be an error");
    assert!(
        format!("{error:#}").contains(&broken.display().to_string()),
        "the error should name the file: {error:#}"
    );
    let source = PactSource::Dir(corrupt.path().to_string_lossy().into_owned());
    let result = verify(provider, base_url, source, None).await;
    assert!(
        !result.result,
        "pact_verifier should fail on a corrupt pact file:\n{}",
        report(&result)
    );
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use pact_verifier::verification_result::VerificationInteractionResult;

    use super::*;

    fn verified(consumers: &[&str], passed: bool) -> VerificationExecutionResult {
        let mut result = VerificationExecutionResult::new();
        result.result = passed;
        result.interaction_results = consumers
            .iter()
            .map(|consumer| VerificationInteractionResult {
                interaction_id: None,
                interaction_key: None,
                consumer: consumer.to_string(),
                provider: "p".into(),
                description: String::new(),
                interaction_description: String::new(),
                provider_states: vec![],
                result: Ok(()),
                pending: false,
                duration: Duration::ZERO,
            })
            .collect();
        result
    }

    #[test]
    fn a_verification_passes_only_when_it_verified_everything_it_was_given() {
        let expected: BTreeMap<String, usize> = [("a".to_owned(), 2), ("b".to_owned(), 1)].into();
        // What, the verifier's result, the interactions the files hold, what check says.
        type Case<'a> = (
            &'a str,
            VerificationExecutionResult,
            Option<&'a BTreeMap<String, usize>>,
            Result<(), &'a str>,
        );
        let cases: &[Case] = &[
            (
                "all verified",
                verified(&["a", "a", "b"], true),
                Some(&expected),
                Ok(()),
            ),
            (
                "a broker's selection, not counted",
                verified(&["a"], true),
                None,
                Ok(()),
            ),
            (
                "nothing",
                verified(&[], true),
                Some(&expected),
                Err("p verified nothing: no pact or no interaction for it in src"),
            ),
            (
                "nothing from a broker",
                verified(&[], true),
                None,
                Err("p verified nothing"),
            ),
            (
                "a pact skipped",
                verified(&["a", "a"], true),
                Some(&expected),
                Err("hold {\"a\": 2, \"b\": 1} interactions per consumer, but {\"a\": 2} were verified"),
            ),
            (
                "an interaction failed",
                verified(&["a", "a", "b"], false),
                Some(&expected),
                Err("p does not honour its pacts"),
            ),
        ];
        for (what, result, expected, outcome) in cases {
            match (check("p", "src", result, *expected), outcome) {
                (Ok(()), Ok(())) => {}
                (Err(problem), Err(message)) => assert!(problem.contains(message), "{what}: {problem}"),
                (actual, _) => panic!("{what}: {actual:?}"),
            }
        }
    }
}
