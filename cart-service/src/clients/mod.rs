//! One typed client per neighbour: the calls cart-service makes, and nothing else. This is the
//! module the consumer contract tests drive against the Pact mock server.

pub mod catalog;

pub use catalog::CatalogClient;
