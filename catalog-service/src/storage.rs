//! The `orders` table: every order catalog-service has placed.

use std::path::Path;
use std::sync::LazyLock;

use rusqlite::params;
use serde::Serialize;
use service_kit::ApiError;
use service_kit::db::{self, Connection, M, Migrations, rusqlite};

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![M::up(
        "CREATE TABLE orders (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            item_id     INTEGER NOT NULL,
            quantity    INTEGER NOT NULL CHECK (quantity > 0),
            unit_price  INTEGER NOT NULL,
            total_price INTEGER NOT NULL,
            placed_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );",
    )])
});

/// An order as catalog's callers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Order {
    pub order_id: i64,
    pub item_id: i64,
    pub quantity: i64,
    /// Unit price × quantity, in cents.
    pub total_price: i64,
}

#[derive(Debug, Clone)]
pub struct OrderStore {
    db: Connection,
}

impl OrderStore {
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            db: db::open(path, &MIGRATIONS).await?,
        })
    }

    pub async fn record(
        &self,
        item_id: i64,
        quantity: i64,
        unit_price: i64,
        total_price: i64,
    ) -> Result<Order, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO orders (item_id, quantity, unit_price, total_price) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![item_id, quantity, unit_price, total_price])?;
                Ok(Order {
                    order_id: conn.last_insert_rowid(),
                    item_id,
                    quantity,
                    total_price,
                })
            })
            .await?)
    }

    pub async fn count(&self) -> Result<i64, ApiError> {
        Ok(self
            .db
            .call(|conn| conn.query_row("SELECT count(*) FROM orders", [], |row| row.get(0)))
            .await?)
    }

    /// Forgets every order (provider states).
    pub async fn clear(&self) -> Result<(), ApiError> {
        Ok(self
            .db
            .call(|conn| conn.execute("DELETE FROM orders", []).map(drop))
            .await?)
    }
}
