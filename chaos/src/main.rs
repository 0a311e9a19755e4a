//! `make chaos`: every fault against the five real binaries (debug build beside this one), one at
//! a time, and the table of what each did to the stock. Exits non-zero when any invariant broke.
//! Settings: CHAOS_REQUESTS per fault (2000), CHAOS_CONCURRENCY (16).

use chaos::{Fault, Load, run};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let setting = |name: &str, default: usize| -> anyhow::Result<usize> {
        std::env::var(name).map_or(Ok(default), |value| Ok(value.parse()?))
    };
    let load = Load {
        requests: setting("CHAOS_REQUESTS", 2000)?,
        concurrency: setting("CHAOS_CONCURRENCY", 16)?,
    };
    println!(
        "chaos: {} requests per fault (one in four a cart add, the rest catalog orders), concurrency {}, loopback only",
        load.requests, load.concurrency
    );
    let reports = run(&Fault::ALL, load).await?;
    println!("\n{}", chaos::table(&reports));
    let broken: Vec<_> = reports.iter().filter(|report| !report.holds()).collect();
    for report in &broken {
        eprintln!("{}: {}", report.fault, report.violations.join("; "));
    }
    anyhow::ensure!(
        broken.is_empty(),
        "{} of {} faults broke an invariant",
        broken.len(),
        reports.len()
    );
    Ok(())
}
