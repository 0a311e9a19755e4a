# Sourced by the workflow scripts: versions, branch, broker URL and CLI, as the README documents.
# shellcheck shell=bash

export PACT_DO_NOT_TRACK=true

# The git commit, short, with "+dirty" when tracked files have uncommitted changes.
git_version() {
  local sha
  sha=$(git rev-parse --short HEAD 2>/dev/null) || { echo "0.0.0-nogit"; return; }
  [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]] && sha+="+dirty"
  echo "$sha"
}

git_branch() {
  local branch
  branch=$(git rev-parse --abbrev-ref HEAD 2>/dev/null) || branch=main
  [[ $branch == HEAD ]] && branch=main # a detached checkout (as in some CI systems)
  echo "$branch"
}

SERVICE_VERSION=${SERVICE_VERSION:-$(git_version)}
BRANCH=${BRANCH:-$(git_branch)}

# A service's version: CART_VERSION for cart-service, ..., else SERVICE_VERSION.
version_of() {
  local var
  var=$(tr '[:lower:]-' '[:upper:]_' <<<"${1%-service}")_VERSION
  echo "${!var:-$SERVICE_VERSION}"
}

EMBEDDED_BROKER_URL=${EMBEDDED_BROKER_URL:-http://127.0.0.1:${BROKER_PORT:-9292}}
PACT_BROKER_CLI=${PACT_BROKER_CLI:-tools/bin/pact-broker-cli}

# The broker to use: PACT_BROKER_BASE_URL when set, else the embedded broker when it answers;
# empty when there is none.
broker_url() {
  if [[ -n ${PACT_BROKER_BASE_URL:-} ]]; then
    echo "$PACT_BROKER_BASE_URL"
  elif curl -fsS --max-time 2 "$EMBEDDED_BROKER_URL/diagnostic/status/heartbeat" >/dev/null 2>&1; then
    echo "$EMBEDDED_BROKER_URL"
  fi
}

require_broker() {
  PACT_BROKER_BASE_URL=$(broker_url)
  if [[ -z $PACT_BROKER_BASE_URL ]]; then
    echo "error: no Pact Broker: set PACT_BROKER_BASE_URL, or start the embedded one with 'make up'" >&2
    exit 1
  fi
  export PACT_BROKER_BASE_URL
}

require_cli() {
  if [[ ! -x $PACT_BROKER_CLI ]]; then
    echo "error: $PACT_BROKER_CLI is missing: run 'make setup'" >&2
    exit 1
  fi
}

# pact-broker-cli reads PACT_BROKER_BASE_URL, _TOKEN, _USERNAME and _PASSWORD itself.
broker_cli() {
  "$PACT_BROKER_CLI" broker "$@"
}
