use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::model::branches::BranchSettings;
use crate::model::webhooks::{HostRule, WebhookPolicy};

/// The official broker reads lists as space separated; commas are accepted too.
fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split([' ', ',']).filter(|entry| !entry.is_empty())
}

/// pact-broker settings, from flags or the environment (the auth variables are the official
/// `pactfoundation/pact-broker` image's names, so a compose file can switch between the two).
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "pact-broker",
    about = "A Pact Broker compatible with the official one's HTTP API"
)]
pub struct Config {
    #[arg(long, env = "PORT", default_value_t = service_kit::topology::default_port("pact-broker"))]
    pub port: u16,

    #[arg(long, env = "DATABASE_PATH", default_value = "data/pact-broker.db")]
    pub database_path: PathBuf,

    /// Base URL clients see (e.g. behind a proxy); by default each response's links are built
    /// from the request's `Host` (and `X-Forwarded-*`) headers.
    #[arg(long, env = "PACT_BROKER_PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,

    /// Read-write user; with no user configured at all the broker is open (local demo).
    #[arg(long, env = "PACT_BROKER_BASIC_AUTH_USERNAME")]
    pub basic_auth_username: Option<String>,

    #[arg(long, env = "PACT_BROKER_BASIC_AUTH_PASSWORD")]
    pub basic_auth_password: Option<String>,

    /// Read-only user: may GET everything, any write answers 403.
    #[arg(long, env = "PACT_BROKER_BASIC_AUTH_READ_ONLY_USERNAME")]
    pub basic_auth_read_only_username: Option<String>,

    #[arg(long, env = "PACT_BROKER_BASIC_AUTH_READ_ONLY_PASSWORD")]
    pub basic_auth_read_only_password: Option<String>,

    /// Let anonymous clients read (GET/HEAD) when basic auth is configured.
    #[arg(long, env = "PACT_BROKER_ALLOW_PUBLIC_READ", default_value_t = false, action = clap::ArgAction::Set)]
    pub allow_public_read: bool,

    /// Accept different content for an already published consumer version (the official
    /// broker's setting of the same name; off: such a publication is refused with 409).
    #[arg(long, env = "PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION", default_value_t = false, action = clap::ArgAction::Set)]
    pub allow_dangerous_contract_modification: bool,

    /// Largest request body accepted (pacts can be large); larger ones are answered 413.
    #[arg(long, env = "PACT_BROKER_MAX_BODY_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Give a pacticipant without a main branch the first candidate branch (or tag) one of its
    /// versions is labelled with (official setting and default).
    #[arg(long, env = "PACT_BROKER_AUTO_DETECT_MAIN_BRANCH", default_value_t = true, action = clap::ArgAction::Set)]
    pub auto_detect_main_branch: bool,

    /// The names auto-detection accepts as a main branch, space separated (official default).
    #[arg(
        long,
        env = "PACT_BROKER_MAIN_BRANCH_CANDIDATES",
        default_value = "develop main master"
    )]
    pub main_branch_candidates: String,

    /// A version labelled only with tags gets its first tag as branch when tagged within
    /// `PACT_BROKER_USE_FIRST_TAG_AS_BRANCH_TIME_LIMIT` seconds of its creation.
    #[arg(long, env = "PACT_BROKER_USE_FIRST_TAG_AS_BRANCH", default_value_t = true, action = clap::ArgAction::Set)]
    pub use_first_tag_as_branch: bool,

    #[arg(long, env = "PACT_BROKER_USE_FIRST_TAG_AS_BRANCH_TIME_LIMIT", default_value_t = 10)]
    pub use_first_tag_as_branch_time_limit: u64,

    /// Schemes webhooks may use, space separated (official default: https only).
    #[arg(long, env = "PACT_BROKER_WEBHOOK_SCHEME_WHITELIST", default_value = "https")]
    pub webhook_scheme_whitelist: String,

    /// Hosts webhooks may call, space separated: names, `*.domain`, IPs, networks
    /// (`10.0.0.0/8`) or `/regex/`. Empty (the official default): any host, but responses are
    /// not shown in logs.
    #[arg(long, env = "PACT_BROKER_WEBHOOK_HOST_WHITELIST", default_value = "")]
    pub webhook_host_whitelist: String,

    /// HTTP methods webhooks may use, space separated (official default: POST only).
    #[arg(long, env = "PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST", default_value = "POST")]
    pub webhook_http_method_whitelist: String,

    /// Response statuses that count as success (official default 200-206).
    #[arg(
        long,
        env = "PACT_BROKER_WEBHOOK_HTTP_CODE_SUCCESS",
        default_value = "200 201 202 203 204 205 206"
    )]
    pub webhook_http_code_success: String,

    /// Seconds before each retry of a failed webhook (official default).
    #[arg(
        long,
        env = "PACT_BROKER_WEBHOOK_RETRY_SCHEDULE",
        default_value = "10 60 120 300 600 1200"
    )]
    pub webhook_retry_schedule: String,

    /// Seconds one webhook attempt may take (connect, send, answer) before it counts as failed.
    #[arg(long, env = "PACT_BROKER_WEBHOOK_TIMEOUT_SECONDS", default_value_t = 10)]
    pub webhook_timeout_seconds: u64,

    /// Address to listen on (0.0.0.0 inside a container).
    #[arg(long, env = "BIND_ADDRESS", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind_address: IpAddr,
}

impl Config {
    /// Settings for tests and tools: the given database, port 0, no auth, defaults elsewhere.
    pub fn for_database(database_path: PathBuf) -> Self {
        Self {
            port: 0,
            database_path,
            public_base_url: None,
            basic_auth_username: None,
            basic_auth_password: None,
            basic_auth_read_only_username: None,
            basic_auth_read_only_password: None,
            allow_public_read: false,
            allow_dangerous_contract_modification: false,
            max_body_bytes: 4 * 1024 * 1024,
            bind_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            auto_detect_main_branch: true,
            main_branch_candidates: "develop main master".into(),
            use_first_tag_as_branch: true,
            use_first_tag_as_branch_time_limit: 10,
            webhook_scheme_whitelist: "https".into(),
            webhook_host_whitelist: String::new(),
            webhook_http_method_whitelist: "POST".into(),
            webhook_http_code_success: "200 201 202 203 204 205 206".into(),
            webhook_retry_schedule: "10 60 120 300 600 1200".into(),
            webhook_timeout_seconds: 10,
        }
    }

    pub fn branch_settings(&self) -> BranchSettings {
        BranchSettings {
            auto_detect_main_branch: self.auto_detect_main_branch,
            main_branch_candidates: list(&self.main_branch_candidates).map(String::from).collect(),
            use_first_tag_as_branch: self.use_first_tag_as_branch,
            use_first_tag_as_branch_time_limit: Duration::from_secs(self.use_first_tag_as_branch_time_limit),
        }
    }

    /// The webhook settings; an entry that does not parse is an error at start-up.
    pub fn webhook_policy(&self) -> anyhow::Result<WebhookPolicy> {
        let numbers = |name: &str, text: &str| -> anyhow::Result<Vec<u64>> {
            list(text)
                .map(|n| n.parse().map_err(|_| anyhow::anyhow!("{name}: '{n}' is not a number")))
                .collect()
        };
        let host_entries: Vec<String> = list(&self.webhook_host_whitelist).map(String::from).collect();
        Ok(WebhookPolicy {
            schemes: list(&self.webhook_scheme_whitelist).map(String::from).collect(),
            methods: list(&self.webhook_http_method_whitelist).map(String::from).collect(),
            hosts: host_entries
                .iter()
                .map(|entry| HostRule::parse(entry).map_err(anyhow::Error::msg))
                .collect::<anyhow::Result<_>>()?,
            host_entries,
            success_codes: numbers("PACT_BROKER_WEBHOOK_HTTP_CODE_SUCCESS", &self.webhook_http_code_success)?
                .into_iter()
                .map(|code| u16::try_from(code).map_err(|_| anyhow::anyhow!("{code} is not an HTTP status")))
                .collect::<anyhow::Result<_>>()?,
            // Fractions of a second are accepted too (tests retry fast).
            retry_schedule: list(&self.webhook_retry_schedule)
                .map(|n| {
                    n.parse::<f64>()
                        .ok()
                        .and_then(|s| Duration::try_from_secs_f64(s).ok())
                        .ok_or_else(|| {
                            anyhow::anyhow!("PACT_BROKER_WEBHOOK_RETRY_SCHEDULE: '{n}' is not a number of seconds")
                        })
                })
                .collect::<anyhow::Result<_>>()?,
            timeout: Duration::from_secs(self.webhook_timeout_seconds),
        })
    }

    pub fn listen_address(&self) -> SocketAddr {
        SocketAddr::new(self.bind_address, self.port)
    }
}
