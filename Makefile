# rtap — every operator command. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
INFRA := infra/infra.sh
CLUSTER := infra/cluster.sh

.PHONY: help setup ui infra-up infra-down cluster-up cluster-down start stop restart status health logs \
        logs-kafka logs-nats logs-influxdb logs-jaeger logs-prometheus logs-nodes logs-dashboard spawn-node scale-nodes \
        scale-simulator test test-unit test-integration test-e2e test-alerts test-latency test-throughput loadtest bench clean

help: ## List every target with one line each
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[36m%-17s\033[0m %s\n", $$1, $$2}'

node_modules/.rtap-installed: package.json package-lock.json
	@command -v node >/dev/null || { echo "setup: Node.js 20.19+ is not installed"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

setup: node_modules/.rtap-installed ## Install npm packages and build/download the servers and promtool (cached in ~/.cache/rtap)
	@$(INFRA) install
	@infra/prometheus/promtool.sh --version >/dev/null

infra-up: setup ## Start Kafka, NATS, InfluxDB, Jaeger and Prometheus as local processes (127.0.0.1 only)
	@$(INFRA) up

infra-down: ## Stop the servers started by infra-up
	@$(INFRA) down

ui/dist/index.html: node_modules/.rtap-installed $(shell find ui/src ui/index.html ui/vite.config.ts -type f 2>/dev/null)
	npx vite build ui --logLevel warn

ui: ui/dist/index.html ## Build the dashboard (ui/dist)

cluster-up: infra-up ui ## Start the servers, the gateway and two actor nodes; print the URLs
	@$(CLUSTER) up 2
	@echo
	@$(INFRA) urls
	@$(CLUSTER) urls

cluster-down: ## Stop the nodes, the gateway and the servers; frees every port
	@$(CLUSTER) down
	@$(INFRA) down

start: cluster-up ## Alias of cluster-up
stop: cluster-down ## Alias of cluster-down
restart: ## cluster-down, then cluster-up
	@$(MAKE) --no-print-directory cluster-down
	@$(MAKE) --no-print-directory cluster-up

status: ## Each server and process (up, or down and why), then the cluster as the nodes report it
	@$(INFRA) status; rc=$$?; $(CLUSTER) status; echo; \
	  if $(INFRA) status nats >/dev/null 2>&1; then bin/rtap status; fi; exit $$rc

health: ## Health checks with timeouts; non-zero exit when any server is unhealthy
	@$(INFRA) health

logs: ## Follow every log: servers, nodes, gateway (.run/logs)
	@if [ -t 1 ]; then tail -n 20 -F .run/logs/*.log; else tail -n 50 .run/logs/*.log; fi

logs-kafka: ## Follow the Kafka broker's log
	@$(INFRA) logs kafka

logs-nats: ## Follow the NATS server's log
	@$(INFRA) logs nats

logs-influxdb: ## Follow InfluxDB's log
	@$(INFRA) logs influxdb

logs-jaeger: ## Follow Jaeger's log
	@$(INFRA) logs jaeger

logs-prometheus: ## Follow Prometheus's log (it scrapes the gateway and nodes and evaluates the alert rules)
	@$(INFRA) logs prometheus

logs-nodes: ## Follow the actor nodes' logs (JSON lines with trace ids; the stream processing)
	@$(CLUSTER) logs nodes

logs-dashboard: ## Follow the gateway's log (it serves the dashboard, its WebSocket and REST API)
	@$(CLUSTER) logs gateway

spawn-node: ## Add one actor node (the consumer group rebalances partitions onto it)
	@$(CLUSTER) spawn-node

scale-nodes: ## Run exactly NODES actor nodes: starts more, or stops the newest (they checkpoint and hand their partitions on)
	@test -n "$(NODES)" || { echo "scale-nodes: set NODES=n (n >= 1)"; exit 2; }
	@$(CLUSTER) scale $(NODES)

scale-simulator: ## Restart the demo producer at RATE events/s (RATE=0 stops it)
	@test -n "$(RATE)" || { echo "scale-simulator: set RATE=events/s (0 stops the demo producer)"; exit 2; }
	@$(CLUSTER) producer $(RATE)

test: setup ## Lint, type-check, unit and integration tests (starts the servers it needs)
	npm test

test-unit: node_modules/.rtap-installed ## Unit tests only (no servers)
	npm run test:unit

test-integration: setup ## Integration tests against the real servers
	npm run test:integration

test-alerts: ## Check the Prometheus alert rules and run their unit tests with promtool (infra/prometheus/alerts*.yml)
	@cd infra/prometheus && ./promtool.sh check rules alerts.yml && ./promtool.sh test rules alerts.test.yml

test-e2e: setup ui ## End-to-end tests: the pipeline against the oracle, the dashboard in Chromium
	@infra/install-chromium.sh
	npm run test:e2e

LOADTEST = DURATION='$(DURATION)' RATE='$(RATE)' NODES='$(NODES)' PARTITIONS='$(PARTITIONS)' PROFILE='$(PROFILE)' TRACING='$(TRACING)' NICE='$(NICE)' \
	node --import tsx --max-old-space-size=12288 loadtest/run.ts

loadtest: node_modules/.rtap-installed ## Load test: make loadtest SCENARIO=smoke|normal|peak|stress|10k|50k|max|soak|spike|failover|fanout [DURATION=s RATE=n NODES=n PARTITIONS=n TRACING=0 NICE=0]
	$(LOADTEST) $(or $(SCENARIO),normal)

test-latency: node_modules/.rtap-installed ## Latency goal: the 10k load test (or SCENARIO=…) with p99 ≤ P99_MS (default 25) for updates and alerts; exit 1 if not
	CHECK=latency P99_MS='$(P99_MS)' $(LOADTEST) $(or $(SCENARIO),10k)

test-throughput: node_modules/.rtap-installed ## Throughput goal: the 50k load test (or SCENARIO=…) offered in full, with bounded lag, drained after; exit 1 if not
	CHECK=throughput $(LOADTEST) $(or $(SCENARIO),50k)

bench: node_modules/.rtap-installed ## Benchmarks: actor runtime, analytics, checkpoint snapshots (no servers)
	npm run bench

clean: cluster-down ## Stop everything and delete this checkout's server data and logs (.run)
	rm -rf .run ui/dist test-artifacts
	@echo "downloads and builds stay cached in $${RTAP_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/rtap}"
