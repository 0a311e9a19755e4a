use std::path::PathBuf;

use service_kit::config::CommonArgs;

/// item-service settings, from flags or the environment.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "item-service", about = "Names and descriptions of items")]
pub struct Config {
    #[arg(long, env = "PORT", default_value_t = service_kit::topology::default_port("item-service"))]
    pub port: u16,

    #[arg(long, env = "DATABASE_PATH", default_value = "data/item-service.db")]
    pub database_path: PathBuf,

    #[command(flatten)]
    pub common: CommonArgs,
}
