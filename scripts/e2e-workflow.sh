#!/usr/bin/env bash
# End to end, the whole contract workflow against the embedded broker on a free port with a
# fresh database (no service needs to be running: each verification starts its provider):
# setup-broker -> create-pacts -> publish-pacts (requested versions, branch main) ->
# verify-pacts (from the broker, results published) -> deploy-all -> demo-breaking-change ->
# demo-webhook (a compatible, then a breaking pact verified through the broker's webhooks), then asserts through the broker's API what a user would check. Ends with "e2e: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pact-env.sh
source scripts/topology.sh

work=$(mktemp -d)
broker_pid=
cleanup() {
  [[ -n $broker_pid ]] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The broker binary as `cargo test` builds it (same features as every other build here).
cargo test --workspace --no-run -q
# A free port, chosen before the broker starts.
port=$(free_ports 1)
address=127.0.0.1:$port
PORT=$port DATABASE_PATH=$work/broker.db RUST_LOG=info PACT_BROKER_WEBHOOK_SCHEME_WHITELIST=http \
  PACT_BROKER_WEBHOOK_HOST_WHITELIST=127.0.0.1 "${CARGO_TARGET_DIR:-target}/debug/pact-broker" >"$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 100); do
  curl -fsS --max-time 1 "http://$address/diagnostic/status/heartbeat" >/dev/null 2>&1 && break
  kill -0 "$broker_pid" 2>/dev/null || break
  sleep 0.1
done
curl -fsS --max-time 1 "http://$address/diagnostic/status/heartbeat" >/dev/null 2>&1 \
  || { echo "error: the broker did not start on $address:" >&2; cat "$work/broker.log" >&2; exit 1; }

export PACT_BROKER_BASE_URL=http://$address BRANCH=main
export SERVICE_VERSION=2.0.0 CART_VERSION=1.1.0 CATALOG_VERSION=1.2.1
unset PACT_BROKER_TOKEN PACT_BROKER_USERNAME PACT_BROKER_PASSWORD PROVIDER
echo "e2e: broker at $PACT_BROKER_BASE_URL"

make --no-print-directory setup-broker create-pacts publish-pacts verify-pacts deploy-all
make --no-print-directory demo-breaking-change
make --no-print-directory demo-webhook
make --no-print-directory demo-webhook BREAKING=1

# --- what a user checks, through the broker's API -------------------------------------------
passed=0 failed=0
api() { curl -gfsS -H 'Accept: application/hal+json' "$PACT_BROKER_BASE_URL$1"; }
check() {
  local description=$1 actual=$2 expected=$3
  if [[ $actual == "$expected" ]]; then
    echo "ok: $description"
    passed=$((passed + 1))
  else
    echo "FAILED: $description: expected '$expected', got '$actual'"
    failed=$((failed + 1))
  fi
}

pairs=(
  "cart-service catalog-service 1.1.0 1.2.1" # catalog is a provider too, as CATALOG_VERSION
  "catalog-service accounting-service 1.2.1 2.0.0"
  "catalog-service inventory-service 1.2.1 2.0.0"
  "catalog-service item-service 1.2.1 2.0.0"
)
for pair in "${pairs[@]}"; do
  read -r consumer provider consumer_version provider_version <<<"$pair"
  latest=$(api "/pacts/provider/$provider/consumer/$consumer/branch/main/latest" || echo '{}')
  check "$consumer -> $provider: the latest pact on main is $consumer $consumer_version" \
    "$(jq -r '._links["pb:consumer-version"].name // empty' <<<"$latest")" "$consumer_version"
  branch_version=$(api "/pacticipants/$consumer/branches/main/versions/$consumer_version" >/dev/null && echo yes || echo no)
  check "$consumer $consumer_version is on branch main" "$branch_version" yes
  row=$(api "/matrix?q[][pacticipant]=$consumer&q[][version]=$consumer_version&q[][pacticipant]=$provider&q[][version]=$provider_version" || echo '{}')
  check "$provider $provider_version verified $consumer $consumer_version successfully" \
    "$(jq -r '[.matrix[]?.verificationResult.success] | if length > 0 and all then "true" else tostring end' <<<"$row")" true
done

for service in $(topology_services); do
  version=$(version_of "$service")
  answer=$(api "/can-i-deploy?pacticipant=$service&version=$version&environment=production" || echo '{}')
  check "can-i-deploy $service $version to production: yes" "$(jq -r '.summary.deployable' <<<"$answer")" true
done

feature=1.2.1-currency
answer=$(api "/can-i-deploy?pacticipant=catalog-service&version=$feature&environment=production" || echo '{}')
check "can-i-deploy catalog-service $feature (breaking) to production: no" "$(jq -r '.summary.deployable' <<<"$answer")" false
check "the refusal gives a reason" "$(jq -r '(.summary.reason // "") | length > 0' <<<"$answer")" true
row=$(api "/matrix?q[][pacticipant]=catalog-service&q[][version]=$feature&q[][pacticipant]=accounting-service&q[][version]=2.0.0" || echo '{}')
check "accounting-service 2.0.0 published a failed verification of the breaking pact" \
  "$(jq -r '[.matrix[]?.verificationResult.success] | map(tostring) | join(",")' <<<"$row")" false
answer=$(api "/can-i-deploy?pacticipant=catalog-service&version=1.2.1&environment=production" || echo '{}')
check "can-i-deploy catalog-service 1.2.1 (main) is still yes" "$(jq -r '.summary.deployable' <<<"$answer")" true

status=$(api "/pacts/provider/catalog-service/consumer/cart-service/webhooks/status" || echo '{}')
check "demo-webhook: the broker delivered every webhook (verify, notify; twice)" \
  "$(jq -r '.summary.failed == 0 and .summary.successful >= 4' <<<"$status")" true

echo "e2e: $passed passed, $failed failed"
((failed == 0))
