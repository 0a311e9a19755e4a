#!/usr/bin/env bash
# `make e2e-docker`: the Docker mode for real, from nothing, on a machine with no Docker engine
# and no image registry (only Debian's mirror and crates.io):
#
#   1. checks for docker.io, docker-compose and debootstrap (installed with SETUP_SYSTEM_PACKAGES=1)
#   2. starts a private dockerd (scripts/dockerd.sh: .run/docker/, loopback-only networking)
#   3. makes the base images locally (scripts/docker-base-images.sh: debootstrap + docker import)
#   4. builds the images with docker-compose (the workspace's own broker: embedded-broker file)
#   5. starts the stack and waits for every /health
#   6. the contract workflow against the broker in a container (PACT_BROKER_BASE_URL=:9292),
#      verifying the providers running in the containers (provider states on in this stack)
#   7. an order through cart -> catalog -> accounting/inventory/item, container to container
#   8. persistence: docker-compose down, up, and the data of a service and of the broker is back
#   9. tears everything down (containers, networks, volumes) and stops the daemon by its pid
#
# The time of each step is printed, and a summary at the end. The images stay in .run/docker
# (git-ignored) so a second run skips steps 3-4; E2E_FRESH=1 deletes that folder first (a cold
# run), E2E_CLEAN=1 deletes it afterwards. The stack runs as compose project pact-rust-e2e, so it
# never touches the volumes of `make up DOCKER=1`. Ports 8001-8005 and 9292 must be free (or
# E2E_PORT_OFFSET set).
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/system-packages.sh
source scripts/topology.sh
ROOT=$(pwd)
export PACT_DO_NOT_TRACK=true
export CARGO_TERM_COLOR=never
export COMPOSE_PROJECT_NAME=pact-rust-e2e
export BROKER=embedded
export DOCKER_DIR=$ROOT/.run/docker
export DOCKER_HOST=unix://$DOCKER_DIR/docker.sock
# Host ports: 8001-8005 and 9292, or all of them shifted by E2E_PORT_OFFSET (for a machine where
# `make up` already holds the usual ones).
OFFSET=${E2E_PORT_OFFSET:-0}
for assignment in $(ports_shifted "$OFFSET"); do export "${assignment?}"; done
export PACT_BROKER_BASE_URL=http://127.0.0.1:$BROKER_PORT
# This throw-away stack serves provider states, so the contract workflow verifies the containers.
export PACT_PROVIDER_STATES=true
# The crates are in the local rust image's cargo cache (docker-base-images.sh): no network.
export CARGO_NET_OFFLINE=true
BROKER_URL=$PACT_BROKER_BASE_URL
VERSION=$(git rev-parse --short HEAD 2>/dev/null || echo 0.0.0)-e2e

STEP_NAMES=() STEP_TIMES=()
START=$SECONDS
started_daemon=0
stack_up=0

log() { printf '\n=== %s\n' "$*"; }
die() { echo "error: $*" >&2; exit 1; }

step() {
  local name=$1 t0=$SECONDS
  shift
  log "$name"
  "$@"
  STEP_NAMES+=("$name")
  STEP_TIMES+=($((SECONDS - t0)))
  echo "--- $name: $((SECONDS - t0))s"
}

summary() {
  echo
  echo "e2e-docker step times:"
  local i
  for i in "${!STEP_NAMES[@]}"; do printf '  %-46s %5ss\n' "${STEP_NAMES[i]}" "${STEP_TIMES[i]}"; done
  printf '  %-46s %5ss\n' "total" "$((SECONDS - START))"
}

cleanup() {
  local status=$?
  trap - EXIT
  if ((status != 0)); then
    echo "e2e-docker FAILED (exit $status); tearing down" >&2
    if ((stack_up)); then scripts/compose.sh ps >&2 || true; scripts/compose.sh logs >&2 || true; fi
  fi
  if ((stack_up)); then VOLUMES=1 scripts/compose.sh down >/dev/null 2>&1 || true; fi
  if ((started_daemon)) && [[ ${E2E_KEEP_DAEMON:-0} != 1 ]]; then scripts/dockerd.sh stop || true; fi
  if [[ ${E2E_CLEAN:-0} == 1 ]]; then rm -rf "$DOCKER_DIR"; fi
  summary
  exit "$status"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
prerequisites() {
  [[ $(id -u) -eq 0 ]] || die "e2e-docker needs root (dockerd, debootstrap); run it as root"
  command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first"
  require_programs "make e2e-docker" dockerd docker-compose debootstrap curl ip
  # Debian's client matches its daemon and builds with BuildKit without the buildx plugin;
  # put it first for docker-compose too (it runs `docker build` with COMPOSE_DOCKER_CLI_BUILD).
  mkdir -p "$DOCKER_DIR/bin"
  ln -sf /usr/bin/docker "$DOCKER_DIR/bin/docker"
  export PATH=$DOCKER_DIR/bin:$PATH
  local port
  for port in "$ACCOUNTING_PORT" "$INVENTORY_PORT" "$ITEM_PORT" "$CART_PORT" "$CATALOG_PORT" "$BROKER_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "port $port is in use (make down? make down DOCKER=1?); e2e-docker needs" \
        "$ACCOUNTING_PORT-$CATALOG_PORT and $BROKER_PORT: free them or set E2E_PORT_OFFSET (e.g. 10000)"
    fi
  done
  echo "docker $(docker version --format '{{.Client.Version}}' 2>/dev/null || true)," \
    "$(docker-compose version --short), $(debootstrap --version), $(cargo --version)"
}

start_daemon() {
  if scripts/dockerd.sh status >/dev/null 2>&1; then
    echo "using the private dockerd that already runs (left running afterwards)"
  else
    started_daemon=1
    scripts/dockerd.sh start
  fi
}

build_images() {
  echo "building with BuildKit (docker build through docker-compose; target/ in a cache mount)"
  local log=$DOCKER_DIR/build.log
  if ! scripts/compose.sh build >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    die "building the images failed (whole log: $log)"
  fi
  echo "built (log: $log)"
  docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep pact-rust-demo | sed 's/^/  /'
}

stack_up_step() {
  stack_up=1
  BUILD=0 scripts/compose.sh up
}

# --- a real order, container to container ----------------------------------------------------
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

ITEM_ID="" CART_ID=""
# After the contract workflow: its provider states reset the services' data, so the item ordered
# here is one this step creates, prices and stocks; it must then survive docker-compose down/up.
order_through_the_stack() {
  local item cart order
  item=$(curl -fsS -X POST -H 'content-type: application/json' \
    -d '{"name":"e2e persisted item","description":"written before docker-compose down"}' \
    "http://127.0.0.1:$ITEM_PORT/items")
  ITEM_ID=$(json 'd["id"]' <<<"$item")
  curl -fsS -X PUT -H 'content-type: application/json' -d '{"price": 250, "tax": null}' \
    "http://127.0.0.1:$ACCOUNTING_PORT/items/$ITEM_ID" >/dev/null
  curl -fsS -X PUT -H 'content-type: application/json' -d '{"quantity": 10}' \
    "http://127.0.0.1:$INVENTORY_PORT/items/$ITEM_ID" >/dev/null
  echo "item-service, accounting-service, inventory-service: item $ITEM_ID created, priced, stocked"
  cart=$(curl -fsS -X POST "http://127.0.0.1:$CART_PORT/carts")
  CART_ID=$(json 'd["id"]' <<<"$cart")
  order=$(curl -fsS -X PATCH -H 'content-type: application/json' \
    -d "{\"cart_id\": $CART_ID, \"item_id\": $ITEM_ID, \"quantity\": 2}" "http://127.0.0.1:$CART_PORT/carts")
  echo "cart-service: cart $CART_ID after ordering 2 x item $ITEM_ID (through catalog, accounting, inventory, item): $order"
  json 'len(d["items"])' <<<"$order" | grep -qx 1 || die "the cart does not hold the ordered item"
}

# --- the contract workflow -------------------------------------------------------------------
contract_workflow() {
  local target
  for target in create-pacts setup-broker publish-pacts verify-pacts deploy-all; do
    grep -qE "^$target:" Makefile || die "the Makefile has no '$target' target: the e2e needs it"
  done
  make create-pacts
  # One version for every service, so publish, verify and can-i-deploy agree.
  env -u VERSION make setup-broker publish-pacts SERVICE_VERSION="$VERSION"
  # The providers verified are the ones running in the containers, through their published
  # ports (provider states are on in this stack), not builds on the host.
  env -u VERSION VERIFY_RUNNING=1 \
    ACCOUNTING_SERVICE_URL="http://127.0.0.1:$ACCOUNTING_PORT" INVENTORY_SERVICE_URL="http://127.0.0.1:$INVENTORY_PORT" \
    ITEM_SERVICE_URL="http://127.0.0.1:$ITEM_PORT" CATALOG_SERVICE_URL="http://127.0.0.1:$CATALOG_PORT" \
    make verify-pacts SERVICE_VERSION="$VERSION"
  # can-i-deploy and record each deployment, providers before their consumers, as a fresh broker
  # needs.
  env -u VERSION make deploy-all SERVICE_VERSION="$VERSION"
  PACTS_IN_BROKER=$(curl -fsS "$BROKER_URL/pacts/provider/catalog-service/consumer/cart-service/latest" \
    | json 'len(d["interactions"])')
  echo "broker: latest cart-service -> catalog-service pact has $PACTS_IN_BROKER interactions"
}

# --- persistence -----------------------------------------------------------------------------
down_and_up() {
  scripts/compose.sh down
  echo "containers removed; volumes kept: $(docker volume ls -q | grep -c "^$COMPOSE_PROJECT_NAME") named volumes"
  BUILD=0 scripts/compose.sh up
}

data_survived() {
  local name cart interactions
  name=$(curl -fsS "http://127.0.0.1:$ITEM_PORT/items/$ITEM_ID" | json 'd["name"]')
  [[ $name == "e2e persisted item" ]] || die "item $ITEM_ID lost its name after down/up: $name"
  echo "item-service: item $ITEM_ID is still '$name'"
  cart=$(curl -fsS "http://127.0.0.1:$CART_PORT/carts/$CART_ID")
  json 'len(d["items"])' <<<"$cart" | grep -qx 1 || die "cart $CART_ID lost its item: $cart"
  echo "cart-service: cart $CART_ID still holds $cart"
  interactions=$(curl -fsS "$BROKER_URL/pacts/provider/catalog-service/consumer/cart-service/latest" \
    | json 'len(d["interactions"])')
  [[ $interactions == "$PACTS_IN_BROKER" ]] || die "the broker lost its pacts after down/up"
  echo "pact-broker: the cart-service -> catalog-service pact is still there ($interactions interactions)"
}

teardown() {
  VOLUMES=1 scripts/compose.sh down
  stack_up=0
  if ((started_daemon)) && [[ ${E2E_KEEP_DAEMON:-0} != 1 ]]; then
    scripts/dockerd.sh stop
    started_daemon=0
    ! scripts/dockerd.sh status >/dev/null 2>&1 || die "the private dockerd is still running"
    ! pgrep -f "$DOCKER_DIR" >/dev/null || die "processes under $DOCKER_DIR still run: $(pgrep -af "$DOCKER_DIR")"
    echo "no daemon or shim of ours left running"
  fi
}

if [[ ${E2E_FRESH:-0} == 1 ]]; then
  scripts/dockerd.sh stop >/dev/null 2>&1 || true
  rm -rf "$DOCKER_DIR"
fi

step "prerequisites (installed with SETUP_SYSTEM_PACKAGES=1)" prerequisites
step "start private dockerd" start_daemon
step "base images (debootstrap + docker import)" scripts/docker-base-images.sh
step "build the six images" build_images
step "stack up, every /health answers" stack_up_step
step "contract workflow against the broker, verifying the containers" contract_workflow
step "an order through the containers" order_through_the_stack
step "docker-compose down, up (volumes kept)" down_and_up
step "data of services and broker survived" data_survived
step "tear down, stop dockerd" teardown
echo
echo "e2e-docker passed"
