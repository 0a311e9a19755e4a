#!/usr/bin/env bash
# Fuzzes every service through its own OpenAPI document with schemathesis: the five services run
# natively on loopback (free ports, a temporary folder for databases, pids and logs), and
# schemathesis sends each operation valid and invalid requests, checking that
#   - nothing answers 5xx (not_a_server_error),
#   - every answer has a documented status, content type and body shape
#     (status_code_conformance, content_type_conformance, response_schema_conformance),
#   - invalid input is refused with a 4xx (negative_data_rejection); since every documented
#     error has the {"error": string} schema, that 4xx is a JSON error.
# Exits non-zero when any check fails on any service.
#
# Settings: FUZZ_EXAMPLES (test cases per operation and phase, default 40), FUZZ_SEED (default
# random; schemathesis prints the seed of a run so a failure can be replayed), FUZZ_PORT_BASE
# (default 18100: the processes of topology.txt on +1, +2, ...), FUZZ_SERVICES (a subset, e.g. "accounting-service").
# schemathesis is installed from PyPI into tools/schemathesis (git-ignored) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PACT_DO_NOT_TRACK=true

SCHEMATHESIS_VERSION=4.32.5
VENV=tools/schemathesis
FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-40}
BASE=${FUZZ_PORT_BASE:-18100}
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection

install_schemathesis() {
  if [[ -x $VENV/bin/schemathesis ]] && "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    return
  fi
  echo "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
}

install_schemathesis

work=$(mktemp -d)
export RUN_DIR=$work/run DATA_DIR=$work/data NO_BROKER=true RUST_LOG=${RUST_LOG:-warn}
source scripts/topology.sh
export_ports_from "$BASE"
cleanup() {
  scripts/services.sh down >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
scripts/services.sh up >/dev/null

services=${FUZZ_SERVICES:-$(topology_services | tr '\n' ' ')}
seed=()
[[ -n ${FUZZ_SEED:-} ]] && seed=(--seed "$FUZZ_SEED")

failed=() passed=()
for name in $services; do
  port=$(port_of "$name")
  echo "=== $name: schemathesis on http://127.0.0.1:$port/openapi.json"
  if "$VENV/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --checks "$CHECKS" --max-examples "$FUZZ_EXAMPLES" --phases "${FUZZ_PHASES:-examples,coverage,fuzzing,stateful}" \
    --workers 2 --request-timeout 10 --no-color "${seed[@]}"; then
    passed+=("$name")
  else
    failed+=("$name")
    echo "--- $name log (last lines):"
    tail -n 20 "$RUN_DIR/logs/$name.log" || true
  fi
done

echo
echo "fuzz: ${#passed[@]} passed, ${#failed[@]} failed${failed[*]:+ (${failed[*]})}"
((${#failed[@]} == 0))
