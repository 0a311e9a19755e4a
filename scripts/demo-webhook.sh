#!/usr/bin/env bash
# The CI loop closed on this machine by the broker's webhooks, with no human step:
#  1. ci-receiver (verify-pacts/src/bin/ci-receiver.rs), the stand-in for CI, starts;
#  2. two webhooks are registered with pact-broker-cli: contract_requiring_verification_published
#     -> the receiver verifies exactly that pact against the provider and publishes the result as
#     the provider version the webhook names; provider_verification_published -> the receiver
#     notifies the consumer side;
#  3. cart-service publishes a changed pact as a new version (BREAKING=1: one catalog-service
#     cannot honour);
#  4. can-i-deploy for that version is asked until it is no longer unknown: yes (BREAKING=1: no).
# Run it after `make demo`. The broker must allow webhooks to http://127.0.0.1 (`make up` starts it
# so). Ports: BROKER_PORT; CI_RECEIVER_PORT (default: any free one).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pact-env.sh
require_broker
require_cli

broker=${PACT_BROKER_BASE_URL%/}
version="$(version_of cart-service)-hook.$(date +%s)${BREAKING:+.breaking}"
work=.run/demo-webhook
rm -rf "$work" && mkdir -p "$work"
step() { printf '\n==> %s\n' "$*"; }
now() { date +%s.%N 2>/dev/null | grep -v N || date +%s; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

step "Starting ci-receiver, the stand-in for CI"
cargo test --workspace --no-run -q 2>&1 | grep -E '^error' >&2 || true
CI_RECEIVER_PORT=${CI_RECEIVER_PORT:-0} "${CARGO_TARGET_DIR:-target}/debug/ci-receiver" >"$work/receiver.log" 2>&1 &
receiver_pid=$!
trap 'kill "$receiver_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$work/receiver.log" && break; sleep 0.1; done
receiver=$(sed -n 's/^ci-receiver listening on //p' "$work/receiver.log")
[[ -n $receiver ]] || { cat "$work/receiver.log" >&2; echo "error: ci-receiver did not start" >&2; exit 1; }
echo "ci-receiver at $receiver"

step "Registering the webhooks (create-or-update-webhook: the same two on every run)"
# shellcheck disable=SC2016 # the broker fills in ${pactbroker.*}, not the shell
params='"pactUrl": "${pactbroker.pactUrl}", "consumerName": "${pactbroker.consumerName}",
  "consumerVersionNumber": "${pactbroker.consumerVersionNumber}", "providerName": "${pactbroker.providerName}",
  "providerVersionNumber": "${pactbroker.providerVersionNumber}",
  "providerVersionBranch": "${pactbroker.providerVersionBranch}",
  "githubVerificationStatus": "${pactbroker.githubVerificationStatus}"'
broker_cli create-or-update-webhook "$receiver/verify" --uuid demo-webhook-verify-changed-pact \
  -X POST -H 'Content-Type: application/json' -d "{$params}" --contract-requiring-verification-published \
  --description "CI: verify a changed pact" >/dev/null
broker_cli create-or-update-webhook "$receiver/notify" --uuid demo-webhook-notify-consumer \
  -X POST -H 'Content-Type: application/json' -d "{$params}" --provider-verification-published \
  --description "Notify the consumer side" >/dev/null
echo "registered: $broker/webhooks"

step "cart-service $version publishes a changed pact${BREAKING:+ (breaking)}"
node -e '
  const fs = require("fs");
  const [source, target, version, breaking] = process.argv.slice(1);
  const pact = JSON.parse(fs.readFileSync(source, "utf8"));
  for (const interaction of pact.interactions) interaction.description += " (" + version + ")";
  if (breaking) {
    const withBody = pact.interactions.find((i) => i.response && i.response.body && typeof i.response.body === "object" && !Array.isArray(i.response.body));
    if (!withBody) throw new Error("no interaction with a JSON object body in " + source);
    withBody.response.body.notSentByTheProvider = "x";
  }
  fs.writeFileSync(target, JSON.stringify(pact, null, 2));
' pacts/cart-service-catalog-service.json "$work/cart-service-catalog-service.json" "$version" "${BREAKING:-}"
started=$(now)
broker_cli publish "$work/cart-service-catalog-service.json" --consumer-app-version "$version" \
  --branch feat/webhook-demo >/dev/null
echo "published at +0.0 s"

step "can-i-deploy cart-service $version to production, asked until it is no longer unknown"
deployable() {
  curl -fsS -G "$broker/can-i-deploy" --data-urlencode pacticipant=cart-service \
    --data-urlencode "version=$version" --data-urlencode environment=production |
    grep -o '"deployable":[a-z]*' | cut -d: -f2
}
word() { case $1 in true) echo yes ;; false) echo no ;; *) echo unknown ;; esac; }
first=$(deployable)
echo "first answer: $(word "$first") (+$(elapsed "$started"))"
answer=$first
for _ in $(seq 600); do
  [[ $answer != null ]] && break
  sleep 0.1
  answer=$(deployable)
done
echo "answer now:   $(word "$answer") (+$(elapsed "$started"))"
for _ in $(seq 100); do grep -q 'consumer notified' "$work/receiver.log" && break; sleep 0.1; done
echo
grep '^ci-receiver: {' "$work/receiver.log" | sed 's/^/  /'
echo
curl -fsS "$broker/pacts/provider/catalog-service/consumer/cart-service/webhooks/status" |
  grep -o '"summary":{[^}]*}' | sed 's/^/  webhooks: /'

expected=true
[[ -n ${BREAKING:-} ]] && expected=false
if [[ $answer != "$expected" ]]; then
  echo "error: can-i-deploy answered $(word "$answer"), expected $(word "$expected")" >&2
  exit 1
fi
cat <<SUMMARY

The loop closed with no human step in $(elapsed "$started"): the broker called CI, which verified
exactly the changed pact and published the result; the consumer side was notified; can-i-deploy
for cart-service $version went from $(word "$first") to $(word "$answer"). Webhooks and their logs: $broker/webhooks
SUMMARY
