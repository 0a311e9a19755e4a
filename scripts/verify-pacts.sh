#!/usr/bin/env bash
# Verifies every provider against its pacts (the verify-pacts runner, verify-pacts/src/main.rs)
# and prints one summary line per provider, plus one line per provider/consumer/version when
# results are published to a broker.
#
# With a broker (PACT_BROKER_BASE_URL, or the embedded broker answering on 9292): consumer
# version selectors mainBranch, matchingBranch and deployedOrReleased, pending pacts on, WIP
# pacts since WIP_PACTS_SINCE, results published as each provider's version on BRANCH.
# Without one: the local pacts/ (else example-pacts/), nothing published.
# VERIFY_RUNNING=1 verifies the providers already running (provider states on) at
# ACCOUNTING_SERVICE_URL, INVENTORY_SERVICE_URL, ITEM_SERVICE_URL, CATALOG_SERVICE_URL instead of
# starting them (make e2e-docker: the containers).
# Exits non-zero when a non-pending pact fails or a provider verified nothing.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
source scripts/pact-env.sh

source scripts/topology.sh
PROVIDERS=()
while IFS= read -r name; do PROVIDERS+=("$name"); done < <(topology_providers)
# PROVIDER=name verifies just that one (e.g. the provider of a changed pact in PACT_URL).
[[ -n ${PROVIDER:-} ]] && PROVIDERS=("$PROVIDER")
broker=$(broker_url)
if [[ -n $broker ]]; then
  export PACT_BROKER_BASE_URL=$broker PACT_PUBLISH_RESULTS=true PACT_PROVIDER_BRANCH=$BRANCH
  export PACT_INCLUDE_WIP_PACTS_SINCE=${WIP_PACTS_SINCE:-2020-01-01}
  echo "Verifying against the broker at $broker (results published on branch $BRANCH)"
else
  unset PACT_BROKER_BASE_URL
  echo "No broker: verifying against local pacts"
fi

# `cargo test --no-run` builds every binary with the Makefile's one feature set, the runner too.
cargo test --workspace --no-run -q 2>&1 | grep -E '^(error|warning: unused)' >&2
runner_args=()
[[ ${VERIFY_RUNNING:-0} == 1 ]] && runner_args+=(--running)
for provider in "${PROVIDERS[@]}"; do
  runner_args+=("$provider=${PACT_PROVIDER_VERSION:-$(version_of "$provider")}")
done
target=${CARGO_TARGET_DIR:-target}
report="$target/verify-pacts-report.txt"
echo
"$target/debug/verify-pacts" "${runner_args[@]}" >"$report"
status=$?
echo "(the verifier's full report: $report)"
exit "$status"
