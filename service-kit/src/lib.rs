//! Plumbing shared by the five services, written once: typed configuration, SQLite opening and
//! migrations, the JSON error type, request extractors that answer bad input with that error,
//! the Pact provider-state protocol, neighbour HTTP clients, request ids and tracing, and serving
//! with graceful shutdown, and the shared parts of every OpenAPI document. The services
//! themselves only hold their routes, storage, clients and states.

pub mod client;
pub mod config;
pub mod db;
pub mod detached;
pub mod error;
pub mod extract;
pub mod http;
pub mod idempotency;
pub mod openapi;
pub mod provider_states;
pub mod request_id;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod topology;

pub use error::ApiError;
