#!/usr/bin/env bash
# Holds every provider to the pacts in hand-written-pacts/ (V2 and V3, written by hand from the
# README, as another team would), with pact_verifier and the standalone pact_verifier_cli (state
# changes in the body and in the query). Fails unless each provider with such a pact ran its
# test and it passed: a filter that matched nothing is a failure, not a success.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
export PACT_DO_NOT_TRACK=true

# One pact per provider in each version's folder.
expected=$(find hand-written-pacts/v3 -name '*.json' | wc -l | tr -d ' ')
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace honours_hand_written_pacts -- --nocapture 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(awk '/^test result:/ { p += $4 } END { print p + 0 }' "$log")
echo
grep '^HAND-WRITTEN PACTS' "$log"
if [[ $status -ne 0 || $passed -ne $expected ]]; then
  echo "verify-hand-written-pacts: $passed of $expected providers verified their hand-written pacts" >&2
  exit 1
fi
echo "verify-hand-written-pacts: all $expected providers honour the hand-written V2 and V3 pacts"
