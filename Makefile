# Consumer-driven contract testing with Pact, five Rust services. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The pact crates send usage data unless told not to; never from this project.
export PACT_DO_NOT_TRACK := true

CARGO ?= cargo
# One feature set for every cargo call here, so nothing is rebuilt between targets.
CARGO_TEST = $(CARGO) test --workspace --all-features

.PHONY: help setup demo up down status logs test lint fmt clean-data create-pacts verify-pacts \
	check-example-pacts update-example-pacts

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-22s %s\n", $$1, $$2}'

setup: ## Install what the project needs beyond Rust (only what is missing)
	@scripts/setup.sh

demo: setup up create-pacts verify-pacts ## The whole story: services up, pacts created, every provider verified
	@echo; echo "Services (stop them with 'make down'):"; scripts/services.sh status

up: ## Build and start the five services natively (background processes, logs in .run/logs)
	@scripts/services.sh up

down: ## Stop exactly the processes `make up` started (safe to run twice)
	@scripts/services.sh down

status: ## Show which services run and answer /health
	@scripts/services.sh status

logs: ## Show the last lines of every service's log (LINES=n for more)
	@scripts/services.sh logs

create-pacts: ## Run the consumer contract tests into a clean pacts/ and list the pact files
	rm -rf pacts
	$(CARGO_TEST) --test 'pact_consumer_*'
	@echo; echo "Pact files written:"; ls -1 pacts/*.json | sed 's/^/  /'
	@$(CARGO) run -q -p contract-testing --bin check-example-pacts >/dev/null 2>&1 \
		|| echo "note: example-pacts/ differs from pacts/: 'make check-example-pacts' shows how"

verify-pacts: ## Verify every provider against its pacts (pacts/, else example-pacts/, or a broker)
	@scripts/verify-pacts.sh

check-example-pacts: ## Fail when example-pacts/ no longer matches what create-pacts writes
	$(CARGO) run -q -p contract-testing --bin check-example-pacts

update-example-pacts: create-pacts ## Copy freshly created pacts into example-pacts/
	rm -f example-pacts/*.json && cp pacts/*.json example-pacts/

test: setup create-pacts check-example-pacts ## Run every test: fresh pacts, example-pacts check, all tests
	@scripts/run-tests.sh

lint: ## cargo fmt --check and clippy with warnings as errors
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

fmt: ## Format the code
	$(CARGO) fmt --all

clean-data: down ## Stop the services and delete their databases
	rm -rf data
include mk/docker.mk
