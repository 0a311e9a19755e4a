# Consumer-driven contract testing with Pact, five Rust services. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The pact crates send usage data unless told not to; never from this project.
export PACT_DO_NOT_TRACK := true

CARGO ?= cargo

.PHONY: help up down status logs test lint fmt clean-data

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-22s %s\n", $$1, $$2}'

up: ## Build and start the five services natively (background processes, logs in .run/logs)
	@scripts/services.sh up

down: ## Stop exactly the processes `make up` started (safe to run twice)
	@scripts/services.sh down

status: ## Show which services run and answer /health
	@scripts/services.sh status

logs: ## Show the last lines of every service's log (LINES=n for more)
	@scripts/services.sh logs

test: ## Run every test in the workspace
	$(CARGO) test --workspace --all-features

lint: ## cargo fmt --check and clippy with warnings as errors
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

fmt: ## Format the code
	$(CARGO) fmt --all

clean-data: down ## Stop the services and delete their databases
	rm -rf data
