#!/usr/bin/env bash
# A private Docker daemon for this project: start | stop | status | env.
#
# For machines with Debian's docker.io installed but no daemon running (CI, the sandboxes this
# project is developed in). Everything lives under .run/docker/ (git-ignored): data root, exec
# root, socket and pid file, so it never touches a system daemon. It is started with
# --iptables=false --ip-masq=false: containers reach each other and the host's loopback through
# published ports (docker-proxy), and nothing else; nothing is left in iptables afterwards.
# `stop` ends exactly the pid in the pid file and removes the docker0 link it created.
#
#   eval "$(scripts/dockerd.sh env)"   # point docker / docker-compose at it
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
DOCKER_DIR=${DOCKER_DIR:-$ROOT/.run/docker}
SOCKET=$DOCKER_DIR/docker.sock
PIDFILE=$DOCKER_DIR/dockerd.pid
LOG=$DOCKER_DIR/dockerd.log
START_TIMEOUT_SECONDS=${START_TIMEOUT_SECONDS:-60}

export DOCKER_HOST=unix://$SOCKET

# Debian's client (/usr/bin/docker, same version as dockerd) first: it can build with BuildKit
# without the buildx plugin; a newer client elsewhere on PATH cannot.
docker_cli() { if [[ -x /usr/bin/docker ]]; then /usr/bin/docker "$@"; else docker "$@"; fi; }

running_pid() {
  [[ -f $PIDFILE ]] || return 1
  local pid
  pid=$(<"$PIDFILE")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

start() {
  local pid
  if pid=$(running_pid); then
    echo "dockerd already running (pid $pid, $DOCKER_HOST)"
    return
  fi
  command -v dockerd >/dev/null || {
    echo "error: dockerd not found: install Debian's docker.io (apt-get install docker.io)" >&2
    exit 1
  }
  [[ $(id -u) -eq 0 ]] || { echo "error: dockerd must be started as root" >&2; exit 1; }
  mkdir -p "$DOCKER_DIR/data" "$DOCKER_DIR/exec"
  rm -f "$SOCKET" "$PIDFILE"
  # setsid: its own session, so a Ctrl-C in the calling shell does not reach it.
  setsid dockerd \
    --data-root "$DOCKER_DIR/data" \
    --exec-root "$DOCKER_DIR/exec" \
    --pidfile "$PIDFILE" \
    -H "unix://$SOCKET" \
    --iptables=false --ip-masq=false \
    --userland-proxy=true \
    >"$LOG" 2>&1 </dev/null &
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS)) launcher=$!
  until docker_cli version >/dev/null 2>&1; do
    if ! kill -0 "$launcher" 2>/dev/null; then
      echo "error: dockerd exited during start-up; last lines of $LOG:" >&2
      tail -n 20 "$LOG" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      echo "error: dockerd did not answer on $SOCKET within ${START_TIMEOUT_SECONDS}s; see $LOG" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "dockerd started (pid $(<"$PIDFILE"), $DOCKER_HOST, storage $(docker_cli info --format '{{.Driver}}'))"
}

stop() {
  local pid
  if pid=$(running_pid); then
    kill -TERM "$pid"
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "warning: dockerd (pid $pid) did not stop in 30s; killing it" >&2
      kill -KILL "$pid"
    fi
    echo "dockerd stopped (pid $pid)"
  fi
  rm -f "$PIDFILE" "$SOCKET"
  # The default bridge it created; containerd shims end with their containers.
  if ip link show docker0 >/dev/null 2>&1; then ip link delete docker0 2>/dev/null || true; fi
}

status() {
  local pid
  if pid=$(running_pid); then
    echo "dockerd running (pid $pid, $DOCKER_HOST)"
  else
    echo "dockerd not running"
    return 1
  fi
}

case ${1:-} in
  start | stop | status) "$1" ;;
  env) echo "export DOCKER_HOST=$DOCKER_HOST" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
