#!/usr/bin/env bash
# A breaking change, caught: catalog-service, on a feature branch, publishes a pact that expects
# accounting-service to send a `currency` with every price, which accounting does not do.
#
#  1. catalog's feature build publishes its pacts (the accounting one changed) as FEATURE_VERSION
#     on FEATURE_BRANCH, and verifies its own provider side (cart's pact) as that version;
#  2. accounting's main build verifies as usual: the new pact is a WIP/pending pact, so the
#     failure is published but the build stays green;
#  3. can-i-deploy says no for catalog FEATURE_VERSION, with the reason, and yes for main.
#
# Run it after `make demo` (main published, verified and deployed). No source file is edited:
# the changed pact is derived from the one catalog's tests wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pact-env.sh
require_broker
require_cli

FEATURE_BRANCH=${FEATURE_BRANCH:-feat/price-currency}
MAIN_CATALOG_VERSION=$(version_of catalog-service)
FEATURE_VERSION=${FEATURE_VERSION:-$MAIN_CATALOG_VERSION-currency}
work=.run/breaking-change
rm -rf "$work" && mkdir -p "$work"

step() { printf '\n==> %s\n' "$*"; }

step "catalog-service $FEATURE_VERSION ($FEATURE_BRANCH) now expects a currency with every price"
cp pacts/catalog-service-*.json "$work/"
# node is there already (npm installed the Pact CLI): no jq needed.
node -e '
  const fs = require("fs");
  const pact = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const priced = pact.interactions.filter((i) => i.description === "a request for the price of an item with tax");
  if (priced.length === 0) throw new Error("no interaction \"a request for the price of an item with tax\" in " + process.argv[1]);
  for (const interaction of priced) interaction.response.body.currency = "EUR";
  fs.writeFileSync(process.argv[2], JSON.stringify(pact, null, 2));
' pacts/catalog-service-accounting-service.json "$work/catalog-service-accounting-service.json"
broker_cli publish "$work"/catalog-service-*.json --consumer-app-version "$FEATURE_VERSION" --branch "$FEATURE_BRANCH"

step "catalog-service's feature build verifies its own provider side as $FEATURE_VERSION"
PROVIDER=catalog-service CATALOG_VERSION=$FEATURE_VERSION BRANCH=$FEATURE_BRANCH scripts/verify-pacts.sh

step "accounting-service's main build verifies: the new pact is pending, so the build stays green"
PROVIDER=accounting-service BRANCH=main scripts/verify-pacts.sh

step "can-i-deploy catalog-service $FEATURE_VERSION to production?"
if SERVICE=catalog-service VERSION=$FEATURE_VERSION scripts/pact-workflow.sh can-i-deploy; then
  echo "error: the breaking version was let through" >&2
  exit 1
fi

step "can-i-deploy catalog-service $MAIN_CATALOG_VERSION (main) to production?"
SERVICE=catalog-service VERSION=$MAIN_CATALOG_VERSION scripts/pact-workflow.sh can-i-deploy

cat <<SUMMARY

The breaking pact was caught: accounting-service's main build stayed green (the pact is pending),
its failed verification is in the broker, catalog-service $FEATURE_VERSION may not go to
production, and main ($MAIN_CATALOG_VERSION) still may. See $PACT_BROKER_BASE_URL
SUMMARY
