//! cart-service's integration tests, one test binary (one link, one executable) with a module per
//! concern. `request_id_logs` stays a binary of its own: it captures logs process-wide.

mod http;
mod pact_consumer_catalog;
