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

    /// An order still unsettled this long after it started is settled by recovery (asked about
    /// and confirmed or cancelled through its key), in milliseconds. Longer than a live order
    /// can take: its retries of a slow neighbour included.
    #[arg(long, env = "ORDER_RECOVERY_AFTER_MS", default_value_t = 60_000)]
    pub order_recovery_after_ms: u64,

    /// How often recovery looks for unsettled orders, in milliseconds (it also runs at start-up).
    #[arg(long, env = "ORDER_RECOVERY_INTERVAL_MS", default_value_t = 5_000)]
    pub order_recovery_interval_ms: u64,

    #[command(flatten)]
    pub common: CommonArgs,
}
