# Docker mode, watch mode and the Docker end-to-end test; included at the end of the Makefile.
# docs/docker.md tells the whole story.

# make up DOCKER=1 / make down DOCKER=1: the five services (and a broker) with docker-compose.
# BROKER=official (default: pactfoundation/pact-broker on Postgres) or embedded (the
# workspace's own broker image); DEV=1 adds docker-compose.dev.yml (cargo watch in containers).
DOCKER ?=
BROKER ?= official
DEV ?=
export BROKER DEV

docker_mode = $(filter 1 true yes,$(DOCKER))

# What the main Makefile's up/down/status/logs recipes run: native by default, docker-compose
# with DOCKER=1.
SERVICES_UP = $(if $(docker_mode),scripts/compose.sh up,scripts/services.sh up)
SERVICES_DOWN = $(if $(docker_mode),scripts/compose.sh down,scripts/services.sh down)
SERVICES_STATUS = $(if $(docker_mode),scripts/compose.sh status,scripts/services.sh status)
SERVICES_LOGS = $(if $(docker_mode),scripts/compose.sh logs,scripts/services.sh logs)

.PHONY: up-docker down-docker status-docker logs-docker build-docker clean-data-docker \
	e2e-docker check-compose dockerd-start dockerd-stop \
	setup-watch watch watch-stop watch-status watch-logs watch-check

up-docker: ## Docker mode: build the images and start the services and a broker (BROKER=embedded|official)
	@scripts/compose.sh up

down-docker: ## Docker mode: stop and remove the containers; the named volumes (data) stay
	@scripts/compose.sh down

status-docker: ## Docker mode: which services answer on their ports
	@scripts/compose.sh status

logs-docker: ## Docker mode: the last lines of every container's log (LINES=n)
	@scripts/compose.sh logs

build-docker: ## Docker mode: build the images only
	@scripts/compose.sh build

clean-data-docker: ## Docker mode: stop and delete the named volumes (every service's and the broker's data)
	@VOLUMES=1 scripts/compose.sh down

check-compose: ## Static check of every compose file combination (docker-compose config; no daemon needed)
	@scripts/check-compose.sh

e2e-docker: ## From nothing: private dockerd, local base images, stack up, contract workflow, persistence, teardown
	@scripts/docker-e2e.sh

dockerd-start: ## Start the project's private Docker daemon (.run/docker; for machines without one)
	@scripts/dockerd.sh start

dockerd-stop: ## Stop the project's private Docker daemon by its pid
	@scripts/dockerd.sh stop

setup-watch: ## Install cargo-watch into tools/ (only when missing)
	@scripts/setup-watch.sh

watch: ## Run the five services under cargo watch in the background: saving a file restarts that service
	@scripts/watch.sh start

watch-stop: ## Stop the cargo watch processes `make watch` started
	@scripts/watch.sh stop

watch-status: ## Which watched services run and answer /health
	@scripts/watch.sh status

watch-logs: ## The last lines of every watched service's log (LINES=n)
	@scripts/watch.sh logs

watch-check: ## Prove live editing: edit a copy of a service, see the running service answer with the change
	@scripts/watch-check.sh
