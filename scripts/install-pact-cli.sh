#!/usr/bin/env bash
# Installs the official Pact CLI, prebuilt, from the npm package @pact-foundation/pact-cli into the
# project-local, git-ignored tools/ folder (no root): one binary, linked as tools/bin/pact
# (`pact verifier ...` is pact_verifier_cli) and tools/bin/pact-broker-cli (`... broker ...`).
# npm brings the platform's own build: Linux x64/arm64, macOS x64/arm64. Skipped when present.
# `install-pact-cli.sh --platform OS ARCH` prints the package suffix for `uname -s` and `uname -m`.
set -euo pipefail
export PACT_DO_NOT_TRACK=true

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$ROOT/tools"
PACT_CLI_VERSION="${PACT_CLI_VERSION:-18.1.2}"

# The npm platform package for `uname -s` and `uname -m`.
platform() {
  local os arch
  case $1 in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "error: no prebuilt Pact CLI for $1 in the npm package" >&2; return 1 ;;
  esac
  case $2 in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "error: no prebuilt Pact CLI for $1 on $2 in the npm package" >&2; return 1 ;;
  esac
  echo "$os-$arch"
}

if [[ ${1:-} == --platform ]]; then
  platform "$2" "$3"
  exit
fi

bin="$TOOLS/bin/pact"
if [[ -x $bin && -x $TOOLS/bin/pact-broker-cli ]] && "$bin" verifier --help >/dev/null 2>&1; then
  echo "Pact CLI already installed: $bin"
  exit 0
fi
suffix=$(platform "$(uname -s)" "$(uname -m)")
command -v npm >/dev/null || { echo "error: npm is needed to install the Pact CLI" >&2; exit 1; }
mkdir -p "$TOOLS/npm" "$TOOLS/bin"
echo "installing @pact-foundation/pact-cli@$PACT_CLI_VERSION ($suffix) into $TOOLS/npm"
npm install --prefix "$TOOLS/npm" --no-audit --no-fund --loglevel=error \
  "@pact-foundation/pact-cli@$PACT_CLI_VERSION" >/dev/null
found="npm/node_modules/@pact-foundation/pact-cli-$suffix/standalone/pact"
[[ -f "$TOOLS/$found" ]] || { echo "error: the npm package brought no $found" >&2; exit 1; }
chmod +x "$TOOLS/$found"
# Relative links, written out (BSD ln has no -r).
ln -sf "../$found" "$bin"
ln -sf "../$found" "$TOOLS/bin/pact-broker-cli"
echo "Pact CLI installed: $bin and $TOOLS/bin/pact-broker-cli"
