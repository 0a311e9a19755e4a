use std::path::PathBuf;

use service_kit::config::CommonArgs;
use url::Url;

/// cart-service settings, from flags or the environment.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "cart-service", about = "Shopping carts")]
pub struct Config {
    #[arg(long, env = "PORT", default_value_t = service_kit::topology::default_port("cart-service"))]
    pub port: u16,

    #[arg(long, env = "DATABASE_PATH", default_value = "data/cart-service.db")]
    pub database_path: PathBuf,

    #[arg(long, env = "CATALOG_SERVICE_URL", default_value_t = service_kit::topology::default_url("catalog-service"), value_parser = service_kit::config::neighbour_url)]
    pub catalog_service_url: Url,

    /// An add still pending this long after it started is settled by recovery (catalog is asked
    /// again with its key), in milliseconds. Longer than a live add can take.
    #[arg(long, env = "CART_RECOVERY_AFTER_MS", default_value_t = 60_000)]
    pub cart_recovery_after_ms: u64,

    /// How often recovery looks for pending adds, in milliseconds (it also runs at start-up).
    #[arg(long, env = "CART_RECOVERY_INTERVAL_MS", default_value_t = 5_000)]
    pub cart_recovery_interval_ms: u64,

    #[command(flatten)]
    pub common: CommonArgs,
}
