//! Webhook execution, the broker's only outgoing HTTP: a background task runs the triggered
//! webhooks the store recorded (in the transaction of the write that triggered them, so only
//! after it committed), off the request path, with a timeout per attempt and retries on the
//! configured schedule; each attempt's log is stored (the logs of attempts that end together in
//! one transaction). Pending triggers left by a stopped broker are picked up at start-up. Also
//! the one-off execution behind `POST /webhooks/{uuid}/execute`.
//!
//! Calls `storage`, `views::Links` (the URLs the parameters hand out) and `model`.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, Semaphore, mpsc};

use crate::model::webhooks::{
    self, AttemptRecord, DueWebhook, Event, EventFacts, PARAMETER_NAMES, Parameters, RenderedRequest, TriggeredWebhook,
    WebhookDefinition, WebhookPolicy,
};
use crate::storage::Store;
use crate::views::Links;

/// Attempts running at once; the rest wait their turn.
const CONCURRENT_ATTEMPTS: usize = 4;
/// Due triggers read per round.
const ROUND: usize = 64;
/// How long a round of deliveries waits for the broker to stop serving requests, at most: a
/// burst of publications is not slowed by the deliveries it triggers, and under steady load
/// deliveries still go out, a round at a time.
const MAX_DEFERRAL: Duration = Duration::from_secs(1);
/// Writes of a batch of attempt records before its triggers are let go unrecorded.
const RECORD_ATTEMPTS: u32 = 3;
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
    activity: Activity,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Lets a sleeping runner notice that it is no longer needed.
        self.wake.notify_one();
    }
}

/// The requests the broker is serving. Deliveries are background work: they give way to requests
/// (see [`MAX_DEFERRAL`]) rather than compete with them for the CPU.
#[derive(Clone)]
pub struct Activity {
    inner: Arc<ActivityInner>,
}

struct ActivityInner {
    serving: AtomicUsize,
    /// When the last request ended, in microseconds since `epoch`.
    last_ended_us: AtomicU64,
    epoch: Instant,
}

impl Default for Activity {
    fn default() -> Self {
        Self {
            inner: Arc::new(ActivityInner {
                serving: AtomicUsize::new(0),
                last_ended_us: AtomicU64::new(0),
                epoch: Instant::now(),
            }),
        }
    }
}

/// One request being served; counted until dropped.
pub struct Serving(Activity);

impl Drop for Serving {
    fn drop(&mut self) {
        let inner = &self.0.inner;
        inner
            .last_ended_us
            .store(inner.epoch.elapsed().as_micros() as u64, Ordering::SeqCst);
        inner.serving.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How long the broker must have served nothing to count as idle: the gap between one client's
/// requests is shorter, so a burst is one busy stretch, not many idle moments.
const QUIET: Duration = Duration::from_millis(20);

impl Activity {
    /// Counts a request from now until the returned guard is dropped.
    pub fn serving(&self) -> Serving {
        self.inner.serving.fetch_add(1, Ordering::SeqCst);
        Serving(self.clone())
    }

    /// How long the broker has served nothing (zero while it serves a request).
    fn idle_for(&self) -> Duration {
        if self.inner.serving.load(Ordering::SeqCst) > 0 {
            return Duration::ZERO;
        }
        let ended = Duration::from_micros(self.inner.last_ended_us.load(Ordering::SeqCst));
        self.inner.epoch.elapsed().saturating_sub(ended)
    }

    /// Returns once the broker has been idle for [`QUIET`], or after `at_most`.
    async fn idle(&self, at_most: Duration) {
        let deadline = Instant::now() + at_most;
        loop {
            let idle_for = self.idle_for();
            let now = Instant::now();
            if idle_for >= QUIET || now >= deadline {
                return;
            }
            tokio::time::sleep((QUIET - idle_for).min(deadline - now)).await;
        }
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
            activity: Activity::default(),
        });
        tokio::spawn(run(Arc::downgrade(&inner), wake));
        Self { inner }
    }

    pub fn policy(&self) -> &WebhookPolicy {
        &self.inner.policy
    }

    /// The request count deliveries give way to (the router counts every request into it).
    pub fn activity(&self) -> Activity {
        self.inner.activity.clone()
    }

    /// Something may be due now (a publication or verification just committed).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Runs one attempt of a due trigger and says how it went, to be recorded.
    async fn attempt(&self, due: &DueWebhook) -> AttemptRecord {
        let triggered = &due.triggered;
        let attempts = triggered.attempts + 1;
        let (success, mut logs) = match self.inner.store.webhook(&triggered.webhook_uuid).await {
            Ok(Some(webhook)) => {
                let execution = self
                    .execute(&webhook.definition, &parameters(&due.facts, triggered))
                    .await;
                (execution.success, execution.logs)
            }
            Ok(None) => (false, format!("webhook {} no longer exists\n", triggered.webhook_uuid)),
            Err(error) => (
                false,
                format!("webhook {} could not be read: {error}\n", triggered.webhook_uuid),
            ),
        };
        let retry = (!success).then(|| self.inner.policy.next_retry(attempts)).flatten();
        let next_attempt_at = retry.map(|delay| {
            let at = chrono::Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
            at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        });
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
        AttemptRecord {
            triggered_id: triggered.id,
            success,
            logs,
            next_attempt_at,
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
    let in_flight = InFlight::default();
    let permits = Arc::new(Semaphore::new(CONCURRENT_ATTEMPTS));
    let finished = {
        let Some(inner) = inner.upgrade() else { return };
        record_attempts(inner.store.clone(), in_flight.clone(), Arc::clone(&wake))
    };
    loop {
        // Holds no handle while it waits, so a stopped app still stops the runner.
        let Some(activity) = inner.upgrade().map(|inner| inner.activity.clone()) else {
            return;
        };
        activity.idle(MAX_DEFERRAL).await;
        let Some(inner) = inner.upgrade() else { return };
        let dispatcher = Dispatcher { inner };
        let due = {
            // Read and claimed under the lock the recorder writes under: a trigger read as due
            // just before its last attempt was recorded is still claimed then, so never run twice.
            let mut claimed = in_flight.0.lock().await;
            match dispatcher.inner.store.due_webhooks(ROUND, claimed.clone()).await {
                // Claimed triggers were left out of the read; the rest are claimed now.
                Ok(due) => {
                    claimed.extend(due.iter().map(|due| due.triggered.id));
                    due
                }
                Err(error) => {
                    tracing::error!(%error, "reading due webhooks");
                    Vec::new()
                }
            }
        };
        let mut started = 0;
        for due in due {
            let permit = Arc::clone(&permits).acquire_owned().await.expect("semaphore open");
            let (this, finished) = (dispatcher.clone(), finished.clone());
            started += 1;
            tokio::spawn(async move {
                let record = this.attempt(&due).await;
                drop(permit);
                // The recorder takes it off the in-flight set once it is written.
                let _ = finished.send(record);
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

/// Writes finished attempts, as many as have finished by then in one transaction (a burst of
/// deliveries costs a commit per batch, not per attempt), then frees them for the runner.
fn record_attempts(store: Store, in_flight: InFlight, wake: Arc<Notify>) -> mpsc::UnboundedSender<AttemptRecord> {
    let (finished, mut queue) = mpsc::unbounded_channel::<AttemptRecord>();
    tokio::spawn(async move {
        let mut batch = Vec::new();
        while queue.recv_many(&mut batch, 256).await > 0 {
            let ids: Vec<i64> = batch.iter().map(|record| record.triggered_id).collect();
            let mut claimed = in_flight.0.lock().await;
            let records = std::mem::take(&mut batch);
            // A record that cannot be written leaves its trigger due: it would run once more.
            // So a failed write is tried again, a few times, before the triggers are let go.
            for attempt in 1..=RECORD_ATTEMPTS {
                match store.record_webhook_attempts(records.clone()).await {
                    Ok(()) => break,
                    Err(error) => {
                        tracing::error!(%error, attempt, "recording webhook attempts");
                        tokio::time::sleep(Duration::from_millis(100) * attempt).await;
                    }
                }
            }
            for id in ids {
                claimed.remove(&id);
            }
            drop(claimed);
            wake.notify_one();
        }
    });
    finished
}

/// The triggers claimed by the runner: running, or finished and their record not yet written.
#[derive(Clone, Default)]
struct InFlight(Arc<tokio::sync::Mutex<HashSet<i64>>>);

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

/// The official template parameters for a triggered webhook, from the facts of its event.
pub fn parameters(facts: &EventFacts, triggered: &TriggeredWebhook) -> Parameters {
    let links = Links::new(triggered.base_url.clone());
    let mut p: Parameters = PARAMETER_NAMES.iter().map(|name| (*name, String::new())).collect();
    p.insert("eventName", triggered.event.name().to_owned());
    p.insert("consumerName", triggered.consumer.clone());
    p.insert("providerName", triggered.provider.clone());
    p.insert("consumerLabels", facts.consumer_labels.join(", "));
    p.insert("providerLabels", facts.provider_labels.join(", "));
    if let Some(sha) = &triggered.sha {
        p.insert(
            "pactUrl",
            links.pact_version(&triggered.provider, &triggered.consumer, sha),
        );
    }
    if let Some(version) = &facts.consumer_version {
        p.insert("consumerVersionNumber", version.number.clone());
        p.insert("consumerVersionTags", version.tags.join(", "));
        p.insert(
            "consumerVersionBranch",
            version.branches.first().cloned().unwrap_or_default(),
        );
    }
    if let Some(verification) = &facts.verification {
        let version = &verification.provider_version;
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
    let (github, bitbucket) = webhooks::verification_statuses(facts.verification.as_ref().map(|v| v.success));
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
        let description = match (&triggered.provider_branch, &facts.provider_main_branch) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn deliveries_wait_while_a_request_is_served_but_no_longer_than_the_deferral() {
        let activity = Activity::default();
        let _serving = activity.serving();
        let started = Instant::now();
        activity.idle(Duration::from_millis(300)).await;
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn deliveries_go_once_the_broker_has_been_quiet_for_a_moment() {
        let activity = Activity::default();
        let serving = activity.serving();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(serving);
        });
        let started = Instant::now();
        activity.idle(Duration::from_secs(30)).await;
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(100) + QUIET, "{waited:?}");
        assert!(
            waited < Duration::from_secs(20),
            "waited for the deferral, not for quiet: {waited:?}"
        );
    }

    #[tokio::test]
    async fn an_idle_broker_does_not_hold_deliveries_back() {
        let activity = Activity::default();
        drop(activity.serving());
        tokio::time::sleep(QUIET).await;
        let started = Instant::now();
        activity.idle(Duration::from_secs(30)).await;
        assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    }
}
