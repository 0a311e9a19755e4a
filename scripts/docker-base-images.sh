#!/usr/bin/env bash
# Makes the two base images the Dockerfile names, locally, for machines that reach no image
# registry (only Debian's package mirror):
#
#   debian:bookworm-slim   debootstrap --variant=minbase bookworm, then docker import
#   rust:1.95-bookworm     the same plus gcc/libc6-dev/make, with this host's Rust toolchain
#                          copied in (CARGO_HOME=/usr/local/cargo, RUSTUP_HOME=/usr/local/rustup,
#                          as in the official image), this host's crates.io cache (so the build
#                          needs no network) and cargo-watch from tools/bin when there.
#
# An image that already exists is kept (FORCE=1 remakes them). Needs root, debootstrap and a
# running daemon (DOCKER_HOST, see scripts/dockerd.sh). Rootfs folders go to .run/docker/rootfs.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${DOCKER_DIR:-$ROOT/.run/docker}/rootfs
# The names the Dockerfile's FROM lines use by default (its ARG lines), unless given.
dockerfile_default() { sed -n "s/^ARG $1=//p" Dockerfile | head -n 1; }
RUST_IMAGE=${RUST_IMAGE:-$(dockerfile_default RUST_IMAGE)}
RUNTIME_IMAGE=${RUNTIME_IMAGE:-$(dockerfile_default RUNTIME_IMAGE)}
BUILD_PACKAGES=${BUILD_PACKAGES:-gcc,libc6-dev,make,pkg-config,ca-certificates}

docker_cli() { if [[ -x /usr/bin/docker ]]; then /usr/bin/docker "$@"; else docker "$@"; fi; }

die() { echo "error: $*" >&2; exit 1; }

# The Debian mirror this machine's apt uses (deb822 or one-line format), else deb.debian.org.
debian_mirror() {
  local mirror
  mirror=$(grep -rhsE '^[[:space:]]*(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ \
    | grep -oE 'https?://[^ ]*/debian/?([[:space:]]|$)' | head -n 1 | tr -d '[:space:]') || true
  echo "${DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}"
}

have_image() { [[ ${FORCE:-0} != 1 ]] && docker_cli image inspect "$1" >/dev/null 2>&1; }

# debootstrap DIR [extra packages]; leaves no apt cache or lists behind.
bootstrap() {
  local dir=$1 include=${2:-}
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  local args=(--variant=minbase)
  [[ -n $include ]] && args+=("--include=$include")
  debootstrap "${args[@]}" bookworm "$dir" "$(debian_mirror)" >"$dir.log" 2>&1 \
    || { tail -n 20 "$dir.log" >&2; die "debootstrap into $dir failed (log: $dir.log)"; }
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/*.log
}

import() {
  local dir=$1 tag=$2
  shift 2
  tar -C "$dir" --numeric-owner -c . | docker_cli import "$@" - "$tag" >/dev/null
  echo "imported $tag ($(docker_cli image inspect --format '{{.Size}}' "$tag" | numfmt --to=iec))"
}

runtime_image() {
  if have_image "$RUNTIME_IMAGE"; then echo "$RUNTIME_IMAGE: present"; return; fi
  bootstrap "$WORK/runtime"
  import "$WORK/runtime" "$RUNTIME_IMAGE" --change 'CMD ["bash"]'
  rm -rf "$WORK/runtime"
}

rust_image() {
  if have_image "$RUST_IMAGE"; then echo "$RUST_IMAGE: present"; return; fi
  local toolchain
  toolchain=$(readlink -f "$(rustc --print sysroot)")
  [[ -x $toolchain/bin/cargo ]] || die "no cargo in $toolchain (rustc --print sysroot)"
  bootstrap "$WORK/rust" "$BUILD_PACKAGES"
  local dir=$WORK/rust name
  name=$(basename "$toolchain")
  mkdir -p "$dir/usr/local/rustup/toolchains" "$dir/usr/local/cargo/bin"
  # The toolchain without its HTML docs (about half its size).
  tar -C "$(dirname "$toolchain")" --exclude "$name/share/doc" -c "$name" \
    | tar -C "$dir/usr/local/rustup/toolchains" -x
  for tool in cargo rustc rustdoc; do
    ln -s "../../rustup/toolchains/$name/bin/$tool" "$dir/usr/local/cargo/bin/$tool"
  done
  [[ -x tools/bin/cargo-watch ]] && cp tools/bin/cargo-watch "$dir/usr/local/cargo/bin/"
  # The crates.io index and .crate cache (no extracted sources): offline builds of this lock file.
  local registry=${CARGO_HOME:-$HOME/.cargo}/registry
  if [[ -d $registry/cache ]]; then
    mkdir -p "$dir/usr/local/cargo/registry"
    cp -a "$registry/index" "$registry/cache" "$dir/usr/local/cargo/registry/"
  fi
  import "$dir" "$RUST_IMAGE" \
    --change 'ENV CARGO_HOME=/usr/local/cargo' \
    --change 'ENV RUSTUP_HOME=/usr/local/rustup' \
    --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]'
  rm -rf "$dir"
}

[[ $(id -u) -eq 0 ]] || die "debootstrap needs root"
command -v debootstrap >/dev/null || die "debootstrap not found: apt-get install debootstrap"
docker_cli version >/dev/null 2>&1 || die "no Docker daemon at ${DOCKER_HOST:-the default socket}: run scripts/dockerd.sh start"

case ${1:-all} in
  runtime) runtime_image ;;
  rust) rust_image ;;
  all)
    # The two debootstraps download in parallel; the imports then run one after the other.
    runtime_image &
    runtime_pid=$!
    rust_image
    wait "$runtime_pid"
    ;;
  *) echo "usage: $0 [runtime|rust|all]" >&2; exit 2 ;;
esac
