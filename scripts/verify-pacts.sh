#!/usr/bin/env bash
# Verifies every provider against its pacts (the `*_honours_its_pacts` tests) and prints one
# summary line per provider. Where the pacts come from is up to the environment: see
# contract-testing/src/verification.rs (local pacts/, else example-pacts/, or a Pact Broker).
set -uo pipefail
cd "$(dirname "$0")/.."
export PACT_DO_NOT_TRACK=true

log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --all-features --no-fail-fast --test pact_provider honours_its_pacts -- --nocapture \
  >"$log" 2>&1
status=$?

echo
echo "Provider verification:"
grep -E '^PACT VERIFICATION' "$log" | sed 's/^/  /'
if ((status != 0)); then
  echo
  echo "FAILED: the verifier's report follows." >&2
  sed -n '/panicked at/,/pact failures$/p' "$log" >&2
  grep -E '^error' "$log" >&2
fi
exit "$status"
