//! Webhooks: their definitions, what triggered them and each attempt's log. Triggers are
//! recorded in the transaction of the write that caused them (a publication, a verification),
//! so they exist exactly when that write committed; the runner (`dispatch`) executes them later.

use rusqlite::{OptionalExtension, Transaction, params};
use service_kit::db::rusqlite;

use super::{Store, StoreError, now};
use crate::model::webhooks::{Event, TriggerStatus, TriggeredWebhook, Webhook, WebhookDefinition};

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

/// Whether any webhook is defined (writes skip the trigger queries when none is).
pub(super) fn any(tx: &Transaction<'_>) -> rusqlite::Result<bool> {
    tx.prepare_cached("SELECT 1 FROM webhooks LIMIT 1")?.exists([])
}

/// The enabled webhooks of a pair subscribed to `event`.
fn subscribed(tx: &Transaction<'_>, event: Event, consumer: &str, provider: &str) -> rusqlite::Result<Vec<Webhook>> {
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
        .filter(|w| w.definition.matches(event, consumer, provider))
        .collect())
}

fn insert_trigger(tx: &Transaction<'_>, webhook: &Webhook, event: Event, at: &Occurrence<'_>) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO triggered_webhooks (uuid, webhook_uuid, event, consumer, provider, consumer_version, sha,
             verification_id, provider_version, provider_branch, base_url, status, next_attempt_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'not_run', ?12, ?12, ?12)",
    )?
    .execute(params![
        uuid::Uuid::new_v4().to_string(),
        webhook.uuid,
        event.name(),
        at.consumer,
        at.provider,
        at.consumer_version,
        at.sha,
        at.verification_id,
        at.provider_version,
        at.provider_branch,
        at.base_url,
        now()
    ])?;
    Ok(())
}

/// Records a trigger of every webhook subscribed to `event` for this pair. Returns how many.
pub(super) fn trigger(tx: &Transaction<'_>, event: Event, at: &Occurrence<'_>) -> rusqlite::Result<usize> {
    let webhooks = subscribed(tx, event, at.consumer, at.provider)?;
    for webhook in &webhooks {
        insert_trigger(tx, webhook, event, at)?;
    }
    Ok(webhooks.len())
}

/// `contract_requiring_verification_published`: one trigger per provider version that should
/// verify this content and has not — the latest of the provider's main branch, and every
/// version currently deployed or released — naming that version (and its branch).
pub(super) fn trigger_required_verifications(
    tx: &Transaction<'_>,
    provider_id: i64,
    at: &Occurrence<'_>,
) -> rusqlite::Result<usize> {
    let event = Event::ContractRequiringVerificationPublished;
    let webhooks = subscribed(tx, event, at.consumer, at.provider)?;
    if webhooks.is_empty() {
        return Ok(0);
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
    let mut triggered = 0;
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
        for webhook in &webhooks {
            insert_trigger(tx, webhook, event, &at)?;
            triggered += 1;
        }
    }
    Ok(triggered)
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
        self.write_outside_snapshot(move |conn| {
            let tx = conn.transaction()?;
            let deleted = tx.execute("DELETE FROM webhooks WHERE uuid = ?1", params![uuid])? > 0;
            tx.execute(
                "UPDATE triggered_webhooks SET status = 'failure', updated_at = ?2
                 WHERE webhook_uuid = ?1 AND status IN ('not_run', 'retrying')",
                params![uuid, now()],
            )?;
            tx.commit()?;
            Ok(Ok(deleted))
        })
        .await
    }

    /// Triggered webhooks due now (not run yet, or retrying and their time has come), oldest first.
    pub async fn due_webhooks(&self, limit: usize) -> Result<Vec<TriggeredWebhook>, StoreError> {
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {TRIGGERED_COLUMNS} FROM triggered_webhooks
                 WHERE status IN ('not_run', 'retrying') AND next_attempt_at <= ?1
                 ORDER BY next_attempt_at, id LIMIT ?2"
            ))?
            .query_map(params![now(), limit as i64], read_triggered)?
            .collect()
        })
        .await
    }

    /// When the next pending trigger is due, if any.
    pub async fn next_webhook_due_at(&self) -> Result<Option<String>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT MIN(next_attempt_at) FROM triggered_webhooks WHERE status IN ('not_run', 'retrying')",
            )?
            .query_row([], |row| row.get(0))
        })
        .await
    }

    /// Records an attempt and its log: `next_attempt_at` is when to retry (`None`: done —
    /// success, or failure when `success` is false).
    pub async fn record_webhook_attempt(
        &self,
        triggered_id: i64,
        success: bool,
        logs: String,
        next_attempt_at: Option<String>,
    ) -> Result<(), StoreError> {
        self.write_outside_snapshot(move |conn| {
            let tx = conn.transaction()?;
            let at = now();
            tx.prepare_cached(
                "INSERT INTO webhook_executions (triggered_id, success, logs, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![triggered_id, success, logs, at])?;
            let status = match (success, &next_attempt_at) {
                (true, _) => "success",
                (false, Some(_)) => "retrying",
                (false, None) => "failure",
            };
            tx.prepare_cached(
                "UPDATE triggered_webhooks SET status = ?2, attempts = attempts + 1,
                     next_attempt_at = COALESCE(?3, next_attempt_at), updated_at = ?4 WHERE id = ?1",
            )?
            .execute(params![triggered_id, status, next_attempt_at, at])?;
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
        self.read(move |conn| {
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
        self.read(move |conn| {
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
