//! Verification results: a provider version's verdict on one pact content.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;
use service_kit::db::rusqlite;

use super::versions::{self, VersionLabels};
use super::{Store, StoreError, now, pacticipants, webhooks};
use crate::model::webhooks::Event;
use crate::model::{Verification, VerificationDetail};

#[derive(Debug, Clone)]
pub struct NewVerification {
    pub provider: String,
    pub consumer: String,
    pub sha: String,
    pub provider_version: String,
    /// The provider version's branch and tags (its build URL is not set this way).
    pub labels: VersionLabels,
    pub success: bool,
    pub test_results: Value,
    pub verified_by: Value,
    /// The verification's build.
    pub build_url: Option<String>,
    /// The broker's base URL as the verifier addressed it (for the links webhooks hand out).
    pub base_url: String,
}

/// The snapshot's columns of a verification (`ve`) joined with its provider version (`v`).
pub(super) const COLUMNS: &str =
    "ve.id, ve.sha, ve.consumer_id, v.pacticipant_id, ve.provider_version_id, ve.success, ve.created_at";

pub(super) fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Verification> {
    Ok(Verification {
        id: row.get(0)?,
        sha: row.get(1)?,
        consumer_id: row.get(2)?,
        provider_id: row.get(3)?,
        provider_version_id: row.get(4)?,
        success: row.get(5)?,
        created_at: row.get(6)?,
    })
}

impl Store {
    /// Records a verification (creating the provider version with its labels). Returns its id.
    pub async fn add_verification(&self, new: NewVerification) -> Result<i64, StoreError> {
        let settings = std::sync::Arc::clone(&self.branches);
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let consumer_id = pacticipants::ensure(&tx, &new.consumer)?;
            let version_id = versions::save(&tx, &settings, &new.provider, &new.provider_version, &new.labels)?.version_id;
            tx.prepare_cached(
                "INSERT INTO verifications (sha, consumer_id, provider_version_id, success, test_results, verified_by, build_url, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                new.sha,
                consumer_id,
                version_id,
                new.success,
                new.test_results.to_string(),
                new.verified_by.to_string(),
                new.build_url,
                now()
            ])?;
            let id = tx.last_insert_rowid();
            let subscriptions = webhooks::subscriptions(&tx, &new.consumer, &new.provider)?;
            if !subscriptions.is_empty() {
                // The consumer version the official parameters name: the latest with this content.
                let consumer_version: Option<String> = tx
                    .prepare_cached(
                        "SELECT v.number FROM publications pub JOIN versions v ON v.id = pub.consumer_version_id
                         WHERE pub.sha = ?1 AND v.pacticipant_id = ?2 ORDER BY v.id DESC LIMIT 1",
                    )?
                    .query_row(params![new.sha, consumer_id], |row| row.get(0))
                    .optional()?;
                let at = webhooks::Occurrence {
                    consumer: &new.consumer,
                    provider: &new.provider,
                    consumer_version: consumer_version.as_deref(),
                    sha: &new.sha,
                    verification_id: Some(id),
                    provider_version: Some(&new.provider_version),
                    provider_branch: new.labels.branch.as_deref(),
                    base_url: &new.base_url,
                };
                let mut triggers = webhooks::Triggers::default();
                for event in Event::for_verification(new.success) {
                    webhooks::trigger(&mut triggers, &subscriptions, event, &at);
                }
                triggers.enqueue(&tx)?;
            }
            tx.commit()?;
            Ok(Ok(id))
        })
        .await
    }

    /// A verification with the test results and who verified.
    pub async fn verification(&self, id: i64) -> Result<Option<VerificationDetail>, StoreError> {
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS}, ve.test_results, ve.verified_by, ve.build_url
                 FROM verifications ve JOIN versions v ON v.id = ve.provider_version_id WHERE ve.id = ?1"
            ))?
            .query_row(params![id], |row| {
                let json =
                    |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
                Ok(VerificationDetail {
                    verification: read(row)?,
                    test_results: json(row.get(7)?),
                    verified_by: json(row.get(8)?),
                    build_url: row.get(9)?,
                })
            })
            .optional()
        })
        .await
    }
}
