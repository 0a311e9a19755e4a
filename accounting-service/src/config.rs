use std::path::PathBuf;

use service_kit::config::CommonArgs;

/// accounting-service settings, from flags or the environment.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "accounting-service", about = "Prices and tax of items")]
pub struct Config {
    #[arg(long, env = "PORT", default_value_t = service_kit::topology::default_port("accounting-service"))]
    pub port: u16,

    #[arg(long, env = "DATABASE_PATH", default_value = "data/accounting-service.db")]
    pub database_path: PathBuf,

    #[command(flatten)]
    pub common: CommonArgs,
}
