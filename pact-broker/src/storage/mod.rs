//! SQLite storage, one module per aggregate: pacticipants, versions (with their branches and
//! tags), pacts (contents stored once per sha, publications: consumer version → provider →
//! sha), verifications, environments (with deployments and releases).
//!
//! Writes run as one closure (one transaction) on the single `tokio_rusqlite` connection, so
//! concurrent publishers never see "database is locked" and read-modify-write is atomic.
//! Reads that need the whole picture load a [`Snapshot`] of the metadata (no pact contents),
//! cached until the next write. Answers are domain types, outcome enums and [`StoreError`];
//! what they mean in HTTP is the routes' business.

mod environments;
mod labels;
mod pacticipants;
mod pacts;
mod schema;
mod snapshot;
mod verifications;
mod versions;
mod webhooks;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use service_kit::db::{self, Connection, rusqlite};

pub use environments::{EnvironmentFields, Save};
pub use pacticipants::PacticipantUpdate;
pub use pacts::{NewPact, OnConflict, Published};
pub use verifications::NewVerification;
pub use versions::VersionLabels;
pub use webhooks::TriggeredFilter;

use crate::model::Snapshot;
use crate::model::branches::BranchSettings;

/// What a write was refused for, or that the database failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Conflict(Conflict),
    #[error("{0}")]
    NotFound(Missing),
    /// The database or the disk under it is full: nothing more is saved until there is room.
    #[error("database: {}", service_kit::error::STORAGE_FULL)]
    StorageFull,
    #[error("database: {0:#}")]
    Database(anyhow::Error),
}

impl From<tokio_rusqlite::Error<rusqlite::Error>> for StoreError {
    fn from(error: tokio_rusqlite::Error<rusqlite::Error>) -> Self {
        match error {
            tokio_rusqlite::Error::Error(error) if service_kit::error::is_storage_full(&error) => {
                StoreError::StorageFull
            }
            other => StoreError::Database(anyhow::Error::new(other)),
        }
    }
}

/// A write that would contradict what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// The consumer version already has a pact with different content for this provider.
    PactContentChanged {
        consumer: String,
        version: String,
        provider: String,
    },
    PacticipantExists {
        name: String,
    },
    EnvironmentNameTaken {
        name: String,
    },
    EnvironmentUuidTaken {
        uuid: String,
    },
}

impl Conflict {
    /// The request field the conflict is about, as clients name it.
    pub fn field(&self) -> &'static str {
        match self {
            Conflict::PactContentChanged { .. } => "pact",
            Conflict::PacticipantExists { .. } | Conflict::EnvironmentNameTaken { .. } => "name",
            Conflict::EnvironmentUuidTaken { .. } => "uuid",
        }
    }
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Conflict::PactContentChanged {
                consumer,
                version,
                provider,
            } => f.write_str(&crate::model::pact::modification_refused(consumer, version, provider)),
            Conflict::PacticipantExists { name } => write!(f, "a pacticipant named '{name}' already exists"),
            Conflict::EnvironmentNameTaken { name } => {
                write!(f, "Another environment with name '{name}' already exists.")
            }
            Conflict::EnvironmentUuidTaken { uuid } => write!(f, "an environment with uuid {uuid} already exists"),
        }
    }
}

/// What a write addressed that is not there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    Tag {
        pacticipant: String,
        version: String,
        tag: String,
    },
    Branch {
        pacticipant: String,
        branch: String,
    },
    Environment {
        uuid: String,
    },
    Deployment {
        uuid: String,
    },
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Missing::Tag {
                pacticipant,
                version,
                tag,
            } => write!(f, "version '{version}' of '{pacticipant}' has no tag '{tag}'"),
            Missing::Branch { pacticipant, branch } => {
                write!(f, "pacticipant '{pacticipant}' has no branch '{branch}'")
            }
            Missing::Environment { uuid } => write!(f, "no environment {uuid}"),
            Missing::Deployment { uuid } => write!(f, "no deployment {uuid}"),
        }
    }
}

/// A write's own outcome, or the reason it was refused; both commit nothing when refused.
type Refusable<T> = Result<T, StoreError>;

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
    /// The branch inference every version write applies (`versions::save`).
    branches: Arc<BranchSettings>,
}

/// Timestamps as stored: RFC 3339 UTC with microseconds, so text order is time order.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl Store {
    pub async fn open(path: &Path, branches: BranchSettings) -> anyhow::Result<Self> {
        Ok(Self {
            db: db::open(path, &schema::MIGRATIONS).await?,
            cache: Arc::default(),
            branches: Arc::new(branches),
        })
    }

    /// Runs a read on the connection thread.
    async fn read<F, R>(&self, function: F) -> Result<R, StoreError>
    where
        F: FnOnce(&mut rusqlite::Connection) -> rusqlite::Result<R> + Send + 'static,
        R: Send + 'static,
    {
        Ok(self.db.call(function).await?)
    }

    /// Runs a write on the connection thread and invalidates the cached snapshot. The closure
    /// answers `Ok(Err(..))` to refuse the write (its transaction is then dropped, not committed).
    async fn write<F, R>(&self, function: F) -> Result<R, StoreError>
    where
        F: FnOnce(&mut rusqlite::Connection) -> rusqlite::Result<Refusable<R>> + Send + 'static,
        R: Send + 'static,
    {
        let result = self.db.call(function).await;
        self.cache.generation.fetch_add(1, Ordering::SeqCst);
        result?
    }

    /// A write that changes nothing the snapshot holds (webhook bookkeeping): the cached
    /// snapshot stays valid.
    async fn write_outside_snapshot<F, R>(&self, function: F) -> Result<R, StoreError>
    where
        F: FnOnce(&mut rusqlite::Connection) -> rusqlite::Result<Refusable<R>> + Send + 'static,
        R: Send + 'static,
    {
        self.db.call(function).await?
    }

    /// Everything but contents, from the cache when nothing was written since it was read.
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, StoreError> {
        let generation = self.cache.generation.load(Ordering::SeqCst);
        if let Some((cached, snapshot)) = self.cache.latest.lock().expect("snapshot cache").as_ref()
            && *cached == generation
        {
            return Ok(Arc::clone(snapshot));
        }
        let snapshot = Arc::new(self.read(snapshot::load).await?);
        let mut latest = self.cache.latest.lock().expect("snapshot cache");
        if self.cache.generation.load(Ordering::SeqCst) == generation {
            *latest = Some((generation, Arc::clone(&snapshot)));
        }
        Ok(snapshot)
    }
}
