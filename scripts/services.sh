#!/usr/bin/env bash
# Runs the services and the embedded Pact Broker natively as background processes:
# up | down | status | logs.
#
# PIDs go to .run/pids/<name>.pid and logs to .run/logs/<name>.log (both git-ignored), so
# `down` stops exactly the processes `up` started, and is safe to run twice.
# PROFILE (dev) picks the build; BIN_DIR, when set, runs the binaries in that folder unbuilt
# (an absolute path, or one relative to the repository's root).
set -euo pipefail

cd "$(dirname "$0")/.."
export PACT_DO_NOT_TRACK=true

RUN_DIR=${RUN_DIR:-.run}
PROFILE=${PROFILE:-dev}
HEALTH_TIMEOUT_SECONDS=${HEALTH_TIMEOUT_SECONDS:-30}

source scripts/topology.sh

# name:port, in start order (topology.txt: neighbours before the services that call them). The
# embedded Pact Broker comes first; it keeps its data in data/pact-broker.db across `down`/`up`.
SERVICES=()
for name in $(topology_names); do SERVICES+=("$name:$(port_of "$name")"); done
for extra in ${EXTRA_SERVICES:-}; do SERVICES+=("$extra"); done
# NO_BROKER=true: only the five services (the fuzz and bench scripts do not need the broker).
[[ ${NO_BROKER:-} == true ]] && SERVICES=("${SERVICES[@]:1}")

port_of() {
  local wanted=$1 entry
  for entry in "${SERVICES[@]}"; do
    [[ ${entry%%:*} == "$wanted" ]] && { echo "${entry##*:}"; return; }
  done
}

export ACCOUNTING_SERVICE_URL=${ACCOUNTING_SERVICE_URL:-http://127.0.0.1:$(port_of accounting-service)}
export INVENTORY_SERVICE_URL=${INVENTORY_SERVICE_URL:-http://127.0.0.1:$(port_of inventory-service)}
export ITEM_SERVICE_URL=${ITEM_SERVICE_URL:-http://127.0.0.1:$(port_of item-service)}
export CATALOG_SERVICE_URL=${CATALOG_SERVICE_URL:-http://127.0.0.1:$(port_of catalog-service)}

target_dir() {
  [[ -n ${BIN_DIR:-} ]] && { echo "$BIN_DIR"; return; }
  local dir=${CARGO_TARGET_DIR:-target}
  if [[ $PROFILE == dev ]]; then echo "$dir/debug"; else echo "$dir/$PROFILE"; fi
}

pid_file() { echo "$RUN_DIR/pids/$1.pid"; }

running_pid() {
  local file pid
  file=$(pid_file "$1")
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

healthy() { curl -fsS --max-time 1 "http://127.0.0.1:$1/health" >/dev/null 2>&1; }

wait_healthy() {
  local name=$1 port=$2 pid=$3 deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS))
  until healthy "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: $name exited during start-up; last log lines:" >&2
      tail -n 20 "$RUN_DIR/logs/$name.log" >&2
      return 1
    fi
    if ((SECONDS > deadline)); then
      echo "error: $name did not answer /health on port $port within ${HEALTH_TIMEOUT_SECONDS}s" >&2
      return 1
    fi
    sleep 0.2
  done
}

up() {
  local packages=() entry
  for entry in "${SERVICES[@]}"; do packages+=(-p "${entry%%:*}"); done
  if [[ -n ${BIN_DIR:-} ]]; then
    # Binaries built elsewhere (the bench that compares builds): nothing to build.
    :
  elif [[ $PROFILE == dev ]]; then
    # The binaries `cargo test` builds: one feature set, so the demo and the tests share one build.
    cargo test --workspace --no-run
  else
    cargo build --profile "$PROFILE" "${packages[@]}"
  fi
  mkdir -p "$RUN_DIR/pids" "$RUN_DIR/logs" "${DATA_DIR:-data}"
  # The local broker may call webhooks on this machine (make demo-webhook's CI receiver) only.
  export PACT_BROKER_WEBHOOK_SCHEME_WHITELIST=${PACT_BROKER_WEBHOOK_SCHEME_WHITELIST:-http https}
  export PACT_BROKER_WEBHOOK_HOST_WHITELIST=${PACT_BROKER_WEBHOOK_HOST_WHITELIST:-127.0.0.1 localhost}
  local name port pid
  for entry in "${SERVICES[@]}"; do
    name=${entry%%:*} port=${entry##*:}
    if pid=$(running_pid "$name"); then
      echo "$name is already running (pid $pid)"
      continue
    fi
    if healthy "$port"; then
      echo "error: port $port answers /health but $name was not started by this script; stop it first" >&2
      return 1
    fi
    PORT=$port DATABASE_PATH=${DATA_DIR:-data}/$name.db nohup "$(target_dir)/$name" \
      >>"$RUN_DIR/logs/$name.log" 2>&1 </dev/null &
    echo $! >"$(pid_file "$name")"
    wait_healthy "$name" "$port" $! || { down; return 1; }
  done
  status
}

down() {
  local entry name pid file
  # Reverse order: callers stop before the services they call.
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    name=${SERVICES[i]%%:*}
    file=$(pid_file "$name")
    if pid=$(running_pid "$name"); then
      kill -TERM "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      echo "stopped $name (pid $pid)"
    fi
    rm -f "$file"
  done
}

status() {
  local entry name port pid state
  printf '%-18s %-6s %-8s %-9s %s\n' SERVICE PORT PID HEALTH URL
  for entry in "${SERVICES[@]}"; do
    name=${entry%%:*} port=${entry##*:}
    pid=$(running_pid "$name") || pid=-
    if healthy "$port"; then state=ok; else state=down; fi
    printf '%-18s %-6s %-8s %-9s %s\n' "$name" "$port" "$pid" "$state" "http://127.0.0.1:$port"
  done
}

logs() {
  shopt -s nullglob
  local files=("$RUN_DIR"/logs/*.log)
  ((${#files[@]})) || { echo "no logs yet: run 'make up'"; return; }
  tail -n "${LINES:-20}" "${files[@]}"
}

case ${1:-} in
  up | down | status | logs) "$1" ;;
  *) echo "usage: $0 up|down|status|logs" >&2; exit 2 ;;
esac
