//! Settings every service shares. Each service's own `Config` (clap, read from flags or the
//! environment once at start-up) flattens these in beside its port, database path and
//! neighbour URLs.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use url::Url;

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

/// Parses a neighbour's base URL (the `*_SERVICE_URL` settings): `http`, or `https` in a build
/// with the `tls` feature. Anything else is refused at start-up with what to do, rather than
/// failing on the first call.
pub fn neighbour_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|error| format!("{text:?} is not a URL: {error}"))?;
    match url.scheme() {
        "http" => Ok(url),
        "https" if cfg!(feature = "tls") => Ok(url),
        "https" => Err(format!(
            "{text}: this build speaks plain HTTP only; build with `--features tls` for https \
             neighbours, or let a proxy in front of the neighbour take the TLS"
        )),
        other => Err(format!("{text}: a neighbour URL is http or https, not {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::neighbour_url;

    #[test]
    fn neighbour_urls_are_http_or_https_with_tls() {
        let https = if cfg!(feature = "tls") {
            Ok(())
        } else {
            Err("build with `--features tls`")
        };
        let cases: &[(&str, Result<(), &str>)] = &[
            ("http://127.0.0.1:8001", Ok(())),
            ("http://accounting-service:8001/", Ok(())),
            ("https://accounting.example", https),
            ("ftp://accounting.example", Err("is http or https, not \"ftp\"")),
            (
                "accounting-service:8001",
                Err("is http or https, not \"accounting-service\""),
            ),
            ("not a url", Err("is not a URL")),
        ];
        for (text, expected) in cases {
            match (neighbour_url(text), expected) {
                (Ok(url), Ok(())) => assert_eq!(url.as_str().trim_end_matches('/'), text.trim_end_matches('/')),
                (Err(error), Err(message)) => assert!(error.contains(message), "{text}: {error}"),
                (actual, _) => panic!("{text}: {actual:?}"),
            }
        }
    }
}
