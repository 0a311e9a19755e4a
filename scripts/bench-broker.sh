#!/usr/bin/env bash
# Benchmarks the pact-broker (release build) on loopback: publish throughput with 8 concurrent
# clients, pacts-for-verification latency p50/p99 with 1,000 consumer versions across four pacts,
# and the broker process's peak RSS. Bounded in count and time; prints the figures.
# `scripts/bench-broker.sh --webhooks 5`: the same with five active webhooks (each firing on
# every publication) delivered to a receiver on loopback.
set -euo pipefail
export PACT_DO_NOT_TRACK=true
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release -p pact-broker --features bench --bin pact-broker --bin pact-broker-bench
exec target/release/pact-broker-bench target/release/pact-broker "$@"
