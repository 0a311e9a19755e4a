//! The `items` table.

use std::path::Path;
use std::sync::LazyLock;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use service_kit::ApiError;
use service_kit::db::{self, Connection, M, Migrations, rusqlite};

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(
            "CREATE TABLE items (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                name        TEXT NOT NULL CHECK (length(name) > 0),
                description TEXT NOT NULL
            );",
        ),
        // Demo data: the same three items as accounting-service and inventory-service.
        M::up(
            "INSERT INTO items (id, name, description) VALUES
                (1, 'Contract Coffee Mug', 'Keeps its promises, and your coffee hot'),
                (2, 'Pact Notebook', 'Write down what you expect before you ask for it'),
                (3, 'Broker Hoodie', 'For the person in the middle');",
        ),
    ])
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Item {
    pub id: i64,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct ItemStore {
    db: Connection,
}

impl ItemStore {
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            db: db::open(path, &MIGRATIONS).await?,
        })
    }

    pub async fn list(&self) -> Result<Vec<Item>, ApiError> {
        Ok(self
            .db
            .call(|conn| {
                conn.prepare_cached("SELECT id, name, description FROM items ORDER BY id")?
                    .query_map([], |row| {
                        Ok(Item {
                            id: row.get(0)?,
                            name: row.get(1)?,
                            description: row.get(2)?,
                        })
                    })?
                    .collect()
            })
            .await?)
    }

    pub async fn get(&self, id: i64) -> Result<Option<Item>, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached("SELECT name, description FROM items WHERE id = ?1")?
                    .query_row(params![id], |row| {
                        Ok(Item {
                            id,
                            name: row.get(0)?,
                            description: row.get(1)?,
                        })
                    })
                    .optional()
            })
            .await?)
    }

    /// Stores a new item and returns it with its id.
    pub async fn create(&self, name: String, description: String) -> Result<Item, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached("INSERT INTO items (name, description) VALUES (?1, ?2)")?
                    .execute(params![name, description])?;
                Ok(Item {
                    id: conn.last_insert_rowid(),
                    name,
                    description,
                })
            })
            .await?)
    }

    /// Replaces every item with `items` in one transaction (provider states).
    pub async fn replace_all(&self, items: Vec<Item>) -> Result<(), ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                let tx = conn.transaction()?;
                tx.execute("DELETE FROM items", [])?;
                for item in &items {
                    tx.execute(
                        "INSERT INTO items (id, name, description) VALUES (?1, ?2, ?3)",
                        params![item.id, item.name, item.description],
                    )?;
                }
                tx.commit()
            })
            .await?)
    }
}
