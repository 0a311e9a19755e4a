//! Opening a service's own SQLite file: parent folder, pragmas, schema migrations.
//!
//! Access goes through `tokio_rusqlite`: one connection owned by a dedicated thread, so queries
//! never block the async runtime, writes never contend for SQLite's lock ("database is locked"
//! cannot happen inside one service) and read-modify-write sequences run as one closure.

use std::path::Path;

use anyhow::Context;

pub use rusqlite;
pub use rusqlite_migration::{M, Migrations};
pub use tokio_rusqlite::Connection;

/// Opens (creating if needed) the database at `path` and migrates it to the latest schema.
pub async fn open(path: &Path, migrations: &'static Migrations<'static>) -> anyhow::Result<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("creating database folder {}", parent.display()))?;
    }
    let connection = Connection::open(path)
        .await
        .with_context(|| format!("opening database {}", path.display()))?;
    connection
        .call(|conn| -> anyhow::Result<()> {
            // WAL: readers never wait for the writer and a crash cannot corrupt the file;
            // NORMAL sync is durable across application crashes, which is what WAL needs.
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            migrations.to_latest(conn).context("applying schema migrations")?;
            Ok(())
        })
        .await
        .map_err(|error| match error {
            tokio_rusqlite::Error::Error(inner) => inner,
            other => anyhow::anyhow!("database thread stopped: {other}"),
        })
        .with_context(|| format!("preparing database {}", path.display()))?;
    Ok(connection)
}
