//! Pact documents as the broker handles them: content sha, per-interaction `_id`, merging,
//! the names inside them.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Invalid;

/// Hex sha256 of a JSON value in its canonical form (serde_json sorts object keys).
pub fn sha(value: &Value) -> String {
    let digest = Sha256::digest(value.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn interactions_mut(pact: &mut Value) -> Option<&mut Vec<Value>> {
    pact.get_mut("interactions").and_then(Value::as_array_mut).or(None)
}

/// Strips any `_id` a client sent (a pact fetched from a broker), computes the content sha,
/// then gives each interaction an `_id` derived from its own content, which verifiers send back
/// with per-interaction test results.
pub fn prepare(mut pact: Value) -> (String, Value) {
    if let Some(interactions) = interactions_mut(&mut pact) {
        for interaction in interactions.iter_mut() {
            if let Some(object) = interaction.as_object_mut() {
                object.remove("_id");
            }
        }
    }
    let content_sha = sha(&pact);
    if let Some(interactions) = interactions_mut(&mut pact) {
        for interaction in interactions.iter_mut() {
            let id = sha(interaction)[..40].to_owned();
            if let Some(object) = interaction.as_object_mut() {
                object.insert("_id".into(), Value::String(id));
            }
        }
    }
    (content_sha, pact)
}

/// Interactions are the same one when description and provider states agree.
fn key(interaction: &Value) -> (Value, Value, Value) {
    (
        interaction.get("description").cloned().unwrap_or(Value::Null),
        interaction.get("providerState").cloned().unwrap_or(Value::Null),
        interaction.get("providerStates").cloned().unwrap_or(Value::Null),
    )
}

/// `onConflict: merge`: the old pact plus the new interactions (a new version of an existing
/// interaction replaces it).
pub fn merge(mut old: Value, new: Value) -> Value {
    let new_interactions = new
        .get("interactions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    match interactions_mut(&mut old) {
        Some(interactions) => {
            for interaction in new_interactions {
                let k = key(&interaction);
                match interactions.iter_mut().find(|i| key(i) == k) {
                    Some(existing) => *existing = interaction,
                    None => interactions.push(interaction),
                }
            }
            old
        }
        None => new,
    }
}

/// What publishing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishOutcome {
    /// A new publication for this consumer version and provider.
    Created,
    /// The same content again: nothing changed.
    Unchanged,
    /// New interactions merged into the existing pact.
    Merged,
    /// The content replaced (dangerous modification allowed).
    Overwritten,
}

/// Why changed content for an already published consumer version is refused (the official
/// broker's default): one text for every way of publishing.
pub fn modification_refused(consumer: &str, version: &str, provider: &str) -> String {
    format!(
        "Cannot change the content of the pact for {consumer} version {version} and provider {provider}, as race conditions will cause unreliable results for can-i-deploy. Each pact must be published with a unique consumer version number. For more information see https://docs.pact.io/go/versioning"
    )
}

/// Checks the consumer and provider names inside a pact against the ones it is published under
/// (the URL, or the publish request); missing names are filled in.
pub fn check_names(content: &mut Value, consumer: &str, provider: &str) -> Result<(), Invalid> {
    let Some(object) = content.as_object_mut() else {
        return Err(Invalid::new("pact", "must be a JSON object"));
    };
    for (role, expected) in [("consumer", consumer), ("provider", provider)] {
        match object.get(role).and_then(|p| p.get("name")).and_then(Value::as_str) {
            Some(name) if name != expected => {
                return Err(Invalid::new(
                    role,
                    format!("name in pact '{name}' does not match {role} name in path '{expected}'"),
                ));
            }
            Some(_) => {}
            None => {
                object.insert(role.to_owned(), json!({ "name": expected }));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_pact_read_back_from_the_broker_has_the_same_sha() {
        let a = json!({"consumer": {"name": "A"}, "interactions": [{"description": "x", "request": {"method": "GET", "path": "/"}}]});
        let (sha, with_ids) = prepare(a.clone());
        let reordered: Value = serde_json::from_str(&with_ids.to_string()).unwrap();
        assert_eq!(
            prepare(reordered).0,
            sha,
            "re-publishing a pact read from the broker is the same content"
        );
        assert_eq!(with_ids["interactions"][0]["_id"].as_str().unwrap().len(), 40);
    }

    #[test]
    fn merge_adds_new_interactions_and_replaces_same_ones() {
        let old = json!({"interactions": [{"description": "a", "response": {"status": 200}}]});
        let new = json!({"interactions": [{"description": "a", "response": {"status": 201}}, {"description": "b"}]});
        let merged = merge(old, new);
        assert_eq!(merged["interactions"].as_array().unwrap().len(), 2);
        assert_eq!(merged["interactions"][0]["response"]["status"], 201);
    }

    #[test]
    fn names_must_match_and_missing_ones_are_filled_in() {
        let cases = [
            (json!({"consumer": {"name": "C"}, "provider": {"name": "P"}}), Ok(())),
            (json!({}), Ok(())),
            (
                json!({"consumer": {"name": "X"}}),
                Err("consumer: name in pact 'X' does not match consumer name in path 'C'"),
            ),
            (
                json!({"provider": {"name": "X"}}),
                Err("provider: name in pact 'X' does not match provider name in path 'P'"),
            ),
            (json!([1]), Err("pact: must be a JSON object")),
        ];
        for (mut pact, expected) in cases {
            let outcome = check_names(&mut pact, "C", "P").map_err(|e| e.to_string());
            assert_eq!(outcome, expected.map_err(str::to_owned), "{pact}");
            if outcome.is_ok() {
                assert_eq!(
                    (pact["consumer"]["name"].as_str(), pact["provider"]["name"].as_str()),
                    (Some("C"), Some("P"))
                );
            }
        }
    }
}
