//! The `carts` and `cart_items` tables, and `cart_lines`: every add to a cart under its
//! idempotency key, written `pending` before catalog is asked to order it, then `added` (in the
//! same transaction as the cart's totals) or `failed`. Each step is a conditional transition
//! from `pending`, so a live add and its recovery can never both decide it.

use std::path::Path;
use std::sync::LazyLock;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use service_kit::ApiError;
use service_kit::db::{self, Connection, M, Migrations, rusqlite};
use service_kit::error::Failure;

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(
            "CREATE TABLE carts (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE TABLE cart_items (
            cart_id       INTEGER NOT NULL REFERENCES carts (id),
            item_id       INTEGER NOT NULL,
            item_quantity INTEGER NOT NULL CHECK (item_quantity > 0),
            total_cost    INTEGER NOT NULL,
            PRIMARY KEY (cart_id, item_id)
        );",
        ),
        M::up(
            "CREATE TABLE cart_lines (
                key             TEXT PRIMARY KEY,
                order_key       TEXT NOT NULL UNIQUE,
                cart_id         INTEGER NOT NULL REFERENCES carts (id),
                item_id         INTEGER NOT NULL,
                quantity        INTEGER NOT NULL CHECK (quantity > 0),
                status          TEXT NOT NULL CHECK (status IN ('pending', 'added', 'failed')),
                total_cost      INTEGER,
                failure_status  INTEGER,
                failure_message TEXT,
                started_ms      INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX cart_lines_by_cart ON cart_lines (cart_id);
            CREATE INDEX cart_lines_pending ON cart_lines (started_ms) WHERE status = 'pending';",
        ),
    ])
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Cart {
    pub id: i64,
    pub items: Vec<CartItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CartItem {
    pub item_id: i64,
    pub item_quantity: i64,
    /// In cents.
    pub total_cost: i64,
}

/// Where an add to a cart stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LineStatus {
    /// Written before catalog was asked; the order may or may not exist yet.
    Pending,
    /// Ordered and in the cart's totals.
    Added,
    /// Not ordered (or ordered but not addable); not in the cart.
    Failed,
}

/// One add to a cart, under its idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CartLine {
    pub key: String,
    /// The key its order has in catalog (made up by cart).
    pub order_key: String,
    pub cart_id: i64,
    pub item_id: i64,
    pub quantity: i64,
    pub status: LineStatus,
    /// Once added.
    pub total_cost: Option<i64>,
    /// Once failed: the answer its caller got.
    pub failure: Option<Failure>,
}

/// What came of starting an add under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// Written `pending`: the add is the caller's to carry out.
    New,
    /// The key was used before: that add.
    Existing(CartLine),
    /// No cart has that id; nothing written.
    UnknownCart,
}

/// What came of completing a pending add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completed {
    /// Added; the whole cart.
    Added(Cart),
    /// The item's totals in the cart would no longer fit in 64 bits: recorded as failed.
    TooLarge,
    /// The add was no longer pending (decided elsewhere).
    NotPending,
}

const LINE_COLUMNS: &str =
    "key, cart_id, item_id, quantity, status, total_cost, failure_status, failure_message, order_key";

fn read_line(row: &rusqlite::Row<'_>) -> rusqlite::Result<CartLine> {
    let failure = db::failure_columns(row, 6)?;
    Ok(CartLine {
        key: row.get(0)?,
        cart_id: row.get(1)?,
        item_id: row.get(2)?,
        quantity: row.get(3)?,
        status: db::enum_from_text(row, 4)?,
        total_cost: row.get(5)?,
        failure,
        order_key: row.get(8)?,
    })
}

fn line(conn: &rusqlite::Connection, key: &str) -> rusqlite::Result<Option<CartLine>> {
    conn.prepare_cached(&format!("SELECT {LINE_COLUMNS} FROM cart_lines WHERE key = ?1"))?
        .query_row(params![key], read_line)
        .optional()
}

/// Adds `item`'s quantity and cost to the cart's totals for the item; false (nothing changed)
/// when a sum would not fit in 64 bits. Checked here: SQLite would silently turn an overflowing
/// INTEGER sum into a REAL that can no longer be read back as cents.
fn add_to_totals(conn: &rusqlite::Connection, cart_id: i64, item: CartItem) -> rusqlite::Result<bool> {
    let (quantity, cost) = conn
        .prepare_cached("SELECT item_quantity, total_cost FROM cart_items WHERE cart_id = ?1 AND item_id = ?2")?
        .query_row(params![cart_id, item.item_id], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
        })
        .optional()?
        .unwrap_or((0, 0));
    let (Some(quantity), Some(cost)) = (
        quantity.checked_add(item.item_quantity),
        cost.checked_add(item.total_cost),
    ) else {
        return Ok(false);
    };
    conn.prepare_cached(
        "INSERT INTO cart_items (cart_id, item_id, item_quantity, total_cost) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (cart_id, item_id) DO UPDATE SET
            item_quantity = excluded.item_quantity, total_cost = excluded.total_cost",
    )?
    .execute(params![cart_id, item.item_id, quantity, cost])?;
    Ok(true)
}

#[derive(Clone)]
pub struct CartStore {
    db: Connection,
    /// The adds' writes, group-committed.
    writer: db::GroupCommit,
}

fn load(conn: &rusqlite::Connection, id: i64) -> rusqlite::Result<Option<Cart>> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM carts WHERE id = ?1")?
        .exists(params![id])?;
    if !exists {
        return Ok(None);
    }
    let items = conn
        .prepare_cached(
            "SELECT item_id, item_quantity, total_cost FROM cart_items WHERE cart_id = ?1 ORDER BY item_id",
        )?
        .query_map(params![id], |row| {
            Ok(CartItem {
                item_id: row.get(0)?,
                item_quantity: row.get(1)?,
                total_cost: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(Cart { id, items }))
}

impl CartStore {
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        let db = db::open(path, &MIGRATIONS).await?;
        Ok(Self {
            writer: db::GroupCommit::new(db.clone()),
            db,
        })
    }

    pub async fn create(&self) -> Result<Cart, ApiError> {
        Ok(self
            .db
            .call(|conn| {
                conn.execute("INSERT INTO carts DEFAULT VALUES", [])?;
                Ok(Cart {
                    id: conn.last_insert_rowid(),
                    items: vec![],
                })
            })
            .await?)
    }

    pub async fn get(&self, id: i64) -> Result<Option<Cart>, ApiError> {
        Ok(self.db.call(move |conn| load(conn, id)).await?)
    }

    pub async fn exists(&self, id: i64) -> Result<bool, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached("SELECT 1 FROM carts WHERE id = ?1")?
                    .exists(params![id])
            })
            .await?)
    }

    /// Writes the add `pending` under `key`, unless the key is taken (then that add) or the cart
    /// does not exist.
    pub async fn begin(
        &self,
        key: String,
        order_key: String,
        cart_id: i64,
        item_id: i64,
        quantity: i64,
        now_ms: i64,
    ) -> Result<Begun, ApiError> {
        self.writer
            .write(move |conn| {
                if let Some(existing) = line(conn, &key)? {
                    return Ok(Begun::Existing(existing));
                }
                let cart_exists = conn
                    .prepare_cached("SELECT 1 FROM carts WHERE id = ?1")?
                    .exists(params![cart_id])?;
                if !cart_exists {
                    return Ok(Begun::UnknownCart);
                }
                conn.prepare_cached(
                    "INSERT INTO cart_lines (key, order_key, cart_id, item_id, quantity, status, started_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
                )?
                .execute(params![key, order_key, cart_id, item_id, quantity, now_ms])?;
                Ok(Begun::New)
            })
            .await
    }

    /// `pending → added` with its cost, adding it to the cart's totals in the same transaction
    /// (quantities and costs of the same item add up); `pending → failed` (422) when the totals
    /// would overflow.
    pub async fn complete(&self, key: String, total_cost: i64) -> Result<Completed, ApiError> {
        self.writer
            .write(move |conn| {
                let Some(pending) = line(conn, &key)?.filter(|line| line.status == LineStatus::Pending) else {
                    return Ok(Completed::NotPending);
                };
                let item = CartItem {
                    item_id: pending.item_id,
                    item_quantity: pending.quantity,
                    total_cost,
                };
                let completed = if add_to_totals(conn, pending.cart_id, item)? {
                    conn.prepare_cached("UPDATE cart_lines SET status = 'added', total_cost = ?2 WHERE key = ?1")?
                        .execute(params![key, total_cost])?;
                    load(conn, pending.cart_id)?.map_or(Completed::NotPending, Completed::Added)
                } else {
                    let message = format!(
                        "the total of item {} in cart {} would be too large",
                        pending.item_id, pending.cart_id
                    );
                    conn.prepare_cached(
                        "UPDATE cart_lines SET status = 'failed', total_cost = ?2, failure_status = 422, failure_message = ?3
                         WHERE key = ?1",
                    )?
                    .execute(params![key, total_cost, message])?;
                    Completed::TooLarge
                };
                Ok(completed)
            })
            .await
    }

    /// `pending → failed`, recording the answer its caller got; false when no longer pending.
    pub async fn fail(&self, key: String, failure: Failure) -> Result<bool, ApiError> {
        self.writer
            .write(move |conn| {
                let changed = conn
                    .prepare_cached(
                        "UPDATE cart_lines SET status = 'failed', failure_status = ?2, failure_message = ?3
                         WHERE key = ?1 AND status = 'pending'",
                    )?
                    .execute(params![key, failure.status, failure.error])?;
                Ok(changed == 1)
            })
            .await
    }

    pub async fn line(&self, key: String) -> Result<Option<CartLine>, ApiError> {
        Ok(self.db.call(move |conn| line(conn, &key)).await?)
    }

    /// Every add to a cart, whatever it came to, in key order; `None` when there is no such cart.
    pub async fn lines(&self, cart_id: i64) -> Result<Option<Vec<CartLine>>, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                if load(conn, cart_id)?.is_none() {
                    return Ok(None);
                }
                conn.prepare_cached(&format!(
                    "SELECT {LINE_COLUMNS} FROM cart_lines WHERE cart_id = ?1 ORDER BY key"
                ))?
                .query_map(params![cart_id], read_line)?
                .collect::<rusqlite::Result<_>>()
                .map(Some)
            })
            .await?)
    }

    /// Adds still `pending` that started before `started_before_ms`, oldest first.
    pub async fn pending(&self, started_before_ms: i64) -> Result<Vec<CartLine>, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached(&format!(
                    "SELECT {LINE_COLUMNS} FROM cart_lines WHERE status = 'pending' AND started_ms < ?1 ORDER BY started_ms"
                ))?
                .query_map(params![started_before_ms], read_line)?
                .collect()
            })
            .await?)
    }
}
