#!/usr/bin/env bash
# POST /order on the binaries of two or more builds, side by side in one run: ROUNDS rounds, each
# build in turn on fresh databases (scripts/services.sh with BIN_DIR), the order rotated every
# round, `wrk -t2 -c32` for BENCH_SECONDS after a 1 s warm-up. Prints every run (orders/s, p99,
# errors, the CPU catalog, inventory and accounting spent per request) and each build's median,
# so a change is judged against the build before it under the same machine load, not against a
# figure from another hour. Linux only (CPU from /proc), bash 4; make demo never runs it.
#
# Usage: scripts/bench-builds.sh DIR...  Each DIR holds the five services' binaries, e.g. a copy
# of target/release made after `cargo build --release` at each commit.
# Settings: ROUNDS (4), BENCH_SECONDS (5), BENCH_PORT_BASE (18700), BENCH_RUST_LOG (warn).
set -euo pipefail
(($# > 0)) || { echo "usage: $0 DIR..." >&2; exit 2; }
builds=()
for dir in "$@"; do builds+=("$(cd "$dir" && pwd)"); done
cd "$(dirname "$0")/.."
source scripts/topology.sh
source scripts/system-packages.sh
source scripts/wrk.sh
require_programs "scripts/bench-builds.sh" wrk curl
export PACT_DO_NOT_TRACK=true NO_BROKER=true RUST_LOG=${BENCH_RUST_LOG:-warn}
ROUNDS=${ROUNDS:-4} SECONDS_PER_RUN=${BENCH_SECONDS:-5}
export_ports_from "${BENCH_PORT_BASE:-18700}"

work=$(mktemp -d)
export RUN_DIR=$work/run DATA_DIR=$work/data
trap 'scripts/services.sh down >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
wrk_json_script "$work/order.lua" POST '{"item_id": 1, "quantity": 1}'
url=http://127.0.0.1:$CATALOG_PORT/order

# CPU time (clock ticks) the three services on the order path have used so far.
cpu_ticks() {
  local name total=0
  for name in catalog-service inventory-service accounting-service; do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$(<"$RUN_DIR/pids/$name.pid")/stat")))
  done
  echo "$total"
}

declare -A rates
tick_us=$((1000000 / $(getconf CLK_TCK)))
for round in $(seq "$ROUNDS"); do
  # Rotated by one each round, so no build always runs first (or right after another).
  order=("${builds[@]:$(((round - 1) % ${#builds[@]}))}" "${builds[@]:0:$(((round - 1) % ${#builds[@]}))}")
  for dir in "${order[@]}"; do
    rm -rf "$RUN_DIR" "$DATA_DIR"
    BIN_DIR=$dir scripts/services.sh up >/dev/null
    curl -fsS --max-time 5 -H 'content-type: application/json' -X PUT -d '{"quantity": 1000000000}' \
      "http://127.0.0.1:$INVENTORY_PORT/items/1" >/dev/null
    wrk -t2 -c32 -d1s -s "$work/order.lua" "$url" >/dev/null
    before=$(cpu_ticks)
    out=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -s "$work/order.lua" "$url")
    after=$(cpu_ticks)
    scripts/services.sh down >/dev/null
    read -r rate _ p99 requests errors < <(wrk_figures "$out")
    ((requests > 0)) || { echo "error: no request completed against $dir:" >&2; echo "$out" >&2; exit 1; }
    printf '%-32s round %d: %6s orders/s  p99 %6s ms  %4s µs CPU per request  errors %s\n' "$dir" "$round" \
      "$rate" "$p99" $(((after - before) * tick_us / requests)) "$errors"
    rates[$dir]+="$rate "
  done
done
for dir in "${builds[@]}"; do
  median=$(tr ' ' '\n' <<<"${rates[$dir]}" | grep . | sort -n |
    awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
  printf '%-32s median %s orders/s (%s)\n' "$dir" "$median" "${rates[$dir]% }"
done
