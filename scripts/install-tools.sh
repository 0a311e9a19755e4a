#!/usr/bin/env bash
# Installs the tools the pact-broker tests drive, idempotently and fast:
#  - the official Pact CLIs (the Rust `pact-broker-cli` and `pact_verifier_cli`, shipped prebuilt in the npm
#    package @pact-foundation/pact-cli) into the project-local, git-ignored folder tools/;
#  - Debian's chromium (headless browser test), via apt-get, when it is missing.
# Re-running it is cheap: each step is skipped when its tool is already there.
set -euo pipefail
export PACT_DO_NOT_TRACK=true

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/tools"
PACT_CLI_VERSION="${PACT_CLI_VERSION:-18.1.2}"

install_pact_cli() {
  local bin="$TOOLS/bin/pact-broker-cli"
  if [[ -x "$bin" && -x "$TOOLS/bin/pact" ]] && "$TOOLS/bin/pact" verifier --help >/dev/null 2>&1; then
    echo "pact-broker-cli already installed: $bin"
    return
  fi
  command -v npm >/dev/null || { echo "npm is needed to install the Pact CLI" >&2; exit 1; }
  mkdir -p "$TOOLS/npm" "$TOOLS/bin"
  echo "installing @pact-foundation/pact-cli@$PACT_CLI_VERSION into $TOOLS/npm"
  npm install --prefix "$TOOLS/npm" --no-audit --no-fund --loglevel=error \
    "@pact-foundation/pact-cli@$PACT_CLI_VERSION" >/dev/null
  local platform found
  case "$(uname -m)" in
    aarch64 | arm64) platform="linux-arm64" ;;
    *) platform="linux-x64" ;;
  esac
  found="$TOOLS/npm/node_modules/@pact-foundation/pact-cli-$platform/standalone/pact"
  if [[ ! -f "$found" ]]; then
    found="$(find "$TOOLS/npm/node_modules/@pact-foundation" -path '*/standalone/pact' -type f 2>/dev/null | head -n1 || true)"
  fi
  [[ -n "$found" && -f "$found" ]] || { echo "no Pact CLI binary found in the npm package" >&2; exit 1; }
  chmod +x "$found"
  # The package's single binary `pact` is the consolidated Rust CLI: `pact broker ...` is
  # pact-broker-cli, `pact verifier ...` is pact_verifier_cli. Both names link to it (relative
  # links, written out: BSD `ln` has no -r).
  local relative="../${found#"$TOOLS"/}"
  ln -sf "$relative" "$bin"
  ln -sf "$relative" "$TOOLS/bin/pact"
  echo "pact-broker-cli and pact (verifier) installed: $bin, $TOOLS/bin/pact"
}

install_chromium() {
  if command -v chromium >/dev/null 2>&1; then
    echo "chromium already installed: $(chromium --version 2>/dev/null | head -n1)"
    return
  fi
  if [[ "${SKIP_CHROMIUM:-}" == "true" ]]; then
    echo "SKIP_CHROMIUM=true: not installing chromium"
    return
  fi
  local sudo=""
  [[ "$(id -u)" == "0" ]] || sudo="sudo"
  echo "installing chromium with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  echo "chromium installed: $(chromium --version 2>/dev/null | head -n1)"
}

install_pact_cli
install_chromium
