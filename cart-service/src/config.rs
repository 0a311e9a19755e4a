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

    #[command(flatten)]
    pub common: CommonArgs,
}
