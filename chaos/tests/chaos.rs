//! The chaos test in `make test`: every fault, a smaller load than `make chaos`, the same
//! invariants. Needs the five service binaries, which `cargo test --workspace` builds first.

use chaos::{Fault, Load, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_fault_loses_or_mints_a_unit() {
    let load = Load {
        requests: 400,
        concurrency: 16,
    };
    let reports = run(&Fault::ALL, load).await.expect("run the scenarios");
    println!("{}", chaos::table(&reports));
    for report in &reports {
        assert!(
            report.ok > 0,
            "{}: no request succeeded, so nothing was tested",
            report.fault
        );
        assert!(report.holds(), "{}: {}", report.fault, report.violations.join("; "));
    }
}
