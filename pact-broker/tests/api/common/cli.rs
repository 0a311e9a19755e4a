//! The official Pact broker CLI (`pact-broker-cli`, the Rust one, installed into `tools/` by
//! `scripts/setup.sh`) run as a subprocess; fails (does not skip) when it is missing.

use std::path::PathBuf;
use std::process::Command;

use service_kit::testing::TestApp;

pub fn cli_path() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tools/bin/pact-broker-cli");
    assert!(
        path.exists(),
        "pact-broker-cli is not installed at {}: run scripts/setup.sh first",
        path.display()
    );
    path
}

pub struct Output {
    pub success: bool,
    /// The exit code (None when killed by a signal).
    pub code: Option<i32>,
    pub text: String,
}

/// Runs `pact-broker-cli broker <args> -b <broker>` off the async runtime.
pub async fn cli(broker: &TestApp, args: &[&str]) -> Output {
    cli_at(&broker.base_url, args).await
}

pub async fn cli_at(base_url: &str, args: &[&str]) -> Output {
    let mut command = Command::new(cli_path());
    command
        .arg("broker")
        .args(args)
        .args(["-b", base_url])
        .env("PACT_DO_NOT_TRACK", "true")
        .env_remove("PACT_BROKER_BASE_URL")
        .env_remove("PACT_BROKER_TOKEN")
        .env_remove("PACT_BROKER_USERNAME")
        .env_remove("PACT_BROKER_PASSWORD");
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("run pact-broker-cli");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Output {
        success: output.status.success(),
        code: output.status.code(),
        text,
    }
}
