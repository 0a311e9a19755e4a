# Consumer-driven contract testing with Pact, five Rust services. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The pact crates send usage data unless told not to; never from this project.
export PACT_DO_NOT_TRACK := true

# Versions and branch of what is published and verified (scripts/pact-env.sh): a service's own
# variable (CART_VERSION, CATALOG_VERSION, ...), else SERVICE_VERSION, else the git commit;
# BRANCH, else the git branch. Broker and credentials as the Pact CLIs read them.
export SERVICE_VERSION BRANCH ACCOUNTING_VERSION CART_VERSION CATALOG_VERSION INVENTORY_VERSION ITEM_VERSION
export SERVICE VERSION ENVIRONMENT PROVIDER WIP_PACTS_SINCE BREAKING CI_RECEIVER_PORT
export PACT_BROKER_BASE_URL PACT_BROKER_USERNAME PACT_BROKER_PASSWORD PACT_BROKER_TOKEN

CARGO ?= cargo
# One feature set for every cargo call here and in scripts/ (the workspace's defaults: no `tls`),
# so nothing is rebuilt between targets.
CARGO_TEST = $(CARGO) test --workspace
# `cargo test` also builds every package's binaries, with the same features: the scripts run
# those (the services, the broker, check-example-pacts) instead of building them a second time.
BIN = $${CARGO_TARGET_DIR:-target}/debug

.PHONY: e2e publish-pacts can-i-deploy record-deployment deploy-all setup-broker demo-breaking-change demo-webhook
.PHONY: fuzz bench bench-smoke bench-contracts chaos
.PHONY: setup-test check-portability demo-fresh-clone
.PHONY: help setup demo up down status logs test lint fmt clean-data create-pacts verify-pacts \
	check-example-pacts update-example-pacts check-workflows verify-hand-written-pacts

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-22s %s\n", $$1, $$2}'

setup: ## What make demo needs: checks make, curl, git, cc, npm; installs the Pact CLI into tools/ (no root)
	@scripts/setup.sh

setup-test: setup ## What make test needs besides: checks shellcheck, jq, python3, chromium, wrk, docker-compose; actionlint into tools/
	@scripts/setup-test.sh

demo: setup up create-pacts setup-broker publish-pacts verify-pacts deploy-all ## The whole story, start to finish
	@echo; echo "Services (stop them with 'make down'):"; $(SERVICES_STATUS)
	@echo; tools/bin/pact-broker-cli broker list-latest-pact-versions -b $${PACT_BROKER_BASE_URL:-http://127.0.0.1:$${BROKER_PORT:-9292}}
	@echo; echo "Every pact published, verified and deployable. Open the broker: $${PACT_BROKER_BASE_URL:-http://127.0.0.1:$${BROKER_PORT:-9292}}"

demo-breaking-change: ## A consumer's breaking pact on a feature branch: pending for the provider, blocked by can-i-deploy
	@scripts/demo-breaking-change.sh

demo-webhook: ## After make demo: a changed pact verified by a local CI receiver through the broker's webhooks, can-i-deploy flips (BREAKING=1: to no)
	@scripts/demo-webhook.sh

up: ## Build and start the five services and the Pact Broker (:9292), natively in the background (DOCKER=1: compose)
	@$(SERVICES_UP)

down: ## Stop exactly what `make up` started (safe to run twice)
	@$(SERVICES_DOWN)

status: ## Show which services run and answer /health
	@$(SERVICES_STATUS)

logs: ## Show the last lines of every service's log (LINES=n for more)
	@$(SERVICES_LOGS)

create-pacts: ## Run the consumer contract tests into a clean pacts/ and list the pact files
	rm -rf pacts
	$(CARGO_TEST) --no-run
	$(CARGO_TEST) --test api -- pact_consumer_
	@echo; echo "Pact files written:"; ls -1 pacts/*.json | sed 's/^/  /'
	@$(BIN)/check-example-pacts >/dev/null 2>&1 \
		|| echo "note: example-pacts/ differs from pacts/: 'make check-example-pacts' shows how"

verify-pacts: ## Verify every provider (from the broker when one answers, else pacts/ or example-pacts/)
	@scripts/verify-pacts.sh

publish-pacts: ## Publish pacts/ with pact-broker-cli (CART_VERSION/CATALOG_VERSION, else SERVICE_VERSION; BRANCH)
	@scripts/pact-workflow.sh publish

can-i-deploy: ## Ask the broker: SERVICE=cart-service [VERSION=..] [ENVIRONMENT=production]
	@scripts/pact-workflow.sh can-i-deploy

record-deployment: ## Tell the broker: SERVICE=cart-service [VERSION=..] [ENVIRONMENT=production]
	@scripts/pact-workflow.sh record-deployment

deploy-all: ## can-i-deploy and record-deployment for every service, providers first
	@scripts/pact-workflow.sh deploy-all

setup-broker: ## Create the environments (test, production) and main branches on the broker if missing
	@scripts/pact-workflow.sh setup-broker

check-example-pacts: ## Fail when example-pacts/ no longer matches what create-pacts writes
	$(CARGO_TEST) --no-run -q
	$(BIN)/check-example-pacts

update-example-pacts: create-pacts ## Copy freshly created pacts into example-pacts/
	rm -f example-pacts/*.json && cp pacts/*.json example-pacts/

verify-hand-written-pacts: ## Every provider against hand-written-pacts/ (V2, V3) with pact_verifier and pact_verifier_cli
	@scripts/verify-hand-written-pacts.sh

e2e: ## The whole workflow against the embedded broker on a free port, checked through its API
	@scripts/e2e-workflow.sh

test: setup-test lint check-portability check-workflows check-compose create-pacts check-example-pacts verify-hand-written-pacts e2e demo-fresh-clone fuzz bench-smoke ## Everything: lint, portability, workflows, compose files, pacts, e2e, the demo in a fresh clone, fuzz, bench smoke, every cargo test
	@scripts/run-tests.sh

fuzz: ## schemathesis against every service's /openapi.json (no 5xx, answers as documented; FUZZ_EXAMPLES=n)
	@scripts/fuzz.sh

chaos: ## Every fault (kill -9 each service, SIGSTOP, callers hanging up) under load; table of lost/minted units (CHAOS_REQUESTS=n)
	$(CARGO_TEST) --no-run -q
	$(BIN)/chaos

bench: ## Load on the native services beside the Python original; table into BENCHMARKS.md (BENCH_SECONDS=n)
	@scripts/bench.sh

bench-smoke: ## The bench script for 1 s, one connection, dev build, into a temporary file: it must still work
	@out=$$(mktemp) && BENCH_SECONDS=1 BENCH_CONNECTIONS=1 BENCH_THREADS=1 BENCH_WARMUP=0 BENCH_PROFILE=dev BENCH_OUT=$$out \
		scripts/bench.sh; status=$$?; rm -f $$out; exit $$status

bench-contracts: ## Wall time of create-pacts, verify-pacts, publish-pacts (own broker), warm; appended to BENCHMARKS.md
	@scripts/bench-contracts.sh

check-portability: ## No GNU-only flag or bash-4 feature in what make demo runs (macOS: bash 3.2, BSD tools)
	@scripts/check-portability.sh

demo-fresh-clone: ## make demo in a fresh clone with only the demo's prerequisites on PATH, on ports of its own
	@scripts/demo-fresh-clone.sh

check-workflows: ## actionlint (and shellcheck) over .github/workflows
	tools/bin/actionlint -no-color

lint: ## cargo fmt --check, clippy with warnings as errors, shellcheck on the scripts
	shellcheck -x scripts/*.sh docker/*.sh
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --features pact-broker/bench -- -D warnings

fmt: ## Format the code
	$(CARGO) fmt --all

clean-data: down ## Stop the services and delete their databases and the broker's
	rm -rf data
include mk/docker.mk
