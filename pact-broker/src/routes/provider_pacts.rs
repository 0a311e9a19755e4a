//! What `pact-broker-cli get-pacts` and `provider-states list` read: a provider's pacts by the
//! consumers' branch (`/pacts/provider/{p}/branch[/{b}][/latest]`, and per consumer
//! `/pacts/provider/{p}/consumer/{c}/branch[/{b}|/latest]`; no branch: each consumer's main
//! branch), and the provider states of its latest pacts (`/pacts/provider/{p}/provider-states`
//! `[/branch/{b}|/environment/{e}]`).

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;
use serde_json::Value;
use service_kit::extract::Path;

use super::hal::Hal;
use super::pacts::{latest_matching, pair_publications};
use super::{ApiError, pacticipant_or_404};
use crate::AppState;
use crate::model::provider_states::{ProviderState, aggregate};
use crate::model::{Publication, Snapshot, latest_per_consumer};
use crate::views::Links;
use crate::views::pacts::{ProviderPacts, pair_versions, provider_pacts};

pub fn router() -> Router<AppState> {
    const PROVIDER: &str = "/pacts/provider/{provider}";
    const PAIR: &str = "/pacts/provider/{provider}/consumer/{consumer}";
    Router::new()
        .route(&format!("{PROVIDER}/branch"), get(provider_main))
        .route(&format!("{PROVIDER}/branch/latest"), get(provider_main_latest))
        .route(&format!("{PROVIDER}/branch/{{branch}}"), get(provider_branch))
        .route(
            &format!("{PROVIDER}/branch/{{branch}}/latest"),
            get(provider_branch_latest),
        )
        .route(&format!("{PAIR}/branch"), get(pair_main))
        .route(&format!("{PAIR}/branch/latest"), get(pair_main_latest))
        .route(&format!("{PAIR}/branch/{{branch}}"), get(pair_branch))
        .route(&format!("{PROVIDER}/provider-states"), get(states_main))
        .route(
            &format!("{PROVIDER}/provider-states/branch/{{branch}}"),
            get(states_branch),
        )
        .route(
            &format!("{PROVIDER}/provider-states/environment/{{environment}}"),
            get(states_environment),
        )
}

/// Whether the publication's consumer version is on `branch` (`None`: its consumer's main branch).
fn on_branch(snapshot: &Snapshot, publication: &Publication, branch: Option<&str>) -> bool {
    let wanted = branch.or_else(|| {
        snapshot
            .pacticipants
            .get(&publication.consumer_id)
            .and_then(|c| c.main_branch.as_deref())
    });
    wanted.is_some_and(|b| {
        snapshot
            .version(publication.consumer_version_id)
            .branches
            .iter()
            .any(|x| x == b)
    })
}

async fn provider_on_branch(
    state: &AppState,
    links: &Links,
    provider: &str,
    branch: Option<&str>,
    latest: bool,
) -> Result<Hal<ProviderPacts>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = pacticipant_or_404(&snapshot, provider)?;
    let on: Vec<&Publication> = snapshot
        .publications_for(found.id)
        .filter(|p| on_branch(&snapshot, p, branch))
        .collect();
    let selected = if latest { latest_per_consumer(on) } else { on };
    let href = links.provider_branch_pacts(provider, branch);
    let href = if latest { format!("{href}/latest") } else { href };
    Ok(Hal::ok(provider_pacts(links, &snapshot, provider, &selected, href)))
}

async fn provider_main(
    State(state): State<AppState>,
    links: Links,
    Path(provider): Path<String>,
) -> Result<Hal<ProviderPacts>, ApiError> {
    provider_on_branch(&state, &links, &provider, None, false).await
}

async fn provider_main_latest(
    State(state): State<AppState>,
    links: Links,
    Path(provider): Path<String>,
) -> Result<Hal<ProviderPacts>, ApiError> {
    provider_on_branch(&state, &links, &provider, None, true).await
}

async fn provider_branch(
    State(state): State<AppState>,
    links: Links,
    Path((provider, branch)): Path<(String, String)>,
) -> Result<Hal<ProviderPacts>, ApiError> {
    provider_on_branch(&state, &links, &provider, Some(&branch), false).await
}

async fn provider_branch_latest(
    State(state): State<AppState>,
    links: Links,
    Path((provider, branch)): Path<(String, String)>,
) -> Result<Hal<ProviderPacts>, ApiError> {
    provider_on_branch(&state, &links, &provider, Some(&branch), true).await
}

async fn pair_on_branch(
    state: &AppState,
    links: &Links,
    (provider, consumer): (&str, &str),
    branch: Option<&str>,
) -> Result<Hal<ProviderPacts>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let on: Vec<&Publication> = pair_publications(&snapshot, provider, consumer)?
        .into_iter()
        .filter(|p| on_branch(&snapshot, p, branch))
        .collect();
    let href = links.pair_branch_pacts(provider, consumer, branch);
    Ok(Hal::ok(pair_versions(links, &snapshot, provider, consumer, &on, href)))
}

async fn pair_main(
    State(state): State<AppState>,
    links: Links,
    Path((provider, consumer)): Path<(String, String)>,
) -> Result<Hal<ProviderPacts>, ApiError> {
    pair_on_branch(&state, &links, (&provider, &consumer), None).await
}

async fn pair_branch(
    State(state): State<AppState>,
    links: Links,
    Path((provider, consumer, branch)): Path<(String, String, String)>,
) -> Result<Hal<ProviderPacts>, ApiError> {
    pair_on_branch(&state, &links, (&provider, &consumer), Some(&branch)).await
}

/// The latest pact from the consumer's main branch (the pact itself).
async fn pair_main_latest(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    Path((provider, consumer)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    latest_matching(
        &state,
        &links,
        &headers,
        (&provider, &consumer),
        "main branch ",
        |s, p| on_branch(s, p, None),
    )
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ProviderStates {
    provider_states: Vec<StateView>,
}

#[derive(Debug, Serialize)]
struct StateView {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<Value>,
    consumers: Vec<String>,
}

/// The de-duplicated states of the latest pact per consumer among `selected`.
async fn states_of(
    state: &AppState,
    snapshot: &Snapshot,
    selected: Vec<&Publication>,
) -> Result<Hal<ProviderStates>, ApiError> {
    let mut pacts: Vec<(String, Value)> = Vec::new();
    for publication in latest_per_consumer(selected) {
        if let Some(content) = state.store.content(&publication.sha).await? {
            pacts.push((snapshot.name(publication.consumer_id).to_owned(), content));
        }
    }
    let states = aggregate(pacts.iter().map(|(consumer, pact)| (consumer.as_str(), pact)));
    Ok(Hal::ok(ProviderStates {
        provider_states: states
            .into_iter()
            .map(
                |ProviderState {
                     name,
                     params,
                     consumers,
                 }| StateView {
                    name,
                    params,
                    consumers,
                },
            )
            .collect(),
    }))
}

async fn states_on_branch(
    state: &AppState,
    provider: &str,
    branch: Option<&str>,
) -> Result<Hal<ProviderStates>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = pacticipant_or_404(&snapshot, provider)?;
    let selected = snapshot
        .publications_for(found.id)
        .filter(|p| on_branch(&snapshot, p, branch))
        .collect();
    states_of(state, &snapshot, selected).await
}

async fn states_main(
    State(state): State<AppState>,
    Path(provider): Path<String>,
) -> Result<Hal<ProviderStates>, ApiError> {
    states_on_branch(&state, &provider, None).await
}

async fn states_branch(
    State(state): State<AppState>,
    Path((provider, branch)): Path<(String, String)>,
) -> Result<Hal<ProviderStates>, ApiError> {
    states_on_branch(&state, &provider, Some(&branch)).await
}

/// From the consumer versions currently deployed or released in the environment.
async fn states_environment(
    State(state): State<AppState>,
    Path((provider, environment)): Path<(String, String)>,
) -> Result<Hal<ProviderStates>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = pacticipant_or_404(&snapshot, &provider)?;
    let env = snapshot
        .environment_by_name(&environment)
        .ok_or_else(|| ApiError::not_found(format!("environment '{environment}' not found")))?;
    let current: Vec<i64> = snapshot
        .deployments
        .iter()
        .filter(|d| d.environment_id == env.id && d.ended_at.is_none())
        .map(|d| d.version_id)
        .collect();
    let selected = snapshot
        .publications_for(found.id)
        .filter(|p| current.contains(&p.consumer_version_id))
        .collect();
    states_of(&state, &snapshot, selected).await
}
