//! The verify-pacts runner as `make verify-pacts` runs it: the real binary, the real providers.

use std::process::{Command, Output};

/// The runner with only the PACT_* variables given: nothing from the caller's environment (a
/// broker URL, say) may steer these runs.
fn run<V: AsRef<std::ffi::OsStr>>(args: &[&str], env: &[(&str, V)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_verify-pacts"));
    command.args(args);
    contract_testing::hand_written::without_pact_environment(&mut command, |name| {
        name.ends_with("_SERVICE_URL") || name == "EXAMPLE_PACTS_DIR"
    });
    command.envs(env.iter().map(|(name, value)| (name, value.as_ref())));
    command.output().expect("run verify-pacts")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn verifies_every_provider_against_the_local_pacts_and_counts_them() {
    let examples = contract_testing::example_pacts_dir();
    let output = run(&[], &[("PACT_OUTPUT_DIR", &examples)]);
    let summary = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{summary}");
    for provider in service_kit::topology::providers() {
        // As many as the committed pacts hold: the runner verified every one of them.
        let interactions = contract_testing::pact_files::interactions_for(&examples, provider).unwrap();
        assert!(interactions > 0, "{provider} has pacts in {}", examples.display());
        let line = format!(
            "PACT VERIFICATION {provider}: {interactions} of {interactions} interactions verified, 0 failed, 0 failed but pending (pacts from {})",
            examples.display()
        );
        assert!(summary.contains(&line), "{line:?} missing from:\n{summary}");
    }
}

#[test]
fn a_provider_with_nothing_to_verify_fails_the_run() {
    let empty = tempfile::tempdir().expect("a temporary folder");
    let output = run(&["item-service=1.0.0"], &[("PACT_OUTPUT_DIR", empty.path())]);
    let summary = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{summary}");
    assert!(
        summary.contains(&format!(
            "item-service verified nothing: no pact or no interaction for it in pacts from {}",
            empty.path().display()
        )),
        "{summary}"
    );
}

#[test]
fn a_corrupt_pact_file_fails_the_run_naming_the_file() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let broken = folder.path().join("catalog-service-item-service.json");
    std::fs::write(&broken, "{\"consumer\": ").expect("write a corrupt pact");
    let output = run(&["item-service"], &[("PACT_OUTPUT_DIR", folder.path())]);
    let summary = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{summary}");
    assert!(summary.contains(&format!("parsing {}", broken.display())), "{summary}");
}

#[test]
fn an_unknown_provider_is_refused() {
    let output = run::<&str>(&["billing-service"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown provider \"billing-service\"; the providers are"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn running_providers_need_their_urls() {
    let output = run::<&str>(&["--running", "item-service"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--running needs ACCOUNTING_SERVICE_URL"),
        "{}",
        stderr(&output)
    );
}

/// Providers someone else started (as `make e2e-docker` starts the containers): verified where
/// they run, nothing started.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verifies_providers_that_are_already_running() {
    let system = catalog_service::testing::Neighbourhood::spawn(true).await;
    let examples = contract_testing::example_pacts_dir();
    let env = [
        ("PACT_OUTPUT_DIR", examples.display().to_string()),
        ("ACCOUNTING_SERVICE_URL", system.accounting.base_url.clone()),
        ("INVENTORY_SERVICE_URL", system.inventory.base_url.clone()),
        ("ITEM_SERVICE_URL", system.item.base_url.clone()),
        ("CATALOG_SERVICE_URL", system.catalog.base_url.clone()),
    ];
    let output = tokio::task::spawn_blocking(move || run(&["--running"], &env))
        .await
        .unwrap();
    let summary = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{summary}");
    assert_eq!(summary.matches("PACT VERIFICATION").count(), 4, "{summary}");
    let catalog = contract_testing::pact_files::interactions_for(&examples, "catalog-service").unwrap();
    let line = format!("PACT VERIFICATION catalog-service: {catalog} of {catalog} interactions verified");
    assert!(summary.contains(&line), "{summary}");
}
