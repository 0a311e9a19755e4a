//! The `stock` table: units in stock per item. Taking stock is one conditional UPDATE, so
//! concurrent orders can never oversell.

use std::path::Path;
use std::sync::LazyLock;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use service_kit::ApiError;
use service_kit::db::{self, Connection, M, Migrations, rusqlite};

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(
            "CREATE TABLE stock (
                item_id  INTEGER PRIMARY KEY,
                quantity INTEGER NOT NULL CHECK (quantity >= 0)
            );",
        ),
        // Demo data: the same three items as item-service and accounting-service.
        M::up("INSERT INTO stock (item_id, quantity) VALUES (1, 100), (2, 25), (3, 5);"),
    ])
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Stock {
    pub item_id: i64,
    pub quantity: i64,
}

/// What came of asking to take units out of stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// Taken; the stock that is left.
    Taken(Stock),
    /// Fewer units in stock than asked for; nothing was taken.
    Insufficient { available: i64 },
    /// The item is not stocked at all.
    UnknownItem,
}

#[derive(Debug, Clone)]
pub struct StockStore {
    db: Connection,
}

impl StockStore {
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            db: db::open(path, &MIGRATIONS).await?,
        })
    }

    pub async fn get(&self, item_id: i64) -> Result<Option<Stock>, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached("SELECT quantity FROM stock WHERE item_id = ?1")?
                    .query_row(params![item_id], |row| {
                        Ok(Stock {
                            item_id,
                            quantity: row.get(0)?,
                        })
                    })
                    .optional()
            })
            .await?)
    }

    /// Takes `units` out of stock, all or nothing.
    pub async fn take(&self, item_id: i64, units: i64) -> Result<Take, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                let left = conn
                    .prepare_cached(
                        "UPDATE stock SET quantity = quantity - ?2
                         WHERE item_id = ?1 AND quantity >= ?2 RETURNING quantity",
                    )?
                    .query_row(params![item_id, units], |row| row.get(0))
                    .optional()?;
                if let Some(quantity) = left {
                    return Ok(Take::Taken(Stock { item_id, quantity }));
                }
                let available = conn
                    .prepare_cached("SELECT quantity FROM stock WHERE item_id = ?1")?
                    .query_row(params![item_id], |row| row.get(0))
                    .optional()?;
                Ok(available.map_or(Take::UnknownItem, |available| Take::Insufficient { available }))
            })
            .await?)
    }

    /// Puts `units` back into stock; `None` when the item is not stocked.
    pub async fn put_back(&self, item_id: i64, units: i64) -> Result<Option<Stock>, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached("UPDATE stock SET quantity = quantity + ?2 WHERE item_id = ?1 RETURNING quantity")?
                    .query_row(params![item_id, units], |row| {
                        Ok(Stock {
                            item_id,
                            quantity: row.get(0)?,
                        })
                    })
                    .optional()
            })
            .await?)
    }

    /// Sets the stock of an item, creating its record when needed.
    pub async fn set(&self, stock: Stock) -> Result<Stock, ApiError> {
        self.db
            .call(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO stock (item_id, quantity) VALUES (?1, ?2)
                     ON CONFLICT (item_id) DO UPDATE SET quantity = excluded.quantity",
                )?
                .execute(params![stock.item_id, stock.quantity])
            })
            .await?;
        Ok(stock)
    }

    /// Replaces all stock records with `stock` in one transaction (provider states).
    pub async fn replace_all(&self, stock: Vec<Stock>) -> Result<(), ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                let tx = conn.transaction()?;
                tx.execute("DELETE FROM stock", [])?;
                for s in &stock {
                    tx.execute(
                        "INSERT INTO stock (item_id, quantity) VALUES (?1, ?2)",
                        params![s.item_id, s.quantity],
                    )?;
                }
                tx.commit()
            })
            .await?)
    }
}
