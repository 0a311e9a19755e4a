//! `make verify-pacts` (through `scripts/verify-pacts.sh`): starts the four providers for real,
//! each on a random port with a fresh database and provider states on, catalog wired to the real
//! accounting, inventory and item (`catalog_service::testing::Neighbourhood`, as in catalog's own
//! verification), and verifies each against the pacts the environment names: a broker's pacts
//! for verification, one `PACT_URL`, or the local pacts (`contract_testing::verification`).
//!
//! Arguments: the providers to verify, each as `name` or `name=version` (the version results are
//! published as); none means all four. With `--running`, nothing is started: the providers
//! already running (with `PACT_PROVIDER_STATES=true`) at `ACCOUNTING_SERVICE_URL`,
//! `INVENTORY_SERVICE_URL`, `ITEM_SERVICE_URL` and `CATALOG_SERVICE_URL` (the variables the
//! services read for their neighbours) are verified, e.g. the containers of `make e2e-docker`. The summary goes to stderr, one line per provider and,
//! when results were published, one per pact; stdout carries the verifier's full report (which
//! pact_verifier prints itself). Exits 1 when a non-pending interaction failed or a provider
//! verified nothing, 2 on bad arguments.

use std::process::ExitCode;

use catalog_service::testing::Neighbourhood;
use contract_testing::verification::verify_from_env;

#[tokio::main]
async fn main() -> ExitCode {
    let (flags, args): (Vec<String>, Vec<String>) = std::env::args().skip(1).partition(|arg| arg.starts_with("--"));
    let running = match flags.as_slice() {
        [] => false,
        [flag] if flag == "--running" => true,
        other => {
            eprintln!("verify-pacts: unknown option(s) {other:?}; the only option is --running");
            return ExitCode::from(2);
        }
    };
    // The providers (topology.txt), in start order: catalog after the services it calls.
    let providers = service_kit::topology::providers();
    let mut requested: Vec<(String, Option<String>)> = args
        .into_iter()
        .map(|arg| match arg.split_once('=') {
            Some((name, version)) => (name.to_owned(), Some(version.to_owned())),
            None => (arg, None),
        })
        .collect();
    if requested.is_empty() {
        requested = providers.iter().map(|name| (name.to_string(), None)).collect();
    }
    if let Some((unknown, _)) = requested.iter().find(|(name, _)| !providers.contains(&name.as_str())) {
        eprintln!("verify-pacts: unknown provider {unknown:?}; the providers are {providers:?}");
        return ExitCode::from(2);
    }

    let providers = if running {
        match running_providers(&providers) {
            Ok(urls) => Providers::Running(urls),
            Err(problem) => {
                eprintln!("verify-pacts: {problem}");
                return ExitCode::from(2);
            }
        }
    } else {
        Providers::Spawned(Box::new(Neighbourhood::spawn(true).await))
    };
    let mut failures = Vec::new();
    eprintln!("Provider verification:");
    for (provider, version) in &requested {
        let outcome = verify_from_env(provider, &providers.base_url(provider), version.as_deref()).await;
        for line in &outcome.lines {
            eprintln!("  {line}");
        }
        failures.extend(outcome.failure);
    }
    if failures.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!("\nFAILED:");
    for failure in &failures {
        eprintln!("{failure}\n");
    }
    ExitCode::FAILURE
}

/// Where the providers answer: started here, or already running elsewhere.
enum Providers {
    Spawned(Box<Neighbourhood>),
    Running(Vec<(&'static str, String)>),
}

impl Providers {
    fn base_url(&self, provider: &str) -> String {
        match self {
            Providers::Spawned(system) => match provider {
                "accounting-service" => system.accounting.base_url.clone(),
                "inventory-service" => system.inventory.base_url.clone(),
                "item-service" => system.item.base_url.clone(),
                _ => system.catalog.base_url.clone(),
            },
            Providers::Running(urls) => urls
                .iter()
                .find(|(name, _)| *name == provider)
                .map(|(_, url)| url.clone())
                .unwrap_or_default(),
        }
    }
}

/// Each provider's URL from `<NAME>_URL` (`ACCOUNTING_SERVICE_URL`, ...).
fn running_providers(providers: &[&'static str]) -> Result<Vec<(&'static str, String)>, String> {
    providers
        .iter()
        .map(|provider| {
            let variable = format!("{}_URL", provider.to_uppercase().replace('-', "_"));
            match std::env::var(&variable) {
                Ok(url) if !url.trim().is_empty() => Ok((*provider, url.trim_end_matches('/').to_owned())),
                _ => Err(format!("--running needs {variable}, the URL {provider} answers on")),
            }
        })
        .collect()
}
