//! `POST /contracts/publish`: the modern way to publish (pact-broker-cli, pact-js, ...): one
//! consumer version, its branch and tags, and one or more base64-encoded contracts.

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::Value;

use super::ApiError;
use super::extract::Body;
use super::hal::Hal;
use crate::AppState;
use crate::model::{Invalid, pact};
use crate::storage::{NewPact, OnConflict, VersionLabels};
use crate::views::Links;
use crate::views::publish::{Publication, PublishResult, contract_notices, publish_result, version_notice};

pub fn router() -> Router<AppState> {
    Router::new().route("/contracts/publish", post(publish))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublishRequest {
    pacticipant_name: Option<String>,
    pacticipant_version_number: Option<String>,
    branch: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    build_url: Option<String>,
    #[serde(default)]
    contracts: Vec<Contract>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Contract {
    consumer_name: Option<String>,
    provider_name: Option<String>,
    specification: Option<String>,
    content_type: Option<String>,
    content: Option<String>,
    on_conflict: Option<String>,
}

/// A contract checked and decoded.
struct Decoded {
    provider: String,
    content: Value,
    merge: bool,
}

fn decode(index: usize, consumer: &str, contract: Contract) -> Result<Decoded, Invalid> {
    let invalid = |name: &str, message: String| Invalid::new(format!("contracts[{index}].{name}"), message);
    let contract_consumer = contract.consumer_name.unwrap_or_else(|| consumer.to_owned());
    if contract_consumer != consumer {
        return Err(invalid(
            "consumerName",
            format!("must match pacticipantName ('{consumer}')"),
        ));
    }
    let provider = contract
        .provider_name
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| invalid("providerName", "can't be blank".into()))?;
    if contract.specification.as_deref().is_some_and(|s| s != "pact") {
        return Err(invalid("specification", "only 'pact' is supported".into()));
    }
    if contract.content_type.as_deref().is_some_and(|t| !t.contains("json")) {
        return Err(invalid("contentType", "only application/json is supported".into()));
    }
    let encoded = contract
        .content
        .ok_or_else(|| invalid("content", "can't be blank".into()))?;
    let bytes = STANDARD
        .decode(encoded.trim())
        .map_err(|_| invalid("content", "is not valid base64".into()))?;
    let mut content: Value =
        serde_json::from_slice(&bytes).map_err(|e| invalid("content", format!("is not valid JSON: {e}")))?;
    pact::check_names(&mut content, consumer, &provider).map_err(|e| invalid("content", e.to_string()))?;
    Ok(Decoded {
        provider,
        content,
        merge: contract.on_conflict.as_deref() == Some("merge"),
    })
}

fn required(value: Option<&String>, field: &str) -> Result<String, ApiError> {
    value
        .filter(|v| !v.trim().is_empty())
        .cloned()
        .ok_or_else(|| ApiError::invalid(field, "can't be blank"))
}

async fn publish(
    State(state): State<AppState>,
    links: Links,
    Body(request): Body<PublishRequest>,
) -> Result<Hal<PublishResult>, ApiError> {
    let consumer = required(request.pacticipant_name.as_ref(), "pacticipantName")?;
    let version = required(request.pacticipant_version_number.as_ref(), "pacticipantVersionNumber")?;
    if request.contracts.is_empty() {
        return Err(ApiError::invalid("contracts", "at least one contract is required"));
    }
    let decoded = request
        .contracts
        .into_iter()
        .enumerate()
        .map(|(index, contract)| decode(index, &consumer, contract))
        .collect::<Result<Vec<_>, _>>()?;

    // Refuse the whole request before storing anything if a contract would change the content
    // published for this consumer version (the official broker's default).
    let (version_existed, existing) = state.store.published_for(&consumer, &version).await?;
    if !state.allow_dangerous_contract_modification {
        let conflicts: Vec<String> = decoded
            .iter()
            .filter(|d| !d.merge)
            .filter(|d| {
                let (sha, _) = pact::prepare(d.content.clone());
                existing
                    .iter()
                    .any(|(provider, old)| provider == &d.provider && old != &sha)
            })
            .map(|d| pact::modification_refused(&consumer, &version, &d.provider))
            .collect();
        if !conflicts.is_empty() {
            return Err(ApiError::Conflict {
                field: "contracts",
                messages: conflicts,
                notices: true,
            });
        }
    }

    let publication = Publication {
        consumer: &consumer,
        version: &version,
        branch: request.branch.as_deref(),
        tags: &request.tags,
        version_existed,
    };
    let labels = VersionLabels {
        branch: request.branch.clone(),
        tags: request.tags.clone(),
        build_url: request.build_url.clone(),
    };
    let mut notices = vec![version_notice(&publication)];
    let mut providers = Vec::new();
    for d in decoded {
        let on_conflict = if d.merge {
            OnConflict::Merge
        } else if state.allow_dangerous_contract_modification {
            OnConflict::Overwrite
        } else {
            OnConflict::Refuse
        };
        let published = state
            .store
            .publish(NewPact {
                consumer: consumer.clone(),
                provider: d.provider.clone(),
                version: version.clone(),
                labels: labels.clone(),
                content: d.content,
                on_conflict,
                base_url: links.base().to_owned(),
            })
            .await?;
        notices.extend(contract_notices(
            &links,
            &consumer,
            &version,
            &d.provider,
            published.outcome,
        ));
        providers.push(d.provider);
    }
    state.webhooks.wake();
    Ok(Hal::ok(publish_result(&links, &publication, &providers, notices)))
}
