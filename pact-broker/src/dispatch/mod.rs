//! Webhook execution, the broker's only outgoing HTTP: a background task runs the triggered
//! webhooks the store recorded (in the transaction of the write that triggered them, so only
//! after it committed), off the request path, with a timeout per attempt and retries on the
//! configured schedule; each attempt's log is stored. Pending triggers left by a stopped broker
//! are picked up at start-up. Also the one-off execution behind `POST /webhooks/{uuid}/execute`.
//!
//! Calls `storage`, `views::Links` (the URLs the parameters hand out) and `model`.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use tokio::sync::{Notify, Semaphore};

use crate::model::Snapshot;
use crate::model::webhooks::{
    self, Event, PARAMETER_NAMES, Parameters, RenderedRequest, TriggeredWebhook, WebhookDefinition, WebhookPolicy,
};
use crate::storage::Store;
use crate::views::Links;

/// Attempts running at once; the rest wait their turn.
const CONCURRENT_ATTEMPTS: usize = 4;
/// Response bodies kept in a log, at most.
const LOGGED_BODY_BYTES: usize = 2048;

/// The handle the app keeps: wakes the runner after a write that may have triggered webhooks,
/// and executes a webhook once on request. The runner stops when the last handle is dropped
/// (the app stopped), so it never keeps the database open after the app.
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    policy: WebhookPolicy,
    client: reqwest::Client,
    wake: Arc<Notify>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Lets a sleeping runner notice that it is no longer needed.
        self.wake.notify_one();
    }
}

impl Dispatcher {
    /// Starts the runner on the current tokio runtime.
    pub fn start(store: Store, policy: WebhookPolicy) -> Self {
        let client = reqwest::Client::builder()
            .timeout(policy.timeout)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client without TLS configuration");
        let wake = Arc::new(Notify::new());
        let inner = Arc::new(Inner {
            store,
            policy,
            client,
            wake: Arc::clone(&wake),
        });
        tokio::spawn(run(Arc::downgrade(&inner), wake));
        Self { inner }
    }

    pub fn policy(&self) -> &WebhookPolicy {
        &self.inner.policy
    }

    /// Something may be due now (a publication or verification just committed).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    async fn attempt(&self, triggered: &TriggeredWebhook, parameters: Parameters) {
        let attempts = triggered.attempts + 1;
        let (success, logs) = match self.inner.store.webhook(&triggered.webhook_uuid).await {
            Ok(Some(webhook)) => {
                let execution = self.execute(&webhook.definition, &parameters).await;
                (execution.success, execution.logs)
            }
            Ok(None) => (false, format!("webhook {} no longer exists\n", triggered.webhook_uuid)),
            Err(error) => {
                tracing::error!(%error, "reading a webhook");
                return;
            }
        };
        let retry = (!success).then(|| self.inner.policy.next_retry(attempts)).flatten();
        let next_attempt_at = retry.map(|delay| {
            let at = chrono::Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
            at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        });
        let mut logs = logs;
        match (&next_attempt_at, success) {
            (_, true) => {}
            (Some(at), false) => {
                let _ = writeln!(logs, "Attempt {attempts} failed; retrying at {at}");
            }
            (None, false) => {
                let _ = writeln!(logs, "Attempt {attempts} failed; no retries left");
            }
        }
        tracing::info!(
            webhook = %triggered.webhook_uuid, event = triggered.event.name(), attempts, success,
            "webhook attempt"
        );
        if let Err(error) = self
            .inner
            .store
            .record_webhook_attempt(triggered.id, success, logs, next_attempt_at)
            .await
        {
            tracing::error!(%error, "recording a webhook attempt");
        }
    }

    /// Renders and sends the webhook's request once.
    pub async fn execute(&self, definition: &WebhookDefinition, parameters: &Parameters) -> Execution {
        let rendered = webhooks::render_request(&definition.request, parameters);
        let mut logs = String::new();
        let stamp = || chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let _ = writeln!(logs, "[{}] Executing webhook: {}", stamp(), definition.title());
        let _ = writeln!(logs, "{} {}", rendered.method, rendered.url);
        for (name, value) in webhooks::redacted_headers(&rendered.headers) {
            let _ = writeln!(logs, "{name}: {value}");
        }
        if let Some(body) = &rendered.body {
            let _ = writeln!(logs, "\n{body}");
        }
        let method = reqwest::Method::from_bytes(rendered.method.as_bytes()).unwrap_or(reqwest::Method::POST);
        let mut request = self.inner.client.request(method, &rendered.url);
        for (name, value) in &rendered.headers {
            request = request.header(name, value);
        }
        if let Some(username) = &definition.request.username {
            request = request.basic_auth(username, definition.request.password.as_ref());
        }
        if let Some(body) = &rendered.body {
            request = request.body(body.clone());
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                let error = without_url(&error);
                let _ = writeln!(logs, "[{}] Error executing webhook: {error}", stamp());
                return Execution {
                    request: shown(rendered),
                    response: None,
                    error: Some(error),
                    success: false,
                    logs,
                };
            }
        };
        let status = response.status().as_u16();
        let headers: BTreeMap<String, String> = response
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        let body = match response.bytes().await {
            Ok(bytes) => String::from_utf8_lossy(&bytes[..bytes.len().min(LOGGED_BODY_BYTES)]).into_owned(),
            Err(error) => format!("(body not read: {})", without_url(&error)),
        };
        let success = self.inner.policy.is_success(status);
        let _ = writeln!(logs, "[{}] Response: HTTP {status}", stamp());
        if self.inner.policy.shows_responses() {
            for (name, value) in &headers {
                let _ = writeln!(logs, "{name}: {value}");
            }
            let _ = writeln!(logs, "\n{body}");
        } else {
            // The official rule: without a host whitelist, response details stay out of the UI.
            let _ = writeln!(
                logs,
                "(response details are logged only when a host whitelist is configured)"
            );
        }
        let _ = writeln!(logs, "Webhook {}", if success { "succeeded" } else { "failed" });
        let response = self
            .inner
            .policy
            .shows_responses()
            .then_some(Response { status, headers, body });
        Execution {
            request: shown(rendered),
            response,
            error: None,
            success,
            logs,
        }
    }
}

/// The runner: starts due attempts (a few at a time), then sleeps until woken or the next
/// retry is due; returns once the app has dropped its last handle.
async fn run(inner: Weak<Inner>, wake: Arc<Notify>) {
    let in_flight: Arc<Mutex<HashSet<i64>>> = Arc::default();
    let permits = Arc::new(Semaphore::new(CONCURRENT_ATTEMPTS));
    loop {
        let Some(inner) = inner.upgrade() else { return };
        let dispatcher = Dispatcher { inner };
        let due = match dispatcher.inner.store.due_webhooks(2 * CONCURRENT_ATTEMPTS).await {
            Ok(due) => due,
            Err(error) => {
                tracing::error!(%error, "reading due webhooks");
                Vec::new()
            }
        };
        let due: Vec<TriggeredWebhook> = due
            .into_iter()
            .filter(|t| !in_flight.lock().expect("in-flight set").contains(&t.id))
            .collect();
        // One snapshot for the batch's parameters: loading it per attempt would compete with
        // the publications for the one database connection.
        let snapshot = match due.is_empty() {
            true => None,
            false => dispatcher.inner.store.snapshot().await.ok(),
        };
        let mut started = 0;
        for triggered in due {
            let Some(snapshot) = &snapshot else { break };
            let parameters = parameters(snapshot, &triggered);
            if !in_flight.lock().expect("in-flight set").insert(triggered.id) {
                continue;
            }
            let permit = Arc::clone(&permits).acquire_owned().await.expect("semaphore open");
            let (this, in_flight) = (dispatcher.clone(), Arc::clone(&in_flight));
            started += 1;
            tokio::spawn(async move {
                this.attempt(&triggered, parameters).await;
                in_flight.lock().expect("in-flight set").remove(&triggered.id);
                drop(permit);
                this.wake();
            });
        }
        let wait = if started == 0 {
            until_next_due(&dispatcher.inner.store).await
        } else {
            Duration::ZERO
        };
        drop(dispatcher);
        if !wait.is_zero() {
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}

/// How long to sleep when nothing new was started: until the next retry is due (at least a
/// moment, so attempts in flight are not polled in a busy loop), at most a minute.
async fn until_next_due(store: &Store) -> Duration {
    let next = store.next_webhook_due_at().await.ok().flatten();
    let wait = next
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(&at).ok())
        .and_then(|at| (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().ok())
        .unwrap_or(Duration::from_secs(60));
    wait.clamp(Duration::from_millis(50), Duration::from_secs(60))
}

/// reqwest errors name the URL, which may carry a secret in its query: keep the kind only.
fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the response could not be read"
    } else {
        "the request failed"
    };
    let mut source = std::error::Error::source(error);
    let mut detail = String::new();
    while let Some(inner) = source {
        detail = inner.to_string();
        source = inner.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

/// The request as shown to clients: secret headers redacted.
fn shown(mut request: RenderedRequest) -> RenderedRequest {
    request.headers = webhooks::redacted_headers(&request.headers);
    request
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

/// One execution of a webhook's request.
#[derive(Debug, Clone)]
pub struct Execution {
    pub request: RenderedRequest,
    /// Shown only when a host whitelist is configured (the official rule).
    pub response: Option<Response>,
    pub error: Option<String>,
    pub success: bool,
    pub logs: String,
}

/// The official template parameters for a triggered webhook, from the stored data.
pub fn parameters(snapshot: &Snapshot, triggered: &TriggeredWebhook) -> Parameters {
    let links = Links::new(triggered.base_url.clone());
    let mut p: Parameters = PARAMETER_NAMES.iter().map(|name| (*name, String::new())).collect();
    p.insert("eventName", triggered.event.name().to_owned());
    p.insert("consumerName", triggered.consumer.clone());
    p.insert("providerName", triggered.provider.clone());
    let consumer = snapshot.pacticipant_by_name(&triggered.consumer);
    let provider = snapshot.pacticipant_by_name(&triggered.provider);
    if let Some(sha) = &triggered.sha {
        p.insert(
            "pactUrl",
            links.pact_version(&triggered.provider, &triggered.consumer, sha),
        );
    }
    if let (Some(number), Some(consumer)) = (&triggered.consumer_version, consumer)
        && let Some(version) = snapshot.version_by_number(consumer.id, number)
    {
        p.insert("consumerVersionNumber", number.clone());
        p.insert("consumerVersionTags", version.tags.join(", "));
        p.insert(
            "consumerVersionBranch",
            version.branches.first().cloned().unwrap_or_default(),
        );
    }
    // The verification: the triggering one, else the latest of this content by this provider.
    let verification = match (triggered.verification_id, &triggered.sha, provider) {
        (Some(id), ..) => snapshot.verifications.iter().find(|v| v.id == id),
        (None, Some(sha), Some(provider)) => snapshot.verifications_of(sha, provider.id).max_by_key(|v| v.id),
        _ => None,
    };
    if let Some(verification) = verification {
        let version = snapshot.version(verification.provider_version_id);
        p.insert(
            "verificationResultUrl",
            links.verification(
                &triggered.provider,
                &triggered.consumer,
                &verification.sha,
                verification.id,
            ),
        );
        p.insert("providerVersionNumber", version.number.clone());
        p.insert("providerVersionTags", version.tags.join(", "));
        p.insert(
            "providerVersionBranch",
            version.branches.first().cloned().unwrap_or_default(),
        );
    }
    let (github, bitbucket) = webhooks::verification_statuses(verification.map(|v| v.success));
    p.insert("githubVerificationStatus", github.to_owned());
    p.insert("bitbucketVerificationStatus", bitbucket.to_owned());
    // contract_requiring_verification_published names the provider version to verify with.
    if triggered.event == Event::ContractRequiringVerificationPublished
        && let Some(number) = &triggered.provider_version
    {
        p.insert("providerVersionNumber", number.clone());
        p.insert(
            "providerVersionBranch",
            triggered.provider_branch.clone().unwrap_or_default(),
        );
        p.insert("verificationResultUrl", String::new());
        p.insert("githubVerificationStatus", "pending".into());
        p.insert("bitbucketVerificationStatus", "INPROGRESS".into());
        let description = match (
            &triggered.provider_branch,
            provider.and_then(|p| p.main_branch.as_ref()),
        ) {
            (Some(branch), Some(main)) if branch == main => "latest from main branch",
            _ => "deployed or released",
        };
        p.insert("providerVersionDescriptions", description.into());
    }
    p
}

/// Placeholders for a test execution with nothing to fill in.
pub fn placeholder_parameters(definition: &WebhookDefinition) -> Parameters {
    let mut p: Parameters = PARAMETER_NAMES.iter().map(|name| (*name, String::new())).collect();
    p.insert(
        "consumerName",
        definition
            .consumer
            .clone()
            .unwrap_or_else(|| "placeholder-consumer".into()),
    );
    p.insert(
        "providerName",
        definition
            .provider
            .clone()
            .unwrap_or_else(|| "placeholder-provider".into()),
    );
    p.insert(
        "eventName",
        definition.events.first().map_or("", |e| e.name()).to_owned(),
    );
    p.insert("githubVerificationStatus", "pending".into());
    p.insert("bitbucketVerificationStatus", "INPROGRESS".into());
    p
}
