# Prometheus: scrapes the gateway and the nodes of this host, evaluates rtap's alert rules
# (infra/prometheus/alerts.yml). API and alerts on 9090; its web UI needs assets a `go install`
# does not build (like Jaeger's here), so read /api/v1/alerts — or use infra/docker-compose.yml.

PROMETHEUS_MODULE_VERSION=v0.316.0   # Prometheus 3.16.0 (Go modules number v3.N.x as v0.3NN.x)
PROMETHEUS_PORTS=(9090)
PROMETHEUS_LOG=$RTAP_LOGS/prometheus.log

prometheus_install() {
  [ -x "$RTAP_BIN/prometheus" ] && return 0
  go_install prometheus "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_MODULE_VERSION"
}

prometheus_health() { http_ok http://127.0.0.1:9090/-/ready; }

# The scrape targets of this host: the gateway on 3000, node-N on 9464+N (infra/cluster.sh) for as
# many nodes as there are partitions; absent nodes are targets that are down, not alerts.
prometheus_config() {
  local nodes=() n
  for n in $(seq 1 12); do nodes+=("\"127.0.0.1:$((${RTAP_METRICS_BASE_PORT:-9464} + n))\""); done
  cat <<YAML
# Written by infra/servers/prometheus.sh at each start; the rules are the checkout's own.
global: { scrape_interval: 5s, evaluation_interval: 15s }
rule_files: ["$RTAP_ROOT/infra/prometheus/alerts.yml"]
scrape_configs:
  - job_name: rtap-gateway
    static_configs: [{ targets: ["127.0.0.1:3000"] }]
  - job_name: rtap-node
    static_configs: [{ targets: [$(IFS=,; echo "${nodes[*]}")] }]
YAML
}

prometheus_start() {
  is_running prometheus && prometheus_health && return 0
  prometheus_install || return 1
  require_free_ports prometheus "${PROMETHEUS_PORTS[@]}" || return 1
  mkdir -p "$RTAP_DATA/prometheus"
  prometheus_config >"$RTAP_RUN/prometheus.yml"
  start_daemon prometheus "$PROMETHEUS_LOG" "$RTAP_BIN/prometheus" --config.file="$RTAP_RUN/prometheus.yml" \
    --storage.tsdb.path="$RTAP_DATA/prometheus" --storage.tsdb.retention.time=2d --web.listen-address=127.0.0.1:9090
  wait_until prometheus 30 "$PROMETHEUS_LOG" prometheus_health
}

prometheus_stop() { stop_daemon prometheus 10; }
prometheus_urls() { echo "prometheus http://127.0.0.1:9090         alerts: /api/v1/alerts, rules: /api/v1/rules (API only; UI needs Docker)"; }
