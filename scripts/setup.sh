#!/usr/bin/env bash
# What `make demo` needs beyond the Rust toolchain, and nothing more: checks for make, curl, git,
# a C compiler (SQLite is built from source) and npm, then installs the official Pact CLI from npm
# into the git-ignored tools/ folder, without root. Test-only tools are scripts/setup-test.sh's.
# Fast to re-run: nothing is installed twice. Bash 3.2 and BSD userland (macOS) safe.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/system-packages.sh

command -v cargo >/dev/null || {
  echo "error: cargo not found: install Rust with rustup (https://rustup.rs) first" >&2
  exit 1
}
require_programs "make demo" make curl git cc npm
scripts/install-pact-cli.sh
echo "setup: the demo's tools are present (tools/bin/pact-broker-cli)"
