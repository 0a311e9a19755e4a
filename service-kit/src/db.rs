//! Opening a service's own SQLite file: parent folder, pragmas, schema migrations.
//!
//! Access goes through `tokio_rusqlite`: one connection owned by a dedicated thread, so queries
//! never block the async runtime, writes never contend for SQLite's lock ("database is locked"
//! cannot happen inside one service) and read-modify-write sequences run as one closure. The
//! connection holds the file exclusively: a second process on the same file is refused.
//!
//! The services' writes do not use `RETURNING`: SQLite buffers a returning statement's rows in an
//! ephemeral table, a temporary b-tree with a pager of its own opened and closed per statement,
//! which was about a fifth of catalog's SQLite time per order. A write is executed, then its row
//! read back by key when the caller needs more than it already knows. (Executing also steps the
//! statement to its end, which is when SQLite runs the WAL auto-checkpoint: a returning statement
//! read with `query_row` is reset after its first row instead, and catalog's WAL once grew to
//! 337 MB that way.)

use std::path::Path;

use anyhow::Context;

pub use rusqlite;
pub use rusqlite_migration::{M, Migrations};
pub use tokio_rusqlite::Connection;

/// How long opening waits for another process to release the database.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens (creating if needed) the database at `path` and migrates it to the latest schema.
pub async fn open(path: &Path, migrations: &'static Migrations<'static>) -> anyhow::Result<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("creating database folder {}", parent.display()))?;
    }
    let connection = Connection::open(path)
        .await
        .with_context(|| format!("opening database {}", path.display()))?;
    connection
        .call(|conn| -> rusqlite::Result<()> {
            // Waits for a process that is still letting go of the file (a restart overlapping
            // the old process's shutdown) instead of failing at once.
            conn.busy_timeout(BUSY_TIMEOUT)?;
            // EXCLUSIVE: the service is the only process that opens its database, so it takes
            // the file lock once instead of twice per transaction and keeps the WAL index in
            // its own memory (no -shm file): four fewer fcntl calls on every query. Set before
            // WAL so the shared-memory index is never created.
            conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
            // WAL: a crash cannot corrupt the file, and a commit is one append;
            // NORMAL sync is durable across application crashes, which is what WAL needs.
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            // Room for every statement a service prepares with `prepare_cached` (cart has 13) and
            // group commit's six transaction statements: a full cache would parse them again.
            conn.set_prepared_statement_cache_capacity(32);
            Ok(())
        })
        .await
        .map_err(|error| match error {
            tokio_rusqlite::Error::Error(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == rusqlite::ErrorCode::DatabaseBusy =>
            {
                anyhow::anyhow!(
                    "database {} is in use by another process: a service owns its database alone (is it already running?)",
                    path.display()
                )
            }
            other => anyhow::Error::new(other).context(format!("preparing database {}", path.display())),
        })?;
    connection
        .call(|conn| migrations.to_latest(conn))
        .await
        .with_context(|| format!("applying schema migrations to {}", path.display()))?;
    Ok(connection)
}

/// Reads a text column that holds a unit enum variant under its serde name (`"pending"`), the
/// same name the API shows, so the stored and the served spelling cannot drift apart.
pub fn enum_from_text<T: serde::de::DeserializeOwned>(row: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    serde_json::from_value(serde_json::Value::String(text.clone())).map_err(|_| {
        rusqlite::Error::InvalidColumnType(column, format!("unknown value {text:?}"), rusqlite::types::Type::Text)
    })
}

/// The serde name of a unit enum variant, to store in a text column ([`enum_from_text`] reads
/// it back). Anything else becomes an empty string, which the column's CHECK refuses.
pub fn enum_to_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Group commit: the writes on a service's hot path, batched into one transaction each time the
/// connection thread gets to them.
///
/// Each write is a closure that is all or nothing, like a transaction of its own (an `Err` rolls
/// back just that write: it runs in a savepoint, or alone in the transaction); the batch is
/// committed once, and only then does each caller get its write's result (unless SQLite ends the
/// transaction early: then the writes after get one of their own, see `run_batch`). Under load one
/// commit, one thread hop and one WAL append of each changed page then serve many writes
/// (catalog writes twice per order, inventory once); alone, a write costs what it did, plus one
/// task hop.
#[derive(Clone)]
pub struct GroupCommit {
    jobs: tokio::sync::mpsc::UnboundedSender<Job>,
}

/// Runs one write on the connection and says why it failed, if it did; the returned closure
/// hands its result to the caller once the batch's commit is known (`Some(why)` when the
/// transaction did not commit).
type Job = Box<dyn FnOnce(&rusqlite::Connection) -> (Option<Unsaved>, Deliver) + Send>;
type Deliver = Box<dyn FnOnce(Option<&Unsaved>) + Send>;

/// Why a write is not in the database.
#[derive(Debug, Clone)]
struct Unsaved {
    reason: String,
    /// SQLite found the database or its disk full: the caller hears 503, not 500.
    storage_full: bool,
}

impl Unsaved {
    fn of(error: &rusqlite::Error) -> Self {
        Self {
            reason: error.to_string(),
            storage_full: crate::error::is_storage_full(error),
        }
    }

    fn plain(reason: &str) -> Self {
        Self {
            reason: reason.to_owned(),
            storage_full: false,
        }
    }

    fn because(&self, context: &str) -> Self {
        Self {
            reason: format!("{context}: {}", self.reason),
            storage_full: self.storage_full,
        }
    }

    fn to_error(&self) -> crate::ApiError {
        if self.storage_full {
            crate::ApiError::storage_full()
        } else {
            crate::ApiError::Internal(anyhow::anyhow!("database: {}", self.reason))
        }
    }
}

/// Why a write that succeeded did not stand: SQLite rolled back the transaction it was in.
const ROLLED_BACK: &str = "the transaction was rolled back";
/// Why it did not stand when a later write in its batch made SQLite roll the transaction back.
const ROLLED_BACK_BY_ANOTHER: &str = "the transaction was rolled back by another write in its batch";

/// Most writes in one transaction, so one batch cannot hold the connection for long.
const MAX_BATCH: usize = 128;

impl GroupCommit {
    /// Starts the batching task for `connection` (on the current runtime).
    pub fn new(connection: Connection) -> Self {
        let (jobs, mut queue) = tokio::sync::mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(first) = queue.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match queue.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                let ran = connection
                    .call(move |conn| {
                        run_batch(conn, batch);
                        Ok::<_, rusqlite::Error>(())
                    })
                    .await;
                if let Err(error) = ran {
                    // The connection is gone: the batch's callers see their writes dropped.
                    tracing::error!(%error, "database connection closed; writes refused");
                }
            }
        });
        Self { jobs }
    }

    /// Runs `write` in the next batch and answers its result once the batch is committed.
    pub async fn write<T, F>(&self, write: F) -> Result<T, crate::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel::<Result<T, crate::ApiError>>();
        let job: Job = Box::new(move |conn| {
            let result = write(conn);
            let failure = result.as_ref().err().map(Unsaved::of);
            let deliver: Deliver = Box::new(move |unsaved| {
                let outcome = match unsaved {
                    None => result.map_err(crate::ApiError::from),
                    Some(unsaved) => Err(unsaved.to_error()),
                };
                let _ = reply.send(outcome);
            });
            (failure, deliver)
        });
        let stopped = || crate::ApiError::Internal(anyhow::anyhow!("database: the write was not carried out"));
        self.jobs.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// The batch's jobs, in one transaction as a rule: each job in a savepoint of its own, one
/// commit, then every result handed over. A batch of one needs no savepoint, its transaction is
/// all or nothing already: a savepoint copies every page its write changes into a sub-journal
/// first (a twentieth of catalog's CPU per order when every write had one). When SQLite ends a
/// transaction early (a job's `OR ROLLBACK` conflict, an I/O error), the jobs not yet run get a
/// transaction of their own. A job whose caller cannot be told the truth is dropped (its caller
/// gets an error).
fn run_batch(conn: &rusqlite::Connection, batch: Vec<Job>) {
    let mut jobs = batch;
    while !jobs.is_empty() {
        jobs = run_transaction(conn, jobs);
        if !conn.is_autocommit() {
            // A ROLLBACK that failed left the transaction open: reads would see its writes, and
            // every later BEGIN would fail.
            tracing::error!("a write transaction was left open; rolling it back");
            let _ = execute(conn, "ROLLBACK");
        }
    }
}

/// Runs the transaction statement `sql`, prepared once and cached, not parsed for every write.
fn execute(conn: &rusqlite::Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.execute([]))
        .map(drop)
}

/// Runs `batch` in one transaction, or as much of it as the transaction lasts; answers the jobs
/// not yet run when the transaction ended early (each call runs or drops at least one job).
fn run_transaction(conn: &rusqlite::Connection, batch: Vec<Job>) -> Vec<Job> {
    let run = |sql: &str| execute(conn, sql);
    if let Err(error) = run("BEGIN IMMEDIATE") {
        tracing::error!(%error, "cannot begin a write batch");
        return Vec::new();
    }
    let alone = batch.len() == 1;
    let mut delivers: Vec<Deliver> = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    // Tells every job run so far that its write went with the transaction.
    let fail_run_so_far = |delivers: &mut Vec<Deliver>, why: &Unsaved| {
        for deliver in delivers.drain(..) {
            deliver(Some(why));
        }
    };
    while let Some(job) = jobs.next() {
        if !alone && let Err(error) = run("SAVEPOINT write") {
            // The job is dropped: its caller hears that it was not carried out.
            tracing::error!(%error, "cannot start a write's savepoint");
            if conn.is_autocommit() {
                fail_run_so_far(&mut delivers, &Unsaved::of(&error).because(ROLLED_BACK));
                return jobs.collect();
            }
            continue;
        }
        let (failure, deliver) = job(conn);
        if conn.is_autocommit() {
            // SQLite rolled the whole transaction back: nothing run so far stands. The write
            // that did it gets its own error, the earlier ones are told why theirs went.
            match &failure {
                Some(failure) => {
                    fail_run_so_far(&mut delivers, &failure.because(ROLLED_BACK_BY_ANOTHER));
                    deliver(None);
                }
                None => {
                    let why = Unsaved::plain(ROLLED_BACK);
                    fail_run_so_far(&mut delivers, &why);
                    deliver(Some(&why));
                }
            }
            return jobs.collect();
        }
        let settled = match (failure.is_none(), alone) {
            (true, true) => Ok(()),
            (true, false) => run("RELEASE write"),
            (false, true) => {
                // The only write failed: the transaction goes, and its caller gets its error.
                let _ = run("ROLLBACK");
                deliver(None);
                return Vec::new();
            }
            (false, false) => run("ROLLBACK TO write").and_then(|()| run("RELEASE write")),
        };
        if let Err(error) = settled {
            let _ = run("ROLLBACK");
            let why = Unsaved::of(&error);
            fail_run_so_far(&mut delivers, &why);
            deliver(Some(&why));
            return jobs.collect();
        }
        delivers.push(deliver);
    }
    let unsaved = run("COMMIT").err().map(|error| {
        let _ = run("ROLLBACK");
        Unsaved::of(&error).because("commit failed")
    });
    for deliver in delivers {
        deliver(unsaved.as_ref());
    }
    Vec::new()
}

/// A recorded error answer stored in two columns, its status at `status_column` and its message
/// in the next one; `None` when either is NULL.
pub fn failure_columns(
    row: &rusqlite::Row<'_>,
    status_column: usize,
) -> rusqlite::Result<Option<crate::error::Failure>> {
    let status: Option<u16> = row.get(status_column)?;
    let error: Option<String> = row.get(status_column + 1)?;
    Ok(status
        .zip(error)
        .map(|(status, error)| crate::error::Failure { status, error }))
}
