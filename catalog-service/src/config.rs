use std::path::PathBuf;

use service_kit::config::CommonArgs;
use url::Url;

/// catalog-service settings, from flags or the environment.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "catalog-service", about = "Orders items and shows them")]
pub struct Config {
    #[arg(long, env = "PORT", default_value_t = service_kit::topology::default_port("catalog-service"))]
    pub port: u16,

    #[arg(long, env = "DATABASE_PATH", default_value = "data/catalog-service.db")]
    pub database_path: PathBuf,

    #[arg(long, env = "ACCOUNTING_SERVICE_URL", default_value_t = service_kit::topology::default_url("accounting-service"), value_parser = service_kit::config::neighbour_url)]
    pub accounting_service_url: Url,

    #[arg(long, env = "INVENTORY_SERVICE_URL", default_value_t = service_kit::topology::default_url("inventory-service"), value_parser = service_kit::config::neighbour_url)]
    pub inventory_service_url: Url,

    #[arg(long, env = "ITEM_SERVICE_URL", default_value_t = service_kit::topology::default_url("item-service"), value_parser = service_kit::config::neighbour_url)]
    pub item_service_url: Url,

    #[command(flatten)]
    pub common: CommonArgs,
}
