//! Loading the [`Snapshot`]: every table but pact contents, in one transaction.

use service_kit::db::rusqlite;

use super::environments::{DEPLOYMENT_COLUMNS, ENVIRONMENT_COLUMNS, read_deployment, read_environment};
use super::{pacticipants, verifications};
use crate::model::{Publication, Snapshot, Version};

pub(super) fn load(conn: &mut rusqlite::Connection) -> rusqlite::Result<Snapshot> {
    let tx = conn.transaction()?;
    let mut snapshot = Snapshot::default();
    let mut stmt = tx.prepare_cached(&format!("SELECT {} FROM pacticipants", pacticipants::COLUMNS))?;
    for p in stmt.query_map([], pacticipants::read)? {
        let p = p?;
        snapshot.pacticipants.insert(p.id, p);
    }
    drop(stmt);
    let mut stmt = tx.prepare_cached("SELECT id, pacticipant_id, number, build_url, created_at FROM versions")?;
    for v in stmt.query_map([], |row| {
        Ok(Version {
            id: row.get(0)?,
            pacticipant_id: row.get(1)?,
            number: row.get(2)?,
            build_url: row.get(3)?,
            created_at: row.get(4)?,
            branches: Vec::new(),
            tags: Vec::new(),
        })
    })? {
        let v = v?;
        snapshot.versions.insert(v.id, v);
    }
    drop(stmt);
    let mut stmt = tx.prepare_cached("SELECT version_id, branch FROM branch_versions ORDER BY rowid")?;
    for row in stmt.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))? {
        let (id, branch) = row?;
        if let Some(v) = snapshot.versions.get_mut(&id) {
            v.branches.push(branch);
        }
    }
    drop(stmt);
    let mut stmt = tx.prepare_cached("SELECT version_id, name FROM tags ORDER BY rowid")?;
    for row in stmt.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))? {
        let (id, tag) = row?;
        if let Some(v) = snapshot.versions.get_mut(&id) {
            v.tags.push(tag);
        }
    }
    drop(stmt);
    let mut stmt = tx.prepare_cached(
        "SELECT p.id, v.pacticipant_id, p.provider_id, p.consumer_version_id, p.sha, p.created_at
         FROM publications p JOIN versions v ON v.id = p.consumer_version_id
         ORDER BY p.consumer_version_id, p.id",
    )?;
    for row in stmt.query_map([], |row| {
        Ok(Publication {
            id: row.get(0)?,
            consumer_id: row.get(1)?,
            provider_id: row.get(2)?,
            consumer_version_id: row.get(3)?,
            sha: row.get(4)?,
            created_at: row.get(5)?,
        })
    })? {
        snapshot.publications.push(row?);
    }
    drop(stmt);
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {} FROM verifications ve JOIN versions v ON v.id = ve.provider_version_id ORDER BY ve.id",
        verifications::COLUMNS
    ))?;
    for row in stmt.query_map([], verifications::read)? {
        snapshot.verifications.push(row?);
    }
    drop(stmt);
    let mut stmt = tx.prepare_cached(&format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments ORDER BY name"))?;
    for row in stmt.query_map([], read_environment)? {
        snapshot.environments.push(row?);
    }
    drop(stmt);
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE ended_at IS NULL ORDER BY id"
    ))?;
    for row in stmt.query_map([], read_deployment)? {
        snapshot.deployments.push(row?);
    }
    drop(stmt);
    for (table, column, map) in [
        ("branch_versions", "branch", &mut snapshot.branch_created),
        ("tags", "name", &mut snapshot.tag_created),
    ] {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT v.pacticipant_id, t.{column}, MIN(t.created_at) FROM {table} t
             JOIN versions v ON v.id = t.version_id GROUP BY v.pacticipant_id, t.{column}"
        ))?;
        for row in stmt.query_map([], |row| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))? {
            let (key, created) = row?;
            map.insert(key, created);
        }
    }
    tx.commit()?;
    Ok(snapshot)
}
