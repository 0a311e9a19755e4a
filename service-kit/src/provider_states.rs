//! The Pact provider-state protocol (`POST /_pact/provider_states`), as pact_verifier speaks it:
//! `{"state": "...", "params": {...}, "action": "setup" | "teardown"}` before each interaction.
//!
//! Each provider lists its states as data ([`ProviderState`]: name, params, effect) and sets
//! itself up for a named state; this module validates requests against that list, answers
//! `GET` with the list (so anyone writing a pact can discover the names) and is only mounted
//! when `PACT_PROVIDER_STATES=true`.

use std::future::Future;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::ApiError;
use crate::client::Neighbour;
use crate::extract::Json;

pub const PATH: &str = "/_pact/provider_states";

/// One state a provider can be put into.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ProviderState {
    /// Exact name a consumer uses in `given(...)`; `{param}` marks where a param belongs.
    pub name: &'static str,
    /// Params the state needs (all required).
    pub params: &'static [&'static str],
    /// What setting up the state does to the provider's data.
    pub effect: &'static str,
}

/// Implemented by each provider's `provider_states` module.
pub trait ProviderStates: Clone + Send + Sync + 'static {
    /// Every state this provider knows.
    const STATES: &'static [ProviderState];

    /// Resets the provider's data to exactly `state` (one of [`Self::STATES`], params checked).
    fn set_up(&self, state: &str, params: &Params) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// `params` of a state change, with typed accessors that answer 400 when a param is missing or
/// of the wrong type.
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

    /// An integer; numeric strings are accepted because some Pact clients send params as text.
    pub fn integer(&self, name: &str) -> Result<i64, ApiError> {
        let value = self.get(name)?;
        value
            .as_i64()
            .or_else(|| value.as_str()?.parse().ok())
            .ok_or_else(|| Self::wrong_type(name, "an integer", value))
    }

    pub fn number(&self, name: &str) -> Result<f64, ApiError> {
        let value = self.get(name)?;
        value
            .as_f64()
            .or_else(|| value.as_str()?.parse().ok())
            .ok_or_else(|| Self::wrong_type(name, "a number", value))
    }

    pub fn text(&self, name: &str) -> Result<String, ApiError> {
        let value = self.get(name)?;
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Self::wrong_type(name, "a string", value))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    #[default]
    Setup,
    Teardown,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct StateChange {
    /// Empty for interactions without a state: nothing to do.
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub params: Params,
    #[serde(default)]
    pub action: Action,
}

/// `GET` lists the states, `POST` changes state.
pub fn routes<S: ProviderStates>(states: S) -> Router {
    Router::new()
        .route(PATH, post(change_state::<S>).get(list_states::<S>))
        .with_state(states)
}

async fn list_states<S: ProviderStates>() -> Json<&'static [ProviderState]> {
    Json(S::STATES)
}

async fn change_state<S: ProviderStates>(
    State(states): State<S>,
    Json(change): Json<StateChange>,
) -> Result<Json<Value>, ApiError> {
    // Every setup resets the data completely, so teardown has nothing left to undo.
    if change.state.is_empty() || change.action == Action::Teardown {
        return Ok(Json(json!({})));
    }
    let known = S::STATES.iter().find(|s| s.name == change.state).ok_or_else(|| {
        let names: Vec<_> = S::STATES.iter().map(|s| s.name).collect();
        ApiError::BadRequest(format!(
            "unknown provider state {:?}; known states: {names:?}",
            change.state
        ))
    })?;
    if let Some(missing) = known.params.iter().find(|p| !change.params.contains(p)) {
        return Err(ApiError::BadRequest(format!(
            "provider state {:?} needs param '{missing}'",
            known.name
        )));
    }
    tracing::info!(state = known.name, params = ?change.params, "setting up provider state");
    states.set_up(known.name, &change.params).await?;
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
