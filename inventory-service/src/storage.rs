//! The `stock` table: units in stock per item. Taking stock is one conditional UPDATE, so
//! concurrent orders can never oversell.
//!
//! The `stock_movements` table: every take made with an idempotency key, in the same
//! transaction as the stock change. A key is applied at most once: a take repeated with its key
//! answers what the first one did; cancelling a key puts its units back once, or, when the take
//! never arrived, fences the key so that a take still on its way changes nothing when it lands.

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
        // `available` is what was in stock when a take was refused (NULL: item not stocked);
        // `remaining` what was left after it was taken.
        M::up(
            "CREATE TABLE stock_movements (
                key        TEXT PRIMARY KEY,
                item_id    INTEGER NOT NULL,
                quantity   INTEGER NOT NULL CHECK (quantity > 0),
                state      TEXT NOT NULL CHECK (state IN ('taken', 'refused', 'cancelled')),
                remaining  INTEGER,
                available  INTEGER,
                created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            ) WITHOUT ROWID;
            CREATE INDEX stock_movements_by_item ON stock_movements (item_id);",
        ),
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

/// What happened to an idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MovementState {
    /// The units were taken out of stock.
    Taken,
    /// The take was refused (short stock or unknown item); nothing was taken.
    Refused,
    /// Cancelled: the units were put back, or the take never arrived and never will be applied.
    Cancelled,
}

/// A stock movement: a take made with an idempotency key, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Movement {
    pub key: String,
    pub item_id: i64,
    pub quantity: i64,
    pub state: MovementState,
}

/// What a keyed take came to: a take's answer, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyedTake {
    /// Applied now, or earlier under the same key (then the recorded answer, nothing changed).
    Done(Take),
    /// The key was cancelled before this take arrived: nothing is taken, ever.
    Cancelled,
    /// The key was used for another item or quantity.
    KeyReused(Movement),
}

/// What cancelling a key came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancel {
    /// The key's movement as it now is (cancelled, or refused when there was nothing to undo).
    Done(Movement),
    /// The key was used for another item or quantity.
    KeyReused(Movement),
}

const MOVEMENT_COLUMNS: &str = "key, item_id, quantity, state, remaining, available";

/// A `stock_movements` row with what a repeated take answers.
struct MovementRow {
    movement: Movement,
    remaining: Option<i64>,
    available: Option<i64>,
}

impl MovementRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            movement: Movement {
                key: row.get(0)?,
                item_id: row.get(1)?,
                quantity: row.get(2)?,
                state: db::enum_from_text(row, 3)?,
            },
            remaining: row.get(4)?,
            available: row.get(5)?,
        })
    }

    /// The answer the first take under this key got.
    fn recorded_take(self) -> KeyedTake {
        let item_id = self.movement.item_id;
        match (self.movement.state, self.remaining, self.available) {
            (MovementState::Cancelled, _, _) => KeyedTake::Cancelled,
            (MovementState::Taken, remaining, _) => KeyedTake::Done(Take::Taken(Stock {
                item_id,
                quantity: remaining.unwrap_or(0),
            })),
            (MovementState::Refused, _, Some(available)) => KeyedTake::Done(Take::Insufficient { available }),
            (MovementState::Refused, _, None) => KeyedTake::Done(Take::UnknownItem),
        }
    }

    fn same_request(&self, item_id: i64, quantity: i64) -> bool {
        self.movement.item_id == item_id && self.movement.quantity == quantity
    }
}

fn movement_row(conn: &rusqlite::Connection, key: &str) -> rusqlite::Result<Option<MovementRow>> {
    conn.prepare_cached(&format!(
        "SELECT {MOVEMENT_COLUMNS} FROM stock_movements WHERE key = ?1"
    ))?
    .query_row(params![key], MovementRow::read)
    .optional()
}

/// Takes `units` out of stock, all or nothing (the conditional UPDATE that cannot oversell).
fn take_units(conn: &rusqlite::Connection, item_id: i64, units: i64) -> rusqlite::Result<Take> {
    let taken = conn
        .prepare_cached("UPDATE stock SET quantity = quantity - ?2 WHERE item_id = ?1 AND quantity >= ?2")?
        .execute(params![item_id, units])?;
    let left = quantity_of(conn, item_id)?;
    Ok(match (taken, left) {
        (1, Some(quantity)) => Take::Taken(Stock { item_id, quantity }),
        (_, Some(available)) => Take::Insufficient { available },
        (_, None) => Take::UnknownItem,
    })
}

fn quantity_of(conn: &rusqlite::Connection, item_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT quantity FROM stock WHERE item_id = ?1")?
        .query_row(params![item_id], |row| row.get(0))
        .optional()
}

#[derive(Clone)]
pub struct StockStore {
    db: Connection,
    /// Keyed takes and cancels, group-committed.
    writer: db::GroupCommit,
}

impl StockStore {
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        let db = db::open(path, &MIGRATIONS).await?;
        Ok(Self {
            writer: db::GroupCommit::new(db.clone()),
            db,
        })
    }

    pub async fn get(&self, item_id: i64) -> Result<Option<Stock>, ApiError> {
        Ok(self
            .db
            .call(move |conn| Ok(quantity_of(conn, item_id)?.map(|quantity| Stock { item_id, quantity })))
            .await?)
    }

    /// Takes `units` out of stock, all or nothing.
    pub async fn take(&self, item_id: i64, units: i64) -> Result<Take, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                // The take and the read of what is left, as one.
                let tx = conn.transaction()?;
                let take = take_units(&tx, item_id, units)?;
                tx.commit()?;
                Ok(take)
            })
            .await?)
    }

    /// Takes `units` out of stock under `key`, recording the movement in the same transaction;
    /// a key already applied changes nothing and answers what it answered the first time.
    pub async fn take_with_key(&self, key: String, item_id: i64, units: i64) -> Result<KeyedTake, ApiError> {
        self.writer
            .write(move |conn| {
                if let Some(row) = movement_row(conn, &key)? {
                    if !row.same_request(item_id, units) {
                        return Ok(KeyedTake::KeyReused(row.movement));
                    }
                    return Ok(row.recorded_take());
                }
                let take = take_units(conn, item_id, units)?;
                let (state, remaining, available) = match take {
                    Take::Taken(stock) => (MovementState::Taken, Some(stock.quantity), None),
                    Take::Insufficient { available } => (MovementState::Refused, None, Some(available)),
                    Take::UnknownItem => (MovementState::Refused, None, None),
                };
                conn.prepare_cached(
                    "INSERT INTO stock_movements (key, item_id, quantity, state, remaining, available)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    key,
                    item_id,
                    units,
                    db::enum_to_text(&state),
                    remaining,
                    available
                ])?;
                Ok(KeyedTake::Done(take))
            })
            .await
    }

    /// Cancels the take made (or still to arrive) under `key`: a take that was applied has its
    /// units put back, once; a key never seen is recorded as cancelled, so a take that arrives
    /// later takes nothing; a refused take stays refused (nothing to put back).
    pub async fn cancel(&self, key: String, item_id: i64, units: i64) -> Result<Cancel, ApiError> {
        self.writer
            .write(move |conn| {
                let movement = match movement_row(conn, &key)? {
                    Some(row) if !row.same_request(item_id, units) => return Ok(Cancel::KeyReused(row.movement)),
                    Some(MovementRow { movement, .. }) if movement.state != MovementState::Taken => {
                        return Ok(Cancel::Done(movement));
                    }
                    Some(MovementRow { movement, .. }) => {
                        // An upsert, so units go back even if the item's record was replaced.
                        conn.prepare_cached(
                            "INSERT INTO stock (item_id, quantity) VALUES (?1, ?2)
                             ON CONFLICT (item_id) DO UPDATE SET quantity = quantity + excluded.quantity",
                        )?
                        .execute(params![item_id, units])?;
                        conn.prepare_cached("UPDATE stock_movements SET state = 'cancelled' WHERE key = ?1")?
                            .execute(params![key])?;
                        movement
                    }
                    None => {
                        conn.prepare_cached(
                            "INSERT INTO stock_movements (key, item_id, quantity, state) VALUES (?1, ?2, ?3, 'cancelled')",
                        )?
                        .execute(params![key, item_id, units])?;
                        Movement {
                            key,
                            item_id,
                            quantity: units,
                            state: MovementState::Cancelled,
                        }
                    }
                };
                Ok(Cancel::Done(Movement {
                    state: MovementState::Cancelled,
                    ..movement
                }))
            })
            .await
    }

    /// The movement recorded under `key`, if any.
    pub async fn movement(&self, key: String) -> Result<Option<Movement>, ApiError> {
        Ok(self
            .db
            .call(move |conn| Ok(movement_row(conn, &key)?.map(|row| row.movement)))
            .await?)
    }

    /// Records `movement` as a take already applied, `remaining` left after it (provider states).
    pub async fn record_taken(&self, movement: Movement, remaining: i64) -> Result<(), ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.execute(
                    "INSERT INTO stock_movements (key, item_id, quantity, state, remaining) VALUES (?1, ?2, ?3, 'taken', ?4)",
                    params![movement.key, movement.item_id, movement.quantity, remaining],
                )
                .map(drop)
            })
            .await?)
    }

    /// Every movement of an item, oldest first.
    pub async fn movements(&self, item_id: i64) -> Result<Vec<Movement>, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                conn.prepare_cached(&format!(
                    "SELECT {MOVEMENT_COLUMNS} FROM stock_movements WHERE item_id = ?1 ORDER BY created_at, key"
                ))?
                .query_map(params![item_id], |row| Ok(MovementRow::read(row)?.movement))?
                .collect()
            })
            .await?)
    }

    /// Puts `units` back into stock; `None` when the item is not stocked.
    pub async fn put_back(&self, item_id: i64, units: i64) -> Result<Option<Stock>, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                let tx = conn.transaction()?;
                tx.prepare_cached("UPDATE stock SET quantity = quantity + ?2 WHERE item_id = ?1")?
                    .execute(params![item_id, units])?;
                let stock = quantity_of(&tx, item_id)?.map(|quantity| Stock { item_id, quantity });
                tx.commit()?;
                Ok(stock)
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

    /// Replaces all stock records with `stock`, and forgets every movement, in one transaction
    /// (provider states).
    pub async fn replace_all(&self, stock: Vec<Stock>) -> Result<(), ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                let tx = conn.transaction()?;
                tx.execute("DELETE FROM stock", [])?;
                tx.execute("DELETE FROM stock_movements", [])?;
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
