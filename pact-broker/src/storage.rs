//! SQLite storage: pacticipants, versions with their branches and tags, pact contents (stored
//! once per content sha), publications (consumer version → provider → sha), verification
//! results, environments and deployments/releases.
//!
//! Writes run as one closure (one transaction) on the single `tokio_rusqlite` connection, so
//! concurrent publishers never see "database is locked" and read-modify-write is atomic.
//! Reads that need the whole picture (pacts for verification, matrix, can-i-deploy, the web
//! page) load a [`Snapshot`] of the metadata (no pact contents), which the pure functions in
//! `selectors` and `matrix` work on.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::Value;
use service_kit::ApiError;
use service_kit::db::{self, Connection, M, Migrations, rusqlite};

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![M::up(
        "CREATE TABLE pacticipants (
            id             INTEGER PRIMARY KEY,
            name           TEXT NOT NULL UNIQUE,
            display_name   TEXT,
            main_branch    TEXT,
            repository_url TEXT,
            created_at     TEXT NOT NULL,
            updated_at     TEXT NOT NULL
        );
        CREATE TABLE versions (
            id             INTEGER PRIMARY KEY,
            pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id),
            number         TEXT NOT NULL,
            build_url      TEXT,
            created_at     TEXT NOT NULL,
            UNIQUE (pacticipant_id, number)
        );
        CREATE TABLE branch_versions (
            version_id     INTEGER NOT NULL REFERENCES versions(id),
            branch         TEXT NOT NULL,
            created_at     TEXT NOT NULL,
            PRIMARY KEY (version_id, branch)
        );
        CREATE TABLE tags (
            version_id     INTEGER NOT NULL REFERENCES versions(id),
            name           TEXT NOT NULL,
            created_at     TEXT NOT NULL,
            PRIMARY KEY (version_id, name)
        );
        CREATE TABLE pact_contents (
            sha            TEXT PRIMARY KEY,
            content        TEXT NOT NULL,
            created_at     TEXT NOT NULL
        );
        CREATE TABLE publications (
            id                  INTEGER PRIMARY KEY,
            consumer_version_id INTEGER NOT NULL REFERENCES versions(id),
            provider_id         INTEGER NOT NULL REFERENCES pacticipants(id),
            sha                 TEXT NOT NULL REFERENCES pact_contents(sha),
            created_at          TEXT NOT NULL,
            UNIQUE (consumer_version_id, provider_id)
        );
        CREATE INDEX publications_by_provider ON publications (provider_id);
        CREATE TABLE verifications (
            id                  INTEGER PRIMARY KEY,
            sha                 TEXT NOT NULL REFERENCES pact_contents(sha),
            consumer_id         INTEGER NOT NULL REFERENCES pacticipants(id),
            provider_version_id INTEGER NOT NULL REFERENCES versions(id),
            success             INTEGER NOT NULL,
            test_results        TEXT,
            verified_by         TEXT,
            build_url           TEXT,
            created_at          TEXT NOT NULL
        );
        CREATE INDEX verifications_by_sha ON verifications (sha);
        CREATE TABLE environments (
            id           INTEGER PRIMARY KEY,
            uuid         TEXT NOT NULL UNIQUE,
            name         TEXT NOT NULL UNIQUE,
            display_name TEXT,
            production   INTEGER NOT NULL DEFAULT 0,
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL
        );
        CREATE TABLE deployments (
            id                   INTEGER PRIMARY KEY,
            uuid                 TEXT NOT NULL UNIQUE,
            kind                 TEXT NOT NULL CHECK (kind IN ('deployed', 'released')),
            version_id           INTEGER NOT NULL REFERENCES versions(id),
            environment_id       INTEGER NOT NULL REFERENCES environments(id),
            application_instance TEXT,
            created_at           TEXT NOT NULL,
            ended_at             TEXT
        );",
    )])
});

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pacticipant {
    pub id: i64,
    pub name: String,
    pub display_name: Option<String>,
    pub main_branch: Option<String>,
    pub repository_url: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct Version {
    pub id: i64,
    pub pacticipant_id: i64,
    pub number: String,
    pub build_url: Option<String>,
    pub created_at: String,
    pub branches: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Publication {
    pub id: i64,
    pub consumer_id: i64,
    pub provider_id: i64,
    pub consumer_version_id: i64,
    pub sha: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct Verification {
    pub id: i64,
    pub sha: String,
    pub consumer_id: i64,
    pub provider_id: i64,
    pub provider_version_id: i64,
    pub success: bool,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct VerificationDetail {
    pub verification: Verification,
    pub test_results: Value,
    pub verified_by: Value,
    pub build_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Environment {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    pub display_name: Option<String>,
    pub production: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentKind {
    Deployed,
    Released,
}

impl DeploymentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentKind::Deployed => "deployed",
            DeploymentKind::Released => "released",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Deployment {
    pub id: i64,
    pub uuid: String,
    pub kind: DeploymentKind,
    pub version_id: i64,
    pub environment_id: i64,
    pub application_instance: Option<String>,
    pub created_at: String,
    pub ended_at: Option<String>,
}

/// Everything but pact contents and verification details, as one consistent read.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub pacticipants: HashMap<i64, Pacticipant>,
    pub versions: HashMap<i64, Version>,
    /// Ordered by consumer version (oldest first).
    pub publications: Vec<Publication>,
    /// Ordered by id (oldest first).
    pub verifications: Vec<Verification>,
    pub environments: Vec<Environment>,
    /// Only the current ones (not undeployed, support not ended).
    pub deployments: Vec<Deployment>,
    /// When each (pacticipant, branch) first appeared (pending status compares with it).
    pub branch_created: HashMap<(i64, String), String>,
    /// When each (pacticipant, tag) first appeared.
    pub tag_created: HashMap<(i64, String), String>,
}

impl Snapshot {
    pub fn pacticipant_by_name(&self, name: &str) -> Option<&Pacticipant> {
        self.pacticipants.values().find(|p| p.name == name)
    }

    pub fn name(&self, pacticipant_id: i64) -> &str {
        self.pacticipants
            .get(&pacticipant_id)
            .map(|p| p.name.as_str())
            .unwrap_or("?")
    }

    pub fn version(&self, id: i64) -> &Version {
        &self.versions[&id]
    }

    pub fn version_by_number(&self, pacticipant_id: i64, number: &str) -> Option<&Version> {
        self.versions
            .values()
            .find(|v| v.pacticipant_id == pacticipant_id && v.number == number)
    }

    /// Versions of a pacticipant, newest first.
    pub fn versions_of(&self, pacticipant_id: i64) -> Vec<&Version> {
        let mut versions: Vec<_> = self
            .versions
            .values()
            .filter(|v| v.pacticipant_id == pacticipant_id)
            .collect();
        versions.sort_by_key(|v| std::cmp::Reverse(v.id));
        versions
    }

    pub fn environment_by_name(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// Verifications of one pact content by a provider, newest first.
    pub fn verifications_of(&self, sha: &str, provider_id: i64) -> impl Iterator<Item = &Verification> {
        self.verifications
            .iter()
            .rev()
            .filter(move |v| v.sha == sha && v.provider_id == provider_id)
    }
}

/// How a publication is stored when the consumer version already has a different pact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// The official broker's default: different content is refused (409).
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
    pub branch: Option<String>,
    pub tags: Vec<String>,
    pub build_url: Option<String>,
    pub content: Value,
    pub on_conflict: OnConflict,
}

#[derive(Debug, Clone)]
pub struct Published {
    pub sha: String,
    /// A new publication (201) rather than the same content again or an overwrite (200).
    pub created: bool,
    /// What happened, for the publish notices.
    pub outcome: &'static str,
}

#[derive(Debug, Clone)]
pub struct NewVerification {
    pub provider: String,
    pub consumer: String,
    pub sha: String,
    pub provider_version: String,
    pub branch: Option<String>,
    pub tags: Vec<String>,
    pub success: bool,
    pub test_results: Value,
    pub verified_by: Value,
    pub build_url: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PacticipantUpdate {
    pub display_name: Option<String>,
    pub main_branch: Option<String>,
    pub repository_url: Option<String>,
}

/// The latest snapshot, valid while no write has happened since it was read: reads that repeat
/// (a verifier fetching its pacts, can-i-deploy polling) do not reload the metadata.
#[derive(Debug, Default)]
struct SnapshotCache {
    /// Bumped after every write.
    generation: AtomicU64,
    latest: Mutex<Option<(u64, Arc<Snapshot>)>>,
}

#[derive(Debug, Clone)]
pub struct Store {
    db: Connection,
    cache: Arc<SnapshotCache>,
}

fn read_pacticipant(row: &rusqlite::Row<'_>) -> rusqlite::Result<Pacticipant> {
    Ok(Pacticipant {
        id: row.get(0)?,
        name: row.get(1)?,
        display_name: row.get(2)?,
        main_branch: row.get(3)?,
        repository_url: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

const PACTICIPANT_COLUMNS: &str = "id, name, display_name, main_branch, repository_url, created_at, updated_at";

fn read_environment(row: &rusqlite::Row<'_>) -> rusqlite::Result<Environment> {
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

const ENVIRONMENT_COLUMNS: &str = "id, uuid, name, display_name, production, created_at, updated_at";

fn read_deployment(row: &rusqlite::Row<'_>) -> rusqlite::Result<Deployment> {
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

const DEPLOYMENT_COLUMNS: &str =
    "id, uuid, kind, version_id, environment_id, application_instance, created_at, ended_at";

fn ensure_pacticipant(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
    let now = now();
    tx.prepare_cached(
        "INSERT INTO pacticipants (name, created_at, updated_at) VALUES (?1, ?2, ?2)
         ON CONFLICT (name) DO NOTHING",
    )?
    .execute(params![name, now])?;
    tx.prepare_cached("SELECT id FROM pacticipants WHERE name = ?1")?
        .query_row(params![name], |row| row.get(0))
}

fn ensure_version(tx: &Transaction<'_>, pacticipant_id: i64, number: &str) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO versions (pacticipant_id, number, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (pacticipant_id, number) DO NOTHING",
    )?
    .execute(params![pacticipant_id, number, now()])?;
    tx.prepare_cached("SELECT id FROM versions WHERE pacticipant_id = ?1 AND number = ?2")?
        .query_row(params![pacticipant_id, number], |row| row.get(0))
}

fn add_branch(tx: &Transaction<'_>, version_id: i64, branch: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO branch_versions (version_id, branch, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![version_id, branch, now()])?;
    Ok(())
}

fn add_tag(tx: &Transaction<'_>, version_id: i64, tag: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT INTO tags (version_id, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")?
        .execute(params![version_id, tag, now()])?;
    Ok(())
}

fn store_content(tx: &Transaction<'_>, sha: &str, content: &Value) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO pact_contents (sha, content, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?
    .execute(params![sha, content.to_string(), now()])?;
    Ok(())
}

fn load_content(tx: &rusqlite::Connection, sha: &str) -> rusqlite::Result<Option<Value>> {
    let text: Option<String> = tx
        .prepare_cached("SELECT content FROM pact_contents WHERE sha = ?1")?
        .query_row(params![sha], |row| row.get(0))
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

impl Store {
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            db: db::open(path, &MIGRATIONS).await?,
            cache: Arc::default(),
        })
    }

    /// Runs a write on the connection thread and invalidates the cached snapshot.
    async fn write<F, R>(&self, function: F) -> Result<R, ApiError>
    where
        F: FnOnce(&mut rusqlite::Connection) -> rusqlite::Result<R> + Send + 'static,
        R: Send + 'static,
    {
        let result = self.db.call(function).await;
        self.cache.generation.fetch_add(1, Ordering::SeqCst);
        Ok(result?)
    }

    /// Everything but contents, from the cache when nothing was written since it was read.
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, ApiError> {
        let generation = self.cache.generation.load(Ordering::SeqCst);
        if let Some((cached, snapshot)) = self.cache.latest.lock().expect("snapshot cache").as_ref()
            && *cached == generation
        {
            return Ok(Arc::clone(snapshot));
        }
        let snapshot = Arc::new(self.load_snapshot().await?);
        let mut latest = self.cache.latest.lock().expect("snapshot cache");
        if self.cache.generation.load(Ordering::SeqCst) == generation {
            *latest = Some((generation, Arc::clone(&snapshot)));
        }
        Ok(snapshot)
    }

    async fn load_snapshot(&self) -> Result<Snapshot, ApiError> {
        Ok(self
            .db
            .call(|conn| -> rusqlite::Result<Snapshot> {
                let tx = conn.transaction()?;
                let mut snapshot = Snapshot::default();
                let mut stmt = tx.prepare_cached(&format!("SELECT {PACTICIPANT_COLUMNS} FROM pacticipants"))?;
                for p in stmt.query_map([], read_pacticipant)? {
                    let p = p?;
                    snapshot.pacticipants.insert(p.id, p);
                }
                drop(stmt);
                let mut stmt =
                    tx.prepare_cached("SELECT id, pacticipant_id, number, build_url, created_at FROM versions")?;
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
                let mut stmt = tx.prepare_cached(
                    "SELECT ve.id, ve.sha, ve.consumer_id, v.pacticipant_id, ve.provider_version_id, ve.success, ve.created_at
                     FROM verifications ve JOIN versions v ON v.id = ve.provider_version_id ORDER BY ve.id",
                )?;
                for row in stmt.query_map([], |row| {
                    Ok(Verification {
                        id: row.get(0)?,
                        sha: row.get(1)?,
                        consumer_id: row.get(2)?,
                        provider_id: row.get(3)?,
                        provider_version_id: row.get(4)?,
                        success: row.get(5)?,
                        created_at: row.get(6)?,
                    })
                })? {
                    snapshot.verifications.push(row?);
                }
                drop(stmt);
                let mut stmt =
                    tx.prepare_cached(&format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments ORDER BY name"))?;
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
            })
            .await?)
    }

    // ---- pacticipants -------------------------------------------------------------------

    pub async fn pacticipant(&self, name: &str) -> Result<Option<Pacticipant>, ApiError> {
        let name = name.to_owned();
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached(&format!(
                    "SELECT {PACTICIPANT_COLUMNS} FROM pacticipants WHERE name = ?1"
                ))?
                .query_row(params![name], read_pacticipant)
                .optional()
            })
            .await?)
    }

    pub async fn pacticipants(&self) -> Result<Vec<Pacticipant>, ApiError> {
        Ok(self
            .db
            .call(|conn| {
                conn.prepare_cached(&format!("SELECT {PACTICIPANT_COLUMNS} FROM pacticipants ORDER BY name"))?
                    .query_map([], read_pacticipant)?
                    .collect()
            })
            .await?)
    }

    /// Creates the pacticipant if needed and applies the fields that are set (`replace`: the
    /// fields that are not set are cleared, as a PUT does). Returns it and whether it is new.
    pub async fn upsert_pacticipant(
        &self,
        name: &str,
        update: PacticipantUpdate,
        replace: bool,
    ) -> Result<(Pacticipant, bool), ApiError> {
        let name = name.to_owned();
        self.write(move |conn| -> rusqlite::Result<(Pacticipant, bool)> {
                let tx = conn.transaction()?;
                let existed: bool = tx
                    .prepare_cached("SELECT 1 FROM pacticipants WHERE name = ?1")?
                    .exists(params![name])?;
                let id = ensure_pacticipant(&tx, &name)?;
                let sql = if replace {
                    "UPDATE pacticipants SET display_name = ?2, main_branch = ?3, repository_url = ?4, updated_at = ?5 WHERE id = ?1"
                } else {
                    "UPDATE pacticipants SET display_name = COALESCE(?2, display_name),
                        main_branch = COALESCE(?3, main_branch), repository_url = COALESCE(?4, repository_url),
                        updated_at = ?5 WHERE id = ?1"
                };
                tx.execute(sql, params![id, update.display_name, update.main_branch, update.repository_url, now()])?;
                let p = tx
                    .prepare_cached(&format!("SELECT {PACTICIPANT_COLUMNS} FROM pacticipants WHERE id = ?1"))?
                    .query_row(params![id], read_pacticipant)?;
                tx.commit()?;
                Ok((p, !existed))
            })
            .await
    }

    // ---- versions, branches, tags -------------------------------------------------------

    /// Creates pacticipant and version if needed, adds the branch and tags. Returns whether the
    /// version is new.
    pub async fn ensure_version(
        &self,
        pacticipant: &str,
        number: &str,
        branch: Option<String>,
        tags: Vec<String>,
        build_url: Option<String>,
    ) -> Result<bool, ApiError> {
        let (pacticipant, number) = (pacticipant.to_owned(), number.to_owned());
        self.write(move |conn| -> rusqlite::Result<bool> {
            let tx = conn.transaction()?;
            let pid = ensure_pacticipant(&tx, &pacticipant)?;
            let existed: bool = tx
                .prepare_cached("SELECT 1 FROM versions WHERE pacticipant_id = ?1 AND number = ?2")?
                .exists(params![pid, number])?;
            let vid = ensure_version(&tx, pid, &number)?;
            if let Some(branch) = &branch {
                add_branch(&tx, vid, branch)?;
            }
            for tag in &tags {
                add_tag(&tx, vid, tag)?;
            }
            if let Some(build_url) = &build_url {
                tx.execute(
                    "UPDATE versions SET build_url = ?2 WHERE id = ?1",
                    params![vid, build_url],
                )?;
            }
            tx.commit()?;
            Ok(!existed)
        })
        .await
    }

    /// Removes a branch from every version (the versions themselves stay).
    pub async fn delete_branch(&self, pacticipant: &str, branch: &str) -> Result<usize, ApiError> {
        let (pacticipant, branch) = (pacticipant.to_owned(), branch.to_owned());
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM branch_versions WHERE branch = ?2 AND version_id IN
                     (SELECT v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name = ?1)",
                params![pacticipant, branch],
            )
        })
        .await
    }

    pub async fn delete_tag(&self, pacticipant: &str, version: &str, tag: &str) -> Result<usize, ApiError> {
        let (pacticipant, version, tag) = (pacticipant.to_owned(), version.to_owned(), tag.to_owned());
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM tags WHERE name = ?3 AND version_id IN
                     (SELECT v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id
                      WHERE p.name = ?1 AND v.number = ?2)",
                params![pacticipant, version, tag],
            )
        })
        .await
    }

    // ---- pacts --------------------------------------------------------------------------

    pub async fn publish(&self, pact: NewPact) -> Result<Published, ApiError> {
        let result = self.write(move |conn| -> Result<Result<Published, String>, rusqlite::Error> {
                let tx = conn.transaction()?;
                let consumer_id = ensure_pacticipant(&tx, &pact.consumer)?;
                let provider_id = ensure_pacticipant(&tx, &pact.provider)?;
                let version_id = ensure_version(&tx, consumer_id, &pact.version)?;
                if let Some(branch) = &pact.branch {
                    add_branch(&tx, version_id, branch)?;
                }
                for tag in &pact.tags {
                    add_tag(&tx, version_id, tag)?;
                }
                if let Some(build_url) = &pact.build_url {
                    tx.execute("UPDATE versions SET build_url = ?2 WHERE id = ?1", params![version_id, build_url])?;
                }
                let existing: Option<(i64, String)> = tx
                    .prepare_cached("SELECT id, sha FROM publications WHERE consumer_version_id = ?1 AND provider_id = ?2")?
                    .query_row(params![version_id, provider_id], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()?;
                let mut content = pact.content;
                if let (Some((_, old_sha)), OnConflict::Merge) = (&existing, pact.on_conflict)
                    && let Some(old) = load_content(&tx, old_sha)?
                {
                    content = crate::pact::merge(old, content);
                }
                let (sha, content) = crate::pact::prepare(content);
                let outcome = match existing {
                    None => {
                        store_content(&tx, &sha, &content)?;
                        tx.execute(
                            "INSERT INTO publications (consumer_version_id, provider_id, sha, created_at) VALUES (?1, ?2, ?3, ?4)",
                            params![version_id, provider_id, sha, now()],
                        )?;
                        Published { sha, created: true, outcome: "created" }
                    }
                    Some((_, old_sha)) if old_sha == sha => Published { sha, created: false, outcome: "unchanged" },
                    Some((id, _)) => {
                        if pact.on_conflict == OnConflict::Refuse {
                            return Ok(Err(format!(
                                "Cannot change the content of the pact for {} version {} and provider {}, as race conditions will cause unreliable results for can-i-deploy. Each pact must be published with a unique consumer version number.",
                                pact.consumer, pact.version, pact.provider
                            )));
                        }
                        store_content(&tx, &sha, &content)?;
                        tx.execute("UPDATE publications SET sha = ?2 WHERE id = ?1", params![id, sha])?;
                        let outcome = if pact.on_conflict == OnConflict::Merge { "merged" } else { "overwritten" };
                        Published { sha, created: false, outcome }
                    }
                };
                tx.commit()?;
                Ok(Ok(outcome))
            })
            .await?;
        result.map_err(|message| ApiError::Rejected {
            status: axum::http::StatusCode::CONFLICT,
            message,
        })
    }

    /// Whether the consumer version exists, and the (provider name, sha) of its pacts: what a
    /// publication checks before storing anything, without loading a snapshot.
    pub async fn published_for(
        &self,
        consumer: &str,
        version: &str,
    ) -> Result<(bool, Vec<(String, String)>), ApiError> {
        let (consumer, version) = (consumer.to_owned(), version.to_owned());
        Ok(self
            .db
            .call(move |conn| -> rusqlite::Result<(bool, Vec<(String, String)>)> {
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
            .await?)
    }

    /// The pact content with this sha, with its consumer and provider names.
    pub async fn content(&self, sha: &str) -> Result<Option<Value>, ApiError> {
        let sha = sha.to_owned();
        Ok(self.db.call(move |conn| load_content(conn, &sha)).await?)
    }

    /// Deletes a consumer version's pact with a provider.
    pub async fn delete_publication(&self, publication_id: i64) -> Result<(), ApiError> {
        self.write(move |conn| conn.execute("DELETE FROM publications WHERE id = ?1", params![publication_id]))
            .await?;
        Ok(())
    }

    // ---- verifications ------------------------------------------------------------------

    pub async fn add_verification(&self, new: NewVerification) -> Result<i64, ApiError> {
        self.write(move |conn| -> rusqlite::Result<i64> {
                let tx = conn.transaction()?;
                let consumer_id = ensure_pacticipant(&tx, &new.consumer)?;
                let provider_id = ensure_pacticipant(&tx, &new.provider)?;
                let version_id = ensure_version(&tx, provider_id, &new.provider_version)?;
                if let Some(branch) = &new.branch {
                    add_branch(&tx, version_id, branch)?;
                }
                for tag in &new.tags {
                    add_tag(&tx, version_id, tag)?;
                }
                tx.execute(
                    "INSERT INTO verifications (sha, consumer_id, provider_version_id, success, test_results, verified_by, build_url, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        new.sha,
                        consumer_id,
                        version_id,
                        new.success,
                        new.test_results.to_string(),
                        new.verified_by.to_string(),
                        new.build_url,
                        now()
                    ],
                )?;
                let id = tx.last_insert_rowid();
                tx.commit()?;
                Ok(id)
            })
            .await
    }

    pub async fn verification(&self, id: i64) -> Result<Option<VerificationDetail>, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached(
                    "SELECT ve.id, ve.sha, ve.consumer_id, v.pacticipant_id, ve.provider_version_id, ve.success, ve.created_at,
                            ve.test_results, ve.verified_by, ve.build_url
                     FROM verifications ve JOIN versions v ON v.id = ve.provider_version_id WHERE ve.id = ?1",
                )?
                .query_row(params![id], |row| {
                    let json = |text: Option<String>| {
                        text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
                    };
                    Ok(VerificationDetail {
                        verification: Verification {
                            id: row.get(0)?,
                            sha: row.get(1)?,
                            consumer_id: row.get(2)?,
                            provider_id: row.get(3)?,
                            provider_version_id: row.get(4)?,
                            success: row.get(5)?,
                            created_at: row.get(6)?,
                        },
                        test_results: json(row.get(7)?),
                        verified_by: json(row.get(8)?),
                        build_url: row.get(9)?,
                    })
                })
                .optional()
            })
            .await?)
    }

    // ---- environments and deployments ---------------------------------------------------

    pub async fn environments(&self) -> Result<Vec<Environment>, ApiError> {
        Ok(self
            .db
            .call(|conn| {
                conn.prepare_cached(&format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments ORDER BY name"))?
                    .query_map([], read_environment)?
                    .collect()
            })
            .await?)
    }

    pub async fn environment(&self, uuid: &str) -> Result<Option<Environment>, ApiError> {
        let uuid = uuid.to_owned();
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached(&format!(
                    "SELECT {ENVIRONMENT_COLUMNS} FROM environments WHERE uuid = ?1"
                ))?
                .query_row(params![uuid], read_environment)
                .optional()
            })
            .await?)
    }

    /// Creates (uuid `None`) or replaces an environment. `Err` message when the name is taken.
    pub async fn save_environment(
        &self,
        uuid: Option<String>,
        name: String,
        display_name: Option<String>,
        production: bool,
    ) -> Result<Result<Environment, String>, ApiError> {
        self.write(move |conn| -> rusqlite::Result<Result<Environment, String>> {
            let tx = conn.transaction()?;
            let taken: Option<String> = tx
                .prepare_cached("SELECT uuid FROM environments WHERE name = ?1")?
                .query_row(params![name], |row| row.get(0))
                .optional()?;
            if let Some(other) = taken
                && Some(&other) != uuid.as_ref()
            {
                return Ok(Err(format!("Another environment with name '{name}' already exists.")));
            }
            let uuid = uuid.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let now = now();
            tx.execute(
                "INSERT INTO environments (uuid, name, display_name, production, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                     ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, display_name = excluded.display_name,
                        production = excluded.production, updated_at = excluded.updated_at",
                params![uuid, name, display_name, production, now],
            )?;
            let env = tx
                .prepare_cached(&format!(
                    "SELECT {ENVIRONMENT_COLUMNS} FROM environments WHERE uuid = ?1"
                ))?
                .query_row(params![uuid], read_environment)?;
            tx.commit()?;
            Ok(Ok(env))
        })
        .await
    }

    pub async fn delete_environment(&self, uuid: &str) -> Result<bool, ApiError> {
        let uuid = uuid.to_owned();
        self.write(move |conn| -> rusqlite::Result<bool> {
            let tx = conn.transaction()?;
            tx.execute(
                "DELETE FROM deployments WHERE environment_id IN (SELECT id FROM environments WHERE uuid = ?1)",
                params![uuid],
            )?;
            let n = tx.execute("DELETE FROM environments WHERE uuid = ?1", params![uuid])?;
            tx.commit()?;
            Ok(n > 0)
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
    ) -> Result<Deployment, ApiError> {
        self.write(move |conn| -> rusqlite::Result<Deployment> {
            let tx = conn.transaction()?;
            let now = now();
            let pacticipant_id: i64 = tx
                .prepare_cached("SELECT pacticipant_id FROM versions WHERE id = ?1")?
                .query_row(params![version_id], |row| row.get(0))?;
            if kind == DeploymentKind::Deployed {
                tx.execute(
                    "UPDATE deployments SET ended_at = ?4 WHERE kind = 'deployed' AND ended_at IS NULL
                         AND environment_id = ?1 AND application_instance IS ?2
                         AND version_id IN (SELECT id FROM versions WHERE pacticipant_id = ?3)",
                    params![environment_id, application_instance, pacticipant_id, now],
                )?;
            } else {
                let existing = tx
                    .prepare_cached(&format!(
                        "SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE kind = 'released' AND ended_at IS NULL
                             AND version_id = ?1 AND environment_id = ?2"
                    ))?
                    .query_row(params![version_id, environment_id], read_deployment)
                    .optional()?;
                if let Some(existing) = existing {
                    return Ok(existing);
                }
            }
            tx.execute(
                "INSERT INTO deployments (uuid, kind, version_id, environment_id, application_instance, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    uuid::Uuid::new_v4().to_string(),
                    kind.as_str(),
                    version_id,
                    environment_id,
                    application_instance,
                    now
                ],
            )?;
            let id = tx.last_insert_rowid();
            let d = tx
                .prepare_cached(&format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE id = ?1"))?
                .query_row(params![id], read_deployment)?;
            tx.commit()?;
            Ok(d)
        })
        .await
    }

    pub async fn deployment(&self, uuid: &str) -> Result<Option<Deployment>, ApiError> {
        let uuid = uuid.to_owned();
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached(&format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE uuid = ?1"))?
                    .query_row(params![uuid], read_deployment)
                    .optional()
            })
            .await?)
    }

    /// Ends a deployment (`currentlyDeployed: false`) or a release's support.
    pub async fn end_deployment(&self, uuid: &str) -> Result<Option<Deployment>, ApiError> {
        let uuid = uuid.to_owned();
        self.write(move |conn| {
            conn.execute(
                "UPDATE deployments SET ended_at = ?2 WHERE uuid = ?1 AND ended_at IS NULL",
                params![uuid, now()],
            )?;
            conn.prepare_cached(&format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE uuid = ?1"))?
                .query_row(params![uuid], read_deployment)
                .optional()
        })
        .await
    }
}
