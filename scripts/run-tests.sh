#!/usr/bin/env bash
# Runs every test in the workspace and ends with one line that adds up all test binaries:
# "tests: N passed, N failed, N skipped" (ignored tests count as skipped). Exits with cargo's status.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
export PACT_DO_NOT_TRACK=true

# The providers' tests verify the local pacts whatever the environment says (a CI job may export
# a broker for its later steps, as consumer.yml does): they run here with a broker and a pact URL
# that point nowhere, so a test that read them would fail instead of verifying something else.
export PACT_BROKER_BASE_URL=http://127.0.0.1:9 PACT_URL=http://127.0.0.1:9/pacts/none PACT_BROKER_TOKEN=nobody

log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --no-fail-fast "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, i }' \
  "$log" | sed 's/;//g'
exit "$status"
