#!/usr/bin/env bash
# Verifies every provider against its pacts and prints one summary line per provider, plus one
# line per provider/consumer/version when results are published to a broker.
#
# With a broker (PACT_BROKER_BASE_URL, or the embedded broker answering on 9292): consumer
# version selectors mainBranch, matchingBranch and deployedOrReleased, pending pacts on, WIP
# pacts since WIP_PACTS_SINCE, results published as each provider's version on BRANCH.
# Without one: the local pacts/ (else example-pacts/), nothing published.
# Exits non-zero when a non-pending pact fails.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
source scripts/pact-env.sh

PROVIDERS=(accounting-service inventory-service item-service catalog-service)
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

cargo test --workspace --all-features --no-run -q 2>&1 | grep -E '^(error|warning: unused)' >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for provider in "${PROVIDERS[@]}"; do
  PACT_PROVIDER_VERSION=$(version_of "$provider") \
    cargo test -q -p "$provider" --all-features --test pact_provider honours_its_pacts -- --nocapture \
    >>"$log" 2>&1 || status=1
done

echo
echo "Provider verification:"
grep -E '^PACT (VERIFICATION|RESULT)' "$log" | sed 's/^/  /'
if ((status != 0)); then
  echo
  echo "FAILED: the verifier's report follows." >&2
  sed -n '/panicked at/,/pact failures$/p' "$log" >&2
  grep -E '^error' "$log" >&2
fi
exit "$status"
