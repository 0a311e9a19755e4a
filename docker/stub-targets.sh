#!/bin/sh
# Run in the image's build stage when only the workspace's manifests have been copied: gives each
# member an empty stand-in for every target (src/lib.rs, src/main.rs, and each `path = ...` a
# manifest declares), so `cargo build` compiles the dependencies alone, in a layer of their own.
# `stub-targets --remove` deletes the stand-ins the real sources did not replace.
set -eu
MARK='// stand-in from docker/stub-targets.sh'

if [ "${1:-}" = --remove ]; then
  grep -rlx --exclude-dir=target --include='*.rs' -- "$MARK" . | xargs rm -f
  exit 0
fi

stub() {
  [ -e "$1" ] && return 0
  mkdir -p "$(dirname "$1")"
  printf '%s\n%s\n' "$MARK" "$2" >"$1"
}

for manifest in */Cargo.toml; do
  crate=${manifest%/Cargo.toml}
  stub "$crate/src/lib.rs" ""
  stub "$crate/src/main.rs" "fn main() {}"
  sed -n 's/^path = "\(.*\)"$/\1/p' "$manifest" | while IFS= read -r path; do
    stub "$crate/$path" "fn main() {}"
  done
done
