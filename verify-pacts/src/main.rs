//! `make verify-pacts` (through `scripts/verify-pacts.sh`): starts the four providers for real,
//! each on a random port with a fresh database and provider states on, catalog wired to the real
//! accounting, inventory and item (`catalog_service::testing::Neighbourhood`, as in catalog's own
//! verification), and verifies each against the pacts the environment names: a broker's pacts
//! for verification, one `PACT_URL`, or the local pacts (`contract_testing::verification`).
//!
//! Arguments: the providers to verify, each as `name` or `name=version` (the version results are
//! published as); none means all four. The summary goes to stderr, one line per provider and,
//! when results were published, one per pact; stdout carries the verifier's full report (which
//! pact_verifier prints itself). Exits 1 when a non-pending interaction failed or a provider
//! verified nothing, 2 on bad arguments.

use std::process::ExitCode;

use catalog_service::testing::Neighbourhood;
use contract_testing::verification::verify_from_env;

/// The providers, in the order they are verified: catalog last, as it depends on the others.
const PROVIDERS: [&str; 4] = [
    "accounting-service",
    "inventory-service",
    "item-service",
    "catalog-service",
];

#[tokio::main]
async fn main() -> ExitCode {
    let mut requested: Vec<(String, Option<String>)> = std::env::args()
        .skip(1)
        .map(|arg| match arg.split_once('=') {
            Some((name, version)) => (name.to_owned(), Some(version.to_owned())),
            None => (arg, None),
        })
        .collect();
    if requested.is_empty() {
        requested = PROVIDERS.iter().map(|name| (name.to_string(), None)).collect();
    }
    if let Some((unknown, _)) = requested.iter().find(|(name, _)| !PROVIDERS.contains(&name.as_str())) {
        eprintln!("verify-pacts: unknown provider {unknown:?}; the providers are {PROVIDERS:?}");
        return ExitCode::from(2);
    }

    let system = Neighbourhood::spawn(true).await;
    let mut failures = Vec::new();
    eprintln!("Provider verification:");
    for (provider, version) in &requested {
        let app = match provider.as_str() {
            "accounting-service" => &system.accounting,
            "inventory-service" => &system.inventory,
            "item-service" => &system.item,
            _ => &system.catalog,
        };
        let outcome = verify_from_env(provider, &app.base_url, version.as_deref()).await;
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
