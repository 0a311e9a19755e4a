//! Webhooks, the official resource model: a definition (events, consumer/provider filters, the
//! request to make), its validation against the whitelists, template parameters, header
//! redaction and the retry schedule. Pure: the runner (`dispatch`) does the I/O.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Invalid;

/// The events a webhook can subscribe to, by their official names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    ContractPublished,
    ContractContentChanged,
    ContractRequiringVerificationPublished,
    ProviderVerificationPublished,
    ProviderVerificationSucceeded,
    ProviderVerificationFailed,
}

impl Event {
    pub const ALL: [Event; 6] = [
        Event::ContractPublished,
        Event::ContractContentChanged,
        Event::ContractRequiringVerificationPublished,
        Event::ProviderVerificationPublished,
        Event::ProviderVerificationSucceeded,
        Event::ProviderVerificationFailed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Event::ContractPublished => "contract_published",
            Event::ContractContentChanged => "contract_content_changed",
            Event::ContractRequiringVerificationPublished => "contract_requiring_verification_published",
            Event::ProviderVerificationPublished => "provider_verification_published",
            Event::ProviderVerificationSucceeded => "provider_verification_succeeded",
            Event::ProviderVerificationFailed => "provider_verification_failed",
        }
    }

    pub fn parse(name: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The events a verification result triggers.
    pub fn for_verification(success: bool) -> [Event; 2] {
        let outcome = if success {
            Event::ProviderVerificationSucceeded
        } else {
            Event::ProviderVerificationFailed
        };
        [Event::ProviderVerificationPublished, outcome]
    }
}

/// The HTTP request a webhook makes (templates not yet rendered).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookRequest {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// What a client defines; stored as it is (JSON) under the webhook's uuid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDefinition {
    pub description: Option<String>,
    /// Only this consumer's pacts (any consumer when `None`).
    pub consumer: Option<String>,
    /// Only this provider's pacts (any provider when `None`).
    pub provider: Option<String>,
    pub events: Vec<Event>,
    pub request: WebhookRequest,
    pub enabled: bool,
}

impl WebhookDefinition {
    pub fn matches(&self, event: Event, consumer: &str, provider: &str) -> bool {
        self.enabled
            && self.events.contains(&event)
            && self.consumer.as_deref().is_none_or(|c| c == consumer)
            && self.provider.as_deref().is_none_or(|p| p == provider)
    }

    /// The title the official broker gives a webhook without a description.
    pub fn title(&self) -> String {
        if let Some(description) = self.description.as_deref().filter(|d| !d.is_empty()) {
            return description.to_owned();
        }
        let who = match (&self.consumer, &self.provider) {
            (Some(c), Some(p)) => format!("{c} and {p}"),
            (Some(c), None) => c.clone(),
            (None, Some(p)) => p.clone(),
            (None, None) => "any pacticipant".to_owned(),
        };
        format!("A webhook for {who}")
    }
}

/// A stored webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub uuid: String,
    pub definition: WebhookDefinition,
    pub created_at: String,
    pub updated_at: String,
}

/// Where a triggered webhook stands (the official status names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerStatus {
    NotRun,
    Retrying,
    Success,
    Failure,
}

impl TriggerStatus {
    pub fn name(self) -> &'static str {
        match self {
            TriggerStatus::NotRun => "not_run",
            TriggerStatus::Retrying => "retrying",
            TriggerStatus::Success => "success",
            TriggerStatus::Failure => "failure",
        }
    }

    pub fn parse(name: &str) -> TriggerStatus {
        match name {
            "retrying" => TriggerStatus::Retrying,
            "success" => TriggerStatus::Success,
            "failure" => TriggerStatus::Failure,
            _ => TriggerStatus::NotRun,
        }
    }
}

/// A webhook triggered by an event: what it is about, and how its attempts went.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggeredWebhook {
    pub id: i64,
    pub uuid: String,
    pub webhook_uuid: String,
    pub event: Event,
    pub consumer: String,
    pub provider: String,
    pub consumer_version: Option<String>,
    pub sha: Option<String>,
    pub verification_id: Option<i64>,
    /// For `contract_requiring_verification_published`: the provider version to verify with.
    pub provider_version: Option<String>,
    pub provider_branch: Option<String>,
    pub base_url: String,
    pub status: TriggerStatus,
    pub attempts: u32,
    pub next_attempt_at: String,
    pub created_at: String,
    pub updated_at: String,
}

/// What a triggered webhook's template parameters are made of, read from the database when it
/// runs: a few indexed rows per trigger, so a burst of deliveries never loads the whole broker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFacts {
    /// The consumer version the event is about, when it still exists.
    pub consumer_version: Option<VersionFacts>,
    /// The triggering verification, else the latest of this content by this provider.
    pub verification: Option<VerificationFacts>,
    pub provider_main_branch: Option<String>,
    /// The pacticipants' labels, by name.
    pub consumer_labels: Vec<String>,
    pub provider_labels: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct VersionFacts {
    pub number: String,
    /// In the order they were added, as the API lists them.
    pub tags: Vec<String>,
    pub branches: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VerificationFacts {
    pub id: i64,
    pub sha: String,
    pub success: bool,
    pub provider_version: VersionFacts,
}

/// A trigger due for delivery, with the facts its parameters are made of. (Its webhook is read
/// when the attempt starts, so an edit or a delete made while it waited its turn counts.)
#[derive(Debug, Clone)]
pub struct DueWebhook {
    pub triggered: TriggeredWebhook,
    pub facts: EventFacts,
}

/// One delivery attempt's outcome, to be recorded: `next_attempt_at` is when to retry (`None`:
/// done, a success, or a failure with no retries left).
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    pub triggered_id: i64,
    pub success: bool,
    pub logs: String,
    pub next_attempt_at: Option<String>,
}

/// The official placeholder for hidden values.
pub const REDACTED: &str = "**********";

/// Headers as shown in GETs and logs: the values of any whose name mentions authorization or a
/// token are hidden (the official rule).
pub fn redacted_headers(headers: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    headers
        .iter()
        .map(|(name, value)| {
            let lower = name.to_ascii_lowercase();
            let secret = lower.contains("authorization") || lower.contains("token");
            (name.clone(), if secret { REDACTED.to_owned() } else { value.clone() })
        })
        .collect()
}

/// A host whitelist entry, in the official forms: a host name, `*.domain`, an IP, a network
/// (`10.0.0.0/8`) or a `/regular expression/`.
#[derive(Debug, Clone)]
pub enum HostRule {
    Name(String),
    Wildcard(String),
    Network(IpAddr, u8),
    Pattern(regex::Regex),
}

impl HostRule {
    pub fn parse(entry: &str) -> Result<HostRule, String> {
        if let Some(pattern) = entry.strip_prefix('/').and_then(|e| e.strip_suffix('/')) {
            return regex::Regex::new(pattern)
                .map(HostRule::Pattern)
                .map_err(|e| format!("host whitelist entry {entry}: {e}"));
        }
        if let Some((ip, bits)) = entry.split_once('/') {
            let ip: IpAddr = ip
                .parse()
                .map_err(|_| format!("host whitelist entry {entry}: not an IP network"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = bits
                .parse::<u8>()
                .ok()
                .filter(|b| *b <= max)
                .ok_or_else(|| format!("host whitelist entry {entry}: bad prefix length"))?;
            return Ok(HostRule::Network(ip, bits));
        }
        if let Some(domain) = entry.strip_prefix("*.") {
            return Ok(HostRule::Wildcard(domain.to_ascii_lowercase()));
        }
        Ok(HostRule::Name(entry.to_ascii_lowercase()))
    }

    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        match self {
            HostRule::Name(name) => *name == host,
            // Like certificate names: `*.foo.com` matches `a.foo.com`, not `a.b.foo.com`.
            HostRule::Wildcard(domain) => host
                .strip_suffix(domain.as_str())
                .and_then(|label| label.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty() && !label.contains('.')),
            HostRule::Network(network, bits) => host.parse::<IpAddr>().is_ok_and(|ip| in_network(ip, *network, *bits)),
            HostRule::Pattern(pattern) => pattern.is_match(&host),
        }
    }
}

fn in_network(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    let (ip, network, width) = match (ip, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (u32::from(a) as u128, u32::from(n) as u128, 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        _ => return false,
    };
    let shift = width - u32::from(bits);
    shift >= width || (ip >> shift) == (network >> shift)
}

/// The settings webhooks run under (official names and defaults in `Config`).
#[derive(Debug, Clone)]
pub struct WebhookPolicy {
    pub schemes: Vec<String>,
    pub methods: Vec<String>,
    pub hosts: Vec<HostRule>,
    /// Entries as configured, for the error message.
    pub host_entries: Vec<String>,
    pub success_codes: Vec<u16>,
    /// Delays before each retry; a webhook is tried once and then once per entry.
    pub retry_schedule: Vec<Duration>,
    pub timeout: Duration,
}

impl Default for WebhookPolicy {
    /// The official defaults: https and POST only, any host, 200-206, retries after
    /// 10 s, 1, 2, 5, 10 and 20 minutes.
    fn default() -> Self {
        Self {
            schemes: vec!["https".into()],
            methods: vec!["POST".into()],
            hosts: Vec::new(),
            host_entries: Vec::new(),
            success_codes: (200..=206).collect(),
            retry_schedule: [10, 60, 120, 300, 600, 1200].map(Duration::from_secs).to_vec(),
            timeout: Duration::from_secs(10),
        }
    }
}

const HTTP_METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

impl WebhookPolicy {
    /// Checks a definition as the official broker does; the first problem, by field.
    pub fn validate(&self, definition: &WebhookDefinition) -> Result<(), Invalid> {
        if definition.events.is_empty() {
            return Err(Invalid::new("events", "size cannot be less than 1"));
        }
        let request = &definition.request;
        let method = request.method.to_ascii_uppercase();
        if !HTTP_METHODS.contains(&method.as_str()) {
            return Err(Invalid::new("request.method", "is not a recognised HTTP method"));
        }
        if !self.methods.iter().any(|m| m.eq_ignore_ascii_case(&method)) {
            let message = match self.methods.as_slice() {
                [only] => format!("must be {only}. See /doc/webhooks#whitelist for more information."),
                many => format!(
                    "must be one of {}. See /doc/webhooks#whitelist for more information.",
                    many.join(", ")
                ),
            };
            return Err(Invalid::new("request.method", message));
        }
        let url_error = |message: String| Err(Invalid::new("request.url", message));
        let (Some(url), Some(other)) = (
            parse_with_placeholder(&request.url, "placeholder"),
            parse_with_placeholder(&request.url, "differentplaceholder"),
        ) else {
            return url_error("is not a valid URL eg. http://example.org".into());
        };
        if url.host_str() != other.host_str() {
            return url_error("cannot have a template parameter in the host".into());
        }
        if !self.schemes.iter().any(|s| s.eq_ignore_ascii_case(url.scheme())) {
            return url_error(format!(
                "scheme must be {}. See /doc/webhooks#whitelist for more information.",
                self.schemes.join(", ")
            ));
        }
        let host = url.host_str().unwrap_or_default();
        if !self.hosts.is_empty() && !self.hosts.iter().any(|rule| rule.allows(host)) {
            return url_error(format!(
                "host must be in the whitelist {}. See /doc/webhooks#whitelist for more information.",
                self.host_entries.join(", ")
            ));
        }
        Ok(())
    }

    /// The delay before the next attempt after `attempts` failed ones, or `None` when the
    /// schedule is used up.
    pub fn next_retry(&self, attempts: u32) -> Option<Duration> {
        let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
        self.retry_schedule.get(index).copied()
    }

    pub fn is_success(&self, status: u16) -> bool {
        self.success_codes.contains(&status)
    }

    /// Whether responses may be shown in logs: the official broker shows them only when a
    /// host whitelist restricts where webhooks go.
    pub fn shows_responses(&self) -> bool {
        !self.hosts.is_empty()
    }
}

fn parse_with_placeholder(url: &str, placeholder: &str) -> Option<url::Url> {
    let rendered = render(url, &|_| Some(placeholder.to_owned()));
    url::Url::parse(&rendered).ok().filter(|u| u.host_str().is_some())
}

/// Replaces each `${pactbroker.NAME}` with `value(NAME)`; unknown names are left as written.
pub fn render(template: &str, value: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${pactbroker.") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "${pactbroker.".len()..];
        match after.find('}').and_then(|end| value(&after[..end]).map(|v| (end, v))) {
            Some((end, v)) => {
                out.push_str(&v);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str("${pactbroker.");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The template parameters, by their official names (without the `pactbroker.` prefix).
pub type Parameters = BTreeMap<&'static str, String>;

/// The official parameter names, every one present (empty when it does not apply).
pub const PARAMETER_NAMES: [&str; 18] = [
    "pactUrl",
    "verificationResultUrl",
    "consumerName",
    "providerName",
    "consumerVersionNumber",
    "providerVersionNumber",
    "consumerVersionTags",
    "providerVersionTags",
    "consumerVersionBranch",
    "providerVersionBranch",
    "consumerLabels",
    "providerLabels",
    "githubVerificationStatus",
    "bitbucketVerificationStatus",
    "eventName",
    "currentlyDeployedProviderVersionNumber",
    "providerMainBranchGithubVerificationStatus",
    "providerVersionDescriptions",
];

/// The status keywords for a verification outcome (`None`: not verified yet), as GitHub's and
/// Bitbucket's commit status APIs name them.
pub fn verification_statuses(success: Option<bool>) -> (&'static str, &'static str) {
    match success {
        Some(true) => ("success", "SUCCESSFUL"),
        Some(false) => ("failure", "FAILED"),
        None => ("pending", "INPROGRESS"),
    }
}

/// A request rendered with the parameters: values are percent-encoded in the URL, as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedRequest {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
}

pub fn render_request(request: &WebhookRequest, parameters: &Parameters) -> RenderedRequest {
    let raw = |name: &str| parameters.get(name).cloned();
    let escaped = |name: &str| {
        parameters
            .get(name)
            .map(|v| percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string())
    };
    RenderedRequest {
        method: request.method.to_ascii_uppercase(),
        url: render(&request.url, &escaped),
        headers: request
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), render(value, &raw)))
            .collect(),
        body: request.body.as_ref().map(|body| match body {
            Value::String(text) => render(text, &raw),
            json => render(&json.to_string(), &raw),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(method: &str, url: &str, events: Vec<Event>) -> WebhookDefinition {
        WebhookDefinition {
            description: None,
            consumer: None,
            provider: None,
            events,
            request: WebhookRequest {
                method: method.into(),
                url: url.into(),
                headers: BTreeMap::new(),
                body: None,
                username: None,
                password: None,
            },
            enabled: true,
        }
    }

    fn local_policy() -> WebhookPolicy {
        let entries = ["127.0.0.1", "*.ci.example", "10.0.0.0/8", "/^build-\\d+$/"];
        WebhookPolicy {
            schemes: vec!["http".into(), "https".into()],
            methods: vec!["POST".into(), "GET".into()],
            hosts: entries.iter().map(|e| HostRule::parse(e).unwrap()).collect(),
            host_entries: entries.map(String::from).to_vec(),
            ..WebhookPolicy::default()
        }
    }

    #[test]
    fn validation_as_the_official_broker() {
        let published = || vec![Event::ContractPublished];
        let defaults = WebhookPolicy::default();
        let local = local_policy();
        let cases: [(&str, &WebhookPolicy, WebhookDefinition, Result<(), &str>); 11] = [
            (
                "https POST anywhere by default",
                &defaults,
                definition("POST", "https://ci.example/x", published()),
                Ok(()),
            ),
            (
                "no events",
                &defaults,
                definition("POST", "https://ci.example/x", vec![]),
                Err("events"),
            ),
            (
                "http refused by default",
                &defaults,
                definition("POST", "http://ci.example/x", published()),
                Err("request.url"),
            ),
            (
                "GET refused by default",
                &defaults,
                definition("GET", "https://ci.example/x", published()),
                Err("request.method"),
            ),
            (
                "not a method",
                &defaults,
                definition("FETCH", "https://ci.example/x", published()),
                Err("request.method"),
            ),
            (
                "not a URL",
                &defaults,
                definition("POST", "ci.example/x", published()),
                Err("request.url"),
            ),
            (
                "template in the host",
                &defaults,
                definition("POST", "https://${pactbroker.consumerName}.example/x", published()),
                Err("request.url"),
            ),
            (
                "template in the path",
                &defaults,
                definition("POST", "https://ci.example/${pactbroker.consumerName}", published()),
                Ok(()),
            ),
            (
                "loopback whitelisted",
                &local,
                definition("POST", "http://127.0.0.1:9/x", published()),
                Ok(()),
            ),
            (
                "host not whitelisted",
                &local,
                definition("POST", "http://example.org/x", published()),
                Err("request.url"),
            ),
            (
                "GET whitelisted",
                &local,
                definition("GET", "http://a.ci.example/x", published()),
                Ok(()),
            ),
        ];
        for (name, policy, definition, expected) in cases {
            let actual = policy.validate(&definition).map_err(|e| e.field);
            assert_eq!(actual, expected.map_err(String::from), "{name}");
        }
    }

    #[test]
    fn host_rules() {
        let cases = [
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("localhost", "LOCALHOST", true),
            ("*.foo.com", "a.foo.com", true),
            ("*.foo.com", "a.b.foo.com", false),
            ("*.foo.com", "foo.com", false),
            ("10.0.0.0/8", "10.1.2.3", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("::1/128", "[::1]", true),
            ("/.*\\.foo\\.com$/", "a.b.foo.com", true),
            ("/.*\\.foo\\.com$/", "foo.org", false),
        ];
        for (entry, host, expected) in cases {
            assert_eq!(HostRule::parse(entry).unwrap().allows(host), expected, "{entry} {host}");
        }
        assert!(HostRule::parse("10.0.0.0/99").is_err());
        assert!(HostRule::parse("/(/").is_err());
    }

    #[test]
    fn matching_events_and_pacticipants() {
        let mut webhook = definition("POST", "https://x", vec![Event::ContractPublished]);
        webhook.provider = Some("P".into());
        let cases = [
            (Event::ContractPublished, "C", "P", true),
            (Event::ContractPublished, "Other", "P", true),
            (Event::ContractPublished, "C", "Q", false),
            (Event::ProviderVerificationPublished, "C", "P", false),
        ];
        for (event, consumer, provider, expected) in cases {
            assert_eq!(
                webhook.matches(event, consumer, provider),
                expected,
                "{event:?} {consumer} {provider}"
            );
        }
        webhook.enabled = false;
        assert!(!webhook.matches(Event::ContractPublished, "C", "P"));
    }

    #[test]
    fn retries_follow_the_schedule_then_stop() {
        let policy = WebhookPolicy::default();
        let seconds = |attempts| policy.next_retry(attempts).map(|d| d.as_secs());
        let cases = [(0, None), (1, Some(10)), (2, Some(60)), (6, Some(1200)), (7, None)];
        for (attempts, expected) in cases {
            assert_eq!(seconds(attempts), expected, "after {attempts} attempts");
        }
    }

    #[test]
    fn templates_render_in_url_headers_and_body() {
        let parameters: Parameters = [("pactUrl", "http://b/p?x=1 y"), ("consumerName", "Web")]
            .map(|(k, v)| (k, v.to_owned()))
            .into_iter()
            .collect();
        let request = WebhookRequest {
            method: "post".into(),
            url: "http://ci/build?pact=${pactbroker.pactUrl}&who=${pactbroker.unknown}".into(),
            headers: [("X-Consumer".to_owned(), "${pactbroker.consumerName}".to_owned())].into(),
            body: Some(serde_json::json!({"pact": "${pactbroker.pactUrl}"})),
            username: None,
            password: None,
        };
        let rendered = render_request(&request, &parameters);
        assert_eq!(rendered.method, "POST");
        assert_eq!(
            rendered.url,
            "http://ci/build?pact=http%3A%2F%2Fb%2Fp%3Fx%3D1%20y&who=${pactbroker.unknown}"
        );
        assert_eq!(rendered.headers["X-Consumer"], "Web");
        assert_eq!(rendered.body.as_deref(), Some(r#"{"pact":"http://b/p?x=1 y"}"#));
    }

    #[test]
    fn secret_headers_are_redacted() {
        let headers: BTreeMap<String, String> = [
            ("Authorization", "Bearer x"),
            ("X-Api-Token", "t"),
            ("Content-Type", "application/json"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into();
        let shown = redacted_headers(&headers);
        assert_eq!(shown["Authorization"], REDACTED);
        assert_eq!(shown["X-Api-Token"], REDACTED);
        assert_eq!(shown["Content-Type"], "application/json");
    }
}
