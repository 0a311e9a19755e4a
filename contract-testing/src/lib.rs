//! Pact plumbing shared by the services' contract tests (a dev-dependency only; production
//! binaries never link the pact crates).
//!
//! - consumer side: [`pact_builder`] writes every pact into the workspace's `pacts/` folder, and
//!   [`matchers`] adds the integer and decimal matchers pact_consumer has no macro for;
//! - provider side: [`verification`] replays every pact for a provider against the running
//!   service, from `pacts/`, `example-pacts/` or a Pact Broker; [`hand_written`] holds each
//!   provider to pacts another team wrote by hand (V2 and V3), with pact_verifier and the
//!   standalone pact_verifier_cli.

pub mod hand_written;
pub mod matchers;
pub mod pact_files;
pub mod verification;

use pact_consumer::builders::PactBuilderAsync;
use pact_consumer::mock_server::StartMockServerAsync;
use pact_consumer::prelude::ValidatingMockServer;

pub use pact_consumer::builders::InteractionBuilder;
pub use pact_files::{example_pacts_dir, pacts_dir, workspace_root};

/// A pact between `consumer` and `provider` (spec V3, pact_consumer's default) whose file is
/// written to [`pacts_dir`] when each mock server built from it has seen every interaction.
pub fn pact_builder(consumer: &str, provider: &str) -> PactBuilderAsync {
    let mut builder = PactBuilderAsync::new(consumer, provider);
    builder.output_dir(pacts_dir());
    builder
}

/// A Pact mock server for one interaction between `consumer` and `provider`. Dropping it
/// checks that the interaction was exercised and adds it to the pact file.
pub async fn mock_provider(
    consumer: &str,
    provider: &str,
    description: &str,
    build: impl FnOnce(&mut InteractionBuilder) + Send + 'static,
) -> Box<dyn ValidatingMockServer> {
    let mut pact = pact_builder(consumer, provider);
    pact.interaction(description, "", |mut interaction| async move {
        build(&mut interaction);
        interaction
    })
    .await;
    pact.start_mock_server_async(None, None).await
}
