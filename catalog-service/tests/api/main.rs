//! catalog-service's integration tests, one test binary (one link, one executable) with a module
//! per concern: the HTTP API, the three consumer contracts and the provider verification.

mod http;
mod pact_consumer_accounting;
mod pact_consumer_inventory;
mod pact_consumer_item;
mod pact_provider;
