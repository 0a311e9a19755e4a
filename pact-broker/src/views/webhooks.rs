//! Webhooks as the official broker shows them (secrets redacted), their lists, the triggered
//! webhooks with their status, and a test execution's result.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::hal::{Link, Rels};
use super::links::Links;
use crate::model::webhooks::{REDACTED, RenderedRequest, TriggerStatus, TriggeredWebhook, Webhook, redacted_headers};

#[derive(Debug, Serialize)]
pub struct NameRef {
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct EventRef {
    pub name: &'static str,
}

#[derive(Debug, Serialize)]
pub struct RequestView {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookResource {
    pub uuid: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer: Option<NameRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<NameRef>,
    pub enabled: bool,
    pub events: Vec<EventRef>,
    pub request: RequestView,
    pub created_at: String,
    pub updated_at: String,
    #[serde(rename = "_links")]
    pub links: Rels,
}

pub fn webhook(links: &Links, webhook: &Webhook) -> WebhookResource {
    let d = &webhook.definition;
    let mut rels = Rels::new()
        .with("self", Link::titled(links.webhook(&webhook.uuid), d.title()))
        .with(
            "pb:execute",
            Link::titled(
                links.webhook_execute(&webhook.uuid),
                "Test the execution of the webhook with the latest matching pact or verification by sending a POST request to this URL",
            ),
        )
        .with("pb:webhooks", Link::titled(links.webhooks(), "All webhooks"));
    if let Some(consumer) = &d.consumer {
        rels = rels.with("pb:consumer", Link::to_pacticipant(links, consumer, "Consumer"));
    }
    if let Some(provider) = &d.provider {
        rels = rels.with("pb:provider", Link::to_pacticipant(links, provider, "Provider"));
    }
    if let (Some(consumer), Some(provider)) = (&d.consumer, &d.provider) {
        rels = rels.with(
            "pb:pact-webhooks",
            Link::titled(
                links.pair_webhooks(provider, consumer),
                format!("All webhooks for consumer {consumer} and provider {provider}"),
            ),
        );
    }
    WebhookResource {
        uuid: webhook.uuid.clone(),
        description: d.title(),
        consumer: d.consumer.clone().map(|name| NameRef { name }),
        provider: d.provider.clone().map(|name| NameRef { name }),
        enabled: d.enabled,
        events: d.events.iter().map(|e| EventRef { name: e.name() }).collect(),
        request: RequestView {
            method: d.request.method.clone(),
            url: d.request.url.clone(),
            headers: redacted_headers(&d.request.headers),
            body: d.request.body.clone(),
            username: d.request.username.clone(),
            password: d.request.password.as_ref().map(|_| REDACTED),
        },
        created_at: webhook.created_at.clone(),
        updated_at: webhook.updated_at.clone(),
        links: rels,
    }
}

#[derive(Debug, Serialize)]
pub struct WebhookList {
    #[serde(rename = "_embedded")]
    pub embedded: EmbeddedWebhooks,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct EmbeddedWebhooks {
    pub webhooks: Vec<WebhookResource>,
}

/// A list of webhooks at `self_url` (all, or one pacticipant's or pair's).
pub fn webhook_list(links: &Links, self_url: String, webhooks: &[Webhook]) -> WebhookList {
    WebhookList {
        embedded: EmbeddedWebhooks {
            webhooks: webhooks.iter().map(|w| webhook(links, w)).collect(),
        },
        links: Rels::to_self(self_url.clone())
            .with("pb:create", Link::titled(self_url, "POST to create a webhook"))
            .with(
                "pb:webhooks",
                webhooks
                    .iter()
                    .map(|w| Link::named(links.webhook(&w.uuid), &w.uuid, w.definition.title()))
                    .collect::<Vec<_>>(),
            ),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggeredResource {
    pub uuid: String,
    pub webhook_uuid: String,
    pub event_name: &'static str,
    pub trigger_type: &'static str,
    pub status: &'static str,
    pub attempts_made: u32,
    pub attempts_remaining: usize,
    pub consumer_version_number: Option<String>,
    pub provider_version_number: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(rename = "_links")]
    pub links: Rels,
}

pub fn triggered(links: &Links, t: &TriggeredWebhook, retries: usize) -> TriggeredResource {
    let tries = retries + 1;
    let remaining = match t.status {
        TriggerStatus::Success | TriggerStatus::Failure => 0,
        _ => tries.saturating_sub(t.attempts as usize),
    };
    TriggeredResource {
        uuid: t.uuid.clone(),
        webhook_uuid: t.webhook_uuid.clone(),
        event_name: t.event.name(),
        trigger_type: "publication",
        status: t.status.name(),
        attempts_made: t.attempts,
        attempts_remaining: remaining,
        consumer_version_number: t.consumer_version.clone(),
        provider_version_number: t.provider_version.clone(),
        created_at: t.created_at.clone(),
        updated_at: t.updated_at.clone(),
        links: Rels::new()
            .with(
                "pb:logs",
                Link::titled(links.triggered_webhook_logs(&t.uuid), "Webhook execution logs"),
            )
            .with("pb:webhook", Link::new(links.webhook(&t.webhook_uuid))),
    }
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub successful: usize,
    pub failed: usize,
    pub retrying: usize,
    #[serde(rename = "notRun")]
    pub not_run: usize,
}

#[derive(Debug, Serialize)]
pub struct TriggeredList {
    pub summary: Summary,
    #[serde(rename = "_embedded")]
    pub embedded: EmbeddedTriggered,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedTriggered {
    pub triggered_webhooks: Vec<TriggeredResource>,
}

pub fn triggered_list(links: &Links, self_url: String, list: &[TriggeredWebhook], retries: usize) -> TriggeredList {
    let count = |status| list.iter().filter(|t| t.status == status).count();
    TriggeredList {
        summary: Summary {
            successful: count(TriggerStatus::Success),
            failed: count(TriggerStatus::Failure),
            retrying: count(TriggerStatus::Retrying),
            not_run: count(TriggerStatus::NotRun),
        },
        embedded: EmbeddedTriggered {
            triggered_webhooks: list.iter().map(|t| triggered(links, t, retries)).collect(),
        },
        links: Rels::to_self(self_url),
    }
}

#[derive(Debug, Serialize)]
pub struct ResponseView {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

#[derive(Debug, Serialize)]
pub struct ExecutionResource {
    pub success: bool,
    pub request: ExecutedRequest,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorView>,
    pub logs: String,
    #[serde(rename = "_links")]
    pub links: Rels,
}

#[derive(Debug, Serialize)]
pub struct ExecutedRequest {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ErrorView {
    pub message: String,
}

pub fn execution(
    links: &Links,
    uuid: &str,
    success: bool,
    request: RenderedRequest,
    response: Option<ResponseView>,
    error: Option<String>,
    logs: String,
) -> ExecutionResource {
    ExecutionResource {
        success,
        request: ExecutedRequest {
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.body,
        },
        response,
        error: error.map(|message| ErrorView { message }),
        logs,
        links: Rels::new().with("pb:webhook", Link::new(links.webhook(uuid))),
    }
}
