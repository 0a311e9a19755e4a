//! Pacticipants: the applications that publish pacts or verify them.

use rusqlite::{OptionalExtension, Transaction, params};
use service_kit::db::rusqlite;

use super::{Conflict, Store, StoreError, now};
use crate::model::Pacticipant;

pub(super) const COLUMNS: &str = "id, name, display_name, main_branch, repository_url, created_at, updated_at";

pub(super) fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Pacticipant> {
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

/// The pacticipant's id, creating it first when needed.
pub(super) fn ensure(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO pacticipants (name, created_at, updated_at) VALUES (?1, ?2, ?2)
         ON CONFLICT (name) DO NOTHING",
    )?
    .execute(params![name, now()])?;
    tx.prepare_cached("SELECT id FROM pacticipants WHERE name = ?1")?
        .query_row(params![name], |row| row.get(0))
}

/// Fields to set on a pacticipant; `None` leaves a field alone (or clears it, when replacing).
#[derive(Debug, Clone, Default)]
pub struct PacticipantUpdate {
    pub display_name: Option<String>,
    pub main_branch: Option<String>,
    pub repository_url: Option<String>,
}

/// How an update treats the fields it does not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unset {
    Keep,
    Clear,
}

fn upsert(tx: &Transaction<'_>, name: &str, update: &PacticipantUpdate, unset: Unset) -> rusqlite::Result<Pacticipant> {
    let id = ensure(tx, name)?;
    let sql = match unset {
        Unset::Clear => {
            "UPDATE pacticipants SET display_name = ?2, main_branch = ?3, repository_url = ?4, updated_at = ?5 WHERE id = ?1"
        }
        Unset::Keep => {
            "UPDATE pacticipants SET display_name = COALESCE(?2, display_name),
                main_branch = COALESCE(?3, main_branch), repository_url = COALESCE(?4, repository_url),
                updated_at = ?5 WHERE id = ?1"
        }
    };
    tx.execute(
        sql,
        params![
            id,
            update.display_name,
            update.main_branch,
            update.repository_url,
            now()
        ],
    )?;
    tx.prepare_cached(&format!("SELECT {COLUMNS} FROM pacticipants WHERE id = ?1"))?
        .query_row(params![id], read)
}

fn exists(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<bool> {
    tx.prepare_cached("SELECT 1 FROM pacticipants WHERE name = ?1")?
        .exists(params![name])
}

impl Store {
    pub async fn pacticipant(&self, name: &str) -> Result<Option<Pacticipant>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| {
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM pacticipants WHERE name = ?1"))?
                .query_row(params![name], read)
                .optional()
        })
        .await
    }

    /// Every pacticipant, by name.
    pub async fn pacticipants(&self) -> Result<Vec<Pacticipant>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM pacticipants ORDER BY name"))?
                .query_map([], read)?
                .collect()
        })
        .await
    }

    /// Creates a pacticipant; one with that name already existing is a conflict.
    pub async fn create_pacticipant(&self, name: &str, update: PacticipantUpdate) -> Result<Pacticipant, StoreError> {
        let name = name.to_owned();
        self.write(move |conn| {
            let tx = conn.transaction()?;
            if exists(&tx, &name)? {
                return Ok(Err(StoreError::Conflict(Conflict::PacticipantExists { name })));
            }
            let pacticipant = upsert(&tx, &name, &update, Unset::Keep)?;
            tx.commit()?;
            Ok(Ok(pacticipant))
        })
        .await
    }

    /// Creates the pacticipant if needed and sets the fields of `update` (a PUT also clears the
    /// ones it does not set: `replace`). Returns it and whether it is new.
    pub async fn save_pacticipant(
        &self,
        name: &str,
        update: PacticipantUpdate,
        replace: bool,
    ) -> Result<(Pacticipant, bool), StoreError> {
        let name = name.to_owned();
        let unset = if replace { Unset::Clear } else { Unset::Keep };
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let existed = exists(&tx, &name)?;
            let pacticipant = upsert(&tx, &name, &update, unset)?;
            tx.commit()?;
            Ok(Ok((pacticipant, !existed)))
        })
        .await
    }
}
