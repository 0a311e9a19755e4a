//! The `check-example-pacts` binary as `make test` runs it: success when two folders hold the same
//! contracts, failure (with what differs) when they drift.

use std::path::Path;
use std::process::Command;

fn check(examples: &Path, fresh: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_check-example-pacts"))
        .env("EXAMPLE_PACTS_DIR", examples)
        .env("PACT_OUTPUT_DIR", fresh)
        .output()
        .expect("run check-example-pacts")
}

fn write(dir: &Path, description: &str) {
    let pact = serde_json::json!({
        "consumer": {"name": "c"}, "provider": {"name": "p"},
        "interactions": [{"description": description}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    });
    std::fs::write(dir.join("c-p.json"), pact.to_string()).unwrap();
}

#[test]
fn same_contracts_pass_and_drifted_ones_fail_naming_the_file() {
    let (examples, fresh) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write(examples.path(), "a request");
    write(fresh.path(), "a request");
    assert!(check(examples.path(), fresh.path()).status.success());

    write(fresh.path(), "a renamed request");
    let output = check(examples.path(), fresh.path());
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("c-p.json differs"), "{stderr}");
    assert!(stderr.contains("make update-example-pacts"), "{stderr}");
}
