//! Settings every service shares. Each service's own `Config` (clap, read from flags or the
//! environment once at start-up) flattens these in beside its port, database path and
//! neighbour URLs.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Address to listen on (0.0.0.0 inside a container).
    #[arg(long, env = "BIND_ADDRESS", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind_address: IpAddr,

    /// Serve `POST /_pact/provider_states`, which can wipe the database: contract tests only.
    #[arg(long, env = "PACT_PROVIDER_STATES")]
    pub provider_states: bool,

    /// Timeout for every call to a neighbour service, in milliseconds.
    #[arg(long, env = "UPSTREAM_TIMEOUT_MS", default_value_t = 5000)]
    pub upstream_timeout_ms: u64,
}

impl Default for CommonArgs {
    fn default() -> Self {
        Self {
            bind_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            provider_states: false,
            upstream_timeout_ms: 5000,
        }
    }
}

impl CommonArgs {
    pub fn listen_address(&self, port: u16) -> SocketAddr {
        SocketAddr::new(self.bind_address, port)
    }

    pub fn upstream_timeout(&self) -> Duration {
        Duration::from_millis(self.upstream_timeout_ms)
    }
}
