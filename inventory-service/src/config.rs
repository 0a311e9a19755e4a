use std::path::PathBuf;

use service_kit::config::CommonArgs;

/// inventory-service settings, from flags or the environment.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "inventory-service", about = "Units of each item in stock")]
pub struct Config {
    #[arg(long, env = "PORT", default_value_t = service_kit::topology::default_port("inventory-service"))]
    pub port: u16,

    #[arg(long, env = "DATABASE_PATH", default_value = "data/inventory-service.db")]
    pub database_path: PathBuf,

    #[command(flatten)]
    pub common: CommonArgs,
}
