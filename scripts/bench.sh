#!/usr/bin/env bash
# Load on the five services, natively on loopback, beside the Python original of this demo
# (bench/python-original: FastAPI + uvicorn, one worker, state in dicts), in the same run with
# the same load generator settings. Prints a table and writes it, with the machine it ran on,
# into its section of BENCHMARKS.md (BENCH_OUT), in place of the previous run's; the file's other
# sections are kept. Bounded: every scenario runs BENCH_SECONDS.
#
# Scenarios: GET a price (accounting), GET a catalog item (three-way fan-out), POST /order
# (inventory write + accounting read + catalog's own insert), PATCH /carts (the whole chain),
# and the Python original's price GET and order POST in two setups: uvicorn[standard] (uvloop,
# httptools: the fastest Python, the bar the ratios are reported against first) and uvicorn as
# `pip install fastapi uvicorn` gives it (h11, asyncio), the setup the issue's figures match.
#
# Settings (environment): BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_THREADS (2),
# BENCH_WARMUP seconds before each scenario (1), BENCH_PYTHON (1; 0 skips the Python original),
# BENCH_RUST_LOG (warn: see docs/hardening.md), BENCH_PORT_BASE (18300), BENCH_OUT
# (BENCHMARKS.md), BENCH_PROFILE (release; the smoke run uses the dev build, no release build).
# Exits non-zero when a scenario saw errors or no request at all.
# Tools, installed when missing: wrk (Debian), fastapi + uvicorn (PyPI, into tools/python-original
# and tools/python-original-plain).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/system-packages.sh
source scripts/topology.sh
source scripts/wrk.sh
source scripts/report-section.sh
export PACT_DO_NOT_TRACK=true

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
WARMUP=${BENCH_WARMUP:-1}
PYTHON=${BENCH_PYTHON:-1}
OUT=${BENCH_OUT:-BENCHMARKS.md}
BASE=${BENCH_PORT_BASE:-18300}
PY_VENV=tools/python-original
PY_VENV_PLAIN=tools/python-original-plain

install_tools() {
  require_programs "make bench" wrk curl
  if [[ $PYTHON == 1 ]]; then
    python_venv "$PY_VENV" requirements.txt 'import fastapi, uvicorn, uvloop'
    python_venv "$PY_VENV_PLAIN" requirements-plain.txt 'import fastapi, uvicorn'
  fi
}

python_venv() {
  local venv=$1 requirements=$2 check=$3
  "$venv/bin/python" -c "$check" 2>/dev/null && return
  echo "installing the Python original's $requirements into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "bench/python-original/$requirements"
}

install_tools

work=$(mktemp -d)
export RUN_DIR=$work/run DATA_DIR=$work/data NO_BROKER=true PROFILE=${BENCH_PROFILE:-release}
export RUST_LOG=${BENCH_RUST_LOG:-warn}
export_ports_from "$BASE"
PY_ACCOUNTING_PORT=$((BASE + 11)) PY_CATALOG_PORT=$((BASE + 15))
PLAIN_ACCOUNTING_PORT=$((BASE + 21)) PLAIN_CATALOG_PORT=$((BASE + 25))
python_pids=() python_labels=()
cleanup() {
  scripts/services.sh down >/dev/null || true
  local pid
  for pid in "${python_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "building ($PROFILE) and starting the services on ports $((BASE + 2))-$((BASE + 6))"
scripts/services.sh up >/dev/null

# Starts one Python service; its label names it in the memory table.
start_python() {
  local label=$1 venv=$2 module=$3 port=$4
  (cd bench/python-original && exec "../../$venv/bin/uvicorn" "$module:app" --host 127.0.0.1 --port "$port" \
    --workers 1 --log-level warning --no-access-log) >>"$RUN_DIR/logs/python-$module-$port.log" 2>&1 &
  python_pids+=($!)
  python_labels+=("$label")
  local deadline=$((SECONDS + 30))
  until curl -fsS --max-time 1 "http://127.0.0.1:$port/openapi.json" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "error: python $module did not start" >&2; cat "$RUN_DIR/logs/python-$module-$port.log" >&2; exit 1; }
    sleep 0.2
  done
}
if [[ $PYTHON == 1 ]]; then
  start_python "AccountingService (Python original)" "$PY_VENV" accounting "$PY_ACCOUNTING_PORT"
  start_python "CatalogService (Python original)" "$PY_VENV" catalog "$PY_CATALOG_PORT"
  start_python "AccountingService (Python original, plain uvicorn)" "$PY_VENV_PLAIN" accounting "$PLAIN_ACCOUNTING_PORT"
  start_python "CatalogService (Python original, plain uvicorn)" "$PY_VENV_PLAIN" catalog "$PLAIN_CATALOG_PORT"
fi

json() { curl -fsS --max-time 5 -H 'content-type: application/json' "$@"; }
# So orders never run out of stock: a billion units of item 1, set again before each write scenario.
restock() { json -X PUT -d '{"quantity": 1000000000}' "http://127.0.0.1:$INVENTORY_PORT/items/1" >/dev/null; }
cart_id=$(json -X POST "http://127.0.0.1:$CART_PORT/carts" | sed -E 's/.*"id":([0-9]+).*/\1/')

# wrk script for a request with a JSON body; prints its path.
lua() {
  wrk_json_script "$work/$1.lua" "$2" "$3"
  echo "$work/$1.lua"
}

rows=() failures=0
declare -A RPS
run() {
  local key=$1 label=$2 url=$3 script=${4:-}
  local args=(-t "$THREADS" -c "$CONNECTIONS" --latency)
  [[ -n $script ]] && args+=(-s "$script")
  ((WARMUP > 0)) && wrk "${args[@]}" -d "${WARMUP}s" "$url" >/dev/null
  local out
  out=$(wrk "${args[@]}" -d "${SECONDS_PER_RUN}s" "$url")
  local rps p50 p99 total errors
  read -r rps p50 p99 total errors < <(wrk_figures "$out")
  if ((errors > 0 || total == 0)); then failures=$((failures + 1)); fi
  RPS[$key]=$rps
  rows+=("| $label | $rps | $p50 | $p99 | $total | $errors |")
  printf '  %-52s %8s req/s  p50 %6s ms  p99 %7s ms  errors %s\n' "$label" "$rps" "$p50" "$p99" "$errors"
}

echo "load: wrk -t$THREADS -c$CONNECTIONS, ${SECONDS_PER_RUN}s per scenario (after ${WARMUP}s warm-up), RUST_LOG=$RUST_LOG"
run get "Rust: GET accounting /items/1" "http://127.0.0.1:$ACCOUNTING_PORT/items/1"
if [[ $PYTHON == 1 ]]; then
  run py_get "Python original: GET accounting /items/1" "http://127.0.0.1:$PY_ACCOUNTING_PORT/items/1"
  run plain_get "Python original, plain uvicorn: GET accounting /items/1" "http://127.0.0.1:$PLAIN_ACCOUNTING_PORT/items/1"
fi
restock
run order "Rust: POST catalog /order (fan-out + stock write)" "http://127.0.0.1:$CATALOG_PORT/order" \
  "$(lua order POST '{"item_id": 1, "quantity": 1}')"
if [[ $PYTHON == 1 ]]; then
  run py_order "Python original: POST catalog /order (no calls)" \
    "http://127.0.0.1:$PY_CATALOG_PORT/order" "$(lua py_order POST '{"item_id": 1, "quantity": 1}')"
  run plain_order "Python original, plain uvicorn: POST catalog /order (no calls)" \
    "http://127.0.0.1:$PLAIN_CATALOG_PORT/order" "$(lua py_order POST '{"item_id": 1, "quantity": 1}')"
fi
run item "Rust: GET catalog /items/1 (three-way fan-out)" "http://127.0.0.1:$CATALOG_PORT/items/1"
restock
run cart "Rust: PATCH cart /carts (cart → catalog → 2 neighbours)" "http://127.0.0.1:$CART_PORT/carts" \
  "$(lua cart PATCH "{\"cart_id\": $cart_id, \"item_id\": 1, \"quantity\": 1}")"

# Peak resident memory of every process over the whole run.
hwm() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
rss_rows=()
for name in $(topology_services); do
  rss_rows+=("| $name (Rust) | $(hwm "$(<"$RUN_DIR/pids/$name.pid")") |")
done
for i in "${!python_pids[@]}"; do
  rss_rows+=("| ${python_labels[$i]} | $(hwm "${python_pids[$i]}") |")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

ratio() { awk -v a="${RPS[$1]:-0}" -v b="${RPS[$2]:-0}" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }

report=$(
  cat <<EOF
Written by \`make bench\` (scripts/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown).

Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, Linux $(uname -r);
load average $load_before before the run, $load_after after (1, 5, 15 min; the machine is shared
with other builds, so figures move from run to run).

Load: \`wrk -t$THREADS -c$CONNECTIONS --latency\`, ${SECONDS_PER_RUN} s per scenario after a ${WARMUP} s warm-up, loopback only,
load generator, services and the Python original all on the same $(nproc) CPUs. Rust services: $PROFILE build,
\`RUST_LOG=$RUST_LOG\`, each with its own SQLite file. Python original: FastAPI, one worker, no access log,
state in dicts, under uvicorn[standard] (uvloop, httptools) and under plain uvicorn (h11, asyncio).

| scenario | requests/s | p50 ms | p99 ms | requests | errors |
|---|---:|---:|---:|---:|---:|
$(printf '%s\n' "${rows[@]}")

Rust vs the Python original, requests/s: GET price $(ratio get py_get), order $(ratio order py_order);
vs plain uvicorn: GET price $(ratio get plain_get), order $(ratio order plain_order).

| process | peak RSS (VmHWM) MiB |
|---|---:|
$(printf '%s\n' "${rss_rows[@]}")
EOF
)
echo
echo "$report"
write_section "$OUT" "make bench" <<<"$report"
echo
echo "written to $OUT"
if ((failures > 0)); then
  echo "error: $failures scenario(s) saw errors or no request" >&2
  exit 1
fi
