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

command -v cargo >/dev/null || { echo "error: cargo not found: install Rust with rustup first" >&2; exit 1; }
command -v curl >/dev/null || apt_install curl
echo "setup: all tools present"
