//! The `carts` and `cart_items` tables.

use std::path::Path;
use std::sync::LazyLock;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use service_kit::ApiError;
use service_kit::db::{self, Connection, M, Migrations, rusqlite};

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![M::up(
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
    )])
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

/// What came of adding an item to a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// Added; the whole cart.
    Added(Cart),
    /// No cart has that id.
    UnknownCart,
    /// The item's quantity or total cost in the cart would no longer fit in 64 bits.
    TooLarge,
}

#[derive(Debug, Clone)]
pub struct CartStore {
    db: Connection,
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
        Ok(Self {
            db: db::open(path, &MIGRATIONS).await?,
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

    /// Adds an ordered item to the cart (quantities and costs of the same item add up) and
    /// returns the whole cart. The sums are checked here: SQLite would silently turn an
    /// overflowing INTEGER sum into a REAL that can no longer be read back as cents.
    pub async fn add(&self, cart_id: i64, item: CartItem) -> Result<Added, ApiError> {
        Ok(self
            .db
            .call(move |conn| {
                let tx = conn.transaction()?;
                if load(&tx, cart_id)?.is_none() {
                    return Ok(Added::UnknownCart);
                }
                let (quantity, cost) = tx
                    .prepare_cached(
                        "SELECT item_quantity, total_cost FROM cart_items WHERE cart_id = ?1 AND item_id = ?2",
                    )?
                    .query_row(params![cart_id, item.item_id], |row| {
                        Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
                    })
                    .optional()?
                    .unwrap_or((0, 0));
                let (Some(quantity), Some(cost)) = (
                    quantity.checked_add(item.item_quantity),
                    cost.checked_add(item.total_cost),
                ) else {
                    return Ok(Added::TooLarge);
                };
                tx.prepare_cached(
                    "INSERT INTO cart_items (cart_id, item_id, item_quantity, total_cost) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (cart_id, item_id) DO UPDATE SET
                        item_quantity = excluded.item_quantity, total_cost = excluded.total_cost",
                )?
                .execute(params![cart_id, item.item_id, quantity, cost])?;
                let cart = load(&tx, cart_id)?;
                tx.commit()?;
                Ok(cart.map_or(Added::UnknownCart, Added::Added))
            })
            .await?)
    }
}
