//! Fails when `example-pacts/` no longer matches the pacts the consumer tests just wrote to
//! `pacts/` (library versions and interaction order aside). `make create-pacts` runs it.

use std::process::ExitCode;

use contract_testing::{example_pacts_dir, pacts_dir};

fn main() -> ExitCode {
    let (examples, fresh) = (example_pacts_dir(), pacts_dir());
    match contract_testing::pact_files::differences(&examples, &fresh) {
        Ok(differences) if differences.is_empty() => {
            println!("example-pacts/ matches the pacts just written to {}", fresh.display());
            ExitCode::SUCCESS
        }
        Ok(differences) => {
            for difference in &differences {
                eprintln!("{difference}\n");
            }
            eprintln!(
                "example-pacts/ has drifted from what the consumer tests write ({} difference(s)).\n\
                 If the change is intended, run `make update-example-pacts` and commit the result.",
                differences.len()
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!(
                "cannot compare {} with {}: {error:#}",
                examples.display(),
                fresh.display()
            );
            ExitCode::FAILURE
        }
    }
}
