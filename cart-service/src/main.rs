use cart_service::{AppState, Config, app_with_recovery};
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service_kit::telemetry::init();
    let config = Config::parse();
    let state = AppState::open(&config).await?;
    service_kit::http::run(config.common.listen_address(config.port), app_with_recovery(state)).await
}
