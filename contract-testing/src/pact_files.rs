//! Where pact files live, and comparing two folders of them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::Value;

/// The workspace root (this crate's parent folder).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate inside the workspace")
        .to_path_buf()
}

/// Where consumer tests write pacts: `$PACT_OUTPUT_DIR` when set, else `<workspace>/pacts`.
pub fn pacts_dir() -> PathBuf {
    match std::env::var_os("PACT_OUTPUT_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_root().join("pacts"),
    }
}

/// The committed copy of what `make create-pacts` produces (`$EXAMPLE_PACTS_DIR` when set).
pub fn example_pacts_dir() -> PathBuf {
    match std::env::var_os("EXAMPLE_PACTS_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_root().join("example-pacts"),
    }
}

/// Every `*.json` pact in `dir`, by file name, parsed.
pub fn read_pacts(dir: &Path) -> anyhow::Result<BTreeMap<String, Value>> {
    let mut pacts = BTreeMap::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let pact = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
            let name = path.file_name().expect("file name").to_string_lossy().into_owned();
            pacts.insert(name, pact);
        }
    }
    Ok(pacts)
}

/// How many interactions the pacts for `provider` in `dir` hold (0 when none is for it); an
/// error names a file that cannot be read or parsed.
pub fn interactions_for(dir: &Path, provider: &str) -> anyhow::Result<usize> {
    Ok(interactions_by_consumer(dir, provider)?.values().sum())
}

/// The interactions of each consumer's pact with `provider` in `dir`; an error names a file that
/// cannot be read or parsed.
pub fn interactions_by_consumer(dir: &Path, provider: &str) -> anyhow::Result<BTreeMap<String, usize>> {
    let mut counts = BTreeMap::new();
    for pact in read_pacts(dir)?
        .values()
        .filter(|pact| pact["provider"]["name"] == provider)
    {
        let consumer = pact["consumer"]["name"].as_str().unwrap_or_default().to_owned();
        *counts.entry(consumer).or_default() += pact["interactions"].as_array().map_or(0, Vec::len);
    }
    Ok(counts)
}

/// A pact without what changes from run to run or machine to machine (the versions of the
/// pact libraries that wrote it), with interactions in a stable order.
pub fn normalised(pact: &Value) -> Value {
    let mut pact = pact.clone();
    if let Some(metadata) = pact.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("pactRust");
    }
    if let Some(interactions) = pact.get_mut("interactions").and_then(Value::as_array_mut) {
        interactions.sort_by_key(|i| (i["description"].to_string(), i["providerStates"].to_string()));
    }
    pact
}

/// What differs between two folders of pacts; empty when they hold the same contracts.
pub fn differences(expected_dir: &Path, actual_dir: &Path) -> anyhow::Result<Vec<String>> {
    let expected = read_pacts(expected_dir)?;
    let actual = read_pacts(actual_dir)?;
    let mut differences = Vec::new();
    for name in expected.keys().filter(|name| !actual.contains_key(*name)) {
        differences.push(format!("{name}: in {} only", expected_dir.display()));
    }
    for name in actual.keys().filter(|name| !expected.contains_key(*name)) {
        differences.push(format!("{name}: in {} only", actual_dir.display()));
    }
    for (name, pact) in &expected {
        if let Some(other) = actual.get(name) {
            let (pact, other) = (normalised(pact), normalised(other));
            if pact != other {
                differences.push(format!(
                    "{name} differs:\n--- {}\n{}\n+++ {}\n{}",
                    expected_dir.display(),
                    serde_json::to_string_pretty(&pact)?,
                    actual_dir.display(),
                    serde_json::to_string_pretty(&other)?
                ));
            }
        }
    }
    Ok(differences)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(dir: &Path, name: &str, pact: &Value) {
        std::fs::write(dir.join(name), serde_json::to_string(pact).unwrap()).unwrap();
    }

    fn pact(interactions: Value, library_version: &str) -> Value {
        json!({
            "consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": interactions,
            "metadata": {"pactSpecification": {"version": "3.0.0"}, "pactRust": {"consumer": library_version}}
        })
    }

    #[test]
    fn library_versions_and_interaction_order_do_not_count_as_drift() {
        let (a, b) = (tempdir(), tempdir());
        let (x, y) = (json!({"description": "x"}), json!({"description": "y"}));
        write(a.path(), "c-p.json", &pact(json!([x, y]), "1.0.0"));
        write(b.path(), "c-p.json", &pact(json!([y, x]), "2.0.0"));
        assert!(differences(a.path(), b.path()).unwrap().is_empty());
        assert_eq!(interactions_for(a.path(), "p").unwrap(), 2);
        assert_eq!(interactions_for(a.path(), "q").unwrap(), 0);
    }

    #[test]
    fn changed_missing_and_extra_pacts_are_drift() {
        let (a, b) = (tempdir(), tempdir());
        write(a.path(), "c-p.json", &pact(json!([{"description": "x"}]), "1"));
        write(
            b.path(),
            "c-p.json",
            &pact(json!([{"description": "x", "providerStates": []}]), "1"),
        );
        write(a.path(), "only-a.json", &pact(json!([]), "1"));
        write(b.path(), "only-b.json", &pact(json!([]), "1"));
        let found = differences(a.path(), b.path()).unwrap();
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].starts_with("only-a.json"));
        assert!(found[1].starts_with("only-b.json"));
        assert!(found[2].starts_with("c-p.json differs"));
    }

    fn tempdir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }
}
