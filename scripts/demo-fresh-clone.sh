#!/usr/bin/env bash
# Proof that `make demo` needs only what the README says: a fresh clone of HEAD runs `make demo`
# with a PATH that holds nothing but the demo's prerequisites (the Rust toolchain and the C
# compiler it links with, make, curl, git, node/npm, and a POSIX userland), as symlinks in a
# temporary folder: no apt-get, sudo, jq, shellcheck, chromium, actionlint or python3. The
# environment is emptied too. The demo runs on ports and folders of its own and is stopped after.
#
# The clone builds into target/fresh-clone-demo/ (dependencies are reused from one run to the
# next; never the main checkout's target/, whose test binaries point at this checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/topology.sh
ROOT=$(pwd)

# Everything `make demo` may call. A program missing here that the demo needs fails the run.
ALLOWED=(
  cargo rustc rustup cc gcc ld ar as # the toolchain (rusqlite builds SQLite's C source)
  make curl git node npm npx
  bash sh env cat cp mv rm mkdir rmdir ls ln sed awk grep tr head tail sort uniq wc cut dirname
  basename find xargs sleep kill ps mktemp touch chmod uname id printf test expr tee seq nohup
  true false date tput
)

work=$(mktemp -d)
bare=$work/bin clone=$work/clone
mkdir -p "$bare"
cleanup() {
  if [[ -d $clone/.run ]]; then
    (cd "$clone" && env -i PATH="$bare" HOME="$HOME" RUN_DIR="$clone/.run" bash scripts/services.sh down >/dev/null 2>&1) || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

for program in "${ALLOWED[@]}"; do
  if path=$(command -v "$program" 2>/dev/null) && [[ $path == /* ]]; then
    ln -s "$path" "$bare/$program"
  fi
done
# gcc's and cargo's helpers (cc1, collect2, ld's plugins) are found through their own install
# paths, not PATH; rustup's proxies find their toolchain through RUSTUP_HOME.
for forbidden in apt-get sudo jq shellcheck chromium actionlint python3 dnf brew; do
  [[ ! -e $bare/$forbidden ]] || { echo "error: $forbidden must not be on the demo's PATH" >&2; exit 1; }
done

# Ports of its own: free ones, found before anything starts, one per process of topology.txt.
ports=()
free=$(free_ports "$(topology_names | wc -l)")
for name in $(topology_names); do
  ports+=("$(port_variable_of "$name")=${free%% *}")
  free=${free#* }
done

git clone -q "$ROOT" "$clone"
echo "make demo in a fresh clone ($(git -C "$clone" rev-parse --short HEAD)) with only these on PATH: ${ALLOWED[*]}"
start=$SECONDS
# The environment is emptied but for how this machine reaches the package registries (proxies and
# certificate authorities): a laptop has its own, and they are no program the demo needs.
network=()
while IFS= read -r variable; do network+=("$variable"); done < <(env | grep -E '^([A-Za-z_]*_CA_[A-Z_]*|SSL_CERT_(FILE|DIR)|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy)=' || true)
(
  cd "$clone"
  env -i HOME="$HOME" PATH="$bare" TERM=dumb LANG=C.UTF-8 "${network[@]}" \
    ${RUSTUP_HOME:+RUSTUP_HOME="$RUSTUP_HOME"} ${CARGO_HOME:+CARGO_HOME="$CARGO_HOME"} \
    CARGO_TARGET_DIR="$ROOT/target/fresh-clone-demo" PACT_DO_NOT_TRACK=true \
    "${ports[@]}" make demo
)
echo "demo-fresh-clone: make demo passed in a fresh clone with only the demo's prerequisites on PATH ($((SECONDS - start)) s)"
