#!/usr/bin/env bash
# Installs cargo-watch into tools/ (git-ignored, project-local) when it is not there yet.
# Called by `make watch` (scripts/watch.sh) and `make setup-watch`; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -x tools/bin/cargo-watch ]]; then
  echo "setup-watch: $(tools/bin/cargo-watch --version) present in tools/bin"
  exit 0
fi
command -v cargo >/dev/null || { echo "error: cargo not found: install Rust with rustup first" >&2; exit 1; }
echo "setup-watch: installing cargo-watch into tools/ (a few minutes, once)"
cargo install --root tools cargo-watch --locked
