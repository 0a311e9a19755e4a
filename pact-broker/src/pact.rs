//! Pact documents as the broker handles them: content sha, per-interaction `_id`, merging.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Hex sha256 of a JSON value in its canonical form (serde_json sorts object keys).
pub fn sha(value: &Value) -> String {
    let digest = Sha256::digest(value.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn interactions_mut(pact: &mut Value) -> Option<&mut Vec<Value>> {
    pact.get_mut("interactions")
        .and_then(Value::as_array_mut)
        .or(None)
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
        interaction
            .get("description")
            .cloned()
            .unwrap_or(Value::Null),
        interaction
            .get("providerState")
            .cloned()
            .unwrap_or(Value::Null),
        interaction
            .get("providerStates")
            .cloned()
            .unwrap_or(Value::Null),
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

/// Consumer and provider names inside a pact document.
pub fn names(pact: &Value) -> (Option<&str>, Option<&str>) {
    let name = |role: &str| {
        pact.get(role)
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
    };
    (name("consumer"), name("provider"))
}

/// Interaction ids and descriptions, in order.
pub fn interactions(pact: &Value) -> Vec<(String, String)> {
    pact.get("interactions")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|i| {
                    let text = |k: &str| {
                        i.get(k)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned()
                    };
                    (text("_id"), text("description"))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_sha_ignores_key_order_and_interaction_ids() {
        let a = json!({"consumer": {"name": "A"}, "interactions": [{"description": "x", "request": {"method": "GET", "path": "/"}}]});
        let (sha, with_ids) = prepare(a.clone());
        let reordered: Value = serde_json::from_str(&with_ids.to_string()).unwrap();
        assert_eq!(
            prepare(reordered).0,
            sha,
            "re-publishing a pact read from the broker is the same content"
        );
        assert_eq!(
            with_ids["interactions"][0]["_id"].as_str().unwrap().len(),
            40
        );
    }

    #[test]
    fn merge_adds_new_interactions_and_replaces_same_ones() {
        let old = json!({"interactions": [{"description": "a", "response": {"status": 200}}]});
        let new = json!({"interactions": [{"description": "a", "response": {"status": 201}}, {"description": "b"}]});
        let merged = merge(old, new);
        assert_eq!(merged["interactions"].as_array().unwrap().len(), 2);
        assert_eq!(merged["interactions"][0]["response"]["status"], 201);
    }
}
