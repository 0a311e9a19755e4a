//! Pacts: contents stored once per sha of their canonical JSON, and publications (a consumer
//! version's pact with a provider points at a content).

use rusqlite::{OptionalExtension, params};
use serde_json::Value;
use service_kit::db::rusqlite;

use super::versions::{self, VersionLabels};
use super::{Conflict, Store, StoreError, now, webhooks};
use crate::model::pact::{self, PublishOutcome};
use crate::model::webhooks::Event;

/// How a publication is stored when the consumer version already has a different pact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// The official broker's default: different content is refused.
    Refuse,
    /// Replace the content (PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION).
    Overwrite,
    /// Add the new interactions to the existing pact (`onConflict: "merge"`, `PATCH`).
    Merge,
}

#[derive(Debug, Clone)]
pub struct NewPact {
    pub consumer: String,
    pub provider: String,
    pub version: String,
    pub labels: VersionLabels,
    pub content: Value,
    pub on_conflict: OnConflict,
    /// The broker's base URL as the publisher addressed it (for the links webhooks hand out).
    pub base_url: String,
}

#[derive(Debug, Clone)]
pub struct Published {
    pub sha: String,
    pub outcome: PublishOutcome,
}

fn store_content(tx: &rusqlite::Connection, sha: &str, content: &Value) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO pact_contents (sha, content, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?
    .execute(params![sha, content.to_string(), now()])?;
    Ok(())
}

fn load_content(conn: &rusqlite::Connection, sha: &str) -> rusqlite::Result<Option<Value>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT content FROM pact_contents WHERE sha = ?1")?
        .query_row(params![sha], |row| row.get(0))
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Records the webhooks this publication triggers, in its transaction: `contract_published`
/// always, `contract_content_changed` when the content differs from the pair's previous one,
/// `contract_requiring_verification_published` for provider versions that have not verified it.
fn trigger_webhooks(
    tx: &rusqlite::Transaction<'_>,
    at: &webhooks::Occurrence<'_>,
    version_id: i64,
    provider_id: i64,
    outcome: PublishOutcome,
) -> rusqlite::Result<()> {
    let subscriptions = webhooks::subscriptions(tx, at.consumer, at.provider)?;
    if subscriptions.is_empty() {
        return Ok(());
    }
    let mut triggers = webhooks::Triggers::default();
    webhooks::trigger(&mut triggers, &subscriptions, Event::ContractPublished, at);
    if outcome != PublishOutcome::Unchanged && webhooks::listens(&subscriptions, Event::ContractContentChanged, at) {
        let previous: Option<String> = tx
            .prepare_cached(
                "SELECT pub.sha FROM publications pub JOIN versions v ON v.id = pub.consumer_version_id
                 WHERE pub.provider_id = ?1 AND pub.consumer_version_id != ?2
                     AND v.pacticipant_id = (SELECT pacticipant_id FROM versions WHERE id = ?2)
                 ORDER BY pub.id DESC LIMIT 1",
            )?
            .query_row(params![provider_id, version_id], |row| row.get(0))
            .optional()?;
        if previous.as_deref() != Some(at.sha) {
            webhooks::trigger(&mut triggers, &subscriptions, Event::ContractContentChanged, at);
        }
    }
    webhooks::trigger_required_verifications(tx, &mut triggers, &subscriptions, provider_id, at)?;
    triggers.enqueue(tx)
}

impl Store {
    /// Stores a consumer version's pact with a provider (creating pacticipants and version and
    /// adding the labels), as `new.on_conflict` says when the version already has another one.
    pub async fn publish(&self, new: NewPact) -> Result<Published, StoreError> {
        let settings = std::sync::Arc::clone(&self.branches);
        self.write(move |conn| {
            let tx = conn.transaction()?;
            // Consumer before provider, so a first publication numbers them in that order.
            let version_id = versions::save(&tx, &settings, &new.consumer, &new.version, &new.labels)?.version_id;
            let provider_id = super::pacticipants::ensure(&tx, &new.provider)?;
            let existing: Option<(i64, String)> = tx
                .prepare_cached("SELECT id, sha FROM publications WHERE consumer_version_id = ?1 AND provider_id = ?2")?
                .query_row(params![version_id, provider_id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let mut content = new.content;
            if let (Some((_, old_sha)), OnConflict::Merge) = (&existing, new.on_conflict)
                && let Some(old) = load_content(&tx, old_sha)?
            {
                content = pact::merge(old, content);
            }
            let (sha, content) = pact::prepare(content);
            let outcome = match existing {
                None => {
                    store_content(&tx, &sha, &content)?;
                    tx.prepare_cached(
                        "INSERT INTO publications (consumer_version_id, provider_id, sha, created_at) VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![version_id, provider_id, sha, now()])?;
                    PublishOutcome::Created
                }
                Some((_, old_sha)) if old_sha == sha => PublishOutcome::Unchanged,
                Some((id, _)) => {
                    let outcome = match new.on_conflict {
                        OnConflict::Refuse => {
                            return Ok(Err(StoreError::Conflict(Conflict::PactContentChanged {
                                consumer: new.consumer,
                                version: new.version,
                                provider: new.provider,
                            })));
                        }
                        OnConflict::Merge => PublishOutcome::Merged,
                        OnConflict::Overwrite => PublishOutcome::Overwritten,
                    };
                    store_content(&tx, &sha, &content)?;
                    tx.execute("UPDATE publications SET sha = ?2 WHERE id = ?1", params![id, sha])?;
                    outcome
                }
            };
            let at = webhooks::Occurrence {
                consumer: &new.consumer,
                provider: &new.provider,
                consumer_version: Some(&new.version),
                sha: &sha,
                base_url: &new.base_url,
                ..Default::default()
            };
            trigger_webhooks(&tx, &at, version_id, provider_id, outcome)?;
            tx.commit()?;
            Ok(Ok(Published { sha, outcome }))
        })
        .await
    }

    /// Whether the consumer version exists, and the (provider name, sha) of its pacts: what a
    /// publication checks before storing anything, without loading a snapshot.
    pub async fn published_for(
        &self,
        consumer: &str,
        version: &str,
    ) -> Result<(bool, Vec<(String, String)>), StoreError> {
        let (consumer, version) = (consumer.to_owned(), version.to_owned());
        self.read(move |conn| {
            let version_id: Option<i64> = conn
                .prepare_cached(
                    "SELECT v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id
                     WHERE p.name = ?1 AND v.number = ?2",
                )?
                .query_row(params![consumer, version], |row| row.get(0))
                .optional()?;
            let Some(version_id) = version_id else {
                return Ok((false, Vec::new()));
            };
            let pacts = conn
                .prepare_cached(
                    "SELECT p.name, pub.sha FROM publications pub JOIN pacticipants p ON p.id = pub.provider_id
                     WHERE pub.consumer_version_id = ?1",
                )?
                .query_map(params![version_id], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
            Ok((true, pacts))
        })
        .await
    }

    /// The pact content with this sha.
    pub async fn content(&self, sha: &str) -> Result<Option<Value>, StoreError> {
        let sha = sha.to_owned();
        self.read(move |conn| load_content(conn, &sha)).await
    }

    /// Deletes a consumer version's pact with a provider.
    pub async fn delete_publication(&self, publication_id: i64) -> Result<(), StoreError> {
        self.write(move |conn| {
            conn.execute("DELETE FROM publications WHERE id = ?1", params![publication_id])?;
            Ok(Ok(()))
        })
        .await
    }
}

impl Store {
    /// Deletes an integration: every pact between the consumer and the provider and every
    /// verification of them (versions, pacticipants and content stay). Whether there was any.
    pub async fn delete_integration(&self, consumer: &str, provider: &str) -> Result<bool, StoreError> {
        let (consumer, provider) = (consumer.to_owned(), provider.to_owned());
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let ids = |name: &str| -> rusqlite::Result<Option<i64>> {
                tx.prepare_cached("SELECT id FROM pacticipants WHERE name = ?1")?
                    .query_row(params![name], |row| row.get(0))
                    .optional()
            };
            let (Some(consumer_id), Some(provider_id)) = (ids(&consumer)?, ids(&provider)?) else {
                return Ok(Ok(false));
            };
            let verifications = tx.execute(
                "DELETE FROM verifications WHERE consumer_id = ?1
                     AND provider_version_id IN (SELECT id FROM versions WHERE pacticipant_id = ?2)",
                params![consumer_id, provider_id],
            )?;
            let publications = tx.execute(
                "DELETE FROM publications WHERE provider_id = ?2
                     AND consumer_version_id IN (SELECT id FROM versions WHERE pacticipant_id = ?1)",
                params![consumer_id, provider_id],
            )?;
            tx.commit()?;
            Ok(Ok(verifications + publications > 0))
        })
        .await
    }
}
