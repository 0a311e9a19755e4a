//! Webhooks: their definitions, what triggered them and each attempt's log. Triggers are
//! recorded in the transaction of the write that caused them (a publication, a verification),
//! so they exist exactly when that write committed; the runner (`dispatch`) executes them later.
//!
//! A triggering write records its triggers as one row of `webhook_trigger_queue` (a JSON list,
//! no index): a publication that triggers five webhooks then writes one more page, not the
//! table and index pages of five `triggered_webhooks` rows. Every read of triggered webhooks
//! first moves the queue into `triggered_webhooks` ([`expand_queue`]), many writes' triggers in
//! one transaction, so nothing reads around it.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use service_kit::db::rusqlite;

use super::{Store, StoreError, now};
use crate::model::webhooks::{
    AttemptRecord, DueWebhook, Event, EventFacts, TriggerStatus, TriggeredWebhook, VerificationFacts, VersionFacts,
    Webhook, WebhookDefinition,
};

/// What a triggering write knows: the pact (and the verification) it is about.
#[derive(Debug, Clone, Default)]
pub(super) struct Occurrence<'a> {
    pub consumer: &'a str,
    pub provider: &'a str,
    pub consumer_version: Option<&'a str>,
    pub sha: &'a str,
    pub verification_id: Option<i64>,
    pub provider_version: Option<&'a str>,
    pub provider_branch: Option<&'a str>,
    /// Where the broker was addressed, so the links the webhook hands out reach it.
    pub base_url: &'a str,
}

fn read_webhook(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

fn parse_webhook((uuid, definition, created_at, updated_at): (String, String, String, String)) -> Option<Webhook> {
    match serde_json::from_str::<WebhookDefinition>(&definition) {
        Ok(definition) => Some(Webhook {
            uuid,
            definition,
            created_at,
            updated_at,
        }),
        Err(error) => {
            tracing::error!(%uuid, %error, "stored webhook definition unreadable; skipped");
            None
        }
    }
}

const WEBHOOK_COLUMNS: &str = "uuid, definition, created_at, updated_at";

/// The enabled webhooks whose filters take this pair, each definition parsed once for the whole
/// triggering write (which then asks [`trigger`] per event); empty when none is defined, and
/// the write skips its trigger queries.
pub(super) fn subscriptions(tx: &Transaction<'_>, consumer: &str, provider: &str) -> rusqlite::Result<Vec<Webhook>> {
    let rows = tx
        .prepare_cached(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks
             WHERE (consumer IS NULL OR consumer = ?1) AND (provider IS NULL OR provider = ?2)"
        ))?
        .query_map(params![consumer, provider], read_webhook)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(parse_webhook)
        .filter(|w| w.definition.enabled)
        .collect())
}

/// The ones of `subscriptions` that listen to `event` for this pair.
fn listening<'a>(
    subscriptions: &'a [Webhook],
    event: Event,
    at: &'a Occurrence<'_>,
) -> impl Iterator<Item = &'a Webhook> {
    subscriptions
        .iter()
        .filter(move |w| w.definition.matches(event, at.consumer, at.provider))
}

/// Whether one of `subscriptions` listens to `event`.
pub(super) fn listens(subscriptions: &[Webhook], event: Event, at: &Occurrence<'_>) -> bool {
    listening(subscriptions, event, at).next().is_some()
}

/// A trigger as queued by the write that caused it (see the module's note).
#[derive(Debug, Serialize, Deserialize)]
struct QueuedTrigger {
    webhook_uuid: String,
    event: Event,
    consumer: String,
    provider: String,
    consumer_version: Option<String>,
    sha: String,
    verification_id: Option<i64>,
    provider_version: Option<String>,
    provider_branch: Option<String>,
    base_url: String,
    created_at: String,
}

/// The triggers one write causes, queued as one row when it is done ([`Triggers::enqueue`]).
#[derive(Debug, Default)]
pub(super) struct Triggers(Vec<QueuedTrigger>);

impl Triggers {
    fn add(&mut self, webhook: &Webhook, event: Event, at: &Occurrence<'_>) {
        self.0.push(QueuedTrigger {
            webhook_uuid: webhook.uuid.clone(),
            event,
            consumer: at.consumer.to_owned(),
            provider: at.provider.to_owned(),
            consumer_version: at.consumer_version.map(str::to_owned),
            sha: at.sha.to_owned(),
            verification_id: at.verification_id,
            provider_version: at.provider_version.map(str::to_owned),
            provider_branch: at.provider_branch.map(str::to_owned),
            base_url: at.base_url.to_owned(),
            created_at: now(),
        });
    }

    /// Writes the triggers, if any, in the caller's transaction.
    pub(super) fn enqueue(self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        let json = serde_json::to_string(&self.0).expect("triggers serialize");
        tx.prepare_cached("INSERT INTO webhook_trigger_queue (triggers) VALUES (?1)")?
            .execute(params![json])?;
        Ok(())
    }
}

/// Moves every queued trigger into `triggered_webhooks`, oldest first, in the caller's
/// transaction.
fn expand_queue(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let queued: Vec<(i64, String)> = tx
        .prepare_cached("SELECT id, triggers FROM webhook_trigger_queue ORDER BY id")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, json) in queued {
        // Written by `enqueue` from the same type: a row that does not parse is a bug, kept
        // (not deleted) for someone to look at rather than lost.
        let triggers: Vec<QueuedTrigger> = match serde_json::from_str(&json) {
            Ok(triggers) => triggers,
            Err(error) => {
                tracing::error!(id, %error, "a queued webhook trigger does not parse; left in the queue");
                continue;
            }
        };
        for trigger in &triggers {
            insert_trigger(tx, trigger)?;
        }
        tx.prepare_cached("DELETE FROM webhook_trigger_queue WHERE id = ?1")?
            .execute(params![id])?;
    }
    Ok(())
}

fn insert_trigger(tx: &Transaction<'_>, trigger: &QueuedTrigger) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO triggered_webhooks (uuid, webhook_uuid, event, consumer, provider, consumer_version, sha,
             verification_id, provider_version, provider_branch, base_url, status, next_attempt_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'not_run', ?12, ?12, ?12)",
    )?
    .execute(params![
        // v7: sorts by creation time, so each new trigger lands at the end of the uuid index
        // instead of on a random page of it (a third of a publication's cost with five webhooks).
        uuid::Uuid::now_v7().to_string(),
        trigger.webhook_uuid,
        trigger.event.name(),
        trigger.consumer,
        trigger.provider,
        trigger.consumer_version,
        trigger.sha,
        trigger.verification_id,
        trigger.provider_version,
        trigger.provider_branch,
        trigger.base_url,
        trigger.created_at
    ])?;
    Ok(())
}

/// Adds a trigger of every one of `subscriptions` that listens to `event`.
pub(super) fn trigger(triggers: &mut Triggers, subscriptions: &[Webhook], event: Event, at: &Occurrence<'_>) {
    for webhook in listening(subscriptions, event, at) {
        triggers.add(webhook, event, at);
    }
}

/// `contract_requiring_verification_published`: one trigger per provider version that should
/// verify this content and has not — the latest of the provider's main branch, and every
/// version currently deployed or released — naming that version (and its branch).
pub(super) fn trigger_required_verifications(
    tx: &Transaction<'_>,
    triggers: &mut Triggers,
    subscriptions: &[Webhook],
    provider_id: i64,
    at: &Occurrence<'_>,
) -> rusqlite::Result<()> {
    let event = Event::ContractRequiringVerificationPublished;
    if !listens(subscriptions, event, at) {
        return Ok(());
    }
    let mut required: Vec<(i64, String, Option<String>)> = tx
        .prepare_cached(
            "SELECT v.id, v.number, bv.branch FROM versions v
             JOIN pacticipants p ON p.id = v.pacticipant_id
             JOIN branch_versions bv ON bv.version_id = v.id AND bv.branch = p.main_branch
             WHERE p.id = ?1 ORDER BY v.id DESC LIMIT 1",
        )?
        .query_map(params![provider_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let deployed: Vec<(i64, String, Option<String>)> = tx
        .prepare_cached(
            "SELECT DISTINCT v.id, v.number,
                 (SELECT branch FROM branch_versions WHERE version_id = v.id ORDER BY created_at LIMIT 1)
             FROM deployments d JOIN versions v ON v.id = d.version_id
             WHERE v.pacticipant_id = ?1 AND d.ended_at IS NULL ORDER BY v.id",
        )?
        .query_map(params![provider_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for version in deployed {
        if !required.iter().any(|(id, ..)| *id == version.0) {
            required.push(version);
        }
    }
    for (version_id, number, branch) in required {
        let verified = tx
            .prepare_cached("SELECT 1 FROM verifications WHERE sha = ?1 AND provider_version_id = ?2")?
            .exists(params![at.sha, version_id])?;
        if verified {
            continue;
        }
        let at = Occurrence {
            provider_version: Some(&number),
            provider_branch: branch.as_deref(),
            ..at.clone()
        };
        trigger(triggers, subscriptions, event, &at);
    }
    Ok(())
}

const TRIGGERED_COLUMNS: &str = "id, uuid, webhook_uuid, event, consumer, provider, consumer_version, sha,
    verification_id, provider_version, provider_branch, base_url, status, attempts, next_attempt_at, created_at, updated_at";

fn read_triggered(row: &rusqlite::Row<'_>) -> rusqlite::Result<TriggeredWebhook> {
    let event: String = row.get(3)?;
    let status: String = row.get(12)?;
    Ok(TriggeredWebhook {
        id: row.get(0)?,
        uuid: row.get(1)?,
        webhook_uuid: row.get(2)?,
        event: Event::parse(&event).unwrap_or(Event::ContractPublished),
        consumer: row.get(4)?,
        provider: row.get(5)?,
        consumer_version: row.get(6)?,
        sha: row.get(7)?,
        verification_id: row.get(8)?,
        provider_version: row.get(9)?,
        provider_branch: row.get(10)?,
        base_url: row.get(11)?,
        status: TriggerStatus::parse(&status),
        attempts: row.get(13)?,
        next_attempt_at: row.get(14)?,
        created_at: row.get(15)?,
        updated_at: row.get(16)?,
    })
}

/// What the event of `triggered` is about, as it stands now: its consumer version, its
/// verification (the triggering one, else the latest of this content by this provider) and the
/// provider's main branch. Indexed lookups only.
fn event_facts(conn: &rusqlite::Connection, triggered: &TriggeredWebhook) -> rusqlite::Result<EventFacts> {
    let pacticipant = |name: &str| -> rusqlite::Result<Option<(i64, Option<String>)>> {
        conn.prepare_cached("SELECT id, main_branch FROM pacticipants WHERE name = ?1")?
            .query_row(params![name], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()
    };
    let consumer = pacticipant(&triggered.consumer)?;
    let provider = pacticipant(&triggered.provider)?;
    let consumer_version = match (&triggered.consumer_version, &consumer) {
        (Some(number), Some((consumer_id, _))) => conn
            .prepare_cached("SELECT id FROM versions WHERE pacticipant_id = ?1 AND number = ?2")?
            .query_row(params![consumer_id, number], |row| row.get::<_, i64>(0))
            .optional()?
            .map(|id| version_facts(conn, id))
            .transpose()?
            .flatten(),
        _ => None,
    };
    const VERIFICATION: &str = "SELECT ve.id, ve.sha, ve.success, ve.provider_version_id FROM verifications ve";
    let read = |row: &rusqlite::Row<'_>| -> rusqlite::Result<(i64, String, bool, i64)> {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    };
    let verification = match (triggered.verification_id, &triggered.sha, &provider) {
        (Some(id), ..) => conn
            .prepare_cached(&format!("{VERIFICATION} WHERE ve.id = ?1"))?
            .query_row(params![id], read)
            .optional()?,
        (None, Some(sha), Some((provider_id, _))) => conn
            .prepare_cached(&format!(
                "{VERIFICATION} JOIN versions v ON v.id = ve.provider_version_id
                 WHERE ve.sha = ?1 AND v.pacticipant_id = ?2 ORDER BY ve.id DESC LIMIT 1"
            ))?
            .query_row(params![sha, provider_id], read)
            .optional()?,
        _ => None,
    };
    let verification = match verification {
        Some((id, sha, success, version_id)) => {
            version_facts(conn, version_id)?.map(|provider_version| VerificationFacts {
                id,
                sha,
                success,
                provider_version,
            })
        }
        None => None,
    };
    let labels = |pacticipant: &Option<(i64, Option<String>)>| -> rusqlite::Result<Vec<String>> {
        let Some((id, _)) = pacticipant else {
            return Ok(Vec::new());
        };
        conn.prepare_cached("SELECT name FROM labels WHERE pacticipant_id = ?1 ORDER BY name")?
            .query_map(params![id], |row| row.get(0))?
            .collect()
    };
    Ok(EventFacts {
        consumer_version,
        verification,
        consumer_labels: labels(&consumer)?,
        provider_labels: labels(&provider)?,
        provider_main_branch: provider.and_then(|(_, main_branch)| main_branch),
    })
}

/// A version's number, tags and branches, each list in the order it was added (`None` once the
/// version is deleted: its webhook then runs with what is left).
fn version_facts(conn: &rusqlite::Connection, version_id: i64) -> rusqlite::Result<Option<VersionFacts>> {
    let Some(number) = conn
        .prepare_cached("SELECT number FROM versions WHERE id = ?1")?
        .query_row(params![version_id], |row| row.get(0))
        .optional()?
    else {
        return Ok(None);
    };
    let names = |sql: &str| -> rusqlite::Result<Vec<String>> {
        conn.prepare_cached(sql)?
            .query_map(params![version_id], |row| row.get(0))?
            .collect()
    };
    Ok(Some(VersionFacts {
        number,
        tags: names("SELECT name FROM tags WHERE version_id = ?1 ORDER BY rowid")?,
        branches: names("SELECT branch FROM branch_versions WHERE version_id = ?1 ORDER BY rowid")?,
    }))
}

/// Which triggered webhooks a listing shows.
#[derive(Debug, Clone)]
pub enum TriggeredFilter {
    All,
    Pair {
        provider: String,
        consumer: String,
    },
    ConsumerVersion {
        provider: String,
        consumer: String,
        version: String,
    },
}

impl Store {
    /// Runs `function` on the triggered webhooks, the queue moved into them first (in one
    /// transaction, so nothing queued is ever missed).
    async fn with_triggered<F, R>(&self, function: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<R> + Send + 'static,
        R: Send + 'static,
    {
        self.write_outside_snapshot(move |conn| {
            let tx = conn.transaction()?;
            expand_queue(&tx)?;
            let result = function(&tx)?;
            tx.commit()?;
            Ok(Ok(result))
        })
        .await
    }

    pub async fn webhook(&self, uuid: &str) -> Result<Option<Webhook>, StoreError> {
        let uuid = uuid.to_owned();
        self.read(move |conn| {
            let row = conn
                .prepare_cached(&format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE uuid = ?1"))?
                .query_row(params![uuid], read_webhook)
                .optional()?;
            Ok(row.and_then(parse_webhook))
        })
        .await
    }

    /// Webhooks, oldest first; with a consumer and/or provider, those whose filters name exactly
    /// them (the official per-pacticipant lists).
    pub async fn webhooks(&self, consumer: Option<&str>, provider: Option<&str>) -> Result<Vec<Webhook>, StoreError> {
        let (consumer, provider) = (consumer.map(String::from), provider.map(String::from));
        self.read(move |conn| {
            let rows = conn
                .prepare_cached(&format!(
                    "SELECT {WEBHOOK_COLUMNS} FROM webhooks
                     WHERE (?1 IS NULL OR consumer = ?1) AND (?2 IS NULL OR provider = ?2)
                     ORDER BY created_at, uuid"
                ))?
                .query_map(params![consumer, provider], read_webhook)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows.into_iter().filter_map(parse_webhook).collect())
        })
        .await
    }

    /// Creates or replaces the webhook with this uuid. Returns it and whether it is new.
    pub async fn save_webhook(&self, uuid: &str, definition: WebhookDefinition) -> Result<(Webhook, bool), StoreError> {
        let uuid = uuid.to_owned();
        self.write_outside_snapshot(move |conn| {
            let tx = conn.transaction()?;
            let existed = tx
                .prepare_cached("SELECT 1 FROM webhooks WHERE uuid = ?1")?
                .exists(params![uuid])?;
            let json = serde_json::to_string(&definition).expect("a definition serializes");
            tx.prepare_cached(
                "INSERT INTO webhooks (uuid, consumer, provider, definition, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (uuid) DO UPDATE SET consumer = excluded.consumer, provider = excluded.provider,
                     definition = excluded.definition, updated_at = excluded.updated_at",
            )?
            .execute(params![uuid, definition.consumer, definition.provider, json, now()])?;
            let webhook = tx
                .prepare_cached(&format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE uuid = ?1"))?
                .query_row(params![uuid], read_webhook)?;
            tx.commit()?;
            Ok(Ok((parse_webhook(webhook).expect("just written"), !existed)))
        })
        .await
    }

    /// Deletes a webhook; its triggers still pending are recorded as failed. Whether it existed.
    pub async fn delete_webhook(&self, uuid: &str) -> Result<bool, StoreError> {
        let uuid = uuid.to_owned();
        self.with_triggered(move |tx| {
            let deleted = tx.execute("DELETE FROM webhooks WHERE uuid = ?1", params![uuid])? > 0;
            tx.execute(
                "UPDATE triggered_webhooks SET status = 'failure', updated_at = ?2
                 WHERE webhook_uuid = ?1 AND status IN ('not_run', 'retrying')",
                params![uuid, now()],
            )?;
            Ok(deleted)
        })
        .await
    }

    /// Triggered webhooks due now (not run yet, or retrying and their time has come), oldest
    /// first, each with the facts of its event, leaving out those in `claimed` (running, or
    /// their record not written yet): one call on the connection.
    pub async fn due_webhooks(
        &self,
        limit: usize,
        claimed: std::collections::HashSet<i64>,
    ) -> Result<Vec<DueWebhook>, StoreError> {
        self.with_triggered(move |conn| {
            let due: Vec<TriggeredWebhook> = conn
                .prepare_cached(&format!(
                    "SELECT {TRIGGERED_COLUMNS} FROM triggered_webhooks
                     WHERE status IN ('not_run', 'retrying') AND next_attempt_at <= ?1
                     ORDER BY next_attempt_at, id LIMIT ?2"
                ))?
                .query_map(params![now(), limit as i64], read_triggered)?
                .collect::<rusqlite::Result<_>>()?;
            due.into_iter()
                .filter(|triggered| !claimed.contains(&triggered.id))
                .map(|triggered| {
                    let facts = event_facts(conn, &triggered)?;
                    Ok(DueWebhook { triggered, facts })
                })
                .collect()
        })
        .await
    }

    /// The facts of one trigger's event (a test execution of the latest matching pact).
    pub async fn event_facts(&self, triggered: TriggeredWebhook) -> Result<EventFacts, StoreError> {
        self.read(move |conn| event_facts(conn, &triggered)).await
    }

    /// When the next pending trigger is due, if any.
    pub async fn next_webhook_due_at(&self) -> Result<Option<String>, StoreError> {
        self.with_triggered(|conn| {
            conn.prepare_cached(
                "SELECT MIN(next_attempt_at) FROM triggered_webhooks WHERE status IN ('not_run', 'retrying')",
            )?
            .query_row([], |row| row.get(0))
        })
        .await
    }

    /// Records attempts and their logs, in one transaction.
    pub async fn record_webhook_attempts(&self, attempts: Vec<AttemptRecord>) -> Result<(), StoreError> {
        self.write_outside_snapshot(move |conn| {
            let tx = conn.transaction()?;
            let at = now();
            for attempt in &attempts {
                tx.prepare_cached(
                    "INSERT INTO webhook_executions (triggered_id, success, logs, created_at) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![attempt.triggered_id, attempt.success, attempt.logs, at])?;
                let status = match (attempt.success, &attempt.next_attempt_at) {
                    (true, _) => "success",
                    (false, Some(_)) => "retrying",
                    (false, None) => "failure",
                };
                // Only while still pending: a trigger whose webhook was deleted meanwhile stays
                // the failure the delete made it (its attempt's log is kept all the same).
                tx.prepare_cached(
                    "UPDATE triggered_webhooks SET status = ?2, attempts = attempts + 1,
                         next_attempt_at = COALESCE(?3, next_attempt_at), updated_at = ?4
                     WHERE id = ?1 AND status IN ('not_run', 'retrying')",
                )?
                .execute(params![attempt.triggered_id, status, attempt.next_attempt_at, at])?;
            }
            tx.commit()?;
            Ok(Ok(()))
        })
        .await
    }

    /// Triggered webhooks, newest first (at most `limit`).
    pub async fn triggered_webhooks(
        &self,
        filter: TriggeredFilter,
        limit: usize,
    ) -> Result<Vec<TriggeredWebhook>, StoreError> {
        self.with_triggered(move |conn| {
            let (provider, consumer, version) = match filter {
                TriggeredFilter::All => (None, None, None),
                TriggeredFilter::Pair { provider, consumer } => (Some(provider), Some(consumer), None),
                TriggeredFilter::ConsumerVersion {
                    provider,
                    consumer,
                    version,
                } => (Some(provider), Some(consumer), Some(version)),
            };
            conn.prepare_cached(&format!(
                "SELECT {TRIGGERED_COLUMNS} FROM triggered_webhooks
                 WHERE (?1 IS NULL OR provider = ?1) AND (?2 IS NULL OR consumer = ?2)
                     AND (?3 IS NULL OR consumer_version = ?3)
                 ORDER BY id DESC LIMIT ?4"
            ))?
            .query_map(params![provider, consumer, version, limit as i64], read_triggered)?
            .collect()
        })
        .await
    }

    /// A triggered webhook and the logs of its attempts, oldest first.
    pub async fn triggered_webhook_logs(
        &self,
        uuid: &str,
    ) -> Result<Option<(TriggeredWebhook, Vec<String>)>, StoreError> {
        let uuid = uuid.to_owned();
        self.with_triggered(move |conn| {
            let Some(triggered) = conn
                .prepare_cached(&format!(
                    "SELECT {TRIGGERED_COLUMNS} FROM triggered_webhooks WHERE uuid = ?1"
                ))?
                .query_row(params![uuid], read_triggered)
                .optional()?
            else {
                return Ok(None);
            };
            let logs = conn
                .prepare_cached("SELECT logs FROM webhook_executions WHERE triggered_id = ?1 ORDER BY id")?
                .query_map(params![triggered.id], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(Some((triggered, logs)))
        })
        .await
    }
}
