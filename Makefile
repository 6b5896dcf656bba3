# rtap — every operator command. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
INFRA := infra/infra.sh
SCENARIO ?= normal

.PHONY: help setup infra-up infra-down cluster-up cluster-down start stop restart status health logs \
        spawn-node test test-unit test-integration test-e2e loadtest bench clean

help: ## List every target with one line each
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[36m%-17s\033[0m %s\n", $$1, $$2}'

node_modules/.rtap-installed: package.json package-lock.json
	@command -v node >/dev/null || { echo "setup: Node.js 20.19+ is not installed"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

setup: node_modules/.rtap-installed ## Install npm packages and build/download the servers (cached in ~/.cache/rtap)
	@$(INFRA) install

infra-up: setup ## Start Kafka, NATS, InfluxDB and Jaeger as local processes (127.0.0.1 only)
	@$(INFRA) up

infra-down: ## Stop the servers started by infra-up
	@$(INFRA) down

cluster-up: infra-up ## Start the whole cluster and print its URLs
	@echo "nodes and gateway: not yet (issue 5); the servers above are up"

cluster-down: ## Stop everything cluster-up started
	@$(INFRA) down

start: cluster-up ## Alias of cluster-up
stop: cluster-down ## Alias of cluster-down
restart: ## cluster-down, then cluster-up
	@$(MAKE) --no-print-directory cluster-down
	@$(MAKE) --no-print-directory cluster-up

status: ## Each server (and later each node): up, or down and why
	@$(INFRA) status

health: ## Health checks with timeouts; non-zero exit when any server is unhealthy
	@$(INFRA) health

logs: ## Follow all server logs (.run/logs)
	@$(INFRA) logs

spawn-node: ## Add one actor node to the cluster
	@echo "spawn-node: not yet (issue 5: the rtap node process)"; exit 1

test: setup ## Lint, type-check, unit and integration tests (starts the servers it needs)
	npm test

test-unit: node_modules/.rtap-installed ## Unit tests only (no servers)
	npm run test:unit

test-integration: setup ## Integration tests against the real servers
	npm run test:integration

test-e2e: setup ## End-to-end tests of the whole cluster
	npm run test:e2e

loadtest: setup ## Run a load-test scenario: make loadtest SCENARIO=normal|peak|stress|...
	@echo "loadtest: not yet (issue 6); scenario '$(SCENARIO)'"; exit 1

bench: node_modules/.rtap-installed ## Benchmarks: actor runtime and analytics (no servers)
	npm run bench

clean: cluster-down ## Stop everything and delete this checkout's server data and logs (.run)
	rm -rf .run ui/dist test-artifacts
	@echo "downloads and builds stay cached in $${RTAP_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/rtap}"
