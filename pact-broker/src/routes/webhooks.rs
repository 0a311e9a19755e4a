//! Webhooks, on the official broker's paths: `GET/POST /webhooks`, `GET/PUT/DELETE
//! /webhooks/{uuid}`, `POST /webhooks/{uuid}/execute`, the per-pacticipant lists
//! (`/webhooks/provider/{p}[/consumer/{c}]`, `/webhooks/consumer/{c}`,
//! `/pacts/provider/{p}/consumer/{c}/webhooks`), the triggered webhooks of a pact
//! (`.../webhooks/status`, `.../version/{v}/triggered-webhooks`) and their logs.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use service_kit::extract::Path;

use super::ApiError;
use super::extract::Body;
use super::hal::{Hal, wants_html};
use crate::AppState;
use crate::dispatch;
use crate::model::webhooks::{Event, TriggerStatus, TriggeredWebhook, WebhookDefinition, WebhookRequest};
use crate::model::{Invalid, Snapshot};
use crate::storage::TriggeredFilter;
use crate::views::webhooks::{
    self as view, ExecutionResource, ResponseView, TriggeredList, WebhookList, WebhookResource,
};
use crate::views::{Links, pages};

/// Triggered webhooks a list shows at most.
const TRIGGERED_LIST_LIMIT: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(all).post(create))
        .route("/webhooks/{uuid}", get(show).put(put).delete(delete))
        .route("/webhooks/{uuid}/execute", post(execute))
        .route(
            "/webhooks/provider/{provider}/consumer/{consumer}",
            get(pair_list).post(pair_create),
        )
        .route(
            "/webhooks/provider/{provider}",
            get(provider_list).post(provider_create),
        )
        .route(
            "/webhooks/consumer/{consumer}",
            get(consumer_list).post(consumer_create),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/webhooks",
            get(pact_webhooks),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/webhooks/status",
            get(pact_webhooks_status),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/version/{version}/triggered-webhooks",
            get(version_triggered),
        )
        .route("/triggered-webhooks/{uuid}/logs", get(logs))
        .route("/webhooks/{uuid}/trigger/{trigger}/logs", get(logs_by_webhook))
}

fn name_in(value: &Value, key: &str) -> Result<Option<String>, Invalid> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(object) => match object.get("name").and_then(Value::as_str) {
            Some(name) if !name.trim().is_empty() => Ok(Some(name.to_owned())),
            _ => Err(Invalid::new(format!("{key}.name"), "can't be blank")),
        },
    }
}

fn string_in(value: &Value, key: &str, field: &str) -> Result<Option<String>, Invalid> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(Invalid::new(field, "must be a string")),
    }
}

/// Reads the official webhook JSON; `consumer`/`provider` from the URL win over the body's.
fn definition_from(body: &Value, consumer: Option<&str>, provider: Option<&str>) -> Result<WebhookDefinition, Invalid> {
    if !body.is_object() {
        return Err(Invalid::new("webhook", "must be a JSON object"));
    }
    let events = match body.get("events") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(events)) => events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let name = e.get("name").and_then(Value::as_str).unwrap_or_default();
                Event::parse(name).ok_or_else(|| {
                    let names: Vec<&str> = Event::ALL.iter().map(|e| e.name()).collect();
                    Invalid::new(
                        format!("events[{i}].name"),
                        format!("must be one of {}", names.join(", ")),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(Invalid::new("events", "must be an array")),
    };
    let request = body
        .get("request")
        .filter(|r| r.is_object())
        .ok_or_else(|| Invalid::new("request", "is missing"))?;
    let method = string_in(request, "method", "request.method")?
        .or(string_in(request, "http_method", "request.method")?)
        .filter(|m| !m.trim().is_empty())
        .ok_or_else(|| Invalid::new("request.method", "is missing"))?;
    let url = string_in(request, "url", "request.url")?
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| Invalid::new("request.url", "is missing"))?;
    let headers = match request.get("headers") {
        None | Some(Value::Null) => Default::default(),
        Some(Value::Object(headers)) => headers
            .iter()
            .map(|(name, value)| match value {
                Value::String(text) => Ok((name.clone(), text.clone())),
                other => Ok((name.clone(), other.to_string())),
            })
            .collect::<Result<_, Invalid>>()?,
        Some(_) => return Err(Invalid::new("request.headers", "must be an object")),
    };
    let enabled = match body.get("enabled") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(enabled)) => *enabled,
        Some(_) => return Err(Invalid::new("enabled", "must be true or false")),
    };
    Ok(WebhookDefinition {
        description: string_in(body, "description", "description")?,
        consumer: consumer.map(String::from).or(name_in(body, "consumer")?),
        provider: provider.map(String::from).or(name_in(body, "provider")?),
        events,
        request: WebhookRequest {
            method,
            url,
            headers,
            body: request.get("body").filter(|b| !b.is_null()).cloned(),
            username: string_in(request, "username", "request.username")?,
            password: string_in(request, "password", "request.password")?,
        },
        enabled,
    })
}

/// Parses and checks a definition: the whitelists, and that the pacticipants it names exist.
async fn checked(
    state: &AppState,
    body: &Value,
    consumer: Option<&str>,
    provider: Option<&str>,
) -> Result<WebhookDefinition, ApiError> {
    let definition = definition_from(body, consumer, provider)?;
    state.webhooks.policy().validate(&definition)?;
    let snapshot = state.store.snapshot().await?;
    for (role, name) in [("consumer", &definition.consumer), ("provider", &definition.provider)] {
        if let Some(name) = name
            && snapshot.pacticipant_by_name(name).is_none()
        {
            return Err(ApiError::invalid(
                format!("{role}.name"),
                format!("No pacticipant with name '{name}' found"),
            ));
        }
    }
    Ok(definition)
}

fn created_at(links: &Links, resource: WebhookResource, created: bool) -> Response {
    let location = links.webhook(&resource.uuid);
    Hal::saved(created, resource).at(&location)
}

async fn create_with(
    state: AppState,
    links: Links,
    body: Value,
    consumer: Option<&str>,
    provider: Option<&str>,
) -> Result<Response, ApiError> {
    let definition = checked(&state, &body, consumer, provider).await?;
    let uuid = uuid::Uuid::new_v4().to_string();
    let (webhook, _) = state.store.save_webhook(&uuid, definition).await?;
    Ok(created_at(&links, view::webhook(&links, &webhook), true))
}

async fn create(State(state): State<AppState>, links: Links, Body(body): Body<Value>) -> Result<Response, ApiError> {
    create_with(state, links, body, None, None).await
}

async fn pair_create(
    State(state): State<AppState>,
    links: Links,
    Path((provider, consumer)): Path<(String, String)>,
    Body(body): Body<Value>,
) -> Result<Response, ApiError> {
    create_with(state, links, body, Some(&consumer), Some(&provider)).await
}

async fn provider_create(
    State(state): State<AppState>,
    links: Links,
    Path(provider): Path<String>,
    Body(body): Body<Value>,
) -> Result<Response, ApiError> {
    create_with(state, links, body, None, Some(&provider)).await
}

async fn consumer_create(
    State(state): State<AppState>,
    links: Links,
    Path(consumer): Path<String>,
    Body(body): Body<Value>,
) -> Result<Response, ApiError> {
    create_with(state, links, body, Some(&consumer), None).await
}

/// `PUT /webhooks/{uuid}`: creates (201) or replaces (200) the webhook with a client-chosen uuid.
async fn put(
    State(state): State<AppState>,
    links: Links,
    Path(uuid): Path<String>,
    Body(body): Body<Value>,
) -> Result<Response, ApiError> {
    if uuid.len() < 16 || !uuid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ApiError::invalid(
            "uuid",
            "must be at least 16 characters: letters, digits, - and _",
        ));
    }
    let definition = checked(&state, &body, None, None).await?;
    let (webhook, created) = state.store.save_webhook(&uuid, definition).await?;
    Ok(created_at(&links, view::webhook(&links, &webhook), created))
}

async fn show(
    State(state): State<AppState>,
    links: Links,
    Path(uuid): Path<String>,
) -> Result<Hal<WebhookResource>, ApiError> {
    let webhook = state
        .store
        .webhook(&uuid)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no webhook {uuid}")))?;
    Ok(Hal::ok(view::webhook(&links, &webhook)))
}

async fn delete(State(state): State<AppState>, Path(uuid): Path<String>) -> Result<StatusCode, ApiError> {
    match state.store.delete_webhook(&uuid).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::not_found(format!("no webhook {uuid}"))),
    }
}

/// `GET /webhooks`: the list, or for a browser the webhooks page with recent executions.
async fn all(State(state): State<AppState>, links: Links, headers: HeaderMap) -> Result<Response, ApiError> {
    let webhooks = state.store.webhooks(None, None).await?;
    if wants_html(&headers) {
        let triggered = state
            .store
            .triggered_webhooks(TriggeredFilter::All, TRIGGERED_LIST_LIMIT)
            .await?;
        return Ok(Html(pages::webhooks_page(&links, &webhooks, &triggered)).into_response());
    }
    Ok(Hal::ok(view::webhook_list(&links, links.webhooks(), &webhooks)).into_response())
}

async fn pair_list(
    State(state): State<AppState>,
    links: Links,
    Path((provider, consumer)): Path<(String, String)>,
) -> Result<Hal<WebhookList>, ApiError> {
    let webhooks = state.store.webhooks(Some(&consumer), Some(&provider)).await?;
    Ok(Hal::ok(view::webhook_list(
        &links,
        links.pair_webhooks(&provider, &consumer),
        &webhooks,
    )))
}

async fn provider_list(
    State(state): State<AppState>,
    links: Links,
    Path(provider): Path<String>,
) -> Result<Hal<WebhookList>, ApiError> {
    let webhooks = state.store.webhooks(None, Some(&provider)).await?;
    Ok(Hal::ok(view::webhook_list(
        &links,
        links.provider_webhooks(&provider),
        &webhooks,
    )))
}

async fn consumer_list(
    State(state): State<AppState>,
    links: Links,
    Path(consumer): Path<String>,
) -> Result<Hal<WebhookList>, ApiError> {
    let webhooks = state.store.webhooks(Some(&consumer), None).await?;
    Ok(Hal::ok(view::webhook_list(
        &links,
        links.consumer_webhooks(&consumer),
        &webhooks,
    )))
}

/// Every webhook that applies to the pair's pacts: pair filters, one-sided and global ones.
async fn pact_webhooks(
    State(state): State<AppState>,
    links: Links,
    Path((provider, consumer)): Path<(String, String)>,
) -> Result<Hal<WebhookList>, ApiError> {
    let webhooks: Vec<_> = state
        .store
        .webhooks(None, None)
        .await?
        .into_iter()
        .filter(|w| {
            let d = &w.definition;
            d.consumer.as_deref().is_none_or(|c| c == consumer) && d.provider.as_deref().is_none_or(|p| p == provider)
        })
        .collect();
    Ok(Hal::ok(view::webhook_list(
        &links,
        links.pact_webhooks(&provider, &consumer),
        &webhooks,
    )))
}

async fn pact_webhooks_status(
    State(state): State<AppState>,
    links: Links,
    Path((provider, consumer)): Path<(String, String)>,
) -> Result<Hal<TriggeredList>, ApiError> {
    let filter = TriggeredFilter::Pair {
        provider: provider.clone(),
        consumer: consumer.clone(),
    };
    let triggered = state.store.triggered_webhooks(filter, TRIGGERED_LIST_LIMIT).await?;
    let retries = state.webhooks.policy().retry_schedule.len();
    Ok(Hal::ok(view::triggered_list(
        &links,
        links.pact_webhooks_status(&provider, &consumer),
        &triggered,
        retries,
    )))
}

async fn version_triggered(
    State(state): State<AppState>,
    links: Links,
    Path((provider, consumer, version)): Path<(String, String, String)>,
) -> Result<Hal<TriggeredList>, ApiError> {
    let filter = TriggeredFilter::ConsumerVersion {
        provider: provider.clone(),
        consumer: consumer.clone(),
        version: version.clone(),
    };
    let triggered = state.store.triggered_webhooks(filter, TRIGGERED_LIST_LIMIT).await?;
    let retries = state.webhooks.policy().retry_schedule.len();
    Ok(Hal::ok(view::triggered_list(
        &links,
        links.pact_triggered_webhooks(&provider, &consumer, &version),
        &triggered,
        retries,
    )))
}

/// The logs of a triggered webhook's attempts, as text (secrets were redacted when written).
async fn logs(State(state): State<AppState>, Path(uuid): Path<String>) -> Result<Response, ApiError> {
    let (triggered, logs) = state
        .store
        .triggered_webhook_logs(&uuid)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no triggered webhook {uuid}")))?;
    let mut text = format!(
        "Webhook {} triggered by {} for {} / {}: {}\n\n",
        triggered.webhook_uuid,
        triggered.event.name(),
        triggered.consumer,
        triggered.provider,
        triggered.status.name()
    );
    if logs.is_empty() {
        text.push_str("(not executed yet)\n");
    }
    for (attempt, log) in logs.iter().enumerate() {
        text.push_str(&format!("--- attempt {}\n{log}\n", attempt + 1));
    }
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    Ok(response)
}

async fn logs_by_webhook(
    state: State<AppState>,
    Path((_webhook, trigger)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    logs(state, Path(trigger)).await
}

/// A stand-in trigger for a test execution: the latest pact the webhook applies to (and its
/// latest verification), or none.
fn latest_matching(snapshot: &Snapshot, links: &Links, definition: &WebhookDefinition) -> Option<TriggeredWebhook> {
    let publication = snapshot
        .publications
        .iter()
        .filter(|p| {
            definition
                .consumer
                .as_deref()
                .is_none_or(|c| c == snapshot.name(p.consumer_id))
                && definition
                    .provider
                    .as_deref()
                    .is_none_or(|p2| p2 == snapshot.name(p.provider_id))
        })
        .max_by_key(|p| p.id)?;
    Some(TriggeredWebhook {
        id: 0,
        uuid: String::new(),
        webhook_uuid: String::new(),
        event: definition.events.first().copied().unwrap_or(Event::ContractPublished),
        consumer: snapshot.name(publication.consumer_id).to_owned(),
        provider: snapshot.name(publication.provider_id).to_owned(),
        consumer_version: Some(snapshot.version(publication.consumer_version_id).number.clone()),
        sha: Some(publication.sha.clone()),
        verification_id: None,
        provider_version: None,
        provider_branch: None,
        base_url: links.base().to_owned(),
        status: TriggerStatus::NotRun,
        attempts: 0,
        next_attempt_at: String::new(),
        created_at: String::new(),
        updated_at: String::new(),
    })
}

/// `POST /webhooks/{uuid}/execute` (pact-broker-cli test-webhook): runs the request now with
/// the latest matching pact, and answers what was sent and received (200 either way, like the
/// official broker; `success` says how it went).
async fn execute(
    State(state): State<AppState>,
    links: Links,
    Path(uuid): Path<String>,
) -> Result<Hal<ExecutionResource>, ApiError> {
    let webhook = state
        .store
        .webhook(&uuid)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no webhook {uuid}")))?;
    let snapshot = state.store.snapshot().await?;
    let parameters = match latest_matching(&snapshot, &links, &webhook.definition) {
        Some(trigger) => dispatch::parameters(&state.store.event_facts(trigger.clone()).await?, &trigger),
        None => dispatch::placeholder_parameters(&webhook.definition),
    };
    let execution = state.webhooks.execute(&webhook.definition, &parameters).await;
    let response = execution.response.map(|r| ResponseView {
        status: r.status,
        headers: r.headers,
        body: r.body,
    });
    Ok(Hal::ok(view::execution(
        &links,
        &uuid,
        execution.success,
        execution.request,
        response,
        execution.error,
        execution.logs,
    )))
}
