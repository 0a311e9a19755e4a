#!/usr/bin/env bash
# Docker mode of `make up`/`down`/`status`/`logs`: the same five services (ports 8001-8005)
# plus a Pact Broker (9292), in containers with docker-compose: up | down | status | logs |
# build | config | wait | ps.
#
#   BROKER=official (default)  pactfoundation/pact-broker on Postgres
#   BROKER=embedded            the workspace's own broker (docker-compose.embedded-broker.yml)
#   DEV=1                      services under cargo watch, source mounted (docker-compose.dev.yml)
#   COMPOSE="docker compose"   the v2 plugin; default: docker-compose when installed, else the plugin
#   COMPOSE_PROJECT_NAME       default pact-rust-demo (fixes the volume names, whatever the folder)
#   VOLUMES=1                  with down: delete the named volumes too (all data, broker's included)
#   ACCOUNTING_PORT ... CATALOG_PORT, BROKER_PORT: other host ports (default 8001-8005, 9292)
#
# Uses the daemon DOCKER_HOST names, else the private one scripts/dockerd.sh runs when its
# socket exists, else the system's.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/topology.sh
export PACT_DO_NOT_TRACK=true
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-pact-rust-demo}
if [[ -z ${DOCKER_HOST:-} && -S .run/docker/docker.sock ]]; then
  export DOCKER_HOST=unix://$PWD/.run/docker/docker.sock
fi
HEALTH_TIMEOUT_SECONDS=${HEALTH_TIMEOUT_SECONDS:-180}
BROKER=${BROKER:-official}

if [[ -n ${COMPOSE:-} ]]; then
  read -r -a compose <<<"$COMPOSE"
elif command -v docker-compose >/dev/null; then
  compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  echo "error: neither docker-compose nor the docker compose plugin is installed" \
    "(Debian: apt-get install docker-compose)" >&2
  exit 1
fi

# The Dockerfile needs BuildKit (a cache mount keeps target/ between builds). docker-compose 1.29
# builds with it through the `docker` CLI: Debian's /usr/bin/docker (BuildKit built in, same
# version as its daemon) when the one on PATH is a newer CLI without the buildx plugin, which
# cannot build at all (docker 28 on this project's machines).
if [[ ${compose[0]} == docker-compose ]]; then
  export DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
  if [[ -x /usr/bin/docker && $(command -v docker) != /usr/bin/docker ]] \
    && ! docker buildx version >/dev/null 2>&1; then
    mkdir -p .run/bin
    ln -sf /usr/bin/docker .run/bin/docker
    export PATH=$PWD/.run/bin:$PATH
  fi
fi

files=(-f docker-compose.yml)
case $BROKER in
  official) ;;
  embedded) files+=(-f docker-compose.embedded-broker.yml) ;;
  *) echo "error: BROKER must be official or embedded, not '$BROKER'" >&2; exit 2 ;;
esac
[[ ${DEV:-0} == 1 ]] && files+=(-f docker-compose.dev.yml)

run() { "${compose[@]}" "${files[@]}" "$@"; }

# name:host port of everything published, in start order (topology.txt: the same variables as
# scripts/services.sh; docker-compose.yml publishes on them).
ENDPOINTS=()
for name in $(topology_names); do ENDPOINTS+=("$name:$(port_of "$name")"); done

healthy() {
  local path=/health
  [[ $1 == "${BROKER_PORT:-9292}" && $BROKER == official ]] && path=/diagnostic/status/heartbeat
  curl -fsS --max-time 2 "http://127.0.0.1:$1$path" >/dev/null 2>&1
}

wait_healthy() {
  local entry deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS))
  for entry in "${ENDPOINTS[@]}"; do
    until healthy "${entry##*:}"; do
      if ((SECONDS > deadline)); then
        echo "error: ${entry%%:*} did not answer on port ${entry##*:} within ${HEALTH_TIMEOUT_SECONDS}s" >&2
        run ps >&2 || true
        run logs --tail 20 "${entry%%:*}" >&2 || true
        return 1
      fi
      sleep 0.5
    done
  done
}

status() {
  local entry state
  printf '%-18s %-6s %-9s %s\n' SERVICE PORT HEALTH URL
  for entry in "${ENDPOINTS[@]}"; do
    if healthy "${entry##*:}"; then state=ok; else state=down; fi
    printf '%-18s %-6s %-9s %s\n' "${entry%%:*}" "${entry##*:}" "$state" "http://127.0.0.1:${entry##*:}"
  done
}

case ${1:-} in
  up)
    # --build: rebuilds only what changed (the Dockerfile's layers are cached); BUILD=0 skips it.
    build=(--build); [[ ${BUILD:-1} == 0 ]] && build=(--no-build)
    if ! run up -d "${build[@]}"; then
      [[ $BROKER == official ]] && echo "hint: pactfoundation/pact-broker and postgres are pulled from" \
        "Docker Hub; where no registry is reachable, use BROKER=embedded (the workspace's own broker)" >&2
      exit 1
    fi
    wait_healthy
    status
    ;;
  down)
    if [[ ${VOLUMES:-0} == 1 ]]; then run down -v --remove-orphans; else run down --remove-orphans; fi
    ;;
  status) status ;;
  wait) wait_healthy ;;
  logs) run logs --tail "${LINES:-20}" ;;
  build | config | ps) run "$@" ;;
  *) echo "usage: $0 up|down|status|logs|build|config|wait|ps" >&2; exit 2 ;;
esac
