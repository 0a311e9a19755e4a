//! Pacts this workspace did not generate: `hand-written-pacts/v2` and `v3`, written by hand from
//! the README alone, as another consumer team would (concrete state names, V2's single
//! `providerState`). Each provider is held to them by two verifiers nobody here wrote:
//! `pact_verifier` (the library) and the standalone `pact_verifier_cli` (the prebuilt official
//! CLI, `tools/bin/pact verifier`), the latter sending state changes both in the body and in the
//! query string, as consumer teams' CI does.

use std::path::{Path, PathBuf};
use std::process::Command;

use pact_verifier::PactSource;
use serde_json::Value;

use crate::pact_files::{interactions_for, workspace_root};
use crate::verification::{PROVIDER_STATES_PATH, report, verify};

/// The Pact specification versions the hand-written pacts come in, one folder each.
pub const VERSIONS: [&str; 2] = ["v2", "v3"];

pub fn hand_written_pacts_dir(version: &str) -> PathBuf {
    workspace_root().join("hand-written-pacts").join(version)
}

/// How the standalone verifier sends state changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChangeIn {
    /// `{"state", "params", "action"}` as a JSON body (its default).
    Body,
    /// `--state-change-as-query`: `?state=...&action=...&<param>=...`.
    Query,
}

/// What the standalone verifier reported, from its JSON report (`--json`).
#[derive(Debug)]
pub struct CliReport {
    pub exit_code: Option<i32>,
    /// Every interaction's description and result (`OK` or a failure).
    pub results: Vec<(String, String)>,
    pub output: String,
}

impl CliReport {
    pub fn verified(&self) -> usize {
        self.results.iter().filter(|(_, result)| result == "OK").count()
    }
}

/// The official CLI as `scripts/install-pact-cli.sh` installs it (`PACT_CLI` overrides).
pub fn pact_cli() -> PathBuf {
    match std::env::var_os("PACT_CLI") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => workspace_root().join("tools/bin/pact"),
    }
}

/// Removes every `PACT_*` variable (and those `also` picks) from what `command` inherits, so a
/// broker URL or filter in the caller's environment cannot steer it; usage tracking stays off.
pub fn without_pact_environment(command: &mut Command, also: impl Fn(&str) -> bool) {
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if text.starts_with("PACT_") || also(&text) {
            command.env_remove(&name);
        }
    }
    command.env("PACT_DO_NOT_TRACK", "true");
}

/// Runs `pact verifier` over the pacts for `provider` in `dir` against `base_url`. Blocking work
/// runs off the async runtime, so a provider served by this test's runtime keeps answering.
pub async fn verify_with_cli(provider: &str, base_url: &str, dir: &Path, state_change: StateChangeIn) -> CliReport {
    let cli = pact_cli();
    assert!(
        cli.exists(),
        "the standalone Pact verifier is not installed at {}: run `make setup` (scripts/install-pact-cli.sh)",
        cli.display()
    );
    let url = url::Url::parse(base_url).expect("provider base URL");
    let report_dir = tempfile::tempdir().expect("a temporary folder for the report");
    let report_path = report_dir.path().join("report.json");
    let mut command = Command::new(&cli);
    command
        .args(["verifier", "--no-colour", "--provider-name", provider])
        .arg("--dir")
        .arg(dir)
        .args(["--hostname", url.host_str().expect("provider host")])
        .args([
            "--port",
            &url.port_or_known_default().expect("provider port").to_string(),
        ])
        .args([
            "--state-change-url",
            &format!("{}{PROVIDER_STATES_PATH}", base_url.trim_end_matches('/')),
        ])
        .arg("--json")
        .arg(&report_path);
    // The CLI reads the broker, filters and provider settings from PACT_* variables too (the
    // Makefile exports some, empty): only the arguments above may steer this run.
    without_pact_environment(&mut command, |_| false);
    if state_change == StateChangeIn::Query {
        command.arg("--state-change-as-query");
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the verifier's thread")
        .unwrap_or_else(|error| panic!("running {}: {error}", cli.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = std::fs::read_to_string(&report_path)
        .ok()
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_else(|| panic!("the verifier wrote no readable JSON report; its output:\n{text}"));
    let results = report["interactionResults"]
        .as_array()
        .map(|results| {
            results
                .iter()
                .map(|result| {
                    let outcome = match &result["result"] {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    (result["description"].as_str().unwrap_or_default().to_owned(), outcome)
                })
                .collect()
        })
        .unwrap_or_default();
    CliReport {
        exit_code: output.status.code(),
        results,
        output: text,
    }
}

/// Verifies `provider` at `base_url` against every hand-written pact for it, V2 and V3, with
/// pact_verifier and with the standalone CLI (state changes in the body, then in the query), and
/// fails unless each run verified every interaction in the files, and at least one.
pub async fn assert_honours_hand_written_pacts(provider: &str, base_url: &str) {
    for version in VERSIONS {
        let dir = hand_written_pacts_dir(version);
        let expected = interactions_for(&dir, provider).unwrap_or_else(|error| panic!("{error:#}"));
        assert!(
            expected > 0,
            "no hand-written {version} pact for {provider} in {}",
            dir.display()
        );

        let result = verify(
            provider,
            base_url,
            PactSource::Dir(dir.to_string_lossy().into_owned()),
            None,
        )
        .await;
        let verified = result.interaction_results.len() - result.errors.len();
        assert!(
            result.result && verified == expected,
            "pact_verifier verified {verified} of {expected} interactions of {provider}'s hand-written {version} pacts:\n{}",
            report(&result)
        );

        let mut line = format!(
            "HAND-WRITTEN PACTS {provider} {version}: {expected} of {expected} interactions verified by pact_verifier"
        );
        for state_change in [StateChangeIn::Body, StateChangeIn::Query] {
            let cli = verify_with_cli(provider, base_url, &dir, state_change).await;
            assert!(
                cli.exit_code == Some(0) && cli.verified() == expected && cli.results.len() == expected,
                "pact_verifier_cli (state change in the {state_change:?}) verified {} of {expected} interactions of {provider}'s hand-written {version} pacts, exit code {:?}:\n{}",
                cli.verified(),
                cli.exit_code,
                cli.output
            );
            line.push_str(&format!(
                ", {expected} of {expected} by pact_verifier_cli (state change in the {})",
                format!("{state_change:?}").to_lowercase()
            ));
        }
        println!("{line}");
    }
}
