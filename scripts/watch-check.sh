#!/usr/bin/env bash
# Proves live editing works: runs accounting-service under cargo-watch from a COPY of the
# workspace on a spare port, changes a response in that copy's source, and waits (bounded) for
# the running service to answer with the change; then restores the source, sees the old answer
# come back, and stops everything. The working tree, its target/ and ports 8001-8005 are never
# touched, so it can run beside `make up` or `make watch`.
#
# The copy lives outside the project (WATCH_CHECK_DIR, default $TMPDIR/pact-rust-watch-check:
# inside it, cargo-watch would apply the project's .gitignore, which ignores target/, and never
# fire); its build folder is target/watch-check (git-ignored), so only the first run compiles the
# service's dependencies.
#
# Settings: WATCH_CHECK_PORT (18001), CHANGE_TIMEOUT_SECONDS (180: rebuild + restart after an
# edit), HEALTH_TIMEOUT_SECONDS (900: the first start, which may compile from nothing).
set -euo pipefail

cd "$(dirname "$0")/.."
PROJECT=$(pwd)
export PACT_DO_NOT_TRACK=true

PORT=${WATCH_CHECK_PORT:-18001}
CHANGE_TIMEOUT_SECONDS=${CHANGE_TIMEOUT_SECONDS:-180}
export HEALTH_TIMEOUT_SECONDS=${HEALTH_TIMEOUT_SECONDS:-900}
BASE=${WATCH_CHECK_DIR:-${TMPDIR:-/tmp}/pact-rust-watch-check}
COPY=$BASE/workspace
SERVICE=accounting-service
FILE=$COPY/$SERVICE/src/routes.rs
OLD='has no price'
NEW='has no price (edited live)'

say() { printf '[watch-check %3ds] %s\n' "$SECONDS" "$*"; }

# A copy of the sources (not target/, data/, .git): rsync-like with tar, refreshed every run.
mkdir -p "$COPY"
tar -C "$PROJECT" --exclude=./target --exclude=./data --exclude=./.run --exclude=./tools \
  --exclude=./pacts --exclude=./.git -c . | tar -C "$COPY" -x
grep -qF "$OLD" "$FILE" || { echo "error: $FILE no longer contains $OLD; update this check" >&2; exit 1; }

export WORKSPACE=$COPY RUN_DIR=$BASE/run DATA_DIR=$BASE/data CARGO_TARGET_DIR=$PROJECT/target/watch-check
export WATCH_SERVICES=$SERVICE BUILD_SERVICES=$SERVICE ACCOUNTING_PORT=$PORT
rm -rf "$DATA_DIR"

cleanup() {
  scripts/watch.sh stop >/dev/null 2>&1 || true
  # The copy goes back to the committed text even when the check failed half-way.
  sed -i "s/$NEW/$OLD/" "$FILE" 2>/dev/null || true
}
trap cleanup EXIT

health() { curl -fsS --max-time 2 "http://127.0.0.1:$PORT/health" 2>/dev/null || true; }
# A response of the service's own code: the 404 for an item with no price.
answer() { curl -sS --max-time 2 "http://127.0.0.1:$PORT/items/424242" 2>/dev/null || true; }

# Waits until that answer matches $1 (a grep -E pattern), or fails.
await() {
  local pattern=$1 what=$2 started=$SECONDS
  until answer | grep -qE "$pattern"; do
    if ((SECONDS - started > CHANGE_TIMEOUT_SECONDS)); then
      echo "error: $what: not seen within ${CHANGE_TIMEOUT_SECONDS}s; it answers: $(answer)" >&2
      tail -n 30 "$RUN_DIR/watch/logs/$SERVICE.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  say "$what after $((SECONDS - started))s: $(answer)"
}

say "starting $SERVICE under cargo-watch on port $PORT (from $COPY)"
scripts/watch.sh start >/dev/null
say "running: GET /items/424242 -> $(answer)"
answer | grep -q 'edited live' && { echo "error: the copy was already edited" >&2; exit 1; }

sleep 1 # a change within cargo-watch's start-up debounce can be missed; one second is plenty
sed -i "s/$OLD/$NEW/" "$FILE"
say "edited $SERVICE/src/routes.rs in the copy: its 404 message gains '(edited live)'"
await 'has no price \(edited live\)' "the running service answers with the change"

sed -i "s/$NEW/$OLD/" "$FILE"
say "restored the source"
await 'has no price"' "the running service answers as before"

scripts/watch.sh stop >/dev/null
if health | grep -q ok; then echo "error: port $PORT still answers after stop" >&2; exit 1; fi
say "stopped; watch check passed"
