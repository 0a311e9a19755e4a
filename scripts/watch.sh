#!/usr/bin/env bash
# Live editing: runs the services under cargo-watch, natively, in the background:
# start | stop | status | logs.
#
# Each service gets its own cargo-watch, watching its crate and service-kit (plus the lock
# file and workspace manifest); saving a file there rebuilds and restarts that service only.
# Every watcher builds the same set of packages as `make up` (scripts/services.sh), so they
# share target/debug with it and with each other: no feature-set thrash, nothing built twice.
# Ports, URLs and databases are those of `make up`; `make status`, `create-pacts`,
# `verify-pacts` etc. keep working while the watchers run (cargo waits for its build lock).
#
# PIDs (one process group per watcher) go to $RUN_DIR/watch/pids, logs to $RUN_DIR/watch/logs.
# cargo-watch comes from tools/bin (installed there by scripts/setup-watch.sh when missing).
#
# Settings: WATCH_SERVICES (default: all five), BUILD_SERVICES (what each watcher builds;
# default: all five, as `make up`), the *_PORT variables of services.sh,
# DATA_DIR, RUN_DIR, WORKSPACE (another copy of the workspace to run from), CARGO_TARGET_DIR,
# HEALTH_TIMEOUT_SECONDS (first start: a build may be needed).
set -euo pipefail

cd "$(dirname "$0")/.."
PROJECT=$(pwd)
export PACT_DO_NOT_TRACK=true

WORKSPACE=${WORKSPACE:-$PROJECT}
RUN_DIR=${RUN_DIR:-$PROJECT/.run}
WATCH_DIR=$RUN_DIR/watch
DATA_DIR=${DATA_DIR:-$WORKSPACE/data}
HEALTH_TIMEOUT_SECONDS=${HEALTH_TIMEOUT_SECONDS:-600}
CARGO_WATCH=${CARGO_WATCH:-$PROJECT/tools/bin/cargo-watch}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$WORKSPACE/target}

declare -A PORTS=(
  [accounting-service]=${ACCOUNTING_PORT:-8001}
  [inventory-service]=${INVENTORY_PORT:-8002}
  [item-service]=${ITEM_PORT:-8003}
  [cart-service]=${CART_PORT:-8004}
  [catalog-service]=${CATALOG_PORT:-8005}
)
ALL_SERVICES="accounting-service inventory-service item-service catalog-service cart-service"
read -r -a SERVICES <<<"${WATCH_SERVICES:-$ALL_SERVICES}"

export ACCOUNTING_SERVICE_URL=${ACCOUNTING_SERVICE_URL:-http://127.0.0.1:${PORTS[accounting-service]}}
export INVENTORY_SERVICE_URL=${INVENTORY_SERVICE_URL:-http://127.0.0.1:${PORTS[inventory-service]}}
export ITEM_SERVICE_URL=${ITEM_SERVICE_URL:-http://127.0.0.1:${PORTS[item-service]}}
export CATALOG_SERVICE_URL=${CATALOG_SERVICE_URL:-http://127.0.0.1:${PORTS[catalog-service]}}

pid_file() { echo "$WATCH_DIR/pids/$1.pid"; }

running_pid() {
  local file pid
  file=$(pid_file "$1")
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

healthy() { curl -fsS --max-time 1 "http://127.0.0.1:$1/health" >/dev/null 2>&1; }

start() {
  [[ -x $CARGO_WATCH ]] || "$PROJECT/scripts/setup-watch.sh"
  mkdir -p "$WATCH_DIR/pids" "$WATCH_DIR/logs" "$DATA_DIR"
  local packages="" name
  for name in ${BUILD_SERVICES:-$ALL_SERVICES}; do packages+=" -p $name"; done
  local started=() port pid
  for name in "${SERVICES[@]}"; do
    port=${PORTS[$name]:?unknown service $name}
    if pid=$(running_pid "$name"); then
      echo "$name is already watched (pid $pid)"
      continue
    fi
    if healthy "$port"; then
      echo "error: port $port already answers /health (make up? make down first); $name not started" >&2
      stop
      return 1
    fi
    # -w: what this service is built from; -s: build every service like `make up` (so the
    # artifacts are shared), then exec this service's binary (cargo-watch restarts it).
    (
      cd "$WORKSPACE"
      PORT=$port DATABASE_PATH=$DATA_DIR/$name.db exec setsid "$CARGO_WATCH" \
        --why \
        -w "$name" -w service-kit -w Cargo.toml -w Cargo.lock \
        -s "cargo build -q$packages && exec \"$CARGO_TARGET_DIR/debug/$name\""
    ) >>"$WATCH_DIR/logs/$name.log" 2>&1 </dev/null &
    echo $! >"$(pid_file "$name")"
    started+=("$name")
    echo "watching $name (pid $!, port $port, log $WATCH_DIR/logs/$name.log)"
  done
  local deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS))
  for name in "${started[@]}"; do
    until healthy "${PORTS[$name]}"; do
      if ! running_pid "$name" >/dev/null; then
        echo "error: cargo-watch for $name exited; last log lines:" >&2
        tail -n 20 "$WATCH_DIR/logs/$name.log" >&2
        stop
        return 1
      fi
      if ((SECONDS > deadline)); then
        echo "error: $name did not answer /health within ${HEALTH_TIMEOUT_SECONDS}s; see $WATCH_DIR/logs/$name.log" >&2
        stop
        return 1
      fi
      sleep 0.5
    done
  done
  status
  echo "Edit a service's source and it restarts; 'make watch-stop' stops the watchers."
}

stop() {
  local name pid
  for name in $ALL_SERVICES; do
    if pid=$(running_pid "$name"); then
      # The whole process group: cargo-watch, its shell, cargo or the service.
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      echo "stopped watching $name (pid $pid)"
    fi
    rm -f "$(pid_file "$name")"
  done
}

status() {
  local name port pid state
  printf '%-18s %-6s %-8s %-9s\n' SERVICE PORT WATCHER HEALTH
  for name in $ALL_SERVICES; do
    port=${PORTS[$name]}
    pid=$(running_pid "$name") || pid=-
    if healthy "$port"; then state=ok; else state=down; fi
    printf '%-18s %-6s %-8s %-9s\n' "$name" "$port" "$pid" "$state"
  done
}

logs() {
  shopt -s nullglob
  local files=("$WATCH_DIR"/logs/*.log)
  ((${#files[@]})) || { echo "no watch logs yet: run 'make watch'"; return; }
  tail -n "${LINES:-20}" "${files[@]}"
}

case ${1:-} in
  start | stop | status | logs) "$1" ;;
  *) echo "usage: $0 start|stop|status|logs" >&2; exit 2 ;;
esac
