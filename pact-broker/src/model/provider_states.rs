//! The provider states a provider must support: collected from pact documents (V2
//! `providerState`, V3/V4 `providerStates` with `params`), de-duplicated by name and
//! parameters, each with the consumers that use it (the official aggregated view).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// One provider state and the consumers whose pacts use it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderState {
    pub name: String,
    pub params: Option<Value>,
    pub consumers: Vec<String>,
}

/// The states of one pact document, in order of appearance.
pub fn states_of(pact: &Value) -> Vec<(String, Option<Value>)> {
    let interactions = pact["interactions"]
        .as_array()
        .into_iter()
        .chain(pact["messages"].as_array())
        .flatten();
    let mut states = Vec::new();
    for interaction in interactions {
        if let Some(name) = interaction["providerState"].as_str() {
            states.push((name.to_owned(), None));
        }
        for state in interaction["providerStates"].as_array().into_iter().flatten() {
            if let Some(name) = state["name"].as_str() {
                let params = state.get("params").filter(|p| !p.is_null()).cloned();
                states.push((name.to_owned(), params));
            }
        }
    }
    states
}

/// Every state of the given (consumer, pact) documents, once per name and parameters, sorted
/// by name.
pub fn aggregate<'a>(pacts: impl IntoIterator<Item = (&'a str, &'a Value)>) -> Vec<ProviderState> {
    let mut by_state: BTreeMap<(String, String), (Option<Value>, BTreeSet<String>)> = BTreeMap::new();
    for (consumer, pact) in pacts {
        for (name, params) in states_of(pact) {
            let key = (name, params.as_ref().map(Value::to_string).unwrap_or_default());
            by_state
                .entry(key)
                .or_insert_with(|| (params, BTreeSet::new()))
                .1
                .insert(consumer.to_owned());
        }
    }
    by_state
        .into_iter()
        .map(|((name, _), (params, consumers))| ProviderState {
            name,
            params,
            consumers: consumers.into_iter().collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// (name, params, consumers) of an expected state.
    type Expected<'a> = (&'a str, Option<Value>, Vec<&'a str>);
    /// (case, (consumer, pact) documents, the states expected).
    type Case<'a> = (&'a str, Vec<(&'a str, &'a Value)>, Vec<Expected<'a>>);

    #[test]
    fn states_are_collected_and_deduplicated() {
        let v2 = json!({"interactions": [{"providerState": "an item exists"}, {"description": "no state"}]});
        let v3 = json!({"interactions": [
            {"providerStates": [{"name": "an item exists"}, {"name": "item 1 exists", "params": {"id": 1}}]},
            {"providerStates": [{"name": "item 1 exists", "params": {"id": 2}}]}
        ]});
        let messages = json!({"messages": [{"providerStates": [{"name": "an order was placed"}]}]});
        let cases: [Case; 4] = [
            ("nothing", vec![], vec![]),
            ("V2 state", vec![("A", &v2)], vec![("an item exists", None, vec!["A"])]),
            (
                "same state, two consumers; params tell states apart",
                vec![("B", &v3), ("A", &v2)],
                vec![
                    ("an item exists", None, vec!["A", "B"]),
                    ("item 1 exists", Some(json!({"id": 1})), vec!["B"]),
                    ("item 1 exists", Some(json!({"id": 2})), vec!["B"]),
                ],
            ),
            (
                "message pacts",
                vec![("C", &messages)],
                vec![("an order was placed", None, vec!["C"])],
            ),
        ];
        for (name, pacts, expected) in cases {
            let expected: Vec<ProviderState> = expected
                .into_iter()
                .map(|(n, params, consumers)| ProviderState {
                    name: n.to_owned(),
                    params,
                    consumers: consumers.into_iter().map(String::from).collect(),
                })
                .collect();
            assert_eq!(aggregate(pacts), expected, "{name}");
        }
    }
}
