#!/usr/bin/env bash
# Static check of the compose files, run by `make check-compose` (and `make test`): every
# combination the project documents must pass `docker-compose config` (Debian's v1.29; it needs
# no daemon), and with the v2 plugin too when that is installed; then a few properties the
# project relies on are asserted on the merged result. Installs Debian's docker-compose when it
# is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/system-packages.sh
export COMPOSE_PROJECT_NAME=pact-rust-demo
# The defaults are what is checked, whatever the caller's environment says.
unset ACCOUNTING_PORT INVENTORY_PORT ITEM_PORT CART_PORT CATALOG_PORT BROKER_PORT DOCKER_PUBLISH_ADDRESS

require_programs "make check-compose" docker-compose python3

# Debian's python3 has PyYAML whenever docker-compose is installed.
python=python3; [[ -x /usr/bin/python3 ]] && python=/usr/bin/python3

combinations=(
  "docker-compose.yml"
  "docker-compose.yml docker-compose.embedded-broker.yml"
  "docker-compose.yml docker-compose.dev.yml"
  "docker-compose.yml docker-compose.embedded-broker.yml docker-compose.dev.yml"
)

tools=("docker-compose")
if docker compose version >/dev/null 2>&1; then tools+=("docker compose"); fi

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
passed=0 failed=0
for files in "${combinations[@]}"; do
  args=()
  for file in $files; do args+=(-f "$file"); done
  for tool in "${tools[@]}"; do
    read -r -a cmd <<<"$tool"
    if out=$("${cmd[@]}" "${args[@]}" config 2>"$errors") \
      && "$python" scripts/check-compose.py "$files" <<<"$out"; then
      passed=$((passed + 1))
    else
      echo "FAILED: $tool ${args[*]} config" >&2
      tail -n 20 "$errors" >&2
      failed=$((failed + 1))
    fi
  done
done
echo "check-compose: $passed passed, $failed failed"
((failed == 0))
