//! Chaos test of the order saga. Starts the five real service binaries on free loopback ports
//! with fresh databases, drives bounded concurrent load (catalog orders and cart adds, each with
//! its own Idempotency-Key), injects one fault, waits for every saga to settle, then checks from
//! the services' own APIs that nothing was lost or minted:
//!
//! - initial stock == stock + units in confirmed orders;
//! - every stock movement taken belongs to a confirmed order and every confirmed order has one
//!   (no key applied twice, no take without its order);
//! - every order answered 200 is confirmed; every cart add answered 200 is in its cart;
//! - every cart line added matches a confirmed order with its key, and the carts' totals are the
//!   sum of their added lines;
//! - nothing is left pending.
//!
//! Only processes it started are signalled, by pid; all of them are killed when it ends.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use futures::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

/// The item every request orders, and the stock it starts with.
const ITEM: i64 = 1;
const INITIAL_STOCK: i64 = 1_000_000;
/// Carts the cart adds go to.
const CARTS: usize = 8;
/// Longest wait for every saga to settle after the load.
const SETTLE_DEADLINE: Duration = Duration::from_secs(40);
/// How long a killed service stays down before it is restarted.
const DOWNTIME: Duration = Duration::from_millis(400);

/// One fault, injected once about a third of the way into the load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    KillCatalog,
    KillCart,
    KillInventory,
    KillAccounting,
    /// inventory stopped (SIGSTOP) 200 ms at a time under a 50 ms upstream timeout.
    PauseInventory,
    /// Callers hang up after 100 ms while accounting is stopped for 600 ms.
    CallersHangUp,
}

impl Fault {
    pub const ALL: [Fault; 7] = [
        Fault::None,
        Fault::KillCatalog,
        Fault::KillCart,
        Fault::KillInventory,
        Fault::KillAccounting,
        Fault::PauseInventory,
        Fault::CallersHangUp,
    ];

    fn upstream_timeout_ms(self) -> u64 {
        match self {
            Fault::PauseInventory => 50,
            _ => 1000,
        }
    }

    fn caller_timeout(self) -> Duration {
        match self {
            Fault::CallersHangUp => Duration::from_millis(100),
            _ => Duration::from_secs(10),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::None => "none",
            Fault::KillCatalog => "kill -9 catalog mid-load, restart",
            Fault::KillCart => "kill -9 cart mid-load, restart",
            Fault::KillInventory => "kill -9 inventory mid-load, restart",
            Fault::KillAccounting => "kill -9 accounting mid-load, restart",
            Fault::PauseInventory => "inventory paused 200 ms at a time (SIGSTOP), UPSTREAM_TIMEOUT_MS=50",
            Fault::CallersHangUp => "callers hang up (100 ms) while accounting is paused 600 ms",
        })
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub requests: usize,
    pub concurrency: usize,
}

/// What one fault did.
#[derive(Debug, Clone)]
pub struct Report {
    pub fault: Fault,
    pub requests: usize,
    pub ok: usize,
    pub taken: i64,
    pub ordered: i64,
    pub violations: Vec<String>,
}

impl Report {
    pub fn lost(&self) -> i64 {
        (self.taken - self.ordered).max(0)
    }

    pub fn minted(&self) -> i64 {
        (self.ordered - self.taken).max(0)
    }

    pub fn holds(&self) -> bool {
        self.violations.is_empty()
    }
}

/// The reports as a Markdown table.
pub fn table(reports: &[Report]) -> String {
    let mut out = String::from(
        "| fault | requests | 200s | units taken | units ordered | lost | minted | invariants |\n|---|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for r in reports {
        let verdict = if r.holds() {
            "hold".to_owned()
        } else {
            format!("{} broken", r.violations.len())
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.fault,
            r.requests,
            r.ok,
            r.taken,
            r.ordered,
            r.lost(),
            r.minted(),
            verdict
        ));
    }
    out
}

/// Runs each fault on a fresh system, one after the other.
pub async fn run(faults: &[Fault], load: Load) -> anyhow::Result<Vec<Report>> {
    let mut reports = Vec::new();
    for &fault in faults {
        let started = Instant::now();
        let report = scenario(fault, load).await.with_context(|| format!("fault: {fault}"))?;
        println!(
            "{fault}: {} requests, {} answered 200, lost {}, minted {}, {} violations ({:.1} s)",
            report.requests,
            report.ok,
            report.lost(),
            report.minted(),
            report.violations.len(),
            started.elapsed().as_secs_f64()
        );
        reports.push(report);
    }
    Ok(reports)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Service {
    Accounting,
    Inventory,
    Item,
    Catalog,
    Cart,
}

impl Service {
    const ALL: [Service; 5] = [
        Service::Accounting,
        Service::Inventory,
        Service::Item,
        Service::Catalog,
        Service::Cart,
    ];

    fn binary(self) -> &'static str {
        match self {
            Service::Accounting => "accounting-service",
            Service::Inventory => "inventory-service",
            Service::Item => "item-service",
            Service::Catalog => "catalog-service",
            Service::Cart => "cart-service",
        }
    }
}

/// The five services as child processes, on free ports, with databases in a temporary folder.
struct System {
    dir: tempfile::TempDir,
    bin_dir: PathBuf,
    ports: HashMap<Service, u16>,
    children: HashMap<Service, Child>,
    upstream_timeout_ms: u64,
    http: reqwest::Client,
}

/// The folder holding the service binaries: `CHAOS_BIN_DIR`, else the one this executable is in
/// (`target/<profile>/` for the `chaos` binary, its parent for a test in `deps/`).
fn bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CHAOS_BIN_DIR") {
        return Ok(dir.into());
    }
    let exe = std::env::current_exe()?;
    let mut dir = exe.parent().context("executable folder")?.to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    Ok(dir)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl System {
    async fn start(upstream_timeout_ms: u64) -> anyhow::Result<Self> {
        let bin_dir = bin_dir()?;
        let mut ports = HashMap::new();
        for service in Service::ALL {
            ports.insert(service, free_port()?);
        }
        let mut system = Self {
            dir: tempfile::tempdir()?,
            bin_dir,
            ports,
            children: HashMap::new(),
            upstream_timeout_ms,
            http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?,
        };
        for service in Service::ALL {
            system.spawn(service)?;
        }
        for service in Service::ALL {
            system.wait_healthy(service).await?;
        }
        Ok(system)
    }

    fn url(&self, service: Service, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.ports[&service])
    }

    fn spawn(&mut self, service: Service) -> anyhow::Result<()> {
        let binary = self.bin_dir.join(service.binary());
        ensure!(
            binary.exists(),
            "{} is not built (cargo build --workspace)",
            binary.display()
        );
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join(format!("{}.log", service.binary())))?;
        let neighbour = |s: Service| format!("http://127.0.0.1:{}", self.ports[&s]);
        let child = Command::new(&binary)
            .env_clear()
            .env("PORT", self.ports[&service].to_string())
            .env("BIND_ADDRESS", "127.0.0.1")
            .env("DATABASE_PATH", self.database(service))
            .env("ACCOUNTING_SERVICE_URL", neighbour(Service::Accounting))
            .env("INVENTORY_SERVICE_URL", neighbour(Service::Inventory))
            .env("ITEM_SERVICE_URL", neighbour(Service::Item))
            .env("CATALOG_SERVICE_URL", neighbour(Service::Catalog))
            .env("UPSTREAM_TIMEOUT_MS", self.upstream_timeout_ms.to_string())
            // Settle what is left over quickly, so a run stays short.
            .env("ORDER_RECOVERY_AFTER_MS", "1500")
            .env("ORDER_RECOVERY_INTERVAL_MS", "250")
            .env("CART_RECOVERY_AFTER_MS", "1500")
            .env("CART_RECOVERY_INTERVAL_MS", "250")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        self.children.insert(service, child);
        Ok(())
    }

    fn database(&self, service: Service) -> PathBuf {
        self.dir.path().join(format!("{}.db", service.binary()))
    }

    async fn wait_healthy(&self, service: Service) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(response) = self.http.get(self.url(service, "/health")).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{} did not answer /health: {}", service.binary(), self.log(service));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log(&self, service: Service) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{}.log", service.binary()))).unwrap_or_default()
    }

    fn pid(&self, service: Service) -> u32 {
        self.children[&service].id()
    }

    /// kill -9, then the same binary on the same port and database after [`DOWNTIME`].
    async fn kill_and_restart(&mut self, service: Service) -> anyhow::Result<()> {
        let mut child = self.children.remove(&service).context("running child")?;
        child.kill()?; // SIGKILL
        child.wait()?;
        tokio::time::sleep(DOWNTIME).await;
        self.spawn(service)?;
        self.wait_healthy(service).await
    }

    fn signal(&self, service: Service, signal: &str) -> anyhow::Result<()> {
        let status = Command::new("kill")
            .args([signal, &self.pid(service).to_string()])
            .status()?;
        ensure!(status.success(), "kill {signal} {}", service.binary());
        Ok(())
    }

    async fn get(&self, service: Service, path: &str) -> anyhow::Result<Value> {
        let response = self.http.get(self.url(service, path)).send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        ensure!(
            status.is_success(),
            "GET {path} on {}: {status} {body}",
            service.binary()
        );
        Ok(body)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let response = request.send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        ensure!(status.is_success(), "{status} {body}");
        Ok(body)
    }
}

impl Drop for System {
    fn drop(&mut self) {
        for child in self.children.values_mut() {
            // A stopped process must be continued to die promptly; both by its own pid only.
            let _ = Command::new("kill").args(["-CONT", &child.id().to_string()]).status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Order,
    CartAdd { cart_id: i64 },
}

/// One request the load sent, and whether it was answered 200.
#[derive(Debug, Clone)]
struct Sent {
    key: String,
    kind: Kind,
    ok: bool,
}

async fn scenario(fault: Fault, load: Load) -> anyhow::Result<Report> {
    let mut system = System::start(fault.upstream_timeout_ms()).await?;
    system
        .send(
            system
                .http
                .put(system.url(Service::Inventory, &format!("/items/{ITEM}")))
                .json(&json!({ "quantity": INITIAL_STOCK })),
        )
        .await?;
    let mut carts = Vec::new();
    for _ in 0..CARTS {
        let cart = system
            .send(system.http.post(system.url(Service::Cart, "/carts")))
            .await?;
        carts.push(cart["id"].as_i64().context("cart id")?);
    }

    let done = Arc::new(AtomicUsize::new(0));
    let caller = reqwest::Client::builder().timeout(fault.caller_timeout()).build()?;
    let (catalog_url, cart_url) = (
        system.url(Service::Catalog, "/order"),
        system.url(Service::Cart, "/carts"),
    );
    let traffic = {
        let done = done.clone();
        let run = format!(
            "{:x}",
            Instant::now().elapsed().as_nanos() ^ u128::from(std::process::id())
        );
        futures::stream::iter(0..load.requests)
            .map(move |i| {
                let (caller, done) = (caller.clone(), done.clone());
                let (catalog_url, cart_url) = (catalog_url.clone(), cart_url.clone());
                let key = format!("chaos-{run}-{i}");
                let kind = if i % 4 == 3 {
                    Kind::CartAdd {
                        cart_id: carts[i % CARTS],
                    }
                } else {
                    Kind::Order
                };
                async move {
                    let request = match kind {
                        Kind::Order => caller.post(catalog_url).json(&json!({"item_id": ITEM, "quantity": 1})),
                        Kind::CartAdd { cart_id } => caller
                            .patch(cart_url)
                            .json(&json!({"cart_id": cart_id, "item_id": ITEM, "quantity": 1})),
                    };
                    let answer = request.header("Idempotency-Key", &key).send().await;
                    done.fetch_add(1, Ordering::Relaxed);
                    let ok = answer.is_ok_and(|response| response.status().is_success());
                    Sent { key, kind, ok }
                }
            })
            .buffer_unordered(load.concurrency)
            .collect::<Vec<Sent>>()
    };
    let traffic = tokio::spawn(traffic);
    // The fault, a third of the way in.
    while done.load(Ordering::Relaxed) < load.requests / 3 && !traffic.is_finished() {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    inject(&mut system, fault).await?;
    let sent = traffic.await?;
    settle(&system).await?;
    check(&system, fault, &sent).await
}

async fn inject(system: &mut System, fault: Fault) -> anyhow::Result<()> {
    match fault {
        Fault::None => {}
        Fault::KillCatalog => system.kill_and_restart(Service::Catalog).await?,
        Fault::KillCart => system.kill_and_restart(Service::Cart).await?,
        Fault::KillInventory => system.kill_and_restart(Service::Inventory).await?,
        Fault::KillAccounting => system.kill_and_restart(Service::Accounting).await?,
        Fault::PauseInventory => {
            for _ in 0..5 {
                system.signal(Service::Inventory, "-STOP")?;
                tokio::time::sleep(Duration::from_millis(200)).await;
                system.signal(Service::Inventory, "-CONT")?;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Fault::CallersHangUp => {
            system.signal(Service::Accounting, "-STOP")?;
            tokio::time::sleep(Duration::from_millis(600)).await;
            system.signal(Service::Accounting, "-CONT")?;
        }
    }
    Ok(())
}

/// Waits until no order and no cart line is pending or cancelling.
async fn settle(system: &System) -> anyhow::Result<()> {
    let deadline = Instant::now() + SETTLE_DEADLINE;
    loop {
        let (orders, lines) = (orders(system).await?, lines(system).await?);
        let open_orders = orders
            .values()
            .filter(|o| matches!(o.status.as_str(), "pending" | "cancelling"))
            .count();
        let open_lines = lines.values().filter(|l| l.status == "pending").count();
        if open_orders == 0 && open_lines == 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{open_orders} orders and {open_lines} cart lines still unsettled after {SETTLE_DEADLINE:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[derive(Debug, Clone, Deserialize)]
struct OrderRecord {
    key: Option<String>,
    stock_key: Option<String>,
    quantity: i64,
    status: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Movement {
    key: String,
    quantity: i64,
    state: String,
}

#[derive(Debug, Clone, Deserialize)]
struct CartLine {
    key: String,
    order_key: String,
    cart_id: i64,
    quantity: i64,
    status: String,
    total_cost: Option<i64>,
}

/// catalog's orders of the item by key; a key on two orders is an error.
async fn orders(system: &System) -> anyhow::Result<BTreeMap<String, OrderRecord>> {
    let list: Vec<OrderRecord> =
        serde_json::from_value(system.get(Service::Catalog, &format!("/orders?item_id={ITEM}")).await?)?;
    let mut by_key = BTreeMap::new();
    for order in list {
        let key = order.key.clone().context("an order without a key")?;
        ensure!(by_key.insert(key.clone(), order).is_none(), "two orders with key {key}");
    }
    Ok(by_key)
}

async fn lines(system: &System) -> anyhow::Result<BTreeMap<String, CartLine>> {
    let mut by_key = BTreeMap::new();
    for cart_id in 1..=i64::try_from(CARTS)? {
        let list: Vec<CartLine> =
            serde_json::from_value(system.get(Service::Cart, &format!("/carts/{cart_id}/lines")).await?)?;
        for line in list {
            ensure!(
                by_key.insert(line.key.clone(), line).is_none(),
                "two cart lines with one key"
            );
        }
    }
    Ok(by_key)
}

async fn check(system: &System, fault: Fault, sent: &[Sent]) -> anyhow::Result<Report> {
    let stock = system.get(Service::Inventory, &format!("/items/{ITEM}")).await?["quantity"]
        .as_i64()
        .context("stock")?;
    let orders = orders(system).await?;
    let lines = lines(system).await?;
    let movements: Vec<Movement> = serde_json::from_value(
        system
            .get(Service::Inventory, &format!("/movements?item_id={ITEM}"))
            .await?,
    )?;
    let confirmed: BTreeMap<&String, &OrderRecord> = orders.iter().filter(|(_, o)| o.status == "confirmed").collect();
    let ordered: i64 = confirmed.values().map(|o| o.quantity).sum();
    // inventory knows an order by the stock key catalog made up for it.
    let confirmed_by_stock_key: BTreeMap<&str, &OrderRecord> = confirmed
        .values()
        .filter_map(|o| Some((o.stock_key.as_deref()?, *o)))
        .collect();
    let taken = INITIAL_STOCK - stock;
    let mut violations = Vec::new();
    let mut violation = |text: String| {
        if violations.len() < 20 {
            violations.push(text);
        }
    };

    if taken != ordered {
        violation(format!("{taken} units taken from stock, {ordered} in confirmed orders"));
    }
    let mut movement_keys = HashMap::new();
    for movement in &movements {
        *movement_keys.entry(movement.key.as_str()).or_insert(0) += 1;
        let held = confirmed_by_stock_key
            .get(movement.key.as_str())
            .is_some_and(|o| o.quantity == movement.quantity);
        match (movement.state.as_str(), held) {
            ("taken", false) => violation(format!(
                "stock taken under {} but no confirmed order has it",
                movement.key
            )),
            ("cancelled" | "refused", true) => violation(format!(
                "order {} confirmed but its stock movement is {}",
                movement.key, movement.state
            )),
            _ => {}
        }
    }
    if let Some((key, _)) = movement_keys.iter().find(|(_, count)| **count > 1) {
        violation(format!("key {key} applied more than once in inventory"));
    }
    let taken_keys = movements.iter().filter(|m| m.state == "taken").count();
    if taken_keys != confirmed.len() {
        violation(format!(
            "{taken_keys} takes in inventory, {} confirmed orders",
            confirmed.len()
        ));
    }
    for (key, order) in &orders {
        if !matches!(order.status.as_str(), "confirmed" | "cancelled") {
            violation(format!("order {key} left {}", order.status));
        }
    }
    let mut cart_totals: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for line in lines.values() {
        match line.status.as_str() {
            "added" => {
                if confirmed
                    .get(&line.order_key)
                    .is_none_or(|o| o.quantity != line.quantity)
                {
                    violation(format!("cart line {} added without a confirmed order", line.key));
                }
                let totals = cart_totals.entry(line.cart_id).or_default();
                totals.0 += line.quantity;
                totals.1 += line.total_cost.unwrap_or(0);
            }
            "failed" => {
                if confirmed.contains_key(&line.order_key) {
                    violation(format!("order {} confirmed but its cart line failed", line.key));
                }
            }
            other => violation(format!("cart line {} left {other}", line.key)),
        }
    }
    for (cart_id, (quantity, cost)) in &cart_totals {
        let cart = system.get(Service::Cart, &format!("/carts/{cart_id}")).await?;
        let item = cart["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["item_id"] == ITEM));
        let shown = item.map(|i| {
            (
                i["item_quantity"].as_i64().unwrap_or(-1),
                i["total_cost"].as_i64().unwrap_or(-1),
            )
        });
        if shown != Some((*quantity, *cost)) {
            violation(format!(
                "cart {cart_id} shows {shown:?}, its added lines sum to {quantity} units, {cost} cents"
            ));
        }
    }
    for request in sent.iter().filter(|s| s.ok) {
        let order_confirmed = confirmed.contains_key(&request.key);
        let line_added = lines
            .get(&request.key)
            .is_some_and(|l| l.status == "added" && confirmed.contains_key(&l.order_key));
        match request.kind {
            Kind::Order if !order_confirmed => violation(format!("order {} answered 200, not confirmed", request.key)),
            Kind::CartAdd { .. } if !line_added => {
                violation(format!("cart add {} answered 200, not in the cart", request.key))
            }
            _ => {}
        }
    }
    Ok(Report {
        fault,
        requests: sent.len(),
        ok: sent.iter().filter(|s| s.ok).count(),
        taken,
        ordered,
        violations,
    })
}
