#!/usr/bin/env bash
# The broker side of the Pact workflow, through the official pact-broker-cli:
#   publish | can-i-deploy | record-deployment | deploy-all | setup-broker
# Versions and branch: see scripts/pact-env.sh (CART_VERSION ..., SERVICE_VERSION, BRANCH).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pact-env.sh

source scripts/topology.sh
# Providers before their consumers (topology.txt's start order), as deploy-all needs.
SERVICES=()
while IFS= read -r name; do SERVICES+=("$name"); done < <(topology_services)
ENVIRONMENTS=(test production)

# Publishes every pact in pacts/, one consumer at a time, as that consumer's version on BRANCH.
publish() {
  require_broker
  require_cli
  shopt -s nullglob
  local files=(pacts/*.json) consumer version published=0
  ((${#files[@]})) || { echo "error: pacts/ holds no pact: run 'make create-pacts' first" >&2; exit 1; }
  for consumer in "${SERVICES[@]}"; do
    local mine=(pacts/"$consumer"-*.json)
    ((${#mine[@]})) || continue
    version=$(version_of "$consumer")
    broker_cli publish "${mine[@]}" --consumer-app-version "$version" --branch "$BRANCH"
    echo "published ${mine[*]} as $consumer $version on branch $BRANCH"
    published=$((published + ${#mine[@]}))
  done
  echo "$published pact(s) published to $PACT_BROKER_BASE_URL"
}

service_arg() {
  [[ -n ${SERVICE:-} ]] || { echo "error: name the service: SERVICE=cart-service" >&2; exit 2; }
  VERSION=${VERSION:-$(version_of "$SERVICE")}
  ENVIRONMENT=${ENVIRONMENT:-production}
}

can_i_deploy() {
  require_broker
  require_cli
  service_arg
  broker_cli can-i-deploy --pacticipant "$SERVICE" --version "$VERSION" --to-environment "$ENVIRONMENT" \
    ${CAN_I_DEPLOY_RETRIES:+--retry-while-unknown "$CAN_I_DEPLOY_RETRIES" --retry-interval 2}
}

record_deployment() {
  require_broker
  require_cli
  service_arg
  broker_cli record-deployment --pacticipant "$SERVICE" --version "$VERSION" --environment "$ENVIRONMENT"
}

# can-i-deploy then record-deployment for every service, providers before their consumers.
deploy_all() {
  local service
  for service in "${SERVICES[@]}"; do
    SERVICE=$service VERSION=$(version_of "$service") can_i_deploy
    SERVICE=$service VERSION=$(version_of "$service") record_deployment
  done
}

# Environments and main branches, so a fresh broker answers selectors and can-i-deploy.
setup_broker() {
  require_broker
  require_cli
  local existing environment service
  existing=$(broker_cli list-environments --output json 2>/dev/null || true)
  for environment in "${ENVIRONMENTS[@]}"; do
    if grep -q "\"name\": *\"$environment\"" <<<"$existing"; then continue; fi
    local production=()
    [[ $environment == production ]] && production=(--production)
    broker_cli create-environment --name "$environment" "${production[@]}" >/dev/null
    echo "created environment $environment"
  done
  for service in "${SERVICES[@]}"; do
    broker_cli create-or-update-pacticipant --name "$service" --main-branch main >/dev/null
  done
  echo "broker ready at $PACT_BROKER_BASE_URL: environments ${ENVIRONMENTS[*]}; main branch 'main' for every service"
}

case ${1:-} in
  publish) publish ;;
  can-i-deploy) can_i_deploy ;;
  record-deployment) record_deployment ;;
  deploy-all) deploy_all ;;
  setup-broker) setup_broker ;;
  *) echo "usage: $0 publish|can-i-deploy|record-deployment|deploy-all|setup-broker" >&2; exit 2 ;;
esac
