# Prometheus: scrapes the gateway and the nodes of this host, evaluates rtap's alert rules
# (infra/prometheus/prometheus.yml and alerts.yml). API and alerts on 9090; its web UI needs
# assets a `go install` does not build (like Jaeger's here), so read /api/v1/alerts — or use infra/docker-compose.yml.

PROMETHEUS_MODULE_VERSION=v0.316.0   # Prometheus 3.16.0 (Go modules number v3.N.x as v0.3NN.x)
PROMETHEUS_PORTS=(9090)
PROMETHEUS_LOG=$RTAP_LOGS/prometheus.log

prometheus_install() {
  [ -x "$RTAP_BIN/prometheus" ] && return 0
  go_install prometheus "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_MODULE_VERSION"
}

prometheus_health() { http_ok http://127.0.0.1:9090/-/ready; }

prometheus_start() {
  is_running prometheus && prometheus_health && return 0
  prometheus_install || return 1
  require_free_ports prometheus "${PROMETHEUS_PORTS[@]}" || return 1
  mkdir -p "$RTAP_DATA/prometheus"
  # The checkout's configuration and rules (infra/prometheus/): `curl -X POST :9090/-/reload` after an edit.
  start_go_daemon prometheus "$PROMETHEUS_LOG" "$RTAP_BIN/prometheus" --config.file="$RTAP_ROOT/infra/prometheus/prometheus.yml" \
    --storage.tsdb.path="$RTAP_DATA/prometheus" --storage.tsdb.retention.time=2d --web.listen-address=127.0.0.1:9090 \
    --web.enable-lifecycle || return 1
  wait_until prometheus 30 "$PROMETHEUS_LOG" prometheus_health
}

prometheus_stop() { stop_daemon prometheus 10; }
prometheus_urls() { echo "prometheus http://127.0.0.1:9090         alerts: /api/v1/alerts, rules: /api/v1/rules (API only; UI needs Docker)"; }
