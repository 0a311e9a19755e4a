//! The real inventory-service on a random port with its own database.

use inventory_service::{AppState, Config, app};
use service_kit::config::CommonArgs;
use service_kit::testing::{TempDatabase, TestApp};

pub async fn spawn(db: &TempDatabase, provider_states: bool) -> TestApp {
    TestApp::spawn(app(open(db, provider_states).await)).await
}

pub async fn open(db: &TempDatabase, provider_states: bool) -> AppState {
    let config = Config {
        port: 0,
        database_path: db.path.clone(),
        common: CommonArgs {
            provider_states,
            ..CommonArgs::default()
        },
    };
    AppState::open(&config).await.expect("open the app")
}
