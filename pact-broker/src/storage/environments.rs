//! Environments, and the deployments and releases of versions to them.

use rusqlite::{OptionalExtension, params};
use service_kit::db::rusqlite;

use super::{Conflict, Missing, Store, StoreError, now};
use crate::model::{Deployment, DeploymentKind, Environment};

pub(super) const ENVIRONMENT_COLUMNS: &str = "id, uuid, name, display_name, production, created_at, updated_at";

pub(super) fn read_environment(row: &rusqlite::Row<'_>) -> rusqlite::Result<Environment> {
    Ok(Environment {
        id: row.get(0)?,
        uuid: row.get(1)?,
        name: row.get(2)?,
        display_name: row.get(3)?,
        production: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

pub(super) const DEPLOYMENT_COLUMNS: &str =
    "id, uuid, kind, version_id, environment_id, application_instance, created_at, ended_at";

pub(super) fn read_deployment(row: &rusqlite::Row<'_>) -> rusqlite::Result<Deployment> {
    let kind: String = row.get(2)?;
    Ok(Deployment {
        id: row.get(0)?,
        uuid: row.get(1)?,
        kind: if kind == "released" {
            DeploymentKind::Released
        } else {
            DeploymentKind::Deployed
        },
        version_id: row.get(3)?,
        environment_id: row.get(4)?,
        application_instance: row.get(5)?,
        created_at: row.get(6)?,
        ended_at: row.get(7)?,
    })
}

fn environment_by_uuid(conn: &rusqlite::Connection, uuid: &str) -> rusqlite::Result<Option<Environment>> {
    conn.prepare_cached(&format!(
        "SELECT {ENVIRONMENT_COLUMNS} FROM environments WHERE uuid = ?1"
    ))?
    .query_row(params![uuid], read_environment)
    .optional()
}

fn deployment_by_uuid(conn: &rusqlite::Connection, uuid: &str) -> rusqlite::Result<Option<Deployment>> {
    conn.prepare_cached(&format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE uuid = ?1"))?
        .query_row(params![uuid], read_deployment)
        .optional()
}

/// An environment as created or replaced.
#[derive(Debug, Clone)]
pub struct EnvironmentFields {
    pub name: String,
    pub display_name: Option<String>,
    pub production: bool,
}

/// How saving an environment treats one with the same uuid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Save {
    /// Create a new one (a new uuid, or the given one when it is free).
    Create(Option<String>),
    /// Create or replace the one with this uuid.
    Replace(String),
}

impl Store {
    /// Every environment, by name.
    pub async fn environments(&self) -> Result<Vec<Environment>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(&format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments ORDER BY name"))?
                .query_map([], read_environment)?
                .collect()
        })
        .await
    }

    pub async fn environment(&self, uuid: &str) -> Result<Option<Environment>, StoreError> {
        let uuid = uuid.to_owned();
        self.read(move |conn| environment_by_uuid(conn, &uuid)).await
    }

    /// Creates or replaces an environment; its name must be free, and a created one's uuid too.
    /// Returns it and whether it is new.
    pub async fn save_environment(
        &self,
        save: Save,
        fields: EnvironmentFields,
    ) -> Result<(Environment, bool), StoreError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let (uuid, replacing) = match save {
                Save::Create(Some(uuid)) => (uuid, false),
                Save::Create(None) => (uuid::Uuid::new_v4().to_string(), false),
                Save::Replace(uuid) => (uuid, true),
            };
            let existed = environment_by_uuid(&tx, &uuid)?.is_some();
            if existed && !replacing {
                return Ok(Err(StoreError::Conflict(Conflict::EnvironmentUuidTaken { uuid })));
            }
            let holder: Option<String> = tx
                .prepare_cached("SELECT uuid FROM environments WHERE name = ?1")?
                .query_row(params![fields.name], |row| row.get(0))
                .optional()?;
            if holder.is_some_and(|other| other != uuid) {
                return Ok(Err(StoreError::Conflict(Conflict::EnvironmentNameTaken {
                    name: fields.name,
                })));
            }
            tx.execute(
                "INSERT INTO environments (uuid, name, display_name, production, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, display_name = excluded.display_name,
                    production = excluded.production, updated_at = excluded.updated_at",
                params![uuid, fields.name, fields.display_name, fields.production, now()],
            )?;
            let environment = environment_by_uuid(&tx, &uuid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            tx.commit()?;
            Ok(Ok((environment, !existed)))
        })
        .await
    }

    /// Deletes an environment with its deployments and releases.
    pub async fn delete_environment(&self, uuid: &str) -> Result<(), StoreError> {
        let uuid = uuid.to_owned();
        self.write(move |conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "DELETE FROM deployments WHERE environment_id IN (SELECT id FROM environments WHERE uuid = ?1)",
                params![uuid],
            )?;
            if tx.execute("DELETE FROM environments WHERE uuid = ?1", params![uuid])? == 0 {
                return Ok(Err(StoreError::NotFound(Missing::Environment { uuid })));
            }
            tx.commit()?;
            Ok(Ok(()))
        })
        .await
    }

    /// Records a deployment (ending the previous one of the same application instance, as the
    /// official broker does) or a release (idempotent while still supported).
    pub async fn record(
        &self,
        kind: DeploymentKind,
        version_id: i64,
        environment_id: i64,
        application_instance: Option<String>,
    ) -> Result<Deployment, StoreError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let now = now();
            let pacticipant_id: i64 = tx
                .prepare_cached("SELECT pacticipant_id FROM versions WHERE id = ?1")?
                .query_row(params![version_id], |row| row.get(0))?;
            match kind {
                DeploymentKind::Deployed => {
                    tx.execute(
                        "UPDATE deployments SET ended_at = ?4 WHERE kind = 'deployed' AND ended_at IS NULL
                         AND environment_id = ?1 AND application_instance IS ?2
                         AND version_id IN (SELECT id FROM versions WHERE pacticipant_id = ?3)",
                        params![environment_id, application_instance, pacticipant_id, now],
                    )?;
                }
                DeploymentKind::Released => {
                    let current = tx
                        .prepare_cached(&format!(
                            "SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE kind = 'released' AND ended_at IS NULL
                             AND version_id = ?1 AND environment_id = ?2"
                        ))?
                        .query_row(params![version_id, environment_id], read_deployment)
                        .optional()?;
                    if let Some(current) = current {
                        return Ok(Ok(current));
                    }
                }
            }
            let uuid = uuid::Uuid::new_v4().to_string();
            tx.execute(
                "INSERT INTO deployments (uuid, kind, version_id, environment_id, application_instance, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    uuid,
                    kind.as_str(),
                    version_id,
                    environment_id,
                    application_instance,
                    now
                ],
            )?;
            let deployment = deployment_by_uuid(&tx, &uuid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            tx.commit()?;
            Ok(Ok(deployment))
        })
        .await
    }

    pub async fn deployment(&self, uuid: &str) -> Result<Option<Deployment>, StoreError> {
        let uuid = uuid.to_owned();
        self.read(move |conn| deployment_by_uuid(conn, &uuid)).await
    }

    /// Ends a deployment (`currentlyDeployed: false`) or a release's support; ending an ended
    /// one changes nothing.
    pub async fn end_deployment(&self, uuid: &str) -> Result<Deployment, StoreError> {
        let uuid = uuid.to_owned();
        self.write(move |conn| {
            conn.execute(
                "UPDATE deployments SET ended_at = ?2 WHERE uuid = ?1 AND ended_at IS NULL",
                params![uuid, now()],
            )?;
            Ok(deployment_by_uuid(conn, &uuid)?.ok_or(StoreError::NotFound(Missing::Deployment { uuid })))
        })
        .await
    }
}
