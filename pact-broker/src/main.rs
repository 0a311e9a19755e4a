use clap::Parser;
use pact_broker::{AppState, Config, app};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service_kit::telemetry::init();
    let config = Config::parse();
    let state = AppState::open(&config).await?;
    service_kit::http::run(config.listen_address(), app(state)).await
}
