//! Logging: `RUST_LOG` picks the levels (default `info`), one line per event.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // `try_init`: tests start several apps in one process and only the first may install it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colours only on a terminal: `make up` writes logs to files.
        .with_ansi(std::io::stdout().is_terminal())
        .try_init();
}
