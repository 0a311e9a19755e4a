//! The `orders` table: every order catalog-service has taken on, keyed by its idempotency key,
//! with where its saga stands. An order is written `pending` before any neighbour is called, and
//! every later step is a conditional transition from the state the step expects
//! (`pending → confirmed`, `pending → cancelling → cancelled`, `pending → cancelled` when nothing
//! was taken): whoever makes a transition owns the outcome, so a live order and the recovery of
//! the same order can never both decide it.

use std::path::Path;
use std::sync::LazyLock;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use service_kit::ApiError;
use service_kit::db::{self, Connection, M, Migrations, rusqlite};
pub use service_kit::error::Failure;

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(
            "CREATE TABLE orders (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                item_id     INTEGER NOT NULL,
                quantity    INTEGER NOT NULL CHECK (quantity > 0),
                unit_price  INTEGER NOT NULL,
                total_price INTEGER NOT NULL,
                placed_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            );",
        ),
        // Orders become sagas: a key, a status, a price only once confirmed, and the answer a
        // cancelled order got. Orders placed before keys existed were all completed: confirmed.
        M::up(
            "CREATE TABLE orders_saga (
                id              INTEGER PRIMARY KEY AUTOINCREMENT,
                key             TEXT UNIQUE,
                stock_key       TEXT UNIQUE,
                item_id         INTEGER NOT NULL,
                quantity        INTEGER NOT NULL CHECK (quantity > 0),
                status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelling', 'cancelled')),
                unit_price      INTEGER,
                total_price     INTEGER,
                failure_status  INTEGER,
                failure_message TEXT,
                started_ms      INTEGER NOT NULL DEFAULT 0,
                placed_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            );
            INSERT INTO orders_saga (id, item_id, quantity, status, unit_price, total_price, placed_at)
                SELECT id, item_id, quantity, 'confirmed', unit_price, total_price, placed_at FROM orders;
            DROP TABLE orders;
            ALTER TABLE orders_saga RENAME TO orders;
            CREATE INDEX orders_by_item ON orders (item_id);
            CREATE INDEX orders_open ON orders (started_ms) WHERE status IN ('pending', 'cancelling');",
        ),
        // Two b-trees fewer to write on every order: ids as plain rowids (AUTOINCREMENT updated
        // `sqlite_sequence` on every insert; without it an id comes back only after the highest
        // order is deleted, which only the provider states' reset does), and no unique index on
        // `stock_key`, which catalog makes up (a fresh UUID v7) and never looks up by.
        M::up(
            "CREATE TABLE orders_v3 (
                id              INTEGER PRIMARY KEY,
                key             TEXT UNIQUE,
                stock_key       TEXT,
                item_id         INTEGER NOT NULL,
                quantity        INTEGER NOT NULL CHECK (quantity > 0),
                status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelling', 'cancelled')),
                unit_price      INTEGER,
                total_price     INTEGER,
                failure_status  INTEGER,
                failure_message TEXT,
                started_ms      INTEGER NOT NULL DEFAULT 0,
                placed_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            );
            INSERT INTO orders_v3 (id, key, stock_key, item_id, quantity, status, unit_price, total_price,
                    failure_status, failure_message, started_ms, placed_at)
                SELECT id, key, stock_key, item_id, quantity, status, unit_price, total_price,
                    failure_status, failure_message, started_ms, placed_at FROM orders;
            DROP TABLE orders;
            ALTER TABLE orders_v3 RENAME TO orders;
            CREATE INDEX orders_by_item ON orders (item_id);
            CREATE INDEX orders_open ON orders (started_ms) WHERE status IN ('pending', 'cancelling');",
        ),
    ])
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

/// Where an order's saga stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Written before any neighbour was called; stock may or may not be taken yet.
    Pending,
    /// Stock taken, priced, recorded: the order stands.
    Confirmed,
    /// Decided against; the stock take is being cancelled in inventory.
    Cancelling,
    /// Nothing of it is left in stock movements: not taken, or put back.
    Cancelled,
}

/// An order and where its saga stands (`GET /orders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OrderRecord {
    pub order_id: i64,
    /// Its idempotency key; none for orders placed before keys existed.
    pub key: Option<String>,
    /// The key its stock was taken under in inventory (made up by catalog).
    pub stock_key: Option<String>,
    pub item_id: i64,
    pub quantity: i64,
    pub status: Status,
    /// Once confirmed.
    pub total_price: Option<i64>,
    /// Once cancelled (or cancelling): the answer its caller got.
    pub failure: Option<Failure>,
    #[serde(skip)]
    pub started_ms: i64,
}

impl OrderRecord {
    /// The order as its caller sees it, once confirmed.
    pub fn confirmed(&self) -> Option<Order> {
        match (self.status, self.total_price) {
            (Status::Confirmed, Some(total_price)) => Some(Order {
                order_id: self.order_id,
                item_id: self.item_id,
                quantity: self.quantity,
                total_price,
            }),
            _ => None,
        }
    }
}

/// What came of starting an order under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// Written `pending`: the saga is the caller's to run.
    New(OrderRecord),
    /// The key was used before: this is that order.
    Existing(OrderRecord),
}

const COLUMNS: &str =
    "id, key, item_id, quantity, status, total_price, failure_status, failure_message, started_ms, stock_key";

fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<OrderRecord> {
    let failure = db::failure_columns(row, 6)?;
    Ok(OrderRecord {
        order_id: row.get(0)?,
        key: row.get(1)?,
        item_id: row.get(2)?,
        quantity: row.get(3)?,
        status: db::enum_from_text(row, 4)?,
        total_price: row.get(5)?,
        failure,
        started_ms: row.get(8)?,
        stock_key: row.get(9)?,
    })
}

fn by_key(conn: &rusqlite::Connection, key: &str) -> rusqlite::Result<Option<OrderRecord>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE key = ?1"))?
        .query_row(params![key], read)
        .optional()
}

#[derive(Clone)]
pub struct OrderStore {
    db: Connection,
    /// The saga's writes, group-committed (two per order).
    writer: db::GroupCommit,
}

impl OrderStore {
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        let db = db::open(path, &MIGRATIONS).await?;
        Ok(Self {
            writer: db::GroupCommit::new(db.clone()),
            db,
        })
    }

    /// Writes the order `pending` under `key`, its stock to be taken under `stock_key`, unless
    /// the key is taken: then that order.
    pub async fn begin(
        &self,
        key: String,
        stock_key: String,
        item_id: i64,
        quantity: i64,
        now_ms: i64,
    ) -> Result<Begun, ApiError> {
        self.writer
            .write(move |conn| {
                let inserted = conn
                    .prepare_cached(
                        "INSERT INTO orders (key, stock_key, item_id, quantity, status, started_ms)
                         VALUES (?1, ?2, ?3, ?4, 'pending', ?5) ON CONFLICT (key) DO NOTHING",
                    )?
                    .execute(params![key, stock_key, item_id, quantity, now_ms])?;
                if inserted == 1 {
                    return Ok(Begun::New(OrderRecord {
                        order_id: conn.last_insert_rowid(),
                        key: Some(key),
                        stock_key: Some(stock_key),
                        item_id,
                        quantity,
                        status: Status::Pending,
                        total_price: None,
                        failure: None,
                        started_ms: now_ms,
                    }));
                }
                by_key(conn, &key)?
                    .map(Begun::Existing)
                    .ok_or(rusqlite::Error::QueryReturnedNoRows)
            })
            .await
    }

    /// `pending → confirmed` with its price; `None` when the order was no longer pending.
    pub async fn confirm(&self, key: String, unit_price: i64, total_price: i64) -> Result<Option<Order>, ApiError> {
        self.writer
            .write(move |conn| {
                let confirmed = conn
                    .prepare_cached(
                        "UPDATE orders SET status = 'confirmed', unit_price = ?2, total_price = ?3
                         WHERE key = ?1 AND status = 'pending'",
                    )?
                    .execute(params![key, unit_price, total_price])?;
                if confirmed == 0 {
                    return Ok(None);
                }
                Ok(by_key(conn, &key)?.and_then(|order| order.confirmed()))
            })
            .await
    }

    /// `from → to`, recording `failure` when given; false when the order was not in `from`.
    pub async fn transition(
        &self,
        key: String,
        from: Status,
        to: Status,
        failure: Option<Failure>,
    ) -> Result<bool, ApiError> {
        self.writer
            .write(move |conn| {
                let (status, message) = failure.map(|f| (f.status, f.error)).unzip();
                let changed = conn
                    .prepare_cached(
                        "UPDATE orders SET status = ?3,
                            failure_status = coalesce(?4, failure_status), failure_message = coalesce(?5, failure_message)
                         WHERE key = ?1 AND status = ?2",
                    )?
                    .execute(params![key, db::enum_to_text(&from), db::enum_to_text(&to), status, message])?;
                Ok(changed == 1)
            })
            .await
    }

    pub async fn get(&self, key: String) -> Result<Option<OrderRecord>, ApiError> {
        Ok(self.db.call(move |conn| by_key(conn, &key)).await?)
    }

    /// Orders still `pending` or `cancelling` that started before `started_before_ms`, oldest first.
    pub async fn unresolved(&self, started_before_ms: i64) -> Result<Vec<OrderRecord>, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM orders
                     WHERE status IN ('pending', 'cancelling') AND started_ms < ?1 ORDER BY started_ms"
                ))?
                .query_map(params![started_before_ms], read)?
                .collect()
            })
            .await?)
    }

    /// Every order of an item, oldest first.
    pub async fn of_item(&self, item_id: i64) -> Result<Vec<OrderRecord>, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE item_id = ?1 ORDER BY id"))?
                    .query_map(params![item_id], read)?
                    .collect()
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

    /// Records a confirmed order under `key` (provider states).
    pub async fn insert_confirmed(
        &self,
        key: String,
        item_id: i64,
        quantity: i64,
        unit_price: i64,
    ) -> Result<(), ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.execute(
                    "INSERT INTO orders (key, item_id, quantity, status, unit_price, total_price)
                     VALUES (?1, ?2, ?3, 'confirmed', ?4, ?4 * ?3)",
                    params![key, item_id, quantity, unit_price],
                )
                .map(drop)
            })
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_kept_under_the_saga_schema_survive_the_move_to_plain_rowids() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        MIGRATIONS.to_version(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO orders (id, key, stock_key, item_id, quantity, status, unit_price, total_price, started_ms)
                 VALUES (7, 'order-7', 'catalog:7', 1, 2, 'confirmed', 100, 200, 5);
             INSERT INTO orders (id, key, stock_key, item_id, quantity, status, started_ms)
                 VALUES (8, 'order-8', 'catalog:8', 3, 1, 'pending', 6);",
        )
        .unwrap();

        MIGRATIONS.to_latest(&mut conn).unwrap();
        let kept: Vec<OrderRecord> = conn
            .prepare(&format!("SELECT {COLUMNS} FROM orders ORDER BY id"))
            .unwrap()
            .query_map([], read)
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            kept.iter()
                .map(|o| (o.order_id, o.status, o.total_price))
                .collect::<Vec<_>>(),
            [(7, Status::Confirmed, Some(200)), (8, Status::Pending, None)]
        );
        assert_eq!(kept[1].stock_key.as_deref(), Some("catalog:8"));
        // Still unique per key, and the next order is numbered after the highest kept.
        let again = conn.execute(
            "INSERT INTO orders (key, item_id, quantity, status) VALUES ('order-7', 1, 1, 'pending')",
            [],
        );
        assert!(again.is_err(), "a key is taken once");
        conn.execute(
            "INSERT INTO orders (key, item_id, quantity, status) VALUES ('order-9', 1, 1, 'pending')",
            [],
        )
        .unwrap();
        assert_eq!(conn.last_insert_rowid(), 9);
    }

    #[test]
    fn the_migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
    }
}
