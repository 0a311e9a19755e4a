//! `POST /contracts/publish`: the modern way to publish (pact-broker-cli, pact-js, ...): one
//! consumer version, its branch and tags, and one or more base64-encoded contracts.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};
use service_kit::ApiError;

use super::invalid;
use super::pacts::check_names;
use crate::AppState;
use crate::extract::Body;
use crate::hal::{Base, Hal, named};
use crate::storage::{NewPact, OnConflict};

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

struct Decoded {
    provider: String,
    content: Value,
    merge: bool,
}

fn decode(index: usize, consumer: &str, contract: Contract) -> Result<Decoded, ApiError> {
    let field = |name: &str| format!("contracts[{index}].{name}");
    let contract_consumer = contract
        .consumer_name
        .unwrap_or_else(|| consumer.to_owned());
    if contract_consumer != consumer {
        return Err(invalid(
            &field("consumerName"),
            format!("must match pacticipantName ('{consumer}')"),
        ));
    }
    let provider = contract
        .provider_name
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| invalid(&field("providerName"), "can't be blank"))?;
    if contract
        .specification
        .as_deref()
        .is_some_and(|s| s != "pact")
    {
        return Err(invalid(&field("specification"), "only 'pact' is supported"));
    }
    if contract
        .content_type
        .as_deref()
        .is_some_and(|t| !t.contains("json"))
    {
        return Err(invalid(
            &field("contentType"),
            "only application/json is supported",
        ));
    }
    let encoded = contract
        .content
        .ok_or_else(|| invalid(&field("content"), "can't be blank"))?;
    let bytes = STANDARD
        .decode(encoded.trim())
        .map_err(|_| invalid(&field("content"), "is not valid base64"))?;
    let mut content: Value = serde_json::from_slice(&bytes)
        .map_err(|e| invalid(&field("content"), format!("is not valid JSON: {e}")))?;
    check_names(&mut content, consumer, &provider)
        .map_err(|e| invalid(&field("content"), e.to_string()))?;
    let merge = contract.on_conflict.as_deref() == Some("merge");
    Ok(Decoded {
        provider,
        content,
        merge,
    })
}

async fn publish(
    State(state): State<AppState>,
    base: Base,
    Body(request): Body<PublishRequest>,
) -> Result<Response, ApiError> {
    let consumer = request
        .pacticipant_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid("pacticipantName", "can't be blank"))?;
    let version = request
        .pacticipant_version_number
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid("pacticipantVersionNumber", "can't be blank"))?;
    if request.contracts.is_empty() {
        return Err(invalid("contracts", "at least one contract is required"));
    }
    let mut decoded = Vec::new();
    for (index, contract) in request.contracts.into_iter().enumerate() {
        decoded.push(decode(index, &consumer, contract)?);
    }

    // Refuse the whole request before storing anything if a contract would change the content
    // published for this consumer version (the official broker's default).
    if !state.allow_dangerous_contract_modification {
        let snapshot = state.store.snapshot().await?;
        let mut conflicts = Vec::new();
        if let Some(c) = snapshot.pacticipant_by_name(&consumer)
            && let Some(v) = snapshot.version_by_number(c.id, &version)
        {
            for d in decoded.iter().filter(|d| !d.merge) {
                let (sha, _) = crate::pact::prepare(d.content.clone());
                let existing = snapshot.publications.iter().find(|p| {
                    p.consumer_version_id == v.id
                        && snapshot.name(p.provider_id) == d.provider
                        && p.sha != sha
                });
                if existing.is_some() {
                    conflicts.push(format!(
                        "Cannot change the content of the pact for {consumer} version {version} and provider {}, as race conditions will cause unreliable results for can-i-deploy. Each pact must be published with a unique consumer version number. For more information see https://docs.pact.io/go/versioning",
                        d.provider
                    ));
                }
            }
        }
        if !conflicts.is_empty() {
            let body = json!({
                "error": conflicts.join("\n"),
                "notices": conflicts.iter().map(|t| json!({"type": "error", "text": t})).collect::<Vec<_>>(),
                "errors": { "contracts": conflicts },
            });
            return Ok((StatusCode::CONFLICT, axum::Json(body)).into_response());
        }
    }

    let mut notices = Vec::new();
    let mut contract_links = Vec::new();
    let version_existed = {
        let snapshot = state.store.snapshot().await?;
        snapshot
            .pacticipant_by_name(&consumer)
            .and_then(|c| snapshot.version_by_number(c.id, &version))
            .is_some()
    };
    let mut described = format!("{consumer} version {version}");
    if let Some(branch) = &request.branch {
        described.push_str(&format!(" with branch {branch}"));
    }
    if !request.tags.is_empty() {
        described.push_str(&format!(" and tags {}", request.tags.join(", ")));
    }
    let verb = if version_existed {
        "Updated"
    } else {
        "Created"
    };
    notices.push(json!({ "type": "success", "text": format!("{verb} {described}") }));
    for d in decoded {
        let on_conflict = if d.merge {
            OnConflict::Merge
        } else if state.allow_dangerous_contract_modification {
            OnConflict::Overwrite
        } else {
            OnConflict::Refuse
        };
        let provider = d.provider.clone();
        let published = state
            .store
            .publish(NewPact {
                consumer: consumer.clone(),
                provider: provider.clone(),
                version: version.clone(),
                branch: request.branch.clone(),
                tags: request.tags.clone(),
                build_url: request.build_url.clone(),
                content: d.content,
                on_conflict,
            })
            .await?;
        let url = base.pact(&provider, &consumer, &version);
        let text = match published.outcome {
            "created" => {
                format!("Pact published for {consumer} version {version} and provider {provider}.")
            }
            "unchanged" => format!(
                "Pact for {consumer} version {version} and provider {provider} was already published with the same content."
            ),
            other => {
                format!("Pact {other} for {consumer} version {version} and provider {provider}.")
            }
        };
        notices.push(json!({ "type": "success", "text": text }));
        notices
            .push(json!({ "type": "info", "text": format!("View the published pact at {url}") }));
        contract_links.push(named(
            url,
            format!("Pact between {consumer} ({version}) and {provider}"),
            "Pact",
        ));
    }
    let version_url = base.version(&consumer, &version);
    let tag_links: Vec<Value> = request
        .tags
        .iter()
        .map(|t| named(base.tag(&consumer, &version, t), t, "Tag"))
        .collect();
    let logs: Vec<Value> = notices
        .iter()
        .map(|n| json!({ "level": "info", "message": n["text"], "deprecationWarning": "Replaced by notices" }))
        .collect();
    Ok(Hal::ok(json!({
        "notices": notices,
        "logs": logs,
        "_embedded": {
            "pacticipant": { "name": consumer, "_links": { "self": { "href": base.pacticipant(&consumer) } } },
            "version": {
                "number": version,
                "_links": { "self": { "href": version_url, "name": version, "title": "Version" } }
            }
        },
        "_links": {
            "pb:pacticipant": named(base.pacticipant(&consumer), &consumer, "Pacticipant"),
            "pb:pacticipant-version": named(&version_url, &version, "Pacticipant version"),
            "pb:pacticipant-version-tags": tag_links,
            "pb:contracts": contract_links,
        }
    }))
    .into_response())
}
