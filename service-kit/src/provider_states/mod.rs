//! The Pact provider-state protocol (`POST /_pact/provider_states`), as real verifiers speak it:
//! before each interaction, `{"state": "...", "params": {...}, "action": "setup" | "teardown"}`
//! (or one of the other shapes in [`request`]).
//!
//! Each provider lists its states as data ([`ProviderState`]: a template such as
//! `an item with id {item_id} has {quantity} units in stock`, its typed params, its effect) and
//! sets itself up for an entry of that table. A pact may name a state by its template with
//! `params`, or with the values written into the name, as a Pact V2 file must ([`matching`]).
//! `GET` lists the table, so anyone writing a pact can discover the names. Mounted only when
//! `PACT_PROVIDER_STATES=true`.

pub mod matching;
pub mod request;

use std::future::Future;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::ApiError;
use crate::client::Neighbour;
use crate::extract::Json;

pub const PATH: &str = "/_pact/provider_states";

/// One state a provider can be put into.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProviderState {
    /// The template a consumer names in `given(...)`; `{param}` marks where a param's value goes.
    pub name: &'static str,
    /// Params the state needs (all required), each typed.
    pub params: &'static [Param],
    /// What setting up the state does to the provider's data.
    pub effect: &'static str,
}

impl ProviderState {
    /// The concrete name with every param's example value written in, as a V2 pact names it.
    pub fn example(&self) -> String {
        self.params.iter().fold(self.name.to_owned(), |name, param| {
            name.replace(&format!("{{{}}}", param.name), param.example)
        })
    }
}

/// A param of a provider state: its name, its type and an example value (as written into a
/// concrete state name).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Param {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: ParamKind,
    pub example: &'static str,
}

impl Param {
    pub const fn integer(name: &'static str, example: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Integer,
            example,
        }
    }

    pub const fn number(name: &'static str, example: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Number,
            example,
        }
    }

    pub const fn text(name: &'static str, example: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Text,
            example,
        }
    }
}

/// How a param's value is read, from `params` or from a concrete state name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ParamKind {
    /// A 64-bit integer: `3`, `-5`.
    #[serde(rename = "integer")]
    Integer,
    /// A decimal number: `0.2`, `1`, `1e-3`.
    #[serde(rename = "number")]
    Number,
    /// Text, spaces allowed; in a concrete name it may be quoted (`"Blue mug"`).
    #[serde(rename = "string")]
    Text,
}

impl ParamKind {
    /// As error messages and the README say it.
    pub fn description(self) -> &'static str {
        match self {
            ParamKind::Integer => "an integer",
            ParamKind::Number => "a number",
            ParamKind::Text => "a string",
        }
    }
}

/// Implemented by each provider's `provider_states` module.
pub trait ProviderStates: Clone + Send + Sync + 'static {
    /// Every state this provider knows.
    const STATES: &'static [ProviderState];

    /// Resets the provider's data to exactly `state` (the template of one of [`Self::STATES`]);
    /// `params` holds every param the state declares, already typed as declared.
    fn set_up(&self, state: &str, params: &Params) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// The params of a resolved state change, with typed accessors. The protocol has checked every
/// declared param's presence and type before `set_up` sees them; the accessors still answer 400
/// rather than panic for a param a state did not declare.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Params(Map<String, Value>);

impl Params {
    fn get(&self, name: &str) -> Result<&Value, ApiError> {
        self.0
            .get(name)
            .ok_or_else(|| ApiError::BadRequest(format!("provider state param '{name}' is missing")))
    }

    fn wrong_type(name: &str, expected: &str, value: &Value) -> ApiError {
        ApiError::BadRequest(format!("provider state param '{name}' must be {expected}, got {value}"))
    }

    pub fn integer(&self, name: &str) -> Result<i64, ApiError> {
        let value = self.get(name)?;
        value
            .as_i64()
            .ok_or_else(|| Self::wrong_type(name, ParamKind::Integer.description(), value))
    }

    pub fn number(&self, name: &str) -> Result<f64, ApiError> {
        let value = self.get(name)?;
        value
            .as_f64()
            .ok_or_else(|| Self::wrong_type(name, ParamKind::Number.description(), value))
    }

    pub fn text(&self, name: &str) -> Result<String, ApiError> {
        let value = self.get(name)?;
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Self::wrong_type(name, ParamKind::Text.description(), value))
    }
}

/// `GET` lists the states, `POST` changes state.
pub fn routes<S: ProviderStates>(states: S) -> Router {
    Router::new()
        .route(PATH, post(change_state::<S>).get(list_states::<S>))
        .with_state(states)
}

/// How to name a state, for whoever reads the listing.
pub const USAGE: &str = "POST {\"state\", \"params\", \"action\": \"setup\"|\"teardown\"} (or the same in the query string). \
Name a state by its template with the values in \"params\" ({\"state\": \"no item with id {item_id} exists\", \"params\": {\"item_id\": 42}}), \
or with the values written into the name, as a Pact V2 file must (\"no item with id 42 exists\"); both forms are accepted.";

async fn list_states<S: ProviderStates>() -> Json<Value> {
    let states: Vec<Value> = S::STATES
        .iter()
        .map(|state| {
            json!({
                "name": state.name,
                "params": state.params,
                "effect": state.effect,
                "example": state.example(),
            })
        })
        .collect();
    Json(json!({ "usage": USAGE, "states": states }))
}

/// Reads the request in any shape verifiers send, resolves every state it names before changing
/// anything (so a 400 leaves the data as it was), then sets each up in order.
async fn change_state<S: ProviderStates>(
    State(states): State<S>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let bad_request = |error: &dyn std::error::Error| ApiError::BadRequest(error.to_string());
    let change = request::parse(&body, query.as_deref()).map_err(|error| bad_request(&error))?;
    // Every setup resets the data completely, so teardown has nothing left to undo.
    if change.action == request::Action::Teardown {
        return Ok(Json(json!({})));
    }
    let resolved = change
        .states
        .iter()
        .map(|named| matching::resolve(S::STATES, &named.name, &named.params))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| bad_request(&error))?;
    for matching::Resolved { state, params } in resolved {
        tracing::info!(state = state.name, ?params, "setting up provider state");
        states.set_up(state.name, &Params(params)).await?;
    }
    Ok(Json(json!({})))
}

/// Puts a neighbour into one of its own provider states (used by a provider whose answers depend
/// on its neighbours, so that one state of its own sets up the whole chain).
pub async fn set_neighbour_state(neighbour: &Neighbour, state: &str, params: Value) -> Result<(), ApiError> {
    let change = json!({ "state": state, "params": params, "action": "setup" });
    let response = neighbour.send(neighbour.post(PATH).json(&change)).await?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(ApiError::BadGateway(format!(
            "setting up state {state:?} on {}: {}",
            neighbour.name(),
            neighbour.error_message(response).await
        )))
    }
}

/// The error for a state that is listed in `STATES` but has no setup (a programming error that
/// each provider's tests catch by setting up every listed state).
pub fn not_implemented(state: &str) -> ApiError {
    ApiError::Internal(anyhow::anyhow!(
        "provider state {state:?} is listed but not implemented"
    ))
}
