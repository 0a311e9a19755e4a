//! `GET/POST /pacts/provider/{provider}/for-verification`. The Rust verifier GETs it first and
//! POSTs its selectors to the `self` link it finds there.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::{Value, json};
use service_kit::ApiError;
use service_kit::extract::Path;

use super::not_found;
use crate::AppState;
use crate::extract::{Body, Query};
use crate::hal::{Base, Hal, seg};
use crate::selectors::{Selected, Selector, VerificationRequest, pacts_for_verification};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/pacts/provider/{p}/for-verification",
        get(query).post(request),
    )
}

/// The GET form takes the same parameters in the query string (Rack style).
fn request_from_query(query: &Query) -> VerificationRequest {
    let selectors = query
        .groups("consumer_version_selectors")
        .into_iter()
        .chain(query.groups("consumerVersionSelectors"))
        .map(|group| {
            let mut object = serde_json::Map::new();
            for (field, value) in group {
                let value = match value.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::String(value),
                };
                object.insert(field, value);
            }
            serde_json::from_value::<Selector>(Value::Object(object)).unwrap_or_default()
        })
        .collect();
    VerificationRequest {
        provider_version_tags: query
            .all("provider_version_tags[]")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        provider_version_branch: query.get("provider_version_branch").map(str::to_owned),
        consumer_version_selectors: selectors,
        include_pending_status: query.flag("include_pending_status"),
        include_wip_pacts_since: query.get("include_wip_pacts_since").map(str::to_owned),
    }
}

async fn query(
    State(state): State<AppState>,
    base: Base,
    Path(p): Path<String>,
    query: Query,
) -> Result<Hal, ApiError> {
    answer(&state, &base, &p, &request_from_query(&query)).await
}

async fn request(
    State(state): State<AppState>,
    base: Base,
    Path(p): Path<String>,
    Body(request): Body<VerificationRequest>,
) -> Result<Hal, ApiError> {
    answer(&state, &base, &p, &request).await
}

async fn answer(
    state: &AppState,
    base: &Base,
    provider: &str,
    request: &VerificationRequest,
) -> Result<Hal, ApiError> {
    let snapshot = state.store.snapshot().await?;
    let selected = pacts_for_verification(&snapshot, provider, request)?
        .ok_or_else(|| not_found(format!("provider '{provider}' not found")))?;
    let pacts: Vec<Value> = selected
        .iter()
        .map(|s| entry(base, provider, request, s))
        .collect();
    Ok(Hal::ok(json!({
        "_embedded": { "pacts": pacts },
        "_links": {
            "self": {
                "href": base.url(&format!("/pacts/provider/{}/for-verification", seg(provider))),
                "title": "Pacts to be verified"
            }
        }
    })))
}

fn entry(base: &Base, provider: &str, request: &VerificationRequest, s: &Selected) -> Value {
    let sha = &s.publication.sha;
    let url = base.pact_version_with_metadata(provider, &s.consumer, sha, &metadata(s));
    let mut notices = Vec::new();
    if s.wip {
        notices.push(json!({
            "when": "before_verification",
            "text": format!(
                "The pact at {url} is being verified because it is a 'work in progress' pact (ie. it is the pact for the {} and is still in pending state). Read more at https://docs.pact.io/go/wip",
                s.descriptions.join(", ")
            )
        }));
    } else {
        let noun = if s.descriptions.len() == 1 {
            "criterion"
        } else {
            "criteria"
        };
        notices.push(json!({
            "when": "before_verification",
            "text": format!(
                "The pact at {url} is being verified because the pact content belongs to the consumer version matching the following {noun}:\n    * {}",
                s.descriptions.join("\n    * ")
            )
        }));
    }
    let with = match (
        &request.provider_version_branch,
        request.provider_version_tags.is_empty(),
    ) {
        (Some(branch), _) => format!("a version of {provider} from branch '{branch}'"),
        (None, false) => format!(
            "a version of {provider} with tag(s) {}",
            request.provider_version_tags.join(", ")
        ),
        (None, true) => format!("any version of {provider}"),
    };
    match s.pending {
        Some(true) => {
            notices.push(json!({
                "when": "before_verification",
                "text": format!("This pact is in pending state for this version of {provider} because a successful verification result for {with} has not yet been published. If this verification fails, it will not cause the overall build to fail. Read more at https://docs.pact.io/go/pending")
            }));
            notices.push(json!({
                "when": "after_verification:success_true_published_false",
                "text": format!("This pact is still in pending state for {with} as the successful verification results have not yet been published.")
            }));
            notices.push(json!({
                "when": "after_verification:success_true_published_true",
                "text": format!("This pact is no longer in pending state for {with}, as a successful verification result has been published. If a verification for a version with fails in the future, it will fail the build. Read more at https://docs.pact.io/go/pending")
            }));
            notices.push(json!({
                "when": "after_verification:success_false_published_false",
                "text": format!("This pact is still in pending state for {with} as a successful verification result has not yet been published")
            }));
        }
        Some(false) => {
            notices.push(json!({
                "when": "before_verification",
                "text": format!("This pact has previously been successfully verified by {with}. If this verification fails, it will fail the build. Read more at https://docs.pact.io/go/pending")
            }));
        }
        None => {}
    }
    // `pending` is always present (false unless includePendingStatus made it true): the Rust
    // verifier reads it from every entry.
    let mut properties = json!({ "notices": notices, "pending": s.pending.unwrap_or(false) });
    if s.wip {
        properties["wip"] = json!(true);
    }
    json!({
        "shortDescription": short_description(s),
        "verificationProperties": properties,
        "_links": {
            "self": {
                "href": url,
                "name": format!("Pact between {} ({}) and {provider}", s.consumer, s.consumer_version)
            }
        }
    })
}

fn short_description(s: &Selected) -> String {
    if s.wip {
        return "WIP".to_owned();
    }
    s.descriptions
        .iter()
        .map(|d| {
            d.split(" (")
                .next()
                .unwrap_or(d)
                .replace(&format!(" of {}", s.consumer), "")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The official broker encodes the selection in the pact URL's metadata; here it is the consumer
/// version and whether it is WIP/pending, URL-safe base64 of a small JSON.
fn metadata(s: &Selected) -> String {
    use base64::Engine;
    let json = json!({ "s": s.consumer_version, "w": s.wip });
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
}
