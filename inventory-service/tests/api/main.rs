//! inventory-service's integration tests, one test binary (one link, one executable) with a module
//! per concern: the real app on a random port with a fresh database in each test.

mod http;
mod pact_provider;
mod support;
