//! catalog-service with its real neighbours, each on a random port with its own temporary
//! database (feature `testing`).

use service_kit::config::CommonArgs;
use service_kit::testing::{TempDatabase, TestApp};
use url::Url;

use crate::{AppState, Config, app};

/// accounting, inventory and item, plus catalog wired to them.
pub struct Neighbourhood {
    pub accounting: TestApp,
    pub inventory: TestApp,
    pub item: TestApp,
    pub catalog: TestApp,
    _databases: Vec<TempDatabase>,
}

fn common(provider_states: bool) -> CommonArgs {
    CommonArgs {
        provider_states,
        ..CommonArgs::default()
    }
}

impl Neighbourhood {
    /// Everything up, with provider states on or off everywhere.
    pub async fn spawn(provider_states: bool) -> Self {
        let (accounting_db, inventory_db, item_db) = (TempDatabase::new(), TempDatabase::new(), TempDatabase::new());
        let accounting = accounting_service::Config {
            port: 0,
            database_path: accounting_db.path.clone(),
            common: common(provider_states),
        };
        let accounting = TestApp::spawn(accounting_service::app(
            accounting_service::AppState::open(&accounting).await.unwrap(),
        ))
        .await;
        let inventory = inventory_service::Config {
            port: 0,
            database_path: inventory_db.path.clone(),
            common: common(provider_states),
        };
        let inventory = TestApp::spawn(inventory_service::app(
            inventory_service::AppState::open(&inventory).await.unwrap(),
        ))
        .await;
        let item = item_service::Config {
            port: 0,
            database_path: item_db.path.clone(),
            common: common(provider_states),
        };
        let item = TestApp::spawn(item_service::app(item_service::AppState::open(&item).await.unwrap())).await;

        let url = |app: &TestApp| Url::parse(&app.base_url).unwrap();
        let (catalog, catalog_db) = spawn_catalog(url(&accounting), url(&inventory), url(&item), provider_states).await;
        Self {
            accounting,
            inventory,
            item,
            catalog,
            _databases: vec![accounting_db, inventory_db, item_db, catalog_db],
        }
    }
}

/// catalog-service alone, with the given neighbour URLs and a fresh database.
pub async fn spawn_catalog(
    accounting: Url,
    inventory: Url,
    item: Url,
    provider_states: bool,
) -> (TestApp, TempDatabase) {
    let db = TempDatabase::new();
    let config = Config {
        port: 0,
        database_path: db.path.clone(),
        accounting_service_url: accounting,
        inventory_service_url: inventory,
        item_service_url: item,
        order_recovery_after_ms: 60_000,
        order_recovery_interval_ms: 5_000,
        common: common(provider_states),
    };
    (TestApp::spawn(app(AppState::open(&config).await.unwrap())).await, db)
}
