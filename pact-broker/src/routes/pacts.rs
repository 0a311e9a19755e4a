//! Pacts: publishing one by consumer version (`PUT`/`PATCH`), reading by version, latest,
//! latest by tag or branch, by content sha, the pacts of a provider, every pair's latest.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;
use service_kit::extract::Path;

use super::extract::Body;
use super::hal::{Hal, wants_html};
use super::{ApiError, pacticipant_or_404};
use crate::AppState;
use crate::model::latest_per_consumer;
use crate::model::pact::PublishOutcome;
use crate::model::{Publication, Snapshot, pact};
use crate::storage::{NewPact, OnConflict, VersionLabels};
use crate::views::pacts::{LatestPacts, ProviderPacts, latest_pacts, pair_versions, provider_pacts};
use crate::views::{Links, pages};

pub fn router() -> Router<AppState> {
    const PAIR: &str = "/pacts/provider/{provider}/consumer/{consumer}";
    Router::new()
        .route(
            &format!("{PAIR}/version/{{version}}"),
            get(by_version).put(publish).patch(merge).delete(remove),
        )
        .route(&format!("{PAIR}/versions"), get(list_pair_versions))
        .route(
            &format!("{PAIR}/version/{{version}}/diff/previous-distinct"),
            get(diff_previous_distinct),
        )
        .route(&format!("{PAIR}/latest"), get(latest))
        .route(&format!("{PAIR}/latest/{{tag}}"), get(latest_tagged))
        .route(&format!("{PAIR}/branch/{{branch}}/latest"), get(latest_on_branch))
        .route(&format!("{PAIR}/pact-version/{{sha}}"), get(by_sha))
        .route(
            &format!("{PAIR}/pact-version/{{sha}}/metadata/{{metadata}}"),
            get(by_sha_with_metadata),
        )
        .route("/pacts/provider/{provider}/latest", get(provider_latest))
        .route("/pacts/provider/{provider}/latest/{tag}", get(provider_latest_tagged))
        .route("/pacts/provider/{provider}", get(provider_all))
        .route("/pacts/latest", get(all_latest))
}

/// A pact's address by consumer version.
type PactPath = (String, String, String);

async fn store_pact(
    state: &AppState,
    links: &Links,
    (provider, consumer, version): PactPath,
    mut content: Value,
    on_conflict: OnConflict,
) -> Result<Hal<Value>, ApiError> {
    pact::check_names(&mut content, &consumer, &provider)?;
    let published = state
        .store
        .publish(NewPact {
            consumer: consumer.clone(),
            provider: provider.clone(),
            version: version.clone(),
            labels: VersionLabels::default(),
            content,
            on_conflict,
            base_url: links.base().to_owned(),
        })
        .await?;
    state.webhooks.wake();
    let snapshot = state.store.snapshot().await?;
    let publication = find_by_version(&snapshot, &provider, &consumer, &version)?;
    let body = pact_document(state, links, &snapshot, publication).await?;
    Ok(Hal::saved(published.outcome == PublishOutcome::Created, body))
}

async fn publish(
    State(state): State<AppState>,
    links: Links,
    Path(path): Path<PactPath>,
    Body(content): Body<Value>,
) -> Result<Hal<Value>, ApiError> {
    let on_conflict = if state.allow_dangerous_contract_modification {
        OnConflict::Overwrite
    } else {
        OnConflict::Refuse
    };
    store_pact(&state, &links, path, content, on_conflict).await
}

async fn merge(
    State(state): State<AppState>,
    links: Links,
    Path(path): Path<PactPath>,
    Body(content): Body<Value>,
) -> Result<Hal<Value>, ApiError> {
    store_pact(&state, &links, path, content, OnConflict::Merge).await
}

async fn remove(
    State(state): State<AppState>,
    Path((provider, consumer, version)): Path<PactPath>,
) -> Result<StatusCode, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let publication = find_by_version(&snapshot, &provider, &consumer, &version)?;
    state.store.delete_publication(publication.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publications of a consumer/provider pair, oldest first; 404 for an unknown pacticipant.
pub(super) fn pair_publications<'a>(
    snapshot: &'a Snapshot,
    provider: &str,
    consumer: &str,
) -> Result<Vec<&'a Publication>, ApiError> {
    let provider = pacticipant_or_404(snapshot, provider)?;
    let consumer = pacticipant_or_404(snapshot, consumer)?;
    Ok(snapshot.publications_between(consumer.id, provider.id).collect())
}

fn find_by_version<'a>(
    snapshot: &'a Snapshot,
    provider: &str,
    consumer: &str,
    version: &str,
) -> Result<&'a Publication, ApiError> {
    pair_publications(snapshot, provider, consumer)?
        .into_iter()
        .find(|x| snapshot.version(x.consumer_version_id).number == version)
        .ok_or_else(|| ApiError::not_found(format!("no pact between {consumer} version {version} and {provider}")))
}

/// The stored document rendered with the broker's links.
async fn pact_document(
    state: &AppState,
    links: &Links,
    snapshot: &Snapshot,
    publication: &Publication,
) -> Result<Value, ApiError> {
    let content = state
        .store
        .content(&publication.sha)
        .await?
        .ok_or_else(|| ApiError::internal(format!("pact content {} is missing", publication.sha)))?;
    Ok(crate::views::pacts::pact(links, snapshot, publication, content))
}

/// The pact as HAL, or as a page for a browser.
async fn respond(
    state: &AppState,
    links: &Links,
    headers: &HeaderMap,
    snapshot: &Snapshot,
    publication: &Publication,
) -> Result<Response, ApiError> {
    let document = pact_document(state, links, snapshot, publication).await?;
    if wants_html(headers) {
        return Ok(Html(pages::pact_page(links, snapshot, publication, &document)).into_response());
    }
    Ok(Hal::ok(document).into_response())
}

/// `.../version/{v}/diff/previous-distinct`: what changed in this consumer version's pact since
/// the pair's previous publication with different content, as text.
async fn diff_previous_distinct(
    State(state): State<AppState>,
    Path((provider, consumer, version)): Path<PactPath>,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let publication = find_by_version(&snapshot, &provider, &consumer, &version)?;
    let previous = pair_publications(&snapshot, &provider, &consumer)?
        .into_iter()
        .take_while(|p| p.id != publication.id)
        .filter(|p| p.sha != publication.sha)
        .last()
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "the pact of {consumer} version {version} with {provider} has no previous distinct version"
            ))
        })?;
    let load = |sha: String| {
        let state = state.clone();
        async move {
            state
                .store
                .content(&sha)
                .await?
                .ok_or_else(|| ApiError::internal(format!("pact content {sha} missing")))
        }
    };
    let (old, new) = (load(previous.sha.clone()).await?, load(publication.sha.clone()).await?);
    let previous_version = &snapshot.version(previous.consumer_version_id).number;
    let text = format!(
        "Changes in the pact between {consumer} and {provider} from version {previous_version} to version {version}:\n\n{}",
        crate::model::diff::diff(&old, &new)
    );
    let mut response = text.into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    Ok(response)
}

async fn by_version(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    Path((provider, consumer, version)): Path<PactPath>,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let publication = find_by_version(&snapshot, &provider, &consumer, &version)?;
    respond(&state, &links, &headers, &snapshot, publication).await
}

/// The newest publication of a pair that `matches`; `what` names the kind in the 404.
pub(super) async fn latest_matching(
    state: &AppState,
    links: &Links,
    headers: &HeaderMap,
    (provider, consumer): (&str, &str),
    what: &str,
    matches: impl Fn(&Snapshot, &Publication) -> bool,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let publication = pair_publications(&snapshot, provider, consumer)?
        .into_iter()
        .rev()
        .find(|x| matches(&snapshot, x))
        .ok_or_else(|| ApiError::not_found(format!("no {what}pact between {consumer} and {provider}")))?;
    respond(state, links, headers, &snapshot, publication).await
}

async fn latest(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    Path((provider, consumer)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    latest_matching(&state, &links, &headers, (&provider, &consumer), "", |_, _| true).await
}

async fn latest_tagged(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    Path((provider, consumer, tag)): Path<PactPath>,
) -> Result<Response, ApiError> {
    let what = format!("'{tag}' tagged ");
    latest_matching(&state, &links, &headers, (&provider, &consumer), &what, |s, x| {
        s.version(x.consumer_version_id).tags.contains(&tag)
    })
    .await
}

async fn latest_on_branch(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    Path((provider, consumer, branch)): Path<PactPath>,
) -> Result<Response, ApiError> {
    let what = format!("branch '{branch}' ");
    latest_matching(&state, &links, &headers, (&provider, &consumer), &what, |s, x| {
        s.version(x.consumer_version_id).branches.contains(&branch)
    })
    .await
}

async fn by_sha(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    Path((provider, consumer, sha)): Path<PactPath>,
) -> Result<Response, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let publication = pair_publications(&snapshot, &provider, &consumer)?
        .into_iter()
        .rev()
        .find(|x| x.sha == sha)
        .ok_or_else(|| ApiError::not_found(format!("no pact between {consumer} and {provider} with content {sha}")))?;
    respond(&state, &links, &headers, &snapshot, publication).await
}

/// The metadata (which selection led here) does not change which pact it is.
async fn by_sha_with_metadata(
    state: State<AppState>,
    links: Links,
    headers: HeaderMap,
    Path((provider, consumer, sha, _metadata)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    by_sha(state, links, headers, Path((provider, consumer, sha))).await
}

async fn provider_latest(
    State(state): State<AppState>,
    links: Links,
    Path(provider): Path<String>,
) -> Result<Hal<ProviderPacts>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = pacticipant_or_404(&snapshot, &provider)?;
    let latest = latest_per_consumer(snapshot.publications_for(found.id));
    let href = links.provider_latest_pacts(&provider);
    Ok(Hal::ok(provider_pacts(&links, &snapshot, &provider, &latest, href)))
}

async fn provider_latest_tagged(
    State(state): State<AppState>,
    links: Links,
    Path((provider, tag)): Path<(String, String)>,
) -> Result<Hal<ProviderPacts>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = pacticipant_or_404(&snapshot, &provider)?;
    let tagged = snapshot
        .publications_for(found.id)
        .filter(|p| snapshot.version(p.consumer_version_id).tags.contains(&tag));
    let latest = latest_per_consumer(tagged);
    let href = links.provider_latest_tagged_pacts(&provider, &tag);
    Ok(Hal::ok(provider_pacts(&links, &snapshot, &provider, &latest, href)))
}

async fn provider_all(
    State(state): State<AppState>,
    links: Links,
    Path(provider): Path<String>,
) -> Result<Hal<ProviderPacts>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let found = pacticipant_or_404(&snapshot, &provider)?;
    let all: Vec<&Publication> = snapshot.publications_for(found.id).collect();
    let href = links.provider_pacts(&provider);
    Ok(Hal::ok(provider_pacts(&links, &snapshot, &provider, &all, href)))
}

/// `GET /pacts/provider/{provider}/consumer/{consumer}/versions` (`pb:all-pact-versions`).
async fn list_pair_versions(
    State(state): State<AppState>,
    links: Links,
    Path((provider, consumer)): Path<(String, String)>,
) -> Result<Hal<ProviderPacts>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let publications = pair_publications(&snapshot, &provider, &consumer)?;
    Ok(Hal::ok(pair_versions(
        &links,
        &snapshot,
        &provider,
        &consumer,
        &publications,
        links.pair_versions(&provider, &consumer),
    )))
}

/// `GET /pacts/latest` (list-latest-pact-versions).
async fn all_latest(State(state): State<AppState>, links: Links) -> Result<Hal<LatestPacts>, ApiError> {
    let snapshot = state.store.snapshot().await?;
    Ok(Hal::ok(latest_pacts(&links, &snapshot)))
}
