//! service-kit's integration tests, one test binary with a module per concern. (Log capture needs
//! a process of its own: `tests/request_id_logs.rs`.)

mod db;
mod request_id;
#[path = "../support/mod.rs"]
mod support;
