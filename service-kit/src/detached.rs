//! Work that must finish even when the caller hangs up.
//!
//! axum drops a handler's future when the client closes the connection, and with it whatever
//! the handler was in the middle of. A step of an order that has already changed a neighbour
//! (stock taken) must not be abandoned like that, so such work runs as its own task: the handler
//! only waits for it, and dropping the handler leaves the task running to the end. The task
//! keeps the request's id (for the log lines and the calls it makes) and its tracing span.

use std::future::Future;

use tracing::Instrument;

/// Runs `work` on its own task and waits for its result; if the waiting future is dropped, the
/// task runs on. A panic in `work` is re-raised here, as if it had run inline.
pub async fn run_to_completion<F>(work: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let task = tokio::spawn(with_request_context(work));
    match task.await {
        Ok(output) => output,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

/// `work`, run with the current request id and tracing span wherever it is polled.
pub fn with_request_context<F: Future>(work: F) -> impl Future<Output = F::Output> {
    let span = tracing::Span::current();
    let request_id = crate::request_id::current();
    async move {
        match request_id {
            Some(id) => crate::request_id::in_scope(id, work).await,
            None => work.await,
        }
    }
    .instrument(span)
}

/// Milliseconds since the Unix epoch: when a saga step started, comparable across restarts.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
}

/// How a service's sagas are settled (from its configuration).
#[derive(Debug, Clone, Copy)]
pub struct SagaSettings {
    /// How long a repeated request waits for the saga it repeats to be decided.
    pub repeat_wait: std::time::Duration,
    /// Age after which an unsettled saga is settled by recovery (longer than a live one takes).
    pub recover_after: std::time::Duration,
    /// Pause between two recovery rounds.
    pub recovery_interval: std::time::Duration,
}

/// Runs `settle(started_before_ms)` at once for everything started before now (nothing from
/// before start-up is still live), then every `recovery_interval` for what started more than
/// `recover_after` ago. `settle` answers how many it settled; what it cannot settle yet waits
/// for a later round. `what` names what is settled, for the log.
pub fn spawn_recovery<F, Fut>(what: &'static str, settings: SagaSettings, mut settle: F) -> tokio::task::JoinHandle<()>
where
    F: FnMut(i64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<usize, crate::ApiError>> + Send,
{
    let mut started_before = now_ms();
    tokio::spawn(async move {
        loop {
            match settle(started_before).await {
                Ok(0) => {}
                Ok(settled) => tracing::info!(settled, what, "recovery settled unfinished work"),
                Err(error) => tracing::warn!(%error, what, "recovery failed; retrying next round"),
            }
            tokio::time::sleep(settings.recovery_interval).await;
            started_before = now_ms() - i64::try_from(settings.recover_after.as_millis()).unwrap_or(i64::MAX);
        }
    })
}
