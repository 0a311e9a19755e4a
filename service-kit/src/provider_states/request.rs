//! The shapes of state-change request that real verifiers send, read into one form: pure, no
//! I/O, each shape a unit test below.
//!
//! - a JSON body `{"state", "params", "action"}` (pact_verifier, pact_verifier_cli); `action`
//!   may be missing (setup), and `consumer`/`provider` (strings or `{"name"}` objects) and a
//!   `states` list beside `state` are ignored (pact-js sends them);
//! - a JSON body with only `states: [{"name", "params"} | "name", ...]`: every state, in order;
//! - no body, the request in the query string (`pact_verifier_cli --state-change-as-query`):
//!   `?state=...&action=...&<param>=<value>...`.

use serde::Deserialize;
use serde_json::{Map, Value};

/// What a state-change request asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct StateChangeRequest {
    pub action: Action,
    /// Each state to set up, with its params, in order. Empty names (interactions without a
    /// state, which pact_verifier still announces) are left out.
    pub states: Vec<NamedState>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NamedState {
    pub name: String,
    pub params: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Setup,
    Teardown,
}

/// Why a request could not be read; always the caller's fault (400).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    #[error("the state change is not a JSON object as pact_verifier sends it ({0})")]
    NotJson(String),
    #[error("\"action\" must be \"setup\" or \"teardown\", got {0:?}")]
    UnknownAction(String),
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    params: Option<Map<String, Value>>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    states: Vec<ListedState>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ListedState {
    Name(String),
    Named {
        name: String,
        #[serde(default)]
        params: Option<Map<String, Value>>,
    },
}

/// Reads a request from its body when it has one, else from its query string.
pub fn parse(body: &[u8], query: Option<&str>) -> Result<StateChangeRequest, RequestError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        from_query(query.unwrap_or_default())
    } else {
        from_body(body)
    }
}

fn from_body(body: &[u8]) -> Result<StateChangeRequest, RequestError> {
    let not_json = |error: serde_json::Error| RequestError::NotJson(error.to_string());
    let value: Value = serde_json::from_slice(body).map_err(not_json)?;
    if !value.is_object() {
        return Err(RequestError::NotJson(format!("got {value}")));
    }
    let body = Body::deserialize(value).map_err(not_json)?;
    let action = action(body.action.as_deref())?;
    let shared_params = body.params.unwrap_or_default();
    let states = match body.state {
        Some(name) => vec![NamedState {
            name,
            params: shared_params,
        }],
        None => body
            .states
            .into_iter()
            .map(|listed| match listed {
                ListedState::Name(name) => NamedState {
                    name,
                    params: shared_params.clone(),
                },
                ListedState::Named { name, params } => NamedState {
                    name,
                    params: params.unwrap_or_default(),
                },
            })
            .collect(),
    };
    Ok(request(action, states))
}

fn from_query(query: &str) -> Result<StateChangeRequest, RequestError> {
    let mut name = String::new();
    let mut action_text = None;
    let mut params = Map::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "state" => name = value.into_owned(),
            "action" => action_text = Some(value.into_owned()),
            _ => {
                params.insert(key.into_owned(), Value::String(value.into_owned()));
            }
        }
    }
    let action = action(action_text.as_deref())?;
    Ok(request(action, vec![NamedState { name, params }]))
}

fn action(text: Option<&str>) -> Result<Action, RequestError> {
    match text.map(str::to_ascii_lowercase).as_deref() {
        None | Some("setup") => Ok(Action::Setup),
        Some("teardown") => Ok(Action::Teardown),
        Some(_) => Err(RequestError::UnknownAction(text.unwrap_or_default().to_owned())),
    }
}

fn request(action: Action, states: Vec<NamedState>) -> StateChangeRequest {
    let states = states.into_iter().filter(|state| !state.name.is_empty()).collect();
    StateChangeRequest { action, states }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn state(name: &str, params: Value) -> NamedState {
        NamedState {
            name: name.to_owned(),
            params: params.as_object().expect("an object").clone(),
        }
    }

    #[test]
    fn every_shape_verifiers_send_is_read() {
        let setup = Action::Setup;
        // What, body, query string, then what is read from them.
        type Case<'a> = (&'a str, &'a str, Option<&'a str>, Action, Vec<NamedState>);
        let cases: Vec<Case> = vec![
            (
                "pact_verifier's body",
                r#"{"state": "s", "params": {"id": 1}, "action": "setup"}"#,
                None,
                setup,
                vec![state("s", json!({"id": 1}))],
            ),
            (
                "teardown",
                r#"{"state": "s", "params": {"id": 1}, "action": "teardown"}"#,
                None,
                Action::Teardown,
                vec![state("s", json!({"id": 1}))],
            ),
            (
                "no action is setup",
                r#"{"state": "s"}"#,
                None,
                setup,
                vec![state("s", json!({}))],
            ),
            (
                "action in capitals",
                r#"{"state": "s", "action": "SETUP"}"#,
                None,
                setup,
                vec![state("s", json!({}))],
            ),
            (
                "params null",
                r#"{"state": "s", "params": null}"#,
                None,
                setup,
                vec![state("s", json!({}))],
            ),
            (
                "pact-js: consumer, provider and states beside state",
                r#"{"consumer": "web", "provider": {"name": "p"}, "state": "s", "states": ["s", "t"], "params": {"a": "b"}}"#,
                None,
                setup,
                vec![state("s", json!({"a": "b"}))],
            ),
            (
                "only a states list, objects",
                r#"{"states": [{"name": "s", "params": {"id": 1}}, {"name": "t"}], "action": "setup"}"#,
                None,
                setup,
                vec![state("s", json!({"id": 1})), state("t", json!({}))],
            ),
            (
                "only a states list, names sharing params",
                r#"{"states": ["s", "t"], "params": {"id": 2}}"#,
                None,
                setup,
                vec![state("s", json!({"id": 2})), state("t", json!({"id": 2}))],
            ),
            ("no state at all", r#"{"state": "", "params": {}}"#, None, setup, vec![]),
            ("an empty object", "{}", None, setup, vec![]),
            (
                "query string, as --state-change-as-query sends it",
                "",
                Some("state=an+item+with+id+3&action=setup&item_id=3&name=Blue%20mug"),
                setup,
                vec![state("an item with id 3", json!({"item_id": "3", "name": "Blue mug"}))],
            ),
            (
                "query string teardown",
                "",
                Some("state=s&action=teardown"),
                Action::Teardown,
                vec![state("s", json!({}))],
            ),
            ("query string, no state", "", Some("action=setup"), setup, vec![]),
            ("no body, no query", "", None, setup, vec![]),
            (
                "a body wins over the query",
                r#"{"state": "s"}"#,
                Some("state=t"),
                setup,
                vec![state("s", json!({}))],
            ),
        ];
        for (what, body, query, action, states) in cases {
            let parsed = parse(body.as_bytes(), query).unwrap_or_else(|error| panic!("{what}: {error}"));
            assert_eq!(parsed, StateChangeRequest { action, states }, "{what}");
        }
    }

    #[test]
    fn bodies_that_cannot_be_read_say_why() {
        let cases = [
            ("not JSON", "state=s", "not a JSON object"),
            ("an array", "[]", "not a JSON object"),
            ("state not text", r#"{"state": 3}"#, "not a JSON object"),
            (
                "params not an object",
                r#"{"state": "s", "params": [1]}"#,
                "not a JSON object",
            ),
            (
                "an unknown action",
                r#"{"state": "s", "action": "destroy"}"#,
                "got \"destroy\"",
            ),
        ];
        for (what, body, message) in cases {
            let error = parse(body.as_bytes(), None).expect_err(what);
            assert!(error.to_string().contains(message), "{what}: {error}");
        }
        let error = parse(b"", Some("state=s&action=destroy")).expect_err("query with an unknown action");
        assert_eq!(error, RequestError::UnknownAction("destroy".into()));
    }
}
