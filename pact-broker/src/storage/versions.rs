//! Versions of a pacticipant, with their branches and tags.

use std::sync::Arc;
use std::time::Duration;

use rusqlite::{OptionalExtension, Transaction, params};
use service_kit::db::rusqlite;

use super::{Missing, Store, StoreError, now, pacticipants};
use crate::model::branches::{BranchSettings, VersionBefore};

/// What a version is labelled with when it is created or mentioned again: labels add up
/// (a branch or tag is never taken away this way), a build URL replaces the old one.
#[derive(Debug, Clone, Default)]
pub struct VersionLabels {
    pub branch: Option<String>,
    pub tags: Vec<String>,
    pub build_url: Option<String>,
}

/// A version as written, and whether the write created it.
#[derive(Debug, Clone, Copy)]
pub(super) struct SavedVersion {
    pub version_id: i64,
    pub created: bool,
}

/// Creates the pacticipant and the version when needed and adds the labels: the one way every
/// write (publishing, verifying, tagging, branching) brings a version into being. Here too the
/// official branch inference happens (first tag as branch, main branch detection), so every
/// client's way of labelling a version gets it.
pub(super) fn save(
    tx: &Transaction<'_>,
    settings: &BranchSettings,
    pacticipant: &str,
    number: &str,
    labels: &VersionLabels,
) -> rusqlite::Result<SavedVersion> {
    let pacticipant_id = pacticipants::ensure(tx, pacticipant)?;
    let created = tx
        .prepare_cached(
            "INSERT INTO versions (pacticipant_id, number, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (pacticipant_id, number) DO NOTHING",
        )?
        .execute(params![pacticipant_id, number, now()])?
        > 0;
    let (version_id, created_at): (i64, String) = tx
        .prepare_cached("SELECT id, created_at FROM versions WHERE pacticipant_id = ?1 AND number = ?2")?
        .query_row(params![pacticipant_id, number], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let before = VersionBefore {
        has_branch: tx
            .prepare_cached("SELECT 1 FROM branch_versions WHERE version_id = ?1")?
            .exists(params![version_id])?,
        has_tags: tx
            .prepare_cached("SELECT 1 FROM tags WHERE version_id = ?1")?
            .exists(params![version_id])?,
        age: age(&created_at),
    };
    let branch = settings.branch_for(before, labels.branch.as_deref(), &labels.tags);
    if let Some(branch) = &branch {
        tx.prepare_cached(
            "INSERT INTO branch_versions (version_id, branch, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![version_id, branch, now()])?;
    }
    for tag in &labels.tags {
        tx.prepare_cached(
            "INSERT INTO tags (version_id, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        )?
        .execute(params![version_id, tag, now()])?;
    }
    for label in branch.iter().chain(&labels.tags) {
        detect_main_branch(tx, settings, pacticipant_id, label)?;
    }
    if let Some(build_url) = &labels.build_url {
        tx.prepare_cached("UPDATE versions SET build_url = ?2 WHERE id = ?1")?
            .execute(params![version_id, build_url])?;
    }
    Ok(SavedVersion { version_id, created })
}

/// How long ago a stored timestamp was (zero when unreadable or in the future).
fn age(created_at: &str) -> Duration {
    chrono::DateTime::parse_from_rfc3339(created_at)
        .ok()
        .and_then(|at| (chrono::Utc::now() - at.with_timezone(&chrono::Utc)).to_std().ok())
        .unwrap_or(Duration::ZERO)
}

fn detect_main_branch(
    tx: &Transaction<'_>,
    settings: &BranchSettings,
    pacticipant_id: i64,
    label: &str,
) -> rusqlite::Result<()> {
    let current: Option<String> = tx
        .prepare_cached("SELECT main_branch FROM pacticipants WHERE id = ?1")?
        .query_row(params![pacticipant_id], |row| row.get(0))?;
    if let Some(main_branch) = settings.main_branch_from(current.as_deref(), label) {
        tracing::info!(
            pacticipant_id,
            main_branch,
            "main branch detected (auto_detect_main_branch)"
        );
        tx.prepare_cached("UPDATE pacticipants SET main_branch = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![pacticipant_id, main_branch, now()])?;
    }
    Ok(())
}

impl Store {
    /// Creates pacticipant and version if needed and adds the labels. Returns whether the
    /// version is new.
    pub async fn save_version(
        &self,
        pacticipant: &str,
        number: &str,
        labels: VersionLabels,
    ) -> Result<bool, StoreError> {
        let (pacticipant, number) = (pacticipant.to_owned(), number.to_owned());
        let settings = Arc::clone(&self.branches);
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let saved = save(&tx, &settings, &pacticipant, &number, &labels)?;
            tx.commit()?;
            Ok(Ok(saved.created))
        })
        .await
    }

    /// Removes a branch from every version (the versions themselves stay).
    pub async fn delete_branch(&self, pacticipant: &str, branch: &str) -> Result<(), StoreError> {
        let (pacticipant, branch) = (pacticipant.to_owned(), branch.to_owned());
        self.write(move |conn| {
            let deleted = conn.execute(
                "DELETE FROM branch_versions WHERE branch = ?2 AND version_id IN
                     (SELECT v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name = ?1)",
                params![pacticipant, branch],
            )?;
            Ok(match deleted {
                0 => Err(StoreError::NotFound(Missing::Branch { pacticipant, branch })),
                _ => Ok(()),
            })
        })
        .await
    }

    pub async fn delete_tag(&self, pacticipant: &str, version: &str, tag: &str) -> Result<(), StoreError> {
        let (pacticipant, version, tag) = (pacticipant.to_owned(), version.to_owned(), tag.to_owned());
        self.write(move |conn| {
            let deleted = conn.execute(
                "DELETE FROM tags WHERE name = ?3 AND version_id IN
                     (SELECT v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id
                      WHERE p.name = ?1 AND v.number = ?2)",
                params![pacticipant, version, tag],
            )?;
            Ok(match deleted {
                0 => Err(StoreError::NotFound(Missing::Tag {
                    pacticipant,
                    version,
                    tag,
                })),
                _ => Ok(()),
            })
        })
        .await
    }
}

/// Deletes versions and everything that hangs off them: their branches, tags, deployments, the
/// pacts they published and the verifications they made.
fn delete_versions(tx: &Transaction<'_>, version_ids: &[i64]) -> rusqlite::Result<()> {
    for id in version_ids {
        for sql in [
            "DELETE FROM branch_versions WHERE version_id = ?1",
            "DELETE FROM tags WHERE version_id = ?1",
            "DELETE FROM deployments WHERE version_id = ?1",
            "DELETE FROM publications WHERE consumer_version_id = ?1",
            "DELETE FROM verifications WHERE provider_version_id = ?1",
            "DELETE FROM versions WHERE id = ?1",
        ] {
            tx.prepare_cached(sql)?.execute(params![id])?;
        }
    }
    Ok(())
}

impl Store {
    /// Deletes a version with its branches, tags, deployments, pacts and verifications.
    /// Whether it existed.
    pub async fn delete_version(&self, pacticipant: &str, number: &str) -> Result<bool, StoreError> {
        let (pacticipant, number) = (pacticipant.to_owned(), number.to_owned());
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let id: Option<i64> = tx
                .prepare_cached(
                    "SELECT v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id
                     WHERE p.name = ?1 AND v.number = ?2",
                )?
                .query_row(params![pacticipant, number], |row| row.get(0))
                .optional()?;
            let Some(id) = id else { return Ok(Ok(false)) };
            delete_versions(&tx, &[id])?;
            tx.commit()?;
            Ok(Ok(true))
        })
        .await
    }

    /// Deletes a pacticipant with all its versions (see `delete_version`), the pacts others
    /// published for it as provider, their verifications of its pacts, and the webhooks that name
    /// it. Whether it existed.
    pub async fn delete_pacticipant(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_owned();
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let id: Option<i64> = tx
                .prepare_cached("SELECT id FROM pacticipants WHERE name = ?1")?
                .query_row(params![name], |row| row.get(0))
                .optional()?;
            let Some(id) = id else { return Ok(Ok(false)) };
            let versions = tx
                .prepare_cached("SELECT id FROM versions WHERE pacticipant_id = ?1")?
                .query_map(params![id], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            delete_versions(&tx, &versions)?;
            tx.execute("DELETE FROM publications WHERE provider_id = ?1", params![id])?;
            tx.execute("DELETE FROM verifications WHERE consumer_id = ?1", params![id])?;
            tx.execute(
                "DELETE FROM webhooks WHERE consumer = ?1 OR provider = ?1",
                params![name],
            )?;
            tx.execute("DELETE FROM labels WHERE pacticipant_id = ?1", params![id])?;
            tx.execute("DELETE FROM pacticipants WHERE id = ?1", params![id])?;
            tx.commit()?;
            Ok(Ok(true))
        })
        .await
    }
}
