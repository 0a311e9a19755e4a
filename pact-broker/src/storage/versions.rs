//! Versions of a pacticipant, with their branches and tags.

use rusqlite::{Transaction, params};
use service_kit::db::rusqlite;

use super::{Missing, Store, StoreError, now, pacticipants};

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
/// write (publishing, verifying, tagging, branching) brings a version into being.
pub(super) fn save(
    tx: &Transaction<'_>,
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
    let version_id = tx
        .prepare_cached("SELECT id FROM versions WHERE pacticipant_id = ?1 AND number = ?2")?
        .query_row(params![pacticipant_id, number], |row| row.get(0))?;
    if let Some(branch) = &labels.branch {
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
    if let Some(build_url) = &labels.build_url {
        tx.prepare_cached("UPDATE versions SET build_url = ?2 WHERE id = ?1")?
            .execute(params![version_id, build_url])?;
    }
    Ok(SavedVersion { version_id, created })
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
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let saved = save(&tx, &pacticipant, &number, &labels)?;
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
