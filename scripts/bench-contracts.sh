#!/usr/bin/env bash
# Wall time of the contract cycle, warm (everything already built: each step runs once untimed
# first): make create-pacts, make verify-pacts against the local pacts, and, against an embedded
# Pact Broker of its own on a free port (never one somebody else runs), make publish-pacts and
# make verify-pacts through the broker, and the whole make demo on ports of its own. Writes the
# figures into their section of BENCHMARKS.md (BENCH_OUT), in place of the previous run's.
# Needs tools/bin/pact-broker-cli (make setup) for the broker steps; skips them without it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/topology.sh
source scripts/report-section.sh
export PACT_DO_NOT_TRACK=true

OUT=${BENCH_OUT:-BENCHMARKS.md}
BROKER_PORT=${BENCH_BROKER_PORT:-18392}
work=$(mktemp -d)
broker_pid=
cleanup() {
  [[ -n $broker_pid ]] && kill "$broker_pid" 2>/dev/null
  [[ -d $work/demo-run ]] && RUN_DIR=$work/demo-run scripts/services.sh down >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# Seconds, with one decimal, that "$@" took; its output goes to $work/last.log.
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; echo "error: $* failed" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

rows=()
measure() {
  local label=$1; shift
  "$@" >/dev/null 2>&1 || true # warm-up: builds whatever the step needs
  local took
  took=$(timed "$@")
  rows+=("| $label | $took |")
  printf '  %-60s %6s s\n' "$label" "$took"
}

# No broker for the local steps: point the embedded broker's URL at a port nothing listens on.
local_env=(env -u PACT_BROKER_BASE_URL EMBEDDED_BROKER_URL=http://127.0.0.1:9)
measure "make create-pacts" "${local_env[@]}" make -s create-pacts
measure "make verify-pacts (local pacts, 4 providers)" "${local_env[@]}" make -s verify-pacts

if [[ -x tools/bin/pact-broker-cli ]]; then
  cargo build -q -p pact-broker
  PORT=$BROKER_PORT DATABASE_PATH=$work/broker.db RUST_LOG=warn target/debug/pact-broker >"$work/broker.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 100); do
    curl -fsS --max-time 1 "http://127.0.0.1:$BROKER_PORT/diagnostic/status/heartbeat" >/dev/null 2>&1 && break
    sleep 0.2
  done
  broker_env=(env PACT_BROKER_BASE_URL="http://127.0.0.1:$BROKER_PORT")
  measure "make publish-pacts (embedded broker)" "${broker_env[@]}" make -s publish-pacts
  measure "make verify-pacts (from the broker, results published)" "${broker_env[@]}" make -s verify-pacts
  # The whole demo (setup, up, create, publish, verify, deploy) on ports and folders of its own,
  # each run from fresh databases, stopped after each run.
  # shellcheck disable=SC2046,SC2207 # one word per VARIABLE=port
  demo_env=(env -u PACT_BROKER_BASE_URL RUN_DIR="$work/demo-run" DATA_DIR="$work/demo-data"
    $(ports_from "$BROKER_PORT"))
  demo() { "${demo_env[@]}" make -s demo && "${demo_env[@]}" make -s down && rm -rf "$work/demo-data"; }
  measure "make demo (own ports, fresh databases)" demo
else
  rows+=("| make publish-pacts, make demo | not measured: tools/bin/pact-broker-cli missing (make setup) |")
fi

report=$(
  cat <<EOF
## Contract cycle, warm

Written by \`make bench-contracts\` on $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg).
Each step ran once before being timed, so nothing is compiled in the timed run.

| step | wall time (s) |
|---|---:|
$(printf '%s\n' "${rows[@]}")
EOF
)
echo "$report"
write_section "$OUT" "make bench-contracts" <<<"$report"
