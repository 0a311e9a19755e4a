//! The `prices` table: one row per item that has a price.

use std::path::Path;
use std::sync::LazyLock;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use service_kit::ApiError;
use service_kit::db::{self, Connection, M, Migrations, rusqlite};

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(
            "CREATE TABLE prices (
                item_id INTEGER PRIMARY KEY,
                price   INTEGER NOT NULL CHECK (price >= 0),
                tax     REAL CHECK (tax IS NULL OR tax >= 0)
            );",
        ),
        // Demo data: the same three items as item-service and inventory-service.
        M::up("INSERT INTO prices (item_id, price, tax) VALUES (1, 1299, 0.2), (2, 850, NULL), (3, 4500, 0.2);"),
    ])
});

/// Price in cents; tax as a rate (0.2 = 20 %) or none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemPrice {
    pub item_id: i64,
    pub price: i64,
    pub tax: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct PriceStore {
    db: Connection,
}

impl PriceStore {
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            db: db::open(path, &MIGRATIONS).await?,
        })
    }

    pub async fn get(&self, item_id: i64) -> Result<Option<ItemPrice>, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached("SELECT price, tax FROM prices WHERE item_id = ?1")?
                    .query_row(params![item_id], |row| {
                        Ok(ItemPrice {
                            item_id,
                            price: row.get(0)?,
                            tax: row.get(1)?,
                        })
                    })
                    .optional()
            })
            .await?)
    }

    pub async fn set(&self, price: ItemPrice) -> Result<ItemPrice, ApiError> {
        self.db
            .call(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO prices (item_id, price, tax) VALUES (?1, ?2, ?3)
                     ON CONFLICT (item_id) DO UPDATE SET price = excluded.price, tax = excluded.tax",
                )?
                .execute(params![price.item_id, price.price, price.tax])
            })
            .await?;
        Ok(price)
    }

    /// Replaces every price with `prices` in one transaction (provider states).
    pub async fn replace_all(&self, prices: Vec<ItemPrice>) -> Result<(), ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                let tx = conn.transaction()?;
                tx.execute("DELETE FROM prices", [])?;
                for p in &prices {
                    tx.execute(
                        "INSERT INTO prices (item_id, price, tax) VALUES (?1, ?2, ?3)",
                        params![p.item_id, p.price, p.tax],
                    )?;
                }
                tx.commit()
            })
            .await?)
    }
}
